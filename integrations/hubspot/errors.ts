/**
 * HubSpot failures in our terms. `code` is stable for callers and tests, and `retryable` is true
 * when the same request may succeed later. Messages never contain the access token.
 */

export type HubSpotErrorCode =
  | 'hubspot_rate_limited'
  | 'hubspot_unavailable'
  | 'hubspot_timeout'
  | 'hubspot_unauthorized'
  | 'hubspot_forbidden'
  | 'hubspot_not_found'
  | 'hubspot_conflict'
  | 'hubspot_bad_request'
  | 'hubspot_unexpected_response';

export class HubSpotError extends Error {
  readonly retryable: boolean;
  /** HTTP status of HubSpot's response, or null when no response arrived (timeout, network). */
  readonly status: number | null;
  readonly correlationId: string | null;
  /** Milliseconds from HubSpot's Retry-After header, when it sent one. */
  readonly retryAfterMs: number | null;

  constructor(
    readonly code: HubSpotErrorCode,
    message: string,
    options: {
      status?: number | null;
      correlationId?: string | null;
      retryAfterMs?: number | null;
      retryable?: boolean;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'HubSpotError';
    this.status = options.status ?? null;
    this.correlationId = options.correlationId ?? null;
    this.retryAfterMs = options.retryAfterMs ?? null;
    this.retryable = options.retryable ?? isRetryableCode(code);
  }
}

export function isRetryableCode(code: HubSpotErrorCode): boolean {
  return code === 'hubspot_rate_limited' || code === 'hubspot_unavailable' || code === 'hubspot_timeout';
}

export function codeForStatus(status: number): HubSpotErrorCode {
  if (status === 429) return 'hubspot_rate_limited';
  if (status >= 500) return 'hubspot_unavailable';
  if (status === 401) return 'hubspot_unauthorized';
  if (status === 403) return 'hubspot_forbidden';
  if (status === 404) return 'hubspot_not_found';
  if (status === 409) return 'hubspot_conflict';
  if (status >= 400) return 'hubspot_bad_request';
  return 'hubspot_unexpected_response';
}

/** Parses Retry-After, in seconds or as an HTTP date, to milliseconds. Returns null when absent or invalid. */
export function parseRetryAfter(value: string | undefined, now: Date): number | null {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now.getTime());
}

/** The shape of the SDK's ApiException (`@hubspot/api-client` v14) that we read. */
interface SdkApiException {
  code: number;
  body?: unknown;
  headers?: Record<string, string>;
}

function isSdkApiException(error: unknown): error is SdkApiException {
  return (
    typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'number'
  );
}

function readBodyField(body: unknown, field: 'message' | 'correlationId' | 'category'): string | null {
  if (typeof body !== 'object' || body === null) return null;
  const value = (body as Record<string, unknown>)[field];
  return typeof value === 'string' ? value : null;
}

/**
 * Converts whatever the SDK threw into a HubSpotError. An error without an HTTP status (DNS,
 * refused connection, reset) counts as `hubspot_unavailable`, which is retryable.
 */
export function toHubSpotError(error: unknown, operation: string, now: Date): HubSpotError {
  if (error instanceof HubSpotError) return error;
  if (isSdkApiException(error)) {
    const code = codeForStatus(error.code);
    const headers = error.headers ?? {};
    const category = readBodyField(error.body, 'category');
    const detail = readBodyField(error.body, 'message') ?? 'no message in the response body';
    return new HubSpotError(
      code,
      `HubSpot ${operation} failed with HTTP ${error.code}` +
        `${category ? ` (${category})` : ''}: ${detail}`,
      {
        status: error.code,
        correlationId: readBodyField(error.body, 'correlationId'),
        retryAfterMs: parseRetryAfter(headers['retry-after'], now),
        cause: error,
      },
    );
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new HubSpotError('hubspot_unavailable', `HubSpot ${operation} failed before a response: ${reason}`, {
    cause: error,
  });
}
