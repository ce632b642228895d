/** Reads the ledger tables into the facts the health score needs for one customer. */
import type { Db } from '../db/database';
import type { CollectionMethod, SubscriptionStatus } from '../ledger/changes';
import { failedPaymentsRule } from './rules';
import type { CardExpiry, HealthFacts, HealthSubscriptionStatus } from './types';

const millisecondsPerDay = 24 * 60 * 60 * 1000;

/** Error for a customer id that has no ledger row in the tenant. Retrying does not help. */
export class CustomerNotFoundError extends Error {
  readonly code = 'customer_not_found';
  readonly retryable = false;

  constructor(tenantId: string, customerId: string) {
    super(`Customer ${customerId} not found in tenant ${tenantId}.`);
    this.name = 'CustomerNotFoundError';
  }
}

// Live statuses from worst to best. The worst one drives the score.
const liveStatusesWorstFirst: SubscriptionStatus[] = [
  'unpaid',
  'past_due',
  'incomplete',
  'paused',
  'trialing',
  'active',
];

/**
 * Picks the subscription status to score: the worst live one, else `canceled` or
 * `incomplete_expired` when every subscription has ended, else `none`.
 */
export function pickSubscriptionStatus(statuses: string[]): HealthSubscriptionStatus {
  const live = liveStatusesWorstFirst.find((status) => statuses.includes(status));
  if (live) return live;
  if (statuses.includes('canceled')) return 'canceled';
  if (statuses.includes('incomplete_expired')) return 'incomplete_expired';
  return 'none';
}

function isLiveStatus(status: string): boolean {
  return (liveStatusesWorstFirst as string[]).includes(status);
}

async function loadCustomer(db: Db, tenantId: string, customerId: string) {
  const customer = await db
    .selectFrom('customers')
    .select(['id', 'currency', 'default_payment_method_id'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', customerId)
    .executeTakeFirst();
  if (!customer) throw new CustomerNotFoundError(tenantId, customerId);
  return customer;
}

/** Loads the subscriptions newest-written first, so the newest one's own default payment method wins. */
async function loadSubscriptions(db: Db, tenantId: string, customerId: string) {
  return db
    .selectFrom('subscriptions')
    .select(['status', 'currency', 'mrr_minor', 'collection_method', 'default_payment_method_id'])
    .where('tenant_id', '=', tenantId)
    .where('customer_id', '=', customerId)
    .orderBy('source_version', 'desc')
    .orderBy('source_event_id', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

async function loadFailedAttempts(db: Db, tenantId: string, customerId: string, now: Date) {
  const windowStart = new Date(now.getTime() - failedPaymentsRule.windowDays * millisecondsPerDay);
  const failed = db
    .selectFrom('payment_attempts')
    .where('tenant_id', '=', tenantId)
    .where('customer_id', '=', customerId)
    .where('status', '=', 'failed')
    .where('attempted_at', '>', windowStart)
    .where('attempted_at', '<=', now);
  const counted = await failed.select((eb) => eb.fn.countAll<string>().as('count')).executeTakeFirstOrThrow();
  const newest = await failed
    .select(['decline_code', 'advice_code', 'failure_code', 'failure_message'])
    .orderBy('attempted_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return { count: Number(counted.count), newest: newest ?? null };
}

async function loadLastPaymentAt(db: Db, tenantId: string, customerId: string, now: Date) {
  const row = await db
    .selectFrom('payment_attempts')
    .select((eb) => eb.fn.max('attempted_at').as('last'))
    .where('tenant_id', '=', tenantId)
    .where('customer_id', '=', customerId)
    .where('status', '=', 'succeeded')
    .where('attempted_at', '<=', now)
    .executeTakeFirst();
  return row?.last ? new Date(row.last) : null;
}

interface UnpaidInvoice {
  status: string;
  currency: string;
  amount_remaining: string;
  invoice_created_at: Date | null;
  due_date: Date | null;
  next_payment_attempt: Date | null;
}

async function loadInvoices(db: Db, tenantId: string, customerId: string) {
  const unpaid = await db
    .selectFrom('invoices')
    .select([
      'status',
      'currency',
      'amount_remaining',
      'invoice_created_at',
      'due_date',
      'next_payment_attempt',
    ])
    .where('tenant_id', '=', tenantId)
    .where('customer_id', '=', customerId)
    .where('status', 'in', ['open', 'uncollectible'])
    .where('amount_remaining', '>', '0')
    .execute();
  const newest = await db
    .selectFrom('invoices')
    .select(['due_date', 'collection_method'])
    .where('tenant_id', '=', tenantId)
    .where('customer_id', '=', customerId)
    .orderBy('invoice_created_at', (ob) => ob.desc().nullsLast())
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return { unpaid, newest: newest ?? null };
}

/**
 * Due date of an unpaid invoice. Stripe sets due_date only on send_invoice invoices, so a
 * charge_automatically invoice is due when it is created.
 */
function effectiveDueDate(invoice: UnpaidInvoice): Date | null {
  return invoice.due_date ?? invoice.invoice_created_at;
}

function earliest(dates: (Date | null)[]): Date | null {
  let result: Date | null = null;
  for (const date of dates) if (date && (!result || date < result)) result = date;
  return result;
}

export function summarizeOverdue(invoices: UnpaidInvoice[], currency: string | null, now: Date) {
  const overdue = invoices.filter((invoice) => {
    const due = effectiveDueDate(invoice);
    return due !== null && due < now;
  });
  // NOTE: amounts in other currencies are left out of the total because they cannot be compared
  // with MRR. Their due dates still count toward days overdue.
  const inCurrency = overdue.filter((invoice) => invoice.currency === currency);
  return {
    oldestUnpaidDueDate: earliest(overdue.map(effectiveDueDate)),
    overdueAmountMinor: inCurrency.reduce((sum, invoice) => sum + Number(invoice.amount_remaining), 0),
    nextRetryAt: earliest(invoices.filter((i) => i.status === 'open').map((i) => i.next_payment_attempt)),
  };
}

interface StoredPaymentMethod {
  stripe_payment_method_id: string;
  type: string;
  exp_month: number | null;
  exp_year: number | null;
}

async function loadPaymentMethods(
  db: Db,
  tenantId: string,
  customerId: string,
): Promise<StoredPaymentMethod[]> {
  return db
    .selectFrom('payment_methods')
    .select(['stripe_payment_method_id', 'type', 'exp_month', 'exp_year'])
    .where('tenant_id', '=', tenantId)
    .where('customer_id', '=', customerId)
    .where('detached', '=', false)
    .orderBy('source_version', 'desc')
    .orderBy('source_event_id', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

interface SubscriptionCollection {
  status: string;
  collection_method: CollectionMethod | null;
  default_payment_method_id: string | null;
}

interface NewestInvoice {
  due_date: Date | null;
  collection_method: CollectionMethod | null;
}

/**
 * Returns whether live subscriptions settle the collection method: true when one charges
 * automatically, false when all send invoices, and null when none is live or an unknown method
 * leaves it open.
 */
function subscriptionsCollectAutomatically(subscriptions: SubscriptionCollection[]): boolean | null {
  const methods = subscriptions.filter((row) => isLiveStatus(row.status)).map((row) => row.collection_method);
  if (methods.includes('charge_automatically')) return true;
  if (methods.length > 0 && methods.every((method) => method === 'send_invoice')) return false;
  return null;
}

/**
 * Decides whether Stripe charges the customer's payment method: by the live subscriptions'
 * collection methods, else by the newest invoice's. An invoice stored without one (a payload from
 * before Stripe added the field) falls back to its due date, which Stripe sets only on send_invoice
 * invoices. A customer with no invoice gets Stripe's default, `charge_automatically`.
 */
export function collectsAutomatically(
  subscriptions: SubscriptionCollection[],
  newest: NewestInvoice | null,
): boolean {
  const bySubscriptions = subscriptionsCollectAutomatically(subscriptions);
  if (bySubscriptions !== null) return bySubscriptions;
  if (newest === null) return true;
  if (newest.collection_method !== null) return newest.collection_method === 'charge_automatically';
  return newest.due_date === null;
}

/**
 * Lists the default payment method ids in the order Stripe prefers them: the own default of each
 * live subscription that is not send_invoice, in the order given, then the customer's default.
 */
export function defaultPaymentMethodIds(
  subscriptions: SubscriptionCollection[],
  customerDefaultId: string | null,
): string[] {
  const ids = subscriptions
    .filter((row) => isLiveStatus(row.status) && row.collection_method !== 'send_invoice')
    .flatMap((row) => row.default_payment_method_id ?? []);
  if (customerDefaultId !== null) ids.push(customerDefaultId);
  return ids;
}

function expiryOf(method: StoredPaymentMethod | undefined): CardExpiry | null {
  if (!method || method.exp_month === null || method.exp_year === null) return null;
  return { month: method.exp_month, year: method.exp_year };
}

/**
 * Picks the first of `defaultIds` that is still attached, else the most recently written card.
 * `methods` must be attached methods, newest first.
 */
export function pickPaymentMethod(methods: StoredPaymentMethod[], defaultIds: readonly string[]) {
  const attached = (id: string) => methods.find((method) => method.stripe_payment_method_id === id);
  const byDefault = defaultIds.map(attached).find((method) => method !== undefined);
  const chosen = byDefault ?? methods.find((method) => method.type === 'card');
  return { defaultCardExpiry: expiryOf(chosen), paymentMethodOnFile: chosen !== undefined };
}

/**
 * Loads the health facts of one customer. Payment attempts and due dates are compared with `now`,
 * but other rows are read as they are, so a past `now` does not reproduce a past state.
 * Throws CustomerNotFoundError for an id outside the tenant.
 */
export async function loadHealthFacts(
  db: Db,
  tenantId: string,
  customerId: string,
  now: Date,
): Promise<HealthFacts> {
  const customer = await loadCustomer(db, tenantId, customerId);
  const [subscriptions, attempts, lastPaymentAt, invoices, methods] = await Promise.all([
    loadSubscriptions(db, tenantId, customerId),
    loadFailedAttempts(db, tenantId, customerId, now),
    loadLastPaymentAt(db, tenantId, customerId, now),
    loadInvoices(db, tenantId, customerId),
    loadPaymentMethods(db, tenantId, customerId),
  ]);

  const live = subscriptions.filter((subscription) => isLiveStatus(subscription.status));
  // NOTE: only the first attached default is scored, so when live subscriptions have different
  // defaults, an expiring card on an older subscription does not lower the card points.
  const defaultIds = defaultPaymentMethodIds(subscriptions, customer.default_payment_method_id);
  const currency = customer.currency ?? live[0]?.currency ?? invoices.unpaid[0]?.currency ?? null;
  const mrrMinor = live
    .filter((subscription) => subscription.currency === currency)
    .reduce((sum, subscription) => sum + Number(subscription.mrr_minor), 0);

  return {
    failedPaymentsLast30Days: attempts.count,
    lastFailedDecline: attempts.newest && {
      declineCode: attempts.newest.decline_code,
      adviceCode: attempts.newest.advice_code,
      failureCode: attempts.newest.failure_code,
      failureMessage: attempts.newest.failure_message,
    },
    ...summarizeOverdue(invoices.unpaid, currency, now),
    mrrMinor,
    currency,
    subscriptionStatus: pickSubscriptionStatus(subscriptions.map((subscription) => subscription.status)),
    ...pickPaymentMethod(methods, defaultIds),
    collectsAutomatically: collectsAutomatically(subscriptions, invoices.newest),
    lastPaymentAt,
  };
}
