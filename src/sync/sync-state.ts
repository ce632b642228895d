/**
 * Pending CRM writes in crm_sync_state. A flush claims rows by setting dirty_since to 'infinity'.
 * Because markCrmDirty keeps the earlier of two times, a mark made while the claimed rows are
 * being written replaces 'infinity' with a real time. The flush's final update clears only
 * 'infinity', so that mark stays for the next flush.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { CrmProvider } from '../db/schema';

export interface ClaimedRow {
  id: string;
  customerId: string;
  /** dirty_since before the claim, as PostgreSQL text, so microseconds survive a restore. */
  dirtySinceText: string;
  matchStatus: 'pending' | 'matched' | 'unmatched';
  lastProperties: Record<string, string> | null;
  attempts: number;
}

/** Result of a flush for one row. `properties` is set when HubSpot stored them. */
export interface RowOutcome {
  matchStatus: 'pending' | 'matched' | 'unmatched';
  properties?: Record<string, string>;
  error?: string;
}

/** Marks customers for the next CRM flush. An existing mark keeps its earlier time. */
export async function markCrmDirty(
  db: Db,
  tenantId: string,
  customerIds: string[],
  provider: CrmProvider,
  now: Date,
): Promise<void> {
  const unique = [...new Set(customerIds)];
  if (unique.length === 0) return;
  await db
    .insertInto('crm_sync_state')
    .values(
      unique.map((customerId) => ({
        tenant_id: tenantId,
        customer_id: customerId,
        provider,
        dirty_since: now,
      })),
    )
    .onConflict((conflict) =>
      conflict.columns(['tenant_id', 'provider', 'customer_id']).doUpdateSet({
        // LEAST ignores NULL, so a clean row takes the new time.
        dirty_since: sql`LEAST(crm_sync_state.dirty_since, excluded.dirty_since)`,
      }),
    )
    .execute();
}

/**
 * Claims up to `limit` rows marked at or before `markedBefore`, oldest first, plus rows left
 * claimed by a flush that crashed. SKIP LOCKED keeps two concurrent claims from taking one row.
 */
export async function claimDirtyRows(
  db: Db,
  tenantId: string,
  provider: CrmProvider,
  markedBefore: Date,
  limit: number,
): Promise<ClaimedRow[]> {
  const result = await sql<{
    id: string;
    customer_id: string;
    dirty_since_text: string;
    match_status: ClaimedRow['matchStatus'];
    last_properties: Record<string, string> | null;
    attempts: number;
  }>`
    WITH picked AS (
      SELECT id, dirty_since FROM crm_sync_state
      WHERE tenant_id = ${tenantId} AND provider = ${provider}
        AND (dirty_since <= ${markedBefore} OR dirty_since = 'infinity')
      ORDER BY dirty_since, id
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    )
    UPDATE crm_sync_state AS state SET dirty_since = 'infinity'
    FROM picked WHERE state.id = picked.id
    RETURNING state.id, state.customer_id, picked.dirty_since::text AS dirty_since_text,
      state.match_status, state.last_properties, state.attempts`.execute(db);
  return result.rows
    .map((row) => ({
      id: row.id,
      customerId: row.customer_id,
      dirtySinceText: row.dirty_since_text,
      matchStatus: row.match_status,
      lastProperties: row.last_properties,
      attempts: row.attempts,
    }))
    .sort((a, b) => a.dirtySinceText.localeCompare(b.dirtySinceText) || Number(a.id) - Number(b.id));
}

/** Stores a row's outcome and clears its claim. A mark made since the claim stays. */
export async function finishRow(db: Db, row: ClaimedRow, outcome: RowOutcome, now: Date): Promise<void> {
  await db
    .updateTable('crm_sync_state')
    .set((eb) => ({
      dirty_since: sql`CASE WHEN dirty_since = 'infinity' THEN NULL ELSE dirty_since END`,
      match_status: outcome.matchStatus,
      last_error: outcome.error ?? null,
      attempts: outcome.error ? eb('attempts', '+', 1) : 0,
      ...(outcome.properties
        ? { last_properties: JSON.stringify(outcome.properties), last_synced_at: now }
        : {}),
    }))
    .where('id', '=', row.id)
    .execute();
}

/** Puts claimed rows back as they were marked, counting a failed attempt with its error. */
export async function releaseRows(db: Db, rows: ClaimedRow[], error: string): Promise<void> {
  for (const row of rows) {
    await db
      .updateTable('crm_sync_state')
      .set((eb) => ({
        dirty_since: sql`LEAST(dirty_since, ${row.dirtySinceText}::timestamptz)`,
        attempts: eb('attempts', '+', 1),
        last_error: error,
      }))
      .where('id', '=', row.id)
      .execute();
  }
}
