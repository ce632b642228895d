import type {
  CollectionMethod,
  CustomerChange,
  InvoiceChange,
  InvoiceStatus,
  NormalizedEvent,
  SubscriptionChange,
} from '../../src/ledger/changes';
import { monthlyRecurringRevenue, type RecurringItem } from './mrr';
import {
  refId,
  type customerObject,
  type InvoiceObject,
  type planObject,
  type priceObject,
  type SubscriptionObject,
} from './payloads';
import type { z } from 'zod';

type CustomerObject = z.infer<typeof customerObject>;
type PriceObject = z.infer<typeof priceObject>;
type PlanObject = z.infer<typeof planObject>;

interface PricedLine {
  price?: PriceObject | null;
  plan?: PlanObject | null;
  quantity?: number | null;
}

export function toDate(seconds: number | null | undefined): Date | null {
  return seconds === null || seconds === undefined ? null : new Date(seconds * 1000);
}

export function customerChange(customer: CustomerObject, deleted: boolean): CustomerChange {
  const defaultPaymentMethod =
    refId(customer.invoice_settings?.default_payment_method) ?? refId(customer.default_source);
  return {
    kind: 'customer',
    stripeCustomerId: customer.id,
    email: customer.email ?? null,
    name: customer.name ?? null,
    currency: customer.currency ?? null,
    delinquent: customer.delinquent ?? false,
    deleted: deleted || customer.deleted === true,
    defaultPaymentMethodId: defaultPaymentMethod,
  };
}

function unitAmount(price: PriceObject): number | null {
  if (price.unit_amount !== null && price.unit_amount !== undefined) return price.unit_amount;
  const decimal = Number(price.unit_amount_decimal ?? Number.NaN);
  return Number.isFinite(decimal) ? decimal : null;
}

/** Reads one line's price, falling back to the legacy plan. Returns null when neither has a flat amount. */
function recurringItem(line: PricedLine): RecurringItem | null {
  const quantity = line.quantity ?? 1;
  const price = line.price;
  const priceAmount = price ? unitAmount(price) : null;
  if (price?.recurring && priceAmount !== null) {
    const { interval, interval_count: intervalCount = 1 } = price.recurring;
    return { unitAmountMinor: priceAmount, quantity, interval, intervalCount };
  }
  const plan = line.plan;
  if (plan && plan.amount !== null && plan.amount !== undefined) {
    return {
      unitAmountMinor: plan.amount,
      quantity,
      interval: plan.interval,
      intervalCount: plan.interval_count ?? 1,
    };
  }
  // TODO: tiered and metered prices have no flat unit amount, so they add nothing to MRR yet.
  return null;
}

/** Lists the subscription's lines: `items` when present, else the pre-2018 top-level plan or price. */
function pricedLines(subscription: SubscriptionObject): PricedLine[] {
  const items = subscription.items?.data ?? [];
  if (items.length > 0) return items;
  return [{ price: subscription.price, plan: subscription.plan, quantity: subscription.quantity }];
}

function subscriptionCurrency(subscription: SubscriptionObject): string | null {
  if (subscription.currency) return subscription.currency;
  for (const line of pricedLines(subscription)) {
    const currency = line.price?.currency ?? line.plan?.currency;
    if (currency) return currency;
  }
  return null;
}

/** Reads the period end from the subscription (before 2025) or the latest one among its items (2025+). */
function currentPeriodEnd(subscription: SubscriptionObject): number | null {
  if (subscription.current_period_end) return subscription.current_period_end;
  const ends = (subscription.items?.data ?? []).map((item) => item.current_period_end ?? 0);
  const latest = Math.max(0, ...ends);
  return latest > 0 ? latest : null;
}

/** Reads `collection_method`, or `billing` from API versions before 2019-10-17. */
function collectionMethodOf(object: SubscriptionObject | InvoiceObject): CollectionMethod | null {
  return object.collection_method ?? object.billing ?? null;
}

/**
 * Reads the subscription's own default: `default_payment_method`, else the legacy `default_source`,
 * the order in which Stripe picks what to charge.
 */
function subscriptionDefaultPaymentMethod(subscription: SubscriptionObject): string | null {
  return refId(subscription.default_payment_method) ?? refId(subscription.default_source);
}

export function subscriptionChange(subscription: SubscriptionObject): NormalizedEvent {
  const currency = subscriptionCurrency(subscription);
  if (currency === null) {
    return {
      status: 'invalid',
      reason: `subscription ${subscription.id} has no currency`,
      issues: ['data.object.currency: missing, and no item has a price or plan currency'],
    };
  }
  const items = pricedLines(subscription).flatMap((line) => recurringItem(line) ?? []);
  const change: SubscriptionChange = {
    kind: 'subscription',
    stripeSubscriptionId: subscription.id,
    stripeCustomerId: refId(subscription.customer),
    status: subscription.status,
    currency: currency.toLowerCase(),
    mrrMinor: monthlyRecurringRevenue(items, subscription.status),
    currentPeriodEnd: toDate(currentPeriodEnd(subscription)),
    cancelAtPeriodEnd: subscription.cancel_at_period_end ?? false,
    canceledAt: toDate(subscription.canceled_at),
    endedAt: toDate(subscription.ended_at),
    startedAt: toDate(subscription.start_date ?? subscription.start ?? subscription.created),
    collectionMethod: collectionMethodOf(subscription),
    defaultPaymentMethodId: subscriptionDefaultPaymentMethod(subscription),
  };
  return { status: 'changes', changes: [change] };
}

/**
 * Returns the invoice status, deriving it for invoices from before API version 2018-11-08, which
 * had no `status`. That version replaced `forgiven` with the `uncollectible` status, so a forgiven
 * invoice maps to uncollectible even when it also has `paid: true`.
 */
export function invoiceStatus(invoice: InvoiceObject): InvoiceStatus {
  if (invoice.status) return invoice.status;
  if (invoice.forgiven) return 'uncollectible';
  if (invoice.paid) return 'paid';
  if (invoice.closed) return 'uncollectible';
  return 'open';
}

/** Reads the subscription id from the top level (before 2025) or from `parent` (2025+ basil). */
function invoiceSubscriptionId(invoice: InvoiceObject): string | null {
  return refId(invoice.subscription) ?? refId(invoice.parent?.subscription_details?.subscription);
}

export function invoiceChange(invoice: InvoiceObject): InvoiceChange {
  const status = invoiceStatus(invoice);
  const amountDue = invoice.amount_due;
  const amountPaid = invoice.amount_paid ?? (status === 'paid' ? amountDue : 0);
  return {
    kind: 'invoice',
    stripeInvoiceId: invoice.id,
    stripeCustomerId: refId(invoice.customer),
    stripeSubscriptionId: invoiceSubscriptionId(invoice),
    number: invoice.number ?? null,
    status,
    currency: invoice.currency.toLowerCase(),
    amountDue,
    amountPaid,
    amountRemaining: invoice.amount_remaining ?? Math.max(0, amountDue - amountPaid),
    attemptCount: invoice.attempt_count ?? 0,
    createdAt: toDate(invoice.created ?? invoice.date),
    dueDate: toDate(invoice.due_date),
    paidAt: toDate(invoice.status_transitions?.paid_at),
    nextPaymentAttempt: toDate(invoice.next_payment_attempt),
    hostedInvoiceUrl: invoice.hosted_invoice_url ?? null,
    collectionMethod: collectionMethodOf(invoice),
    paymentRefs: invoicePaymentRefs(invoice),
  };
}

/** Collects every charge and PaymentIntent id the invoice names, in any API version's shape. */
export function invoicePaymentRefs(invoice: InvoiceObject): string[] {
  const refs = [refId(invoice.charge), refId(invoice.payment_intent)];
  for (const entry of invoice.payments?.data ?? []) {
    refs.push(refId(entry.payment?.charge), refId(entry.payment?.payment_intent));
  }
  return [...new Set(refs.filter((ref): ref is string => ref !== null))].sort();
}
