/** Reads what the payment-health card shows for one billing customer and builds the view. */
import { buildCardView, type CardViewInput } from '../../cards/view-model';
import type { LinkedCardView } from '../../cards/view-model-types';
import type { Db } from '../db/database';
import { healthTrendSince, latestHealth } from '../health/snapshots';
import { readCustomerLedger } from '../ledger/read';
import type { PendingCardAction } from './action-rules';
import { attemptCountFromKey } from './idempotency-keys';

const trendWindowMs = 30 * 24 * 60 * 60 * 1000;

/** Card actions of a customer that the worker has not finished, oldest first. */
export async function loadPendingCardActions(
  db: Db,
  tenantId: string,
  customerId: string,
): Promise<PendingCardAction[]> {
  const rows = await db
    .selectFrom('card_actions')
    .select(['action', 'stripe_invoice_id', 'idempotency_key', 'status'])
    .where('tenant_id', '=', tenantId)
    .where('customer_id', '=', customerId)
    .where('status', 'in', ['queued', 'running'])
    .orderBy('id')
    .execute();
  return rows.map((row) => ({
    action: row.action,
    stripeInvoiceId: row.stripe_invoice_id,
    invoiceAttemptCount: attemptCountFromKey(row.idempotency_key),
    status: row.status as PendingCardAction['status'],
  }));
}

async function loadDunningPausedUntil(db: Db, tenantId: string, customerId: string): Promise<Date | null> {
  const row = await db
    .selectFrom('customers')
    .select('dunning_paused_until')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', customerId)
    .executeTakeFirst();
  return row?.dunning_paused_until ?? null;
}

/** Loads the builder's input, or null when the tenant has no such Stripe customer. */
export async function loadCardInput(
  db: Db,
  tenantId: string,
  stripeCustomerId: string,
  now: Date,
): Promise<CardViewInput | null> {
  const ledger = await readCustomerLedger(db, tenantId, stripeCustomerId, now);
  if (!ledger) return null;
  const customerId = ledger.customer.id;
  const [health, trendSince30Days, pendingActions, dunningPausedUntil] = await Promise.all([
    latestHealth(db, tenantId, customerId),
    healthTrendSince(db, tenantId, customerId, new Date(now.getTime() - trendWindowMs)),
    loadPendingCardActions(db, tenantId, customerId),
    loadDunningPausedUntil(db, tenantId, customerId),
  ]);
  return { ledger, health, trendSince30Days, pendingActions, dunningPausedUntil, now };
}

/** Builds the card for a Stripe customer of the tenant, or returns null when there is no such customer. */
export async function loadCardView(
  db: Db,
  tenantId: string,
  stripeCustomerId: string,
  now: Date,
): Promise<LinkedCardView | null> {
  const input = await loadCardInput(db, tenantId, stripeCustomerId, now);
  return input ? buildCardView(input) : null;
}
