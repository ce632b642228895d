import type { Redis } from 'ioredis';
import { sql } from 'kysely';
import type { Config } from './config';
import { SecretBox } from './db/crypto';
import { createDb, type Db } from './db/database';
import { createLogger, type Logger } from './logger';
import { Metrics } from './metrics';
import { Queues, createRedis, redisOptions, waitForRedis } from './queues/queues';

/** The shared resources of one process. */
export interface Runtime {
  config: Config;
  db: Db;
  redis: Redis;
  queues: Queues;
  box: SecretBox;
  metrics: Metrics;
  log: Logger;
  close(): Promise<void>;
}

export class DependencyUnavailableError extends Error {
  readonly code = 'dependency_unavailable';
}

/** Fails with a message that names the service and the URL (password removed) when one cannot be reached. */
export async function checkDependencies(db: Db, redis: Redis, config: Config): Promise<void> {
  const problems: string[] = [];
  try {
    await sql`SELECT 1`.execute(db);
  } catch (error) {
    // 3D000: the database does not exist yet, which `migrate` fixes.
    const hint =
      (error as { code?: string }).code === '3D000' ? '; run `csm-payments migrate` to create it' : '';
    problems.push(
      `PostgreSQL at ${redact(config.DATABASE_URL)} cannot be reached: ${(error as Error).message}${hint}`,
    );
  }
  try {
    await waitForRedis(redis, 3000);
    await redis.ping();
  } catch (error) {
    problems.push(`Redis at ${redact(config.REDIS_URL)} cannot be reached: ${(error as Error).message}`);
  }
  if (problems.length > 0) {
    throw new DependencyUnavailableError(
      `${problems.join('\n')}\nStart the service or set the URL, then try again.`,
    );
  }
}

export function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

export function createRuntime(
  config: Config,
  role: 'producer' | 'worker',
  log = createLogger(config.LOG_LEVEL),
): Runtime {
  const db = createDb(config.DATABASE_URL);
  const redis = createRedis(config.REDIS_URL, 'producer');
  // Connection errors are reported by checks and failed commands; the listener stops ioredis printing them raw.
  redis.on('error', () => undefined);
  const queues = new Queues(redisOptions(config.REDIS_URL, role), config.QUEUE_PREFIX);
  const box = new SecretBox(config.TOKEN_ENCRYPTION_KEYS, config.TOKEN_ENCRYPTION_KEY_ID);
  const metrics = new Metrics({ defaultMetrics: true });
  return {
    config,
    db,
    redis,
    queues,
    box,
    metrics,
    log,
    async close() {
      await queues.close();
      redis.disconnect();
      await db.destroy();
    },
  };
}
