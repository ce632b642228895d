import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { HubSpotError } from './errors';

export interface PortalRateLimit {
  /** Requests allowed per window for one portal, shared by every worker through Redis. */
  points: number;
  windowSeconds: number;
}

export interface PortalRateLimiter {
  /** Resolves when the portal has a request left in the current window, waiting if needed. */
  acquire(): Promise<void>;
}

/** Bounds the wait for a free request so a stuck window cannot hold a job forever. */
const MAX_WAITS = 30;

export function createPortalRateLimiter(options: {
  redis: Redis;
  portalId: string;
  limit: PortalRateLimit;
  keyPrefix?: string;
  sleep?: (ms: number) => Promise<void>;
}): PortalRateLimiter {
  const limiter = new RateLimiterRedis({
    storeClient: options.redis,
    keyPrefix: options.keyPrefix ?? 'hubspot-rate',
    points: options.limit.points,
    duration: options.limit.windowSeconds,
  });
  const sleep = options.sleep ?? delay;
  return {
    async acquire() {
      for (let wait = 0; wait <= MAX_WAITS; wait += 1) {
        try {
          await limiter.consume(options.portalId, 1);
          return;
        } catch (rejection) {
          if (!(rejection instanceof RateLimiterRes)) throw rejection;
          // A few milliseconds of jitter keeps workers that wait on one window from waking together.
          await sleep(rejection.msBeforeNext + Math.floor(Math.random() * 25));
        }
      }
      throw new HubSpotError(
        'hubspot_rate_limited',
        `No HubSpot request became free for portal ${options.portalId} after ${MAX_WAITS} waits`,
      );
    },
  };
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
