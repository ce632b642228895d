import { UnrecoverableError } from 'bullmq';
import { HubSpotApiCrm, hubSpotSettingsFromConfig } from '../../integrations/hubspot/api-client';
import { HubSpotError } from '../../integrations/hubspot/errors';
import { applyHubSpotSchema, CRM_SCHEMA_VERSION } from '../../migrations/crm/hubspot-company-properties';
import { flushHubSpotSync, type FlushResult } from '../sync/hubspot-sync';
import type { Runtime } from '../runtime';

/**
 * One CRM sync job for a tenant: open its HubSpot connection, bring the CRM schema up to date once per
 * schema version, then flush dirty customers. A token HubSpot rejects marks the connection `needs_reauth`
 * and fails the job without retries. The rows stay dirty, so nothing is lost once the admin reconnects.
 */
export async function runCrmFlush(runtime: Runtime, tenantId: string, now: () => Date): Promise<FlushResult | null> {
  const { db, box, config, metrics } = runtime;
  const log = runtime.log.child({ module: 'crm-sync', tenantId, provider: 'hubspot' });
  const tenant = await db.selectFrom('tenants').select(['id', 'settings']).where('id', '=', tenantId).executeTakeFirst();
  const connection = await db
    .selectFrom('crm_connections')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('provider', '=', 'hubspot')
    .executeTakeFirst();
  if (!tenant || !connection || connection.status !== 'active') {
    log.info({ status: connection?.status ?? 'none' }, 'no active HubSpot connection; flush skipped');
    return null;
  }
  const crm = new HubSpotApiCrm({
    ...hubSpotSettingsFromConfig(config),
    accessToken: box.open(connection.access_token_sealed),
    portalId: connection.account_id ?? tenantId,
    redis: runtime.redis,
    rateLimitKeyPrefix: `${config.QUEUE_PREFIX}:hubspot-rate`,
    log,
    onRequest: () => metrics.crmRequests.inc({ provider: 'hubspot' }),
    onRetry: (reason) => metrics.crmRetries.inc({ provider: 'hubspot', reason }),
  });
  try {
    if (connection.schema_version < CRM_SCHEMA_VERSION) {
      await applyHubSpotSchema(crm);
      await db
        .updateTable('crm_connections')
        .set({ schema_version: CRM_SCHEMA_VERSION, updated_at: now() })
        .where('id', '=', connection.id)
        .execute();
      log.info({ schemaVersion: CRM_SCHEMA_VERSION }, 'HubSpot company properties migrated');
    }
    const result = await flushHubSpotSync({ db, crm, log, now }, { id: tenant.id, settings: tenant.settings });
    for (const outcome of ['written', 'created', 'unchanged', 'unmatched', 'failed'] as const) {
      if (result[outcome] > 0) metrics.crmWrites.inc({ provider: 'hubspot', outcome }, result[outcome]);
    }
    return result;
  } catch (error) {
    if (error instanceof HubSpotError && error.code === 'hubspot_unauthorized') {
      await db
        .updateTable('crm_connections')
        .set({ status: 'needs_reauth', updated_at: now() })
        .where('id', '=', connection.id)
        .execute();
      log.error({ code: error.code }, 'HubSpot rejected the token; connection needs re-authorization');
      throw new UnrecoverableError(error.message);
    }
    throw error;
  }
}
