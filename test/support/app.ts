import type { Express } from 'express';
import { Redis } from 'ioredis';
import pino from 'pino';
import type { Config } from '../../src/config';
import { SecretBox } from '../../src/db/crypto';
import type { Db } from '../../src/db/database';
import { createApp } from '../../src/http/app';
import { Metrics } from '../../src/metrics';
import { Queues, redisOptions } from '../../src/queues/queues';

export interface TestApp {
  app: Express;
  queues: Queues;
  metrics: Metrics;
  box: SecretBox;
  redis: Redis;
  close(): Promise<void>;
}

/** The real express app on a test database; `redisUrl` may point at a closed port to simulate an outage. */
export function buildTestApp(
  db: Db,
  config: Config,
  options: { redisUrl?: string; now?: () => Date } = {},
): TestApp {
  const redisUrl = options.redisUrl ?? config.REDIS_URL;
  const queues = new Queues(redisOptions(redisUrl, 'producer'), config.QUEUE_PREFIX);
  const redis = new Redis(redisOptions(redisUrl, 'producer'));
  redis.on('error', () => undefined);
  const metrics = new Metrics();
  const box = new SecretBox(config.TOKEN_ENCRYPTION_KEYS, config.TOKEN_ENCRYPTION_KEY_ID);
  const app = createApp({
    config,
    db,
    redis,
    box,
    queues,
    metrics,
    log: pino({ level: 'silent' }),
    stripeToleranceSeconds: config.STRIPE_WEBHOOK_TOLERANCE_SECONDS,
    now: options.now,
  });
  return {
    app,
    queues,
    metrics,
    box,
    redis,
    async close() {
      await queues.close();
      redis.disconnect();
    },
  };
}
