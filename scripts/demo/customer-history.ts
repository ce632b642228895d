import { announceDefaultCard, newPaymentMethod } from './cards';
import type { CustomerProfile } from './customers';
import type { EventLog } from './event-log';
import { runFailurePlan } from './failure-flows';
import { finalizeDelaySeconds } from './failure-plans';
import type { HistoryContext, OpenInvoice } from './history-context';
import { invoiceSnapshot } from './invoice-shapes';
import { recordSuccessfulPayment } from './payment-attempts';
import type { DemoRandom, IdFactory } from './random';
import type { CustomerState, InvoiceState, SubscriptionState } from './state';
import { customerSnapshot, subscriptionItems, subscriptionSnapshot } from './stripe-shapes';
import { addMonths, daySeconds } from './time';

/** One customer's events from signup to `now`: signup, then one invoice per billing cycle. */

export interface HistoryDeps {
  random: DemoRandom;
  ids: IdFactory;
  log: EventLog;
  now: number;
}

const hostedInvoiceBase = 'https://invoice.stripe.com/i/acct_1LedgerlineDemo0';

function periodEnd(profile: CustomerProfile, cycleIndex: number): number {
  const months = profile.price.interval === 'month' ? 1 : 12;
  return addMonths(profile.anchor, (cycleIndex + 1) * months);
}

function newInvoice(context: HistoryContext, profile: CustomerProfile, cycleIndex: number): InvoiceState {
  const start = profile.cycles[cycleIndex] as number;
  const previousStart = cycleIndex === 0 ? start : (profile.cycles[cycleIndex - 1] as number);
  const amount = profile.price.unitAmount * profile.quantity;
  return {
    id: context.ids.next('in'),
    shape: context.shape,
    lineItemId: context.ids.next('il'),
    number: null,
    customer: context.customer,
    subscription: context.subscription,
    billingReason: cycleIndex === 0 ? 'subscription_create' : 'subscription_cycle',
    amountDue: amount,
    amountPaid: 0,
    status: 'draft',
    attemptCount: 0,
    nextPaymentAttempt: null,
    created: start + 1,
    finalizedAt: null,
    paidAt: null,
    markedUncollectibleAt: null,
    dueDate: null,
    periodStart: previousStart,
    periodEnd: start,
    linePeriodStart: start,
    linePeriodEnd: periodEnd(profile, cycleIndex),
    hostedInvoiceUrl: null,
    paymentIntentId: null,
    invoicePaymentId: null,
    latestChargeId: null,
  };
}

/** Finalizes an invoice: number, hosted page, PaymentIntent, and a due date for `send_invoice`. */
function finalize(context: HistoryContext, invoice: InvoiceState, at: number): OpenInvoice {
  const { customer, subscription, log, apiVersion } = context;
  invoice.status = 'open';
  invoice.finalizedAt = at;
  invoice.number = `${customer.invoicePrefix}-${String(customer.nextInvoiceSequence).padStart(4, '0')}`;
  customer.nextInvoiceSequence += 1;
  invoice.hostedInvoiceUrl = `${hostedInvoiceBase}/test_${context.random.alphanumeric(40)}?s=ap`;
  invoice.paymentIntentId = context.ids.next('pi');
  invoice.invoicePaymentId = context.shape === 'basil' ? context.ids.next('inpay') : null;
  const automatic = subscription.collectionMethod === 'charge_automatically';
  invoice.dueDate = automatic ? null : at + (subscription.daysUntilDue ?? 30) * daySeconds;
  invoice.nextPaymentAttempt = automatic ? at : null;
  log.emit(apiVersion, 'invoice.finalized', at, invoiceSnapshot(invoice));
  if (!automatic) log.emit(apiVersion, 'invoice.sent', at + 2, invoiceSnapshot(invoice));
  return { invoice, intent: { id: invoice.paymentIntentId, created: at, charges: [] } };
}

function startSubscription(context: HistoryContext, profile: CustomerProfile, invoiceId: string): void {
  context.subscription.latestInvoiceId = invoiceId;
  const snapshot = subscriptionSnapshot(context.subscription);
  context.log.emit(context.apiVersion, 'customer.subscription.created', profile.anchor, snapshot);
}

/** Moves the subscription into its next period, as Stripe reports at each renewal. */
function renewSubscription(
  context: HistoryContext,
  profile: CustomerProfile,
  cycleIndex: number,
  invoiceId: string,
): void {
  const { subscription } = context;
  const start = profile.cycles[cycleIndex] as number;
  const previous: Record<string, unknown> =
    context.shape === 'basil'
      ? { items: subscriptionItems(subscription) }
      : {
          current_period_end: subscription.currentPeriodEnd,
          current_period_start: subscription.currentPeriodStart,
        };
  previous.latest_invoice = subscription.latestInvoiceId;
  subscription.currentPeriodStart = start;
  subscription.currentPeriodEnd = periodEnd(profile, cycleIndex);
  subscription.latestInvoiceId = invoiceId;
  const snapshot = subscriptionSnapshot(subscription);
  context.log.emit(context.apiVersion, 'customer.subscription.updated', start, snapshot, previous);
}

/** Pays a `send_invoice` invoice on its hosted page 2 to 12 days after sending, unless that is after `now`. */
function payByInvoice(context: HistoryContext, open: OpenInvoice, now: number): void {
  const delay = context.random.int(2 * daySeconds, 12 * daySeconds);
  const paidAt = (open.invoice.finalizedAt as number) + delay;
  if (paidAt < now) recordSuccessfulPayment(context, open, paidAt);
}

/** Runs one billing cycle and returns false when the subscription ended in it. */
function runCycle(
  context: HistoryContext,
  profile: CustomerProfile,
  cycleIndex: number,
  now: number,
): boolean {
  const invoice = newInvoice(context, profile, cycleIndex);
  if (cycleIndex === 0) startSubscription(context, profile, invoice.id);
  else renewSubscription(context, profile, cycleIndex, invoice.id);
  const automatic = context.subscription.collectionMethod === 'charge_automatically';
  // Stripe finalizes the first invoice at once and renewal invoices about an hour after creation.
  const finalizeAt = invoice.created + (cycleIndex === 0 ? 1 : finalizeDelaySeconds);
  invoice.nextPaymentAttempt = automatic ? finalizeAt : null;
  context.log.emit(context.apiVersion, 'invoice.created', invoice.created, invoiceSnapshot(invoice));
  const open = finalize(context, invoice, finalizeAt);
  if (profile.failure?.cycleIndex === cycleIndex) return runFailurePlan(context, profile.failure, open, now);
  if (automatic) recordSuccessfulPayment(context, open, finalizeAt + 2);
  else payByInvoice(context, open, now);
  return true;
}

function newCustomerState(profile: CustomerProfile, created: number): CustomerState {
  return {
    id: profile.customer.stripeCustomerId,
    shape: profile.shape,
    name: profile.customer.name,
    email: profile.customer.email,
    created,
    currency: null,
    invoicePrefix: profile.invoicePrefix,
    defaultPaymentMethodId: null,
    delinquent: false,
    nextInvoiceSequence: 1,
  };
}

function newSubscriptionState(deps: HistoryDeps, profile: CustomerProfile): SubscriptionState {
  return {
    id: deps.ids.next('sub'),
    itemId: deps.ids.next('si', 14),
    customerId: profile.customer.stripeCustomerId,
    shape: profile.shape,
    price: profile.price,
    quantity: profile.quantity,
    status: 'active',
    created: profile.anchor,
    currentPeriodStart: profile.anchor,
    currentPeriodEnd: periodEnd(profile, 0),
    latestInvoiceId: null,
    collectionMethod: profile.customer.collectionMethod,
    daysUntilDue: profile.daysUntilDue,
    canceledAt: null,
    endedAt: null,
    cancellationReason: null,
  };
}

/** Creates the customer a few minutes before the subscription and attaches its first card. */
function signUp(deps: HistoryDeps, profile: CustomerProfile): HistoryContext {
  const apiVersion = profile.customer.apiVersion;
  const joinedAt = profile.anchor - deps.random.int(120, 3000);
  const customer = newCustomerState(profile, joinedAt);
  deps.log.emit(apiVersion, 'customer.created', joinedAt, customerSnapshot(customer));
  const subscription = newSubscriptionState(deps, profile);
  const method = newPaymentMethod(deps, customer, profile.card, joinedAt + 30);
  const context: HistoryContext = {
    ...deps,
    apiVersion,
    shape: profile.shape,
    customer,
    subscription,
    paymentMethod: method,
  };
  announceDefaultCard(context, method, joinedAt + 30);
  // Stripe sets the customer's currency with the first subscription.
  customer.currency = profile.customer.currency;
  return context;
}

/** Writes one customer's events from signup up to `deps.now`. */
export function writeCustomerHistory(deps: HistoryDeps, profile: CustomerProfile): void {
  const context = signUp(deps, profile);
  for (let cycleIndex = 0; cycleIndex < profile.cycles.length; cycleIndex += 1) {
    if (!runCycle(context, profile, cycleIndex, deps.now)) return;
  }
}
