/** Reads the ledger, CRM link, health snapshots and open alerts that the alert rules need. */
import type { Db } from '../db/database';
import { collectsAutomatically, defaultPaymentMethodIds, pickSubscriptionStatus } from '../health/facts';
import { loadFailedInvoices } from './failed-invoices';
import { onTimeStreak } from './on-time';
import type { AlertContent, AlertFacts, AlertRule, CardFacts, HealthPoint, OpenAlert } from './types';

const liveStatuses = new Set(['trialing', 'active', 'past_due', 'unpaid', 'paused', 'incomplete']);

async function loadAccount(db: Db, tenantId: string, customerId: string) {
  const customer = await db
    .selectFrom('customers')
    .select(['id', 'stripe_customer_id', 'name', 'currency', 'default_payment_method_id'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', customerId)
    .executeTakeFirstOrThrow();
  const link = await db
    .selectFrom('crm_links')
    .select(['record_id', 'owner_id'])
    .where('tenant_id', '=', tenantId)
    .where('customer_id', '=', customerId)
    .where('provider', '=', 'hubspot')
    .executeTakeFirst();
  const connection = await db
    .selectFrom('crm_connections')
    .select(['account_id'])
    .where('tenant_id', '=', tenantId)
    .where('provider', '=', 'hubspot')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return { customer, link: link ?? null, portalId: connection?.account_id ?? null };
}

async function loadSubscriptions(db: Db, tenantId: string, customerId: string) {
  return db
    .selectFrom('subscriptions')
    .select(['status', 'currency', 'mrr_minor', 'collection_method', 'default_payment_method_id'])
    .where('tenant_id', '=', tenantId)
    .where('customer_id', '=', customerId)
    .orderBy('source_version', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

/** Picks the first attached card among the default ids, else the most recently written attached card. */
async function loadDefaultCard(db: Db, tenantId: string, customerId: string, defaultIds: string[]) {
  const cards = await db
    .selectFrom('payment_methods')
    .select(['stripe_payment_method_id', 'card_brand', 'card_last4', 'exp_month', 'exp_year'])
    .where('tenant_id', '=', tenantId)
    .where('customer_id', '=', customerId)
    .where('detached', '=', false)
    .where('type', '=', 'card')
    .orderBy('source_version', 'desc')
    .orderBy('id', 'desc')
    .execute();
  const byDefault = defaultIds
    .map((id) => cards.find((card) => card.stripe_payment_method_id === id))
    .find(Boolean);
  const card = byDefault ?? cards[0];
  if (!card || card.exp_month === null || card.exp_year === null) return null;
  return {
    stripePaymentMethodId: card.stripe_payment_method_id,
    brand: card.card_brand,
    last4: card.card_last4,
    expMonth: card.exp_month,
    expYear: card.exp_year,
  } satisfies CardFacts;
}

async function loadSettledInvoiceIds(db: Db, tenantId: string, stripeInvoiceIds: string[]) {
  if (stripeInvoiceIds.length === 0) return [];
  const rows = await db
    .selectFrom('invoices')
    .select('stripe_invoice_id')
    .where('tenant_id', '=', tenantId)
    .where('stripe_invoice_id', 'in', stripeInvoiceIds)
    .where((eb) => eb.or([eb('status', 'in', ['paid', 'void']), eb('amount_remaining', '=', '0')]))
    .execute();
  return rows.map((row) => row.stripe_invoice_id);
}

/**
 * Loads one customer's alert facts. `watchedInvoiceIds` are the Stripe invoice ids of open failure
 * alerts, checked for payment so those alerts can close.
 */
export async function loadAlertFacts(
  db: Db,
  tenantId: string,
  customerId: string,
  now: Date,
  watchedInvoiceIds: string[] = [],
): Promise<AlertFacts> {
  const { customer, link, portalId } = await loadAccount(db, tenantId, customerId);
  const subscriptions = await loadSubscriptions(db, tenantId, customerId);
  const live = subscriptions.filter((subscription) => liveStatuses.has(subscription.status));
  const currency = customer.currency ?? live[0]?.currency ?? null;
  const defaultIds = defaultPaymentMethodIds(subscriptions, customer.default_payment_method_id);
  const fallbackCollects = collectsAutomatically(subscriptions, null);
  const streak = await onTimeStreak(db, tenantId, customerId, now);

  return {
    account: {
      customerId,
      stripeCustomerId: customer.stripe_customer_id,
      name: customer.name,
      crmRecordId: link?.record_id ?? null,
      crmPortalId: link ? portalId : null,
      crmOwnerId: link?.owner_id ?? null,
    },
    currency,
    mrrMinor: live.filter((s) => s.currency === currency).reduce((sum, s) => sum + Number(s.mrr_minor), 0),
    subscriptionStatus: pickSubscriptionStatus(subscriptions.map((subscription) => subscription.status)),
    failedInvoices: await loadFailedInvoices(db, tenantId, customerId, fallbackCollects),
    defaultCard: await loadDefaultCard(db, tenantId, customerId, defaultIds),
    onTimeMonths: streak.months,
    onTimeSince: streak.since,
    settledInvoiceIds: await loadSettledInvoiceIds(db, tenantId, watchedInvoiceIds),
  };
}

/** Stripe invoice ids named by the episode keys of failure alerts (`invoice:<id>`). */
export function invoiceIdsOf(alerts: OpenAlert[]): string[] {
  return alerts.flatMap((alert) =>
    alert.episodeKey.startsWith('invoice:') ? [alert.episodeKey.slice(8)] : [],
  );
}

export async function loadOpenAlerts(db: Db, tenantId: string, customerId: string): Promise<OpenAlert[]> {
  const rows = await db
    .selectFrom('slack_alerts')
    .select(['id', 'rule', 'episode_key', 'channel_id', 'content'])
    .where('tenant_id', '=', tenantId)
    .where('customer_id', '=', customerId)
    .where((eb) => eb(eb.ref('content', '->>').key('state' as never), '=', 'open'))
    .execute();
  return rows.map((row) => ({
    id: row.id,
    rule: row.rule as AlertRule,
    episodeKey: row.episode_key,
    channelId: row.channel_id,
    content: row.content as unknown as AlertContent,
  }));
}

export interface HealthChange {
  healthBefore: HealthPoint | null;
  healthAfter: HealthPoint | null;
}

/**
 * Health before and after the event: the given values when the caller has them, else the two
 * newest snapshots. A newest snapshot not written at `now` means this event did not change health,
 * so before and after are the same and no band drop is seen twice.
 */
export async function loadHealthChange(
  db: Db,
  tenantId: string,
  customerId: string,
  now: Date,
  given: { before?: Record<string, HealthPoint | null>; after?: Record<string, HealthPoint | null> },
): Promise<HealthChange> {
  if (given.after && customerId in given.after) {
    return { healthBefore: given.before?.[customerId] ?? null, healthAfter: given.after[customerId] ?? null };
  }
  const rows = await db
    .selectFrom('health_snapshots')
    .select(['score', 'band', 'computed_at'])
    .where('tenant_id', '=', tenantId)
    .where('customer_id', '=', customerId)
    .orderBy('computed_at', 'desc')
    .orderBy('id', 'desc')
    .limit(2)
    .execute();
  const [latest, previous] = rows;
  if (!latest) return { healthBefore: null, healthAfter: null };
  const after = { score: latest.score, band: latest.band };
  if (latest.computed_at.getTime() !== now.getTime()) return { healthBefore: after, healthAfter: after };
  const before = previous ? { score: previous.score, band: previous.band } : null;
  return { healthBefore: before, healthAfter: after };
}
