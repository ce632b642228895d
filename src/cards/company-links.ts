/** Portal → tenant and HubSpot company → billing customer lookups, and manual linking from the card. */
import { sql } from 'kysely';
import { inTransaction, type Db } from '../db/database';
import { AppError } from '../errors';
import { markCrmDirty } from '../sync/sync-state';

export interface LinkedCustomer {
  customerId: string;
  stripeCustomerId: string;
}

/** Returns the tenant whose active HubSpot connection is this portal, or null. */
export async function tenantForPortal(db: Db, portalId: string): Promise<string | null> {
  const row = await db
    .selectFrom('crm_connections')
    .select('tenant_id')
    .where('provider', '=', 'hubspot')
    .where('account_id', '=', portalId)
    .where('status', '=', 'active')
    .executeTakeFirst();
  return row?.tenant_id ?? null;
}

/**
 * Returns the billing customer linked to a HubSpot company in this tenant, or null. Only the tenant's own
 * links are read, so a company id linked in another tenant is not found.
 * NOTE: automatic matching may link two customers to one company; the oldest link wins here.
 */
export async function customerForCompany(
  db: Db,
  tenantId: string,
  companyId: string,
): Promise<LinkedCustomer | null> {
  const row = await db
    .selectFrom('crm_links')
    .innerJoin('customers', 'customers.id', 'crm_links.customer_id')
    .select(['customers.id as customerId', 'customers.stripe_customer_id as stripeCustomerId'])
    .where('crm_links.tenant_id', '=', tenantId)
    .where('customers.tenant_id', '=', tenantId)
    .where('crm_links.provider', '=', 'hubspot')
    .where('crm_links.record_id', '=', companyId)
    .orderBy('crm_links.created_at')
    .orderBy('crm_links.id')
    .executeTakeFirst();
  return row ?? null;
}

export interface LinkRequest {
  tenantId: string;
  companyId: string;
  stripeCustomerId: string;
  /** Audit actor, e.g. `hubspot-user:123`. */
  actor: string;
  now: Date;
}

export interface LinkResult extends LinkedCustomer {
  /** False when this exact link already existed. */
  created: boolean;
}

async function findCustomer(db: Db, tenantId: string, stripeCustomerId: string): Promise<string> {
  const customer = await db
    .selectFrom('customers')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('stripe_customer_id', '=', stripeCustomerId)
    .executeTakeFirst();
  if (!customer) {
    throw new AppError(
      'customer_not_found',
      `No Stripe customer "${stripeCustomerId}" in this account's billing data; check the id (cus_...)`,
      { status: 404 },
    );
  }
  return customer.id;
}

async function existingLinks(trx: Db, tenantId: string, companyId: string, customerId: string) {
  return trx
    .selectFrom('crm_links')
    .select(['customer_id', 'record_id'])
    .where('tenant_id', '=', tenantId)
    .where('provider', '=', 'hubspot')
    .where((eb) => eb.or([eb('record_id', '=', companyId), eb('customer_id', '=', customerId)]))
    .execute();
}

function conflictFor(
  links: { customer_id: string; record_id: string }[],
  request: LinkRequest,
  customerId: string,
) {
  const companyTaken = links.find(
    (link) => link.record_id === request.companyId && link.customer_id !== customerId,
  );
  if (companyTaken) {
    return new AppError(
      'company_already_linked',
      `HubSpot company ${request.companyId} is already linked to another Stripe customer`,
      { status: 409 },
    );
  }
  const customerTaken = links.find(
    (link) => link.customer_id === customerId && link.record_id !== request.companyId,
  );
  if (customerTaken) {
    return new AppError(
      'customer_already_linked',
      `Stripe customer ${request.stripeCustomerId} is already linked to HubSpot company ${customerTaken.record_id}`,
      { status: 409 },
    );
  }
  return null;
}

/**
 * Links a HubSpot company to a billing customer of the same tenant (matched_by `manual`), marks the
 * customer for the next CRM sync and writes an audit row. A per-company advisory lock serializes two
 * CSMs linking the same company, because crm_links is unique per customer only.
 */
export async function linkCompanyToCustomer(db: Db, request: LinkRequest): Promise<LinkResult> {
  const customerId = await findCustomer(db, request.tenantId, request.stripeCustomerId);
  return inTransaction(db, async (trx) => {
    const lockKey = `crm_links:hubspot:${request.tenantId}:${request.companyId}`;
    await sql`SELECT pg_advisory_xact_lock(hashtextextended(${lockKey}, 0))`.execute(trx);
    const links = await existingLinks(trx, request.tenantId, request.companyId, customerId);
    const conflict = conflictFor(links, request, customerId);
    if (conflict) throw conflict;
    const result = { customerId, stripeCustomerId: request.stripeCustomerId };
    if (links.length > 0) return { ...result, created: false };

    await trx
      .insertInto('crm_links')
      .values({
        tenant_id: request.tenantId,
        customer_id: customerId,
        provider: 'hubspot',
        record_id: request.companyId,
        matched_by: 'manual',
      })
      .execute();
    await markCrmDirty(trx, request.tenantId, [customerId], 'hubspot', request.now);
    await trx
      .insertInto('audit_log')
      .values({
        tenant_id: request.tenantId,
        actor: request.actor,
        action: 'crm_link_created',
        subject: `hubspot-company:${request.companyId}`,
        details: JSON.stringify({ stripeCustomerId: request.stripeCustomerId, matchedBy: 'manual' }),
        created_at: request.now,
      })
      .execute();
    return { ...result, created: true };
  });
}
