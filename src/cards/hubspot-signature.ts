/**
 * Validation of HubSpot's `X-HubSpot-Signature-v3` header, which HubSpot sends with `hubspot.fetch`
 * requests from app cards. Source: the v3 section of "Validating requests",
 * https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/request-validation
 * The signature is base64(HMAC-SHA256(client secret, method + URI + body + timestamp)). The timestamp
 * is the `X-HubSpot-Request-Timestamp` header in Unix milliseconds. The URI is the full public URL
 * with a few percent-encoded characters decoded. The HMAC construction matches `Signature.getSignature`
 * for `v3` in @hubspot/api-client 14, which checks the same 5-minute limit.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from '../errors';

/** Maximum request age: the page above requires rejecting a timestamp older than 5 minutes. */
export const maxSignatureAgeMs = 5 * 60 * 1000;

export type HubSpotSignatureErrorCode = 'missing_signature' | 'invalid_signature' | 'stale_signature';

export class HubSpotSignatureError extends AppError {
  constructor(code: HubSpotSignatureErrorCode, message: string) {
    super(code, message, { status: 401, retryable: false });
  }
}

// Only these escapes are decoded before hashing, and any other escape stays encoded.
// NOTE: the list follows third-party v3 validators that agree with each other, not HubSpot's own table.
const decodedEscapes: Readonly<Record<string, string>> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
};

/** Decodes the escapes HubSpot decodes before signing, in upper or lower case hex. */
export function decodeSignedUri(uri: string): string {
  return uri.replace(
    /%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi,
    (escape) => decodedEscapes[escape.toUpperCase()]!,
  );
}

/**
 * Builds the URL HubSpot signed from our configured public base URL and the request's path and
 * query (`req.originalUrl`), so a proxy that rewrites the host or scheme does not break validation.
 */
export function publicRequestUrl(publicBaseUrl: string, originalUrl: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}${originalUrl}`;
}

export interface SignedRequest {
  method: string;
  /** The full public URL, as from publicRequestUrl. */
  url: string;
  /** The raw body bytes; empty for a GET. */
  body: Buffer | string;
  /** The X-HubSpot-Request-Timestamp header, Unix milliseconds as text. */
  timestamp: string;
}

/** Computes the v3 signature of a request, base64. */
export function computeHubSpotSignatureV3(request: SignedRequest, clientSecret: string): string {
  const hmac = createHmac('sha256', clientSecret);
  hmac.update(`${request.method.toUpperCase()}${decodeSignedUri(request.url)}`, 'utf8');
  hmac.update(typeof request.body === 'string' ? Buffer.from(request.body, 'utf8') : request.body);
  hmac.update(request.timestamp, 'utf8');
  return hmac.digest('base64');
}

function checkTimestamp(timestamp: string, now: Date): void {
  if (!/^\d{1,16}$/.test(timestamp)) {
    throw new HubSpotSignatureError(
      'invalid_signature',
      'Invalid X-HubSpot-Request-Timestamp: expected Unix milliseconds',
    );
  }
  const ageMs = now.getTime() - Number(timestamp);
  // A timestamp ahead of our clock by more than the same limit is as suspect as an old one.
  if (Math.abs(ageMs) > maxSignatureAgeMs) {
    throw new HubSpotSignatureError(
      'stale_signature',
      `Request timestamp is ${Math.round(ageMs / 1000)} s from the server clock; the limit is 300 s`,
    );
  }
}

function equalInConstantTime(expected: string, received: string): boolean {
  const expectedBytes = Buffer.from(expected, 'utf8');
  const receivedBytes = Buffer.from(received, 'utf8');
  if (expectedBytes.length !== receivedBytes.length) return false;
  return timingSafeEqual(expectedBytes, receivedBytes);
}

/**
 * Verifies a request's v3 signature and timestamp, throwing HubSpotSignatureError (401) with code
 * `missing_signature`, `stale_signature` or `invalid_signature`.
 */
export function verifyHubSpotSignatureV3(
  request: Omit<SignedRequest, 'timestamp'> & {
    signature: string | undefined;
    timestamp: string | undefined;
  },
  clientSecret: string,
  now: Date,
): void {
  if (!request.signature || !request.timestamp) {
    throw new HubSpotSignatureError(
      'missing_signature',
      'Missing X-HubSpot-Signature-v3 or X-HubSpot-Request-Timestamp header; call this endpoint with hubspot.fetch',
    );
  }
  checkTimestamp(request.timestamp, now);
  const expected = computeHubSpotSignatureV3({ ...request, timestamp: request.timestamp }, clientSecret);
  if (!equalInConstantTime(expected, request.signature)) {
    throw new HubSpotSignatureError('invalid_signature', 'X-HubSpot-Signature-v3 does not match the request');
  }
}
