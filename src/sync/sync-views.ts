/** Reads what the HubSpot company properties are built from, for a batch of customers. */
import { matchableDomain } from '../../integrations/hubspot/free-mail';
import type { Db } from '../db/database';
import { loadHealthFacts } from '../health/facts';
import type { HealthBand } from '../health/types';
import type { CustomerSyncView } from './hubspot-properties';

const millisecondsPerDay = 24 * 60 * 60 * 1000;

interface LatestSnapshot {
  score: number;
  band: HealthBand;
  reasons: string[];
}

async function loadLatestSnapshots(db: Db, tenantId: string, customerIds: string[]) {
  const rows = await db
    .selectFrom('health_snapshots')
    .distinctOn('customer_id')
    .select(['customer_id', 'score', 'band', 'reasons'])
    .where('tenant_id', '=', tenantId)
    .where('customer_id', 'in', customerIds)
    .orderBy('customer_id')
    .orderBy('computed_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return new Map<string, LatestSnapshot>(rows.map((row) => [row.customer_id, row]));
}

async function loadLastAttemptFailed(db: Db, tenantId: string, customerIds: string[], now: Date) {
  const rows = await db
    .selectFrom('payment_attempts')
    .distinctOn('customer_id')
    .select(['customer_id', 'status'])
    .where('tenant_id', '=', tenantId)
    .where('customer_id', 'in', customerIds)
    .where('attempted_at', '<=', now)
    .orderBy('customer_id')
    .orderBy('attempted_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return new Set(rows.filter((row) => row.status === 'failed').map((row) => row.customer_id));
}

/** Whole days from `since` to `now`, never negative. */
export function daysBetween(since: Date, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - since.getTime()) / millisecondsPerDay));
}

/**
 * Loads one view per customer that exists in the tenant and is not deleted. Other ids are left
 * out. The ledger facts come from the health score's loader, so CRM and score agree.
 */
export async function loadSyncViews(
  db: Db,
  tenantId: string,
  customerIds: string[],
  now: Date,
): Promise<CustomerSyncView[]> {
  if (customerIds.length === 0) return [];
  const customers = await db
    .selectFrom('customers')
    .select(['id', 'stripe_customer_id', 'name', 'email'])
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', customerIds)
    .where('deleted', '=', false)
    .orderBy('id')
    .execute();
  const ids = customers.map((customer) => customer.id);
  if (ids.length === 0) return [];
  const [snapshots, failedLast] = await Promise.all([
    loadLatestSnapshots(db, tenantId, ids),
    loadLastAttemptFailed(db, tenantId, ids, now),
  ]);

  const views: CustomerSyncView[] = [];
  // NOTE: about five small queries per customer, so a batch of 100 makes about 500. Batch them if flushes get slow.
  for (const customer of customers) {
    const facts = await loadHealthFacts(db, tenantId, customer.id, now);
    const snapshot = snapshots.get(customer.id);
    views.push({
      customerId: customer.id,
      billingCustomerId: customer.stripe_customer_id,
      name: customer.name,
      emailDomain: matchableDomain(customer.email),
      healthScore: snapshot?.score ?? null,
      healthBand: snapshot?.band ?? null,
      healthReasons: snapshot?.reasons ?? [],
      subscriptionStatus: facts.subscriptionStatus,
      lastAttemptFailed: failedLast.has(customer.id),
      mrrMinor: facts.mrrMinor,
      currency: facts.currency,
      overdueAmountMinor: facts.overdueAmountMinor,
      oldestUnpaidDays: facts.oldestUnpaidDueDate ? daysBetween(facts.oldestUnpaidDueDate, now) : null,
      failedPayments30d: facts.failedPaymentsLast30Days,
      lastPaymentAt: facts.lastPaymentAt,
      nextRetryAt: facts.nextRetryAt,
      cardExpiry: facts.defaultCardExpiry,
    });
  }
  return views;
}
