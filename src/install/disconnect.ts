import type { Logger } from 'pino';
import type { Db } from '../db/database';
import type { Queues } from '../queues/queues';

export interface DisconnectResult {
  /** False when the tenant had no HubSpot connection, or it was already disconnected. */
  disconnected: boolean;
  portalId: string | null;
}

/**
 * Removes the tenant's HubSpot tokens (status `disconnected`, sealed tokens emptied), drops its
 * queued CRM flush and writes an audit_log row. runCrmFlush skips connections that are not active,
 * so a flush that is already running stops at its next start.
 */
export async function disconnectHubSpot(
  deps: { db: Db; queues: Queues | null; log: Logger },
  tenantId: string,
  actor: string,
  now: Date,
): Promise<DisconnectResult> {
  const result = await deps.db.transaction().execute(async (trx) => {
    const connection = await trx
      .updateTable('crm_connections')
      .set({
        status: 'disconnected',
        access_token_sealed: '',
        refresh_token_sealed: null,
        access_token_expires_at: null,
        updated_at: now,
      })
      .where('tenant_id', '=', tenantId)
      .where('provider', '=', 'hubspot')
      .where('status', '!=', 'disconnected')
      .returning('account_id')
      .executeTakeFirst();
    if (!connection) return { disconnected: false, portalId: null };
    await trx
      .insertInto('audit_log')
      .values({
        tenant_id: tenantId,
        actor,
        action: 'hubspot.disconnected',
        subject: connection.account_id,
        details: JSON.stringify({}),
        created_at: now,
      })
      .execute();
    return { disconnected: true, portalId: connection.account_id };
  });
  if (result.disconnected && deps.queues) await removeQueuedFlush(deps.queues, tenantId, deps.log);
  return result;
}

async function removeQueuedFlush(queues: Queues, tenantId: string, log: Logger): Promise<void> {
  try {
    // Same job id as Queues.scheduleCrmFlush.
    await queues.crmSync.remove(`hubspot-flush-${tenantId}`);
  } catch (error) {
    // A running job cannot be removed; it finds the connection disconnected and skips.
    log.warn({ tenantId, err: (error as Error).message }, 'queued HubSpot flush not removed');
  }
}
