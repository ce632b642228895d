import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { SecretBox } from '../db/crypto';
import type { TenantSettings } from '../db/schema';
import { AppError } from '../errors';

export interface NewTenant {
  name: string;
  stripeWebhookSecret: string;
  settings?: TenantSettings;
  hubspot?: { portalId: string; accessToken: string };
}

export interface CreatedTenant {
  tenantId: string;
  apiKey: string;
  webhookUrl: string;
}

const apiKeyPrefix = 'csmp_';

export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey).digest('hex');
}

function checkWebhookSecret(secret: string): void {
  if (!/^whsec_[A-Za-z0-9+/=_-]{8,}$/.test(secret)) {
    throw new AppError(
      'invalid_webhook_secret',
      'Stripe webhook signing secret must be "whsec_" followed by at least 8 characters; copy the whole secret ' +
        'from the endpoint in the Stripe dashboard',
      { status: 400 },
    );
  }
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Throws `tenant_not_found` unless the id names an existing tenant. */
export async function requireTenant(db: Db, tenantId: string): Promise<void> {
  const found = uuidPattern.test(tenantId) && (await findTenant(db, tenantId));
  if (!found)
    throw new AppError('tenant_not_found', `No tenant "${tenantId}"; tenant ids are UUIDs`, { status: 404 });
}

export function webhookUrlFor(publicBaseUrl: string, tenantId: string): string {
  return new URL(`/webhooks/stripe/${tenantId}`, publicBaseUrl).toString();
}

/** Creates a tenant with its first signing secret and API key. The API key is shown once and stored hashed. */
export async function createTenant(
  db: Db,
  box: SecretBox,
  publicBaseUrl: string,
  input: NewTenant,
): Promise<CreatedTenant> {
  if (input.name.trim() === '')
    throw new AppError('invalid_tenant_name', 'Tenant name must not be empty', { status: 400 });
  checkWebhookSecret(input.stripeWebhookSecret);
  const apiKey = `${apiKeyPrefix}${randomBytes(24).toString('base64url')}`;
  const tenantId = await db.transaction().execute(async (trx) => {
    if (input.hubspot) await requirePortalFree(trx, input.hubspot.portalId);
    const tenant = await trx
      .insertInto('tenants')
      .values({ name: input.name.trim(), settings: JSON.stringify(input.settings ?? {}) })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('webhook_secrets')
      .values({ tenant_id: tenant.id, secret_sealed: box.seal(input.stripeWebhookSecret) })
      .execute();
    await trx
      .insertInto('api_keys')
      .values({ tenant_id: tenant.id, key_hash: hashApiKey(apiKey), key_prefix: apiKey.slice(0, 9) })
      .execute();
    if (input.hubspot) {
      await trx
        .insertInto('crm_connections')
        .values({
          tenant_id: tenant.id,
          provider: 'hubspot',
          account_id: input.hubspot.portalId,
          access_token_sealed: box.seal(input.hubspot.accessToken),
        })
        .execute();
    }
    return tenant.id;
  });
  return { tenantId, apiKey, webhookUrl: webhookUrlFor(publicBaseUrl, tenantId) };
}

/**
 * Adds a signing secret for a rotation. Existing secrets stay valid until `expireOthersAt`, so events signed
 * with either secret verify while the Stripe endpoint switches over.
 */
export async function addWebhookSecret(
  db: Db,
  box: SecretBox,
  tenantId: string,
  secret: string,
  expireOthersAt: Date,
): Promise<void> {
  checkWebhookSecret(secret);
  await requireTenant(db, tenantId);
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('webhook_secrets')
      .set({ expires_at: expireOthersAt })
      .where('tenant_id', '=', tenantId)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', expireOthersAt)]))
      .execute();
    await trx
      .insertInto('webhook_secrets')
      .values({ tenant_id: tenantId, secret_sealed: box.seal(secret) })
      .execute();
  });
}

/** Returns the tenant's unexpired Stripe signing secrets, newest first. */
export async function activeWebhookSecrets(
  db: Db,
  box: SecretBox,
  tenantId: string,
  now: Date,
): Promise<string[]> {
  const rows = await db
    .selectFrom('webhook_secrets')
    .select('secret_sealed')
    .where('tenant_id', '=', tenantId)
    .where('provider', '=', 'stripe')
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .orderBy('id', 'desc')
    .execute();
  return rows.map((row) => box.open(row.secret_sealed));
}

async function requirePortalFree(db: Db, portalId: string): Promise<void> {
  const existing = await db
    .selectFrom('crm_connections')
    .select('tenant_id')
    .where('provider', '=', 'hubspot')
    .where('account_id', '=', portalId)
    .executeTakeFirst();
  if (existing) {
    throw new AppError(
      'portal_already_connected',
      `HubSpot portal ${portalId} is already connected to tenant ${existing.tenant_id}; disconnect it there first`,
      { status: 409 },
    );
  }
}

/** Resolves an API key to its tenant, or null when the key is unknown or revoked. */
export async function tenantForApiKey(db: Db, apiKey: string): Promise<string | null> {
  if (!apiKey.startsWith(apiKeyPrefix)) return null;
  const row = await db
    .selectFrom('api_keys')
    .select('tenant_id')
    .where('key_hash', '=', hashApiKey(apiKey))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return row?.tenant_id ?? null;
}

export async function findTenant(db: Db, tenantId: string) {
  return db.selectFrom('tenants').selectAll().where('id', '=', tenantId).executeTakeFirst();
}

export async function tenantHasActiveCrm(db: Db, tenantId: string, provider: 'hubspot'): Promise<boolean> {
  const row = await db
    .selectFrom('crm_connections')
    .select(sql<number>`1`.as('found'))
    .where('tenant_id', '=', tenantId)
    .where('provider', '=', provider)
    .where('status', '=', 'active')
    .executeTakeFirst();
  return Boolean(row);
}

/** True when the tenant has an active Slack installation, so alerts are worth planning. */
export async function tenantHasSlack(db: Db, tenantId: string): Promise<boolean> {
  const row = await db
    .selectFrom('slack_installations')
    .select(sql<number>`1`.as('found'))
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'active')
    .executeTakeFirst();
  return Boolean(row);
}
