import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { SlackApiError } from './web-api';

/**
 * Slack allows about one message per second per channel for chat.postMessage, with short bursts
 * (https://docs.slack.dev/apis/web-api/rate-limits, "Posting messages: 1 per second").
 */
export const slackMessagesPerSecondPerChannel = 1;

export interface ChannelRateLimiter {
  /**
   * Resolves when the channel has a message left in the current second, waiting if needed, with the
   * number of waits it took (0 when a message was free at once).
   */
  acquire(teamId: string, channel: string): Promise<{ waits: number }>;
  /** Blocks the channel for every worker, e.g. for the Retry-After of a 429 from Slack. */
  pause(teamId: string, channel: string, ms: number): Promise<void>;
}

/** Bounds the wait so a channel held by a long Retry-After fails the job instead of holding it. */
const maxWaits = 30;

export function channelKey(teamId: string, channel: string): string {
  return `slack:${teamId}:${channel}`;
}

/** Creates a per-channel limiter shared by all workers through Redis (`rate-limiter-flexible`). */
export function createChannelRateLimiter(options: {
  redis: Redis;
  /** Prefix of the Redis keys, so test runs and deployments sharing one Redis stay apart. */
  keyPrefix: string;
  messagesPerSecond?: number;
  sleep?: (ms: number) => Promise<void>;
}): ChannelRateLimiter {
  const limiter = new RateLimiterRedis({
    storeClient: options.redis,
    keyPrefix: options.keyPrefix,
    points: options.messagesPerSecond ?? slackMessagesPerSecondPerChannel,
    duration: 1,
  });
  const sleep = options.sleep ?? delay;
  return {
    async acquire(teamId, channel) {
      const key = channelKey(teamId, channel);
      for (let waits = 0; waits <= maxWaits; waits += 1) {
        try {
          await limiter.consume(key, 1);
          return { waits };
        } catch (rejection) {
          if (!(rejection instanceof RateLimiterRes)) throw rejection;
          // Jitter keeps workers waiting on one channel from waking in the same millisecond.
          await sleep(rejection.msBeforeNext + Math.floor(Math.random() * 25));
        }
      }
      throw new SlackApiError(
        'slack_rate_limited',
        `No Slack message became free for channel ${channel} of team ${teamId} after ${maxWaits} waits`,
      );
    },
    async pause(teamId, channel, ms) {
      await limiter.block(channelKey(teamId, channel), Math.max(1, Math.ceil(ms / 1000)));
    },
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
