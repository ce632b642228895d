/** Reads the ledger tables into the facts the health score needs for one customer. */
import type { Db } from '../db/database';
import type { SubscriptionStatus } from '../ledger/changes';
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
  'unpaid', 'past_due', 'incomplete', 'paused', 'trialing', 'active',
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

async function loadSubscriptions(db: Db, tenantId: string, customerId: string) {
  return db
    .selectFrom('subscriptions')
    .select(['status', 'currency', 'mrr_minor'])
    .where('tenant_id', '=', tenantId)
    .where('customer_id', '=', customerId)
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
    .select(['status', 'currency', 'amount_remaining', 'invoice_created_at', 'due_date', 'next_payment_attempt'])
    .where('tenant_id', '=', tenantId)
    .where('customer_id', '=', customerId)
    .where('status', 'in', ['open', 'uncollectible'])
    .where('amount_remaining', '>', '0')
    .execute();
  const newest = await db
    .selectFrom('invoices')
    .select('due_date')
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

async function loadPaymentMethods(db: Db, tenantId: string, customerId: string): Promise<StoredPaymentMethod[]> {
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

function expiryOf(method: StoredPaymentMethod | undefined): CardExpiry | null {
  if (!method || method.exp_month === null || method.exp_year === null) return null;
  return { month: method.exp_month, year: method.exp_year };
}

/**
 * Picks the customer's default payment method when it is still attached, else the most recently
 * written card. `methods` must be attached methods, newest first.
 */
export function pickPaymentMethod(methods: StoredPaymentMethod[], defaultId: string | null) {
  const byDefault = methods.find((method) => method.stripe_payment_method_id === defaultId);
  const chosen = byDefault ?? methods.find((method) => method.type === 'card');
  return { defaultCardExpiry: expiryOf(chosen), paymentMethodOnFile: chosen !== undefined };
}

/**
 * Loads the health facts of one customer. Payment attempts and due dates are compared with `now`,
 * but other rows are read as they are, so a past `now` does not reproduce a past state.
 * Throws CustomerNotFoundError for an id outside the tenant.
 */
export async function loadHealthFacts(db: Db, tenantId: string, customerId: string, now: Date): Promise<HealthFacts> {
  const customer = await loadCustomer(db, tenantId, customerId);
  const [subscriptions, attempts, lastPaymentAt, invoices, methods] = await Promise.all([
    loadSubscriptions(db, tenantId, customerId),
    loadFailedAttempts(db, tenantId, customerId, now),
    loadLastPaymentAt(db, tenantId, customerId, now),
    loadInvoices(db, tenantId, customerId),
    loadPaymentMethods(db, tenantId, customerId),
  ]);

  const live = subscriptions.filter((subscription) => isLiveStatus(subscription.status));
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
    ...pickPaymentMethod(methods, customer.default_payment_method_id),
    // TODO: the ledger has no collection_method column, so it is inferred from the newest invoice.
    // Stripe sets due_date only on send_invoice invoices, which the customer pays by hand.
    collectsAutomatically: invoices.newest === null || invoices.newest.due_date === null,
    lastPaymentAt,
  };
}
