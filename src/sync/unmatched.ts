/** Billing customers that no HubSpot company matched, for a CSM to link or create by hand. */
import { emailDomain } from '../../integrations/hubspot/free-mail';
import type { Db } from '../db/database';

export interface UnmatchedCustomer {
  customerId: string;
  stripeCustomerId: string;
  name: string | null;
  /** Domain of the billing email, free-mail domains included because they explain the miss. */
  emailDomain: string | null;
}

/** Lists the tenant's unmatched customers, by name then id. Deleted customers are left out. */
export async function listUnmatchedCustomers(db: Db, tenantId: string): Promise<UnmatchedCustomer[]> {
  const rows = await db
    .selectFrom('crm_sync_state as state')
    .innerJoin('customers', 'customers.id', 'state.customer_id')
    .select(['customers.id', 'customers.stripe_customer_id', 'customers.name', 'customers.email'])
    .where('state.tenant_id', '=', tenantId)
    .where('state.provider', '=', 'hubspot')
    .where('state.match_status', '=', 'unmatched')
    .where('customers.deleted', '=', false)
    .orderBy('customers.name')
    .orderBy('customers.id')
    .execute();
  return rows.map((row) => ({
    customerId: row.id,
    stripeCustomerId: row.stripe_customer_id,
    name: row.name,
    emailDomain: emailDomain(row.email),
  }));
}
