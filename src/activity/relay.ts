import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { Queues } from '../queues/queues';

/** A pending row younger than this may still have its first job in the queue. */
export const RELAY_AFTER_MS = 60_000;
/** Rows whose writes reached HubSpot this often stay pending and are no longer relayed. */
export const MAX_RELAYED_ATTEMPTS = 40;
const RELAY_BATCH_SIZE = 500;

/**
 * Enqueues pending activities older than a minute whose tenant has an active connection, and returns
 * how many. The job id is the row id, so a row whose job still waits or retries gets no second job.
 */
export async function relayPendingActivities(
  db: Db,
  queues: Pick<Queues, 'enqueueCrmActivity'>,
  now: Date,
  options: { tenantId?: string; olderThanMs?: number } = {},
): Promise<number> {
  let query = db
    .selectFrom('crm_activities as activity')
    .innerJoin('crm_connections as connection', (join) =>
      join
        .onRef('connection.tenant_id', '=', 'activity.tenant_id')
        .on('connection.provider', '=', sql<'hubspot'>`activity.provider`)
        .on('connection.status', '=', 'active'),
    )
    .select('activity.id')
    .where('activity.status', '=', 'pending')
    .where('activity.attempts', '<', MAX_RELAYED_ATTEMPTS)
    .orderBy('activity.created_at')
    .limit(RELAY_BATCH_SIZE);
  const olderThanMs = options.olderThanMs ?? RELAY_AFTER_MS;
  if (olderThanMs > 0) query = query.where('activity.created_at', '<', new Date(now.getTime() - olderThanMs));
  if (options.tenantId) query = query.where('activity.tenant_id', '=', options.tenantId);
  const rows = await query.execute();
  for (const row of rows) await queues.enqueueCrmActivity(row.id);
  return rows.length;
}
