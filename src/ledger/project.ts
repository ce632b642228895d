import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { ChangeSource, LedgerChange } from './changes';
import { upsertPaymentAttempt } from './payment-attempts';
import {
  upsertCustomer,
  upsertInvoice,
  upsertPaymentMethod,
  upsertSubscription,
  type WriteContext,
} from './upserts';

function stripeCustomerIdOf(change: LedgerChange): string {
  return change.stripeCustomerId;
}

/**
 * Takes a transaction-scoped advisory lock per (tenant, Stripe customer), in sorted order so two
 * workers locking the same customers cannot deadlock. The key is a 64-bit hash of the pair, so two
 * customers may share a lock, which only makes their writes wait for each other.
 */
async function lockCustomers(trx: Db, tenantId: string, stripeCustomerIds: readonly string[]): Promise<void> {
  for (const stripeCustomerId of stripeCustomerIds) {
    const key = `${tenantId}:${stripeCustomerId}`;
    await sql`SELECT pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(trx);
  }
}

/**
 * Returns the internal id of each customer, inserting a placeholder row for one not seen yet.
 * The placeholder has source_version 0, so the customer's own event still overwrites it.
 */
async function ensureCustomers(
  trx: Db,
  tenantId: string,
  stripeCustomerIds: readonly string[],
): Promise<Map<string, string>> {
  await trx
    .insertInto('customers')
    .values(stripeCustomerIds.map((id) => ({ tenant_id: tenantId, stripe_customer_id: id })))
    .onConflict((conflict) => conflict.columns(['tenant_id', 'stripe_customer_id']).doNothing())
    .execute();
  const rows = await trx
    .selectFrom('customers')
    .select(['id', 'stripe_customer_id'])
    .where('tenant_id', '=', tenantId)
    .where('stripe_customer_id', 'in', stripeCustomerIds)
    .execute();
  return new Map(rows.map((row) => [row.stripe_customer_id, row.id]));
}

async function applyChange(trx: Db, context: WriteContext, change: LedgerChange): Promise<void> {
  switch (change.kind) {
    case 'customer':
      return upsertCustomer(trx, context.tenantId, change, context.source);
    case 'subscription':
      return upsertSubscription(trx, context, change);
    case 'invoice':
      return upsertInvoice(trx, context, change);
    case 'payment_attempt':
      return upsertPaymentAttempt(trx, context, change);
    case 'payment_method':
      return upsertPaymentMethod(trx, context, change);
  }
}

/**
 * Applies one event's ledger changes. Call it inside a transaction: the advisory locks last until
 * the transaction ends, and outside one they would be released at once. Each row is overwritten
 * only by a newer event (seconds, then event id) and never leaves a terminal state, so applying
 * the same events in any order, or more than once, ends in the same rows. Returns the internal
 * ids of the customers touched, sorted by Stripe customer id.
 */
export async function applyLedgerChanges(
  trx: Db,
  tenantId: string,
  source: ChangeSource,
  changes: LedgerChange[],
): Promise<{ customerIds: string[] }> {
  if (changes.length === 0) return { customerIds: [] };
  const stripeCustomerIds = [...new Set(changes.map(stripeCustomerIdOf))].sort();
  await lockCustomers(trx, tenantId, stripeCustomerIds);
  const customerIds = await ensureCustomers(trx, tenantId, stripeCustomerIds);
  for (const change of changes) {
    const customerId = customerIds.get(change.stripeCustomerId);
    if (customerId === undefined)
      throw new Error(`customer ${change.stripeCustomerId} was not found after insert`);
    await applyChange(trx, { tenantId, customerId, source }, change);
  }
  return { customerIds: stripeCustomerIds.map((id) => customerIds.get(id) as string) };
}
