import Stripe from 'stripe';
import { AppError } from '../../src/errors';

/** The envelope fields ingestion needs before the payload is stored; the ledger validates the rest. */
export interface StripeEventEnvelope {
  id: string;
  type: string;
  created: number;
  api_version: string | null;
  livemode: boolean;
}

export class WebhookSignatureError extends AppError {
  constructor(code: 'missing_signature' | 'invalid_signature' | 'stale_signature', message: string) {
    super(code, message, { status: 400 });
  }
}

// The stripe SDK reports a matching signature with an old timestamp with this message (stripe-node 23).
const staleTimestampMessage = 'Timestamp outside the tolerance zone';

// Stripe's header format: `t=<unix seconds>` and one or more `v1=<64 hex digits>`, comma-separated.
const headerTimestamp = /(?:^|,)t=(\d{1,12})(?:,|$)/;
const headerV1 = /(?:^|,)v1=[0-9a-f]{64}(?:,|$)/;

/**
 * Checks the header's shape and its timestamp before any HMAC, so a malformed header gets a clear 400
 * and a timestamp too far in the future is rejected like a stale one (the SDK only checks the past).
 */
function checkSignatureHeader(header: string, toleranceSeconds: number, now: Date): void {
  const timestamp = headerTimestamp.exec(header)?.[1];
  if (!timestamp || !headerV1.test(header)) {
    throw new WebhookSignatureError(
      'invalid_signature',
      'Stripe-Signature header is malformed: expected "t=<unix seconds>,v1=<64 hex digits>"',
    );
  }
  if (Number(timestamp) - now.getTime() / 1000 > toleranceSeconds) {
    throw new WebhookSignatureError(
      'stale_signature',
      `Stripe-Signature timestamp is more than ${toleranceSeconds} s in the future; check this server's clock`,
    );
  }
}

/**
 * Verifies `Stripe-Signature` against each active secret (two during a rotation) with the official SDK,
 * and returns the parsed event. `now` is injectable so tests can check the tolerance window.
 */
export function verifyStripeWebhook(
  rawBody: Buffer,
  signatureHeader: string | undefined,
  secrets: readonly string[],
  options: { toleranceSeconds: number; now: Date },
): unknown {
  if (!signatureHeader) {
    throw new WebhookSignatureError('missing_signature', 'Missing Stripe-Signature header');
  }
  checkSignatureHeader(signatureHeader, options.toleranceSeconds, options.now);
  let sawStale = false;
  for (const secret of secrets) {
    try {
      return Stripe.webhooks.constructEvent(
        rawBody,
        signatureHeader,
        secret,
        options.toleranceSeconds,
        undefined,
        options.now.getTime(),
      );
    } catch (error) {
      // The signature matched but the body is not JSON: the SDK's parse failed after verification.
      if (error instanceof SyntaxError) {
        throw new AppError('invalid_event', `Signed body is not valid JSON: ${error.message}`, {
          status: 400,
        });
      }
      if (!(error instanceof Stripe.errors.StripeSignatureVerificationError)) throw error;
      if (error.message.startsWith(staleTimestampMessage)) sawStale = true;
    }
  }
  if (sawStale) {
    throw new WebhookSignatureError(
      'stale_signature',
      `Stripe-Signature timestamp is more than ${options.toleranceSeconds} s old; Stripe will retry with a fresh one`,
    );
  }
  throw new WebhookSignatureError(
    'invalid_signature',
    'Stripe-Signature does not match any active signing secret for this endpoint; check the secret configured for this tenant',
  );
}

/** Reads the envelope fields of a verified event, or explains which one is missing. */
export function readEventEnvelope(event: unknown): StripeEventEnvelope {
  const candidate = (event ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  if (!isShortText(candidate.id)) problems.push('id must be a non-empty string of at most 255 characters');
  if (!isShortText(candidate.type))
    problems.push('type must be a non-empty string of at most 255 characters');
  if (!isEpochSeconds(candidate.created))
    problems.push('created must be whole seconds since 1970 (years 2001 to 2100)');
  const data = candidate.data as Record<string, unknown> | undefined;
  if (typeof data?.object !== 'object' || data.object === null)
    problems.push('data.object must be an object');
  // PostgreSQL's jsonb cannot store U+0000, and Stripe never sends it.
  if (problems.length === 0 && JSON.stringify(event).includes('\\u0000'))
    problems.push('a string contains U+0000');
  if (problems.length > 0) {
    throw new AppError('invalid_event', `Stripe event is malformed: ${problems.join('; ')}`, { status: 400 });
  }
  return {
    id: candidate.id as string,
    type: candidate.type as string,
    created: candidate.created as number,
    api_version: typeof candidate.api_version === 'string' ? candidate.api_version : null,
    livemode: candidate.livemode === true,
  };
}

function isShortText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 255;
}

function isEpochSeconds(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 1_000_000_000 && (value as number) <= 4_102_444_800;
}
