/** The bench's environment: its own database, its own queue namespace and a throwaway encryption key. */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Db } from '../../src/db/database';

export const benchDatabaseName = 'csm_payments_bench';

/**
 * Returns the bench database URL: BENCH_DATABASE_URL (or the local default) with its database name
 * replaced by csm_payments_bench, because the bench deletes every tenant in the database it uses.
 */
export function benchDatabaseUrl(source: NodeJS.ProcessEnv = process.env): string {
  const url = new URL(source.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  url.pathname = `/${benchDatabaseName}`;
  return url.toString();
}

/**
 * Builds the settings shared by every process the bench starts. Other product settings (for example
 * CRM_SYNC_DEBOUNCE_MS or WORKER_CONCURRENCY) pass through from the caller's environment.
 */
export function benchBaseEnvironment(source: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...source,
    NODE_ENV: 'production',
    LOG_LEVEL: source.LOG_LEVEL ?? 'info',
    HOST: '127.0.0.1',
    DATABASE_URL: benchDatabaseUrl(source),
    // Each run gets its own queue namespace, so a run never picks up an earlier run's jobs.
    QUEUE_PREFIX: `csm-bench-${randomBytes(3).toString('hex')}`,
    TOKEN_ENCRYPTION_KEYS: `bench:${randomBytes(32).toString('base64')}`,
    TOKEN_ENCRYPTION_KEY_ID: 'bench',
  };
}

/**
 * Deletes every tenant, and through ON DELETE CASCADE all of its rows. An interrupted run leaves
 * unprocessed events behind, and `hasPendingWork` looks at every tenant, so they would block idle.
 */
export async function deleteAllTenants(db: Db): Promise<number> {
  const deleted = await db.deleteFrom('tenants').executeTakeFirst();
  return Number(deleted.numDeletedRows);
}

export async function deleteTenants(db: Db, tenantIds: string[]): Promise<void> {
  if (tenantIds.length === 0) return;
  await db.deleteFrom('tenants').where('id', 'in', tenantIds).execute();
}

/** Deletes the Redis keys under `prefix:` (BullMQ queues and the HubSpot rate limit). Returns the count. */
export async function deleteRedisKeys(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    if (keys.length > 0) deleted += await redis.del(...keys);
    cursor = nextCursor;
  } while (cursor !== '0');
  return deleted;
}
