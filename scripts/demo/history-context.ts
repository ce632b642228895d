import type { EventLog } from './event-log';
import type { PaymentIntentFacts } from './payment-shapes';
import type { DemoRandom, IdFactory } from './random';
import type {
  CustomerState,
  InvoiceState,
  PaymentMethodState,
  SubscriptionState,
  SubscriptionStatus,
} from './state';
import { customerSnapshot, subscriptionSnapshot } from './stripe-shapes';
import type { ApiShape } from './types';

/** The objects and tools shared by every step of one customer's history. */
export interface HistoryContext {
  random: DemoRandom;
  ids: IdFactory;
  log: EventLog;
  apiVersion: string;
  shape: ApiShape;
  customer: CustomerState;
  subscription: SubscriptionState;
  paymentMethod: PaymentMethodState;
}

/** An invoice with the PaymentIntent Stripe created for it at finalization. */
export interface OpenInvoice {
  invoice: InvoiceState;
  intent: PaymentIntentFacts;
}

export function emitSubscriptionStatus(
  context: HistoryContext,
  status: SubscriptionStatus,
  at: number,
): void {
  const { subscription } = context;
  if (subscription.status === status) return;
  const previous = subscription.status;
  subscription.status = status;
  const type = status === 'canceled' ? 'customer.subscription.deleted' : 'customer.subscription.updated';
  const previousAttributes = status === 'canceled' ? undefined : { status: previous };
  context.log.emit(context.apiVersion, type, at, subscriptionSnapshot(subscription), previousAttributes);
}

/**
 * Stripe sets `delinquent` when an automatic payment fails or a due date passes, and clears it when
 * an invoice is paid.
 */
export function emitDelinquency(context: HistoryContext, delinquent: boolean, at: number): void {
  const { customer } = context;
  if (customer.delinquent === delinquent) return;
  customer.delinquent = delinquent;
  const previous = { delinquent: !delinquent };
  context.log.emit(context.apiVersion, 'customer.updated', at, customerSnapshot(customer), previous);
}
