import { randomBytes } from 'node:crypto';
import type { OAuthTokens } from '../../integrations/hubspot/oauth';
import type { HubSpotCrm } from '../../integrations/hubspot/crm';
import { applyHubSpotSchema, CRM_SCHEMA_VERSION } from '../../migrations/crm/hubspot-company-properties';
import type { SecretBox } from '../db/crypto';
import type { Db } from '../db/database';
import type { Queues } from '../queues/queues';
import { markCrmDirty } from '../sync/hubspot-sync';
import { hashApiKey } from '../tenants/tenants';

export interface ConnectedPortal {
  tenantId: string;
  connectionId: string;
  portalId: string;
  /** True when this install created the tenant. */
  created: boolean;
  /** Plain API key of a new tenant, shown once; null for an existing tenant. */
  apiKey: string | null;
}

// Same format as createTenant in src/tenants/tenants.ts, so tenantForApiKey accepts it.
function newApiKey(): string {
  return `csmp_${randomBytes(24).toString('base64url')}`;
}

/**
 * Creates or updates the tenant of a HubSpot portal and stores its sealed tokens. A portal belongs
 * to one tenant (unique provider + account_id), so a reinstall updates the same connection and
 * sets it active again.
 */
export async function connectPortal(
  db: Db,
  box: SecretBox,
  input: { portalId: string; tokens: OAuthTokens },
  now: Date,
): Promise<ConnectedPortal> {
  const sealed = {
    access_token_sealed: box.seal(input.tokens.accessToken),
    refresh_token_sealed: box.seal(input.tokens.refreshToken),
    access_token_expires_at: new Date(now.getTime() + input.tokens.expiresIn * 1000),
    status: 'active',
    updated_at: now,
  };
  return db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('crm_connections')
      .select(['id', 'tenant_id'])
      .where('provider', '=', 'hubspot')
      .where('account_id', '=', input.portalId)
      .forUpdate()
      .executeTakeFirst();
    let result: ConnectedPortal;
    if (existing) {
      await trx.updateTable('crm_connections').set(sealed).where('id', '=', existing.id).execute();
      result = {
        tenantId: existing.tenant_id,
        connectionId: existing.id,
        portalId: input.portalId,
        created: false,
        apiKey: null,
      };
    } else {
      result = await createPortalTenant(trx, input.portalId, sealed);
    }
    await trx
      .insertInto('audit_log')
      .values({
        tenant_id: result.tenantId,
        actor: 'hubspot_install',
        action: 'hubspot.installed',
        subject: input.portalId,
        details: JSON.stringify({ createdTenant: result.created, scopes: input.tokens.scopes }),
        created_at: now,
      })
      .execute();
    return result;
  });
}

async function createPortalTenant(
  trx: Db,
  portalId: string,
  sealed: {
    access_token_sealed: string;
    refresh_token_sealed: string;
    access_token_expires_at: Date;
    updated_at: Date;
  },
): Promise<ConnectedPortal> {
  const tenant = await trx
    .insertInto('tenants')
    .values({ name: `HubSpot portal ${portalId}`, settings: JSON.stringify({}) })
    .returning('id')
    .executeTakeFirstOrThrow();
  const apiKey = newApiKey();
  await trx
    .insertInto('api_keys')
    .values({ tenant_id: tenant.id, key_hash: hashApiKey(apiKey), key_prefix: apiKey.slice(0, 9) })
    .execute();
  const connection = await trx
    .insertInto('crm_connections')
    .values({ tenant_id: tenant.id, provider: 'hubspot', account_id: portalId, ...sealed })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { tenantId: tenant.id, connectionId: connection.id, portalId, created: true, apiKey };
}

/** Creates the company properties and records the schema version, so the first flush skips that step. */
export async function prepareHubSpotSchema(
  db: Db,
  crm: HubSpotCrm,
  connectionId: string,
  now: Date,
): Promise<void> {
  await applyHubSpotSchema(crm);
  await db
    .updateTable('crm_connections')
    .set({ schema_version: CRM_SCHEMA_VERSION, updated_at: now })
    .where('id', '=', connectionId)
    .execute();
}

/** Marks every known customer of the tenant dirty and queues a flush; returns how many were marked. */
export async function scheduleFirstSync(
  db: Db,
  queues: Queues,
  tenantId: string,
  now: Date,
  debounceMs: number,
): Promise<number> {
  const customers = await db.selectFrom('customers').select('id').where('tenant_id', '=', tenantId).execute();
  await markCrmDirty(
    db,
    tenantId,
    customers.map((customer) => customer.id),
    'hubspot',
    now,
  );
  await queues.scheduleCrmFlush(tenantId, debounceMs);
  return customers.length;
}
