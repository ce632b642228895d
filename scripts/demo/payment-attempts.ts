import type { DeclineProfile } from './declines';
import {
  emitDelinquency,
  emitSubscriptionStatus,
  type HistoryContext,
  type OpenInvoice,
} from './history-context';
import { invoiceSnapshot } from './invoice-shapes';
import { chargeSnapshot, paymentIntentSnapshot, type ChargeFacts } from './payment-shapes';
import type { PaymentMethodState } from './state';

/** Events of one payment attempt on an invoice, with the invoice, subscription and customer effects. */

function newCharge(
  context: HistoryContext,
  open: OpenInvoice,
  at: number,
  attempt: { method: PaymentMethodState; decline: DeclineProfile | null },
): ChargeFacts {
  const { invoice } = open;
  if (!invoice.paymentIntentId) throw new Error(`Invoice ${invoice.id} has no PaymentIntent`);
  const charge: ChargeFacts = {
    id: context.ids.next('ch'),
    shape: context.shape,
    customerId: context.customer.id,
    invoiceId: invoice.id,
    paymentIntentId: invoice.paymentIntentId,
    amount: invoice.amountDue,
    currency: invoice.subscription.price.currency,
    created: at,
    paymentMethod: attempt.method,
    decline: attempt.decline,
    balanceTransactionId: attempt.decline ? null : context.ids.next('txn'),
    receiptKey: context.random.alphanumeric(40),
    riskScore: context.random.int(5, 45),
    firstInvoice: invoice.billingReason === 'subscription_create',
  };
  open.intent.charges.push(charge);
  invoice.attemptCount += 1;
  invoice.latestChargeId = charge.id;
  return charge;
}

/** Records a paid invoice: the charge, the PaymentIntent, the invoice, and recovery from past_due. */
export function recordSuccessfulPayment(
  context: HistoryContext,
  open: OpenInvoice,
  at: number,
  method: PaymentMethodState = context.paymentMethod,
): void {
  const { log, apiVersion } = context;
  const { invoice } = open;
  const charge = newCharge(context, open, at, { method, decline: null });
  log.emit(apiVersion, 'charge.succeeded', at, chargeSnapshot(charge));
  log.emit(apiVersion, 'payment_intent.succeeded', at + 1, paymentIntentSnapshot(open.intent));
  invoice.status = 'paid';
  invoice.amountPaid = invoice.amountDue;
  invoice.paidAt = at + 2;
  invoice.nextPaymentAttempt = null;
  log.emit(apiVersion, 'invoice.paid', at + 2, invoiceSnapshot(invoice));
  log.emit(apiVersion, 'invoice.payment_succeeded', at + 2, invoiceSnapshot(invoice));
  emitSubscriptionStatus(context, 'active', at + 3);
  emitDelinquency(context, false, at + 4);
}

/** Records a declined attempt. `nextAttempt` is when Stripe will retry, or null for none. */
export function recordFailedPayment(
  context: HistoryContext,
  open: OpenInvoice,
  at: number,
  failure: { decline: DeclineProfile; nextAttempt: number | null },
): void {
  const { log, apiVersion } = context;
  const { invoice } = open;
  const charge = newCharge(context, open, at, { method: context.paymentMethod, decline: failure.decline });
  log.emit(apiVersion, 'charge.failed', at, chargeSnapshot(charge));
  log.emit(apiVersion, 'payment_intent.payment_failed', at + 1, paymentIntentSnapshot(open.intent));
  invoice.nextPaymentAttempt = failure.nextAttempt;
  log.emit(apiVersion, 'invoice.payment_failed', at + 2, invoiceSnapshot(invoice));
  emitSubscriptionStatus(context, 'past_due', at + 3);
  emitDelinquency(context, true, at + 4);
}
