import { backOff } from 'exponential-backoff';
import type { Logger } from 'pino';
import { HubSpotError, toHubSpotError } from './errors';
import { delay } from './rate-limit';

export interface RetryPolicy {
  /** Retries after the first attempt. 0 sends each request once. */
  maxRetries: number;
  /** First backoff delay. Each retry doubles it, with full jitter, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Limit for one HTTP request. Waiting for the rate limiter does not count. */
  timeoutMs: number;
}

/** A longer Retry-After ends the attempt here, so the queue retries the job later instead. */
const MAX_RETRY_AFTER_MS = 60_000;

/**
 * Rejects with `hubspot_timeout` when `promise` takes longer than `timeoutMs`. The SDK accepts no
 * AbortSignal, so the HTTP request itself is not cancelled and may still complete at HubSpot.
 */
export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, operation: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new HubSpotError('hubspot_timeout', `HubSpot ${operation} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs `attempt` until it succeeds, fails with a non-retryable error, or `maxRetries` retries are
 * spent. A Retry-After from HubSpot is waited out in full before the regular backoff delay.
 */
export async function withRetries<T>(
  attempt: () => Promise<T>,
  policy: RetryPolicy,
  context: { operation: string; log: Logger; now?: () => Date; onRetry?: (code: string) => void },
): Promise<T> {
  const now = context.now ?? (() => new Date());
  let lastError: HubSpotError | undefined;
  try {
    return await backOff(
      async () => {
        try {
          return await attempt();
        } catch (error) {
          lastError = toHubSpotError(error, context.operation, now());
          throw lastError;
        }
      },
      {
        numOfAttempts: policy.maxRetries + 1,
        startingDelay: policy.baseDelayMs,
        maxDelay: policy.maxDelayMs,
        timeMultiple: 2,
        jitter: 'full',
        // exponential-backoff 3.1 calls `retry` after the last attempt too, so the count is checked here.
        retry: async (error: HubSpotError, attemptNumber: number) => {
          if (!error.retryable || attemptNumber > policy.maxRetries) return false;
          if (error.retryAfterMs !== null && error.retryAfterMs > MAX_RETRY_AFTER_MS) return false;
          context.log.warn(
            { operation: context.operation, code: error.code, status: error.status, attempt: attemptNumber },
            'HubSpot request failed, retrying',
          );
          context.onRetry?.(error.code);
          if (error.retryAfterMs !== null) await delay(error.retryAfterMs);
          return true;
        },
      },
    );
  } catch (error) {
    throw lastError ?? toHubSpotError(error, context.operation, now());
  }
}
