import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { StripeEventEnvelope } from '../../integrations/stripe/webhook';

export type StoreResult =
  { status: 'stored'; eventRowId: string } | { status: 'duplicate'; eventRowId: string };

/**
 * Commits a verified event. The unique (tenant_id, event_id) constraint makes a redelivery a no-op,
 * whichever process receives it.
 */
export async function storeStripeEvent(
  db: Db,
  tenantId: string,
  envelope: StripeEventEnvelope,
  rawBody: Buffer,
): Promise<StoreResult> {
  const inserted = await db
    .insertInto('stripe_events')
    .values({
      tenant_id: tenantId,
      event_id: envelope.id,
      type: envelope.type,
      api_version: envelope.api_version,
      livemode: envelope.livemode,
      event_created_at: new Date(envelope.created * 1000),
      payload: rawBody.toString('utf8'),
    })
    .onConflict((conflict) => conflict.columns(['tenant_id', 'event_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return { status: 'stored', eventRowId: inserted.id };
  const existing = await db
    .selectFrom('stripe_events')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('event_id', '=', envelope.id)
    .executeTakeFirstOrThrow();
  return { status: 'duplicate', eventRowId: existing.id };
}

export async function markEnqueued(db: Db, eventRowIds: string[], now: Date): Promise<void> {
  if (eventRowIds.length === 0) return;
  await db.updateTable('stripe_events').set({ enqueued_at: now }).where('id', 'in', eventRowIds).execute();
}

/**
 * Events that still need a queue job: never enqueued (Redis was down, or the process died after the
 * commit), or enqueued long ago and still unprocessed (the job was lost or exhausted its attempts).
 */
export async function findEventsToRelay(
  db: Db,
  now: Date,
  staleAfterMs: number,
  limit: number,
): Promise<string[]> {
  const staleBefore = new Date(now.getTime() - staleAfterMs);
  const rows = await db
    .selectFrom('stripe_events')
    .select('id')
    .where('processed_at', 'is', null)
    .where((eb) => eb.or([eb('enqueued_at', 'is', null), eb('enqueued_at', '<', staleBefore)]))
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((row) => row.id);
}

export async function countUnprocessedEvents(db: Db): Promise<number> {
  const row = await db
    .selectFrom('stripe_events')
    .select(sql<string>`count(*)`.as('count'))
    .where('processed_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}
