import type { Db } from '../db/database';
import type {
  CollectionMethod,
  Customer,
  Invoice,
  PaymentAttempt,
  PaymentAttemptStatus,
  PaymentMethod,
  Subscription,
} from '../db/schema';

/** One customer's ledger as the API and health scoring read it. Amounts are minor units. */
export interface CustomerLedger {
  customer: {
    id: string;
    stripeCustomerId: string;
    name: string | null;
    email: string | null;
    currency: string | null;
    delinquent: boolean;
    deleted: boolean;
  };
  subscriptions: LedgerSubscription[];
  /** Invoices still owed: status `open` or `uncollectible`, oldest first. */
  openInvoices: LedgerInvoice[];
  /** The 20 latest payment attempts, newest first. */
  recentPaymentAttempts: LedgerPaymentAttempt[];
  /** Payment methods still attached to the customer, the default one first. */
  paymentMethods: LedgerPaymentMethod[];
  /** Monthly recurring revenue per currency, over all subscriptions. */
  mrrByCurrency: Record<string, number>;
}

export interface LedgerSubscription {
  stripeSubscriptionId: string;
  status: string;
  currency: string;
  mrrMinor: number;
  currentPeriodEnd: string | null;
  cancelAtPeriodEnd: boolean;
  canceledAt: string | null;
  endedAt: string | null;
  startedAt: string | null;
  /** Null when the newest Stripe payload for it had no collection method. */
  collectionMethod: CollectionMethod | null;
  /** The subscription's own default, which Stripe charges in place of the customer's default. */
  defaultPaymentMethodId: string | null;
}

export interface LedgerInvoice {
  stripeInvoiceId: string;
  stripeSubscriptionId: string | null;
  number: string | null;
  status: string;
  currency: string;
  amountDue: number;
  amountRemaining: number;
  attemptCount: number;
  createdAt: string | null;
  dueDate: string | null;
  /** Whole days past the due date, or past creation for an automatically charged invoice. 0 if not yet due. */
  daysOverdue: number;
  nextPaymentAttempt: string | null;
  hostedInvoiceUrl: string | null;
  /** Null when the newest Stripe payload for it had no collection method. */
  collectionMethod: CollectionMethod | null;
}

export interface LedgerPaymentAttempt {
  attemptKey: string;
  stripeChargeId: string | null;
  stripePaymentIntentId: string | null;
  stripeInvoiceId: string | null;
  status: PaymentAttemptStatus;
  amount: number;
  currency: string;
  failureCode: string | null;
  failureMessage: string | null;
  declineCode: string | null;
  adviceCode: string | null;
  networkDeclineCode: string | null;
  networkAdviceCode: string | null;
  outcomeType: string | null;
  cardBrand: string | null;
  cardLast4: string | null;
  attemptedAt: string;
}

export interface LedgerPaymentMethod {
  stripePaymentMethodId: string;
  type: string;
  cardBrand: string | null;
  cardLast4: string | null;
  expMonth: number | null;
  expYear: number | null;
  isDefault: boolean;
}

const recentAttemptLimit = 20;
const dayMs = 24 * 60 * 60 * 1000;

function isoOrNull(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}

/**
 * Counts whole days from the invoice's due date to `now`. An automatically charged invoice has no
 * due date: Stripe charges it when it is finalized, so it counts from its creation.
 */
export function daysOverdue(dueDate: Date | null, createdAt: Date | null, now: Date): number {
  const dueFrom = dueDate ?? createdAt;
  if (dueFrom === null) return 0;
  return Math.max(0, Math.floor((now.getTime() - dueFrom.getTime()) / dayMs));
}

function toSubscription(row: Subscription): LedgerSubscription {
  return {
    stripeSubscriptionId: row.stripe_subscription_id,
    status: row.status,
    currency: row.currency,
    mrrMinor: Number(row.mrr_minor),
    currentPeriodEnd: isoOrNull(row.current_period_end),
    cancelAtPeriodEnd: row.cancel_at_period_end,
    canceledAt: isoOrNull(row.canceled_at),
    endedAt: isoOrNull(row.ended_at),
    startedAt: isoOrNull(row.started_at),
    collectionMethod: row.collection_method,
    defaultPaymentMethodId: row.default_payment_method_id,
  };
}

function toInvoice(row: Invoice, now: Date): LedgerInvoice {
  return {
    stripeInvoiceId: row.stripe_invoice_id,
    stripeSubscriptionId: row.stripe_subscription_id,
    number: row.number,
    status: row.status,
    currency: row.currency,
    amountDue: Number(row.amount_due),
    amountRemaining: Number(row.amount_remaining),
    attemptCount: row.attempt_count,
    createdAt: isoOrNull(row.invoice_created_at),
    dueDate: isoOrNull(row.due_date),
    daysOverdue: daysOverdue(row.due_date, row.invoice_created_at, now),
    nextPaymentAttempt: isoOrNull(row.next_payment_attempt),
    hostedInvoiceUrl: row.hosted_invoice_url,
    collectionMethod: row.collection_method,
  };
}

function toPaymentAttempt(row: PaymentAttempt): LedgerPaymentAttempt {
  return {
    attemptKey: row.attempt_key,
    stripeChargeId: row.stripe_charge_id,
    stripePaymentIntentId: row.stripe_payment_intent_id,
    stripeInvoiceId: row.stripe_invoice_id,
    status: row.status,
    amount: Number(row.amount),
    currency: row.currency,
    failureCode: row.failure_code,
    failureMessage: row.failure_message,
    declineCode: row.decline_code,
    adviceCode: row.advice_code,
    networkDeclineCode: row.network_decline_code,
    networkAdviceCode: row.network_advice_code,
    outcomeType: row.outcome_type,
    cardBrand: row.card_brand,
    cardLast4: row.card_last4,
    attemptedAt: row.attempted_at.toISOString(),
  };
}

function toPaymentMethod(row: PaymentMethod, defaultId: string | null): LedgerPaymentMethod {
  return {
    stripePaymentMethodId: row.stripe_payment_method_id,
    type: row.type,
    cardBrand: row.card_brand,
    cardLast4: row.card_last4,
    expMonth: row.exp_month,
    expYear: row.exp_year,
    isDefault: row.stripe_payment_method_id === defaultId,
  };
}

function sumMrrByCurrency(subscriptions: readonly LedgerSubscription[]): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const subscription of subscriptions) {
    totals[subscription.currency] = (totals[subscription.currency] ?? 0) + subscription.mrrMinor;
  }
  return totals;
}

async function loadRows(db: Db, customer: Customer) {
  const subscriptions = db
    .selectFrom('subscriptions')
    .selectAll()
    .where('customer_id', '=', customer.id)
    .orderBy('started_at', 'desc')
    .orderBy('stripe_subscription_id')
    .execute();
  const invoices = db
    .selectFrom('invoices')
    .selectAll()
    .where('customer_id', '=', customer.id)
    .where('status', 'in', ['open', 'uncollectible'])
    .orderBy('invoice_created_at', 'asc')
    .orderBy('stripe_invoice_id')
    .execute();
  const attempts = db
    .selectFrom('payment_attempts')
    .selectAll()
    .where('customer_id', '=', customer.id)
    .orderBy('attempted_at', 'desc')
    .orderBy('attempt_key')
    .limit(recentAttemptLimit)
    .execute();
  const methods = db
    .selectFrom('payment_methods')
    .selectAll()
    .where('customer_id', '=', customer.id)
    .where('detached', '=', false)
    .orderBy('stripe_payment_method_id')
    .execute();
  const [subscriptionRows, invoiceRows, attemptRows, methodRows] = await Promise.all([
    subscriptions,
    invoices,
    attempts,
    methods,
  ]);
  return {
    subscriptions: subscriptionRows,
    invoices: invoiceRows,
    attempts: attemptRows,
    methods: methodRows,
  };
}

/**
 * Reads one customer's ledger, or null when the tenant has no such Stripe customer. `now` sets
 * the days overdue of open invoices.
 */
export async function readCustomerLedger(
  db: Db,
  tenantId: string,
  stripeCustomerId: string,
  now: Date = new Date(),
): Promise<CustomerLedger | null> {
  const customer = await db
    .selectFrom('customers')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('stripe_customer_id', '=', stripeCustomerId)
    .executeTakeFirst();
  if (customer === undefined) return null;
  const rows = await loadRows(db, customer);
  const subscriptions = rows.subscriptions.map(toSubscription);
  const defaultId = customer.default_payment_method_id;
  const paymentMethods = rows.methods.map((row) => toPaymentMethod(row, defaultId));
  paymentMethods.sort((a, b) => Number(b.isDefault) - Number(a.isDefault));
  return {
    customer: {
      id: customer.id,
      stripeCustomerId: customer.stripe_customer_id,
      name: customer.name,
      email: customer.email,
      currency: customer.currency,
      delinquent: customer.delinquent,
      deleted: customer.deleted,
    },
    subscriptions,
    openInvoices: rows.invoices.map((row) => toInvoice(row, now)),
    recentPaymentAttempts: rows.attempts.map(toPaymentAttempt),
    paymentMethods,
    mrrByCurrency: sumMrrByCurrency(subscriptions),
  };
}
