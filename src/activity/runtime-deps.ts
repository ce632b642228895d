import { HubSpotActivityLog } from '../../integrations/hubspot/activities';
import { hubSpotSettingsFromConfig } from '../../integrations/hubspot/api-client';
import type { Runtime } from '../runtime';
import type { OpenConnection, WriteActivityDeps } from './write-activity';

/** Builds the worker's dependencies for writeCrmActivity from the process runtime. */
export function activityDepsFromRuntime(runtime: Runtime, now: () => Date): WriteActivityDeps {
  const { db, box, config, metrics } = runtime;
  const log = runtime.log.child({ module: 'crm-activities' });
  return {
    db,
    log,
    now,
    async openConnection(tenantId, provider) {
      const connection = await db
        .selectFrom('crm_connections')
        .select(['id', 'account_id', 'access_token_sealed', 'status'])
        .where('tenant_id', '=', tenantId)
        .where('provider', '=', provider as 'hubspot')
        .executeTakeFirst();
      if (!connection || connection.status !== 'active') return null;
      return {
        id: connection.id,
        accessToken: box.open(connection.access_token_sealed),
        portalId: connection.account_id ?? tenantId,
      };
    },
    activityLogFor(connection: OpenConnection) {
      return new HubSpotActivityLog({
        ...hubSpotSettingsFromConfig(config),
        accessToken: connection.accessToken,
        portalId: connection.portalId,
        redis: runtime.redis,
        rateLimitKeyPrefix: `${config.QUEUE_PREFIX}:hubspot-rate`,
        log,
        onRequest: () => metrics.crmRequests.inc({ provider: 'hubspot' }),
        onRetry: (reason) => metrics.crmRetries.inc({ provider: 'hubspot', reason }),
      });
    },
  };
}
