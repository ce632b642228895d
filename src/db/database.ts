import { Kysely, PostgresDialect } from 'kysely';
import { Pool } from 'pg';
import type { Database } from './schema';

export type Db = Kysely<Database>;

export function createDb(
  databaseUrl: string,
  options: { max?: number; onIdleError?: (error: Error) => void } = {},
): Db {
  const pool = new Pool({
    connectionString: databaseUrl,
    max: options.max ?? 10,
    connectionTimeoutMillis: 5000,
  });
  // PostgreSQL may close an idle pooled connection (restart, admin command); without a listener the pool
  // re-emits that as an unhandled error and the process exits. The pool replaces the connection itself.
  pool.on('error', options.onIdleError ?? (() => undefined));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/** Runs `work` in the caller's transaction when `db` is one, else in a new transaction. */
export async function inTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  if (db.isTransaction) return work(db);
  return db.transaction().execute(work);
}
