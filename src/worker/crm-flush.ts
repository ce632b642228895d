import { UnrecoverableError } from 'bullmq';
import { HubSpotApiCrm, hubSpotSettingsFromConfig } from '../../integrations/hubspot/api-client';
import { HubSpotError } from '../../integrations/hubspot/errors';
import { HubSpotOAuthClient } from '../../integrations/hubspot/oauth';
import { HubSpotTokenError, HubSpotTokenProvider, markNeedsReauth } from '../../integrations/hubspot/tokens';
import { applyHubSpotSchema, CRM_SCHEMA_VERSION } from '../../migrations/crm/hubspot-company-properties';
import { relayPendingActivities } from '../activity/relay';
import { flushHubSpotSync, type FlushResult } from '../sync/hubspot-sync';
import { hubSpotAppCredentials, loadInstallConfig } from '../install/config';
import type { Runtime } from '../runtime';

const providers = new WeakMap<Runtime, HubSpotTokenProvider>();

/** Returns the runtime's one token provider, with OAuth refresh when HUBSPOT_CLIENT_ID/SECRET are set. */
export function tokenProviderFor(runtime: Runtime, now: () => Date): HubSpotTokenProvider {
  let provider = providers.get(runtime);
  if (!provider) {
    const install = loadInstallConfig();
    const credentials = hubSpotAppCredentials(install);
    provider = new HubSpotTokenProvider({
      db: runtime.db,
      box: runtime.box,
      redis: runtime.redis,
      oauth: credentials
        ? new HubSpotOAuthClient({ baseUrl: install.HUBSPOT_OAUTH_BASE_URL, ...credentials })
        : null,
      log: runtime.log.child({ module: 'hubspot-tokens' }),
      now,
      keyPrefix: runtime.config.QUEUE_PREFIX,
    });
    providers.set(runtime, provider);
  }
  return provider;
}

/**
 * One CRM sync job for a tenant: open its HubSpot connection, bring the CRM schema up to date once per
 * schema version, then flush dirty customers. A token HubSpot rejects marks the connection `needs_reauth`
 * and fails the job without retries. The rows stay dirty, so nothing is lost once the admin reconnects.
 */
export async function runCrmFlush(
  runtime: Runtime,
  tenantId: string,
  now: () => Date,
  tokens: HubSpotTokenProvider = tokenProviderFor(runtime, now),
): Promise<FlushResult | null> {
  const { db, config, metrics } = runtime;
  const log = runtime.log.child({ module: 'crm-sync', tenantId, provider: 'hubspot' });
  const tenant = await db
    .selectFrom('tenants')
    .select(['id', 'settings'])
    .where('id', '=', tenantId)
    .executeTakeFirst();
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
  let accessToken: string;
  try {
    accessToken = await tokens.accessTokenFor(connection);
  } catch (error) {
    // A rejected refresh token already marked the connection needs_reauth; retrying cannot help.
    if (error instanceof HubSpotTokenError && !error.retryable) throw new UnrecoverableError(error.message);
    throw error;
  }
  const crm = new HubSpotApiCrm({
    ...hubSpotSettingsFromConfig(config),
    accessToken,
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
    const result = await flushHubSpotSync(
      { db, crm, log, now },
      { id: tenant.id, settings: tenant.settings },
    );
    for (const outcome of ['written', 'created', 'unchanged', 'unmatched', 'failed'] as const) {
      if (result[outcome] > 0) metrics.crmWrites.inc({ provider: 'hubspot', outcome }, result[outcome]);
    }
    // Notes and tasks that waited for this flush to settle their company can be written now.
    await relayPendingActivities(db, runtime.queues, now(), { tenantId, olderThanMs: 0 });
    return result;
  } catch (error) {
    if (error instanceof HubSpotError && error.code === 'hubspot_unauthorized') {
      await markNeedsReauth(db, connection, error.message, now());
      log.error({ code: error.code }, 'HubSpot rejected the token; connection needs re-authorization');
      throw new UnrecoverableError(error.message);
    }
    throw error;
  }
}
