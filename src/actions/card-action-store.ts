import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { ActionOutcome, CardActionRow, FinishedStatus, HandlerOutcome } from './types';

const finishedStatuses: ReadonlySet<string> = new Set<FinishedStatus>(['succeeded', 'failed', 'rejected']);

export function isFinished(row: Pick<CardActionRow, 'status'>): boolean {
  return finishedStatuses.has(row.status);
}

export function storedOutcome(row: CardActionRow): ActionOutcome {
  return {
    cardActionId: row.id,
    status: row.status as FinishedStatus,
    result: row.result ?? {},
    error: row.error,
  };
}

export async function loadCardAction(db: Db, cardActionId: string): Promise<CardActionRow | undefined> {
  return db
    .selectFrom('card_actions')
    .select([
      'id',
      'tenant_id',
      'customer_id',
      'action',
      'idempotency_key',
      'source',
      'requested_by',
      'stripe_invoice_id',
      'status',
      'result',
      'error',
      'finished_at',
    ])
    .where('id', '=', cardActionId)
    .executeTakeFirst();
}

/** Moves a queued action to running. A row already running (a retried job) is left as it is. */
export async function claimCardAction(db: Db, cardActionId: string): Promise<void> {
  await db
    .updateTable('card_actions')
    .set({ status: 'running' })
    .where('id', '=', cardActionId)
    .where('status', '=', 'queued')
    .execute();
}

/**
 * Serializes work on one subject (an invoice, or a customer) across workers with a session advisory
 * lock on one pooled connection. The lock ends with the connection if the process dies.
 */
export async function withSubjectLock<T>(
  db: Db,
  lockKey: string,
  work: (conn: Db) => Promise<T>,
): Promise<T> {
  return db.connection().execute(async (conn) => {
    await sql`SELECT pg_advisory_lock(hashtextextended(${lockKey}, 0))`.execute(conn);
    try {
      return await work(conn);
    } finally {
      await sql`SELECT pg_advisory_unlock(hashtextextended(${lockKey}, 0))`.execute(conn);
    }
  });
}

/** Stores the outcome and its audit row in one transaction; keeps the request under `result.requested`. */
export async function finishCardAction(
  db: Db,
  row: CardActionRow,
  outcome: HandlerOutcome,
  now: Date,
): Promise<ActionOutcome> {
  const requested = row.result?.requested;
  const result = requested === undefined ? outcome.result : { requested, ...outcome.result };
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('card_actions')
      .set({ status: outcome.status, result: JSON.stringify(result), error: outcome.error, finished_at: now })
      .where('id', '=', row.id)
      .execute();
    await trx
      .insertInto('audit_log')
      .values({
        tenant_id: row.tenant_id,
        actor: row.requested_by,
        action: `card_action.${row.action}`,
        subject: row.stripe_invoice_id ?? `customer:${row.customer_id}`,
        details: JSON.stringify({
          cardActionId: row.id,
          customerId: row.customer_id,
          source: row.source,
          status: outcome.status,
          error: outcome.error,
          duplicateOf: outcome.duplicateOf ?? null,
        }),
        created_at: now,
      })
      .execute();
  });
  return { cardActionId: row.id, status: outcome.status, result, error: outcome.error };
}

/** Notes a retryable failure on a running action, so the card can show why it is still running. */
export async function noteRetryableFailure(db: Db, cardActionId: string, message: string): Promise<void> {
  await db
    .updateTable('card_actions')
    .set({ error: `Will retry: ${message}` })
    .where('id', '=', cardActionId)
    .where('status', '=', 'running')
    .execute();
}

/**
 * Marks an action failed after its queue job used up every attempt; for the worker's `failed` handler.
 * A finished action is left unchanged.
 */
export async function failExhaustedCardAction(
  db: Db,
  cardActionId: string,
  message: string,
  now: Date,
): Promise<void> {
  await db
    .updateTable('card_actions')
    .set({ status: 'failed', error: `Gave up after repeated errors: ${message}`, finished_at: now })
    .where('id', '=', cardActionId)
    .where('status', 'in', ['queued', 'running'])
    .execute();
}
