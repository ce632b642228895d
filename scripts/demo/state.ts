import type { CatalogPrice } from './catalog';
import type { CardSpec } from './customers';
import type { ApiShape, DemoCurrency } from './types';

/** Mutable state of the objects behind one customer's history. Shape builders take snapshots of it. */

export interface CustomerState {
  id: string;
  shape: ApiShape;
  name: string;
  email: string | null;
  created: number;
  /** Set by Stripe when the first subscription starts. */
  currency: DemoCurrency | null;
  invoicePrefix: string;
  defaultPaymentMethodId: string | null;
  delinquent: boolean;
  nextInvoiceSequence: number;
}

export interface PaymentMethodState {
  id: string;
  customerId: string;
  created: number;
  card: CardSpec;
  billingEmail: string | null;
  billingName: string;
}

export type SubscriptionStatus = 'active' | 'past_due' | 'canceled';

export interface SubscriptionState {
  id: string;
  itemId: string;
  customerId: string;
  shape: ApiShape;
  price: CatalogPrice;
  quantity: number;
  status: SubscriptionStatus;
  created: number;
  currentPeriodStart: number;
  currentPeriodEnd: number;
  latestInvoiceId: string | null;
  collectionMethod: 'charge_automatically' | 'send_invoice';
  daysUntilDue: number | null;
  canceledAt: number | null;
  endedAt: number | null;
  cancellationReason: 'payment_failed' | null;
}

export type InvoiceStatus = 'draft' | 'open' | 'paid' | 'uncollectible';

export interface InvoiceState {
  id: string;
  shape: ApiShape;
  lineItemId: string;
  number: string | null;
  customer: CustomerState;
  subscription: SubscriptionState;
  billingReason: 'subscription_create' | 'subscription_cycle';
  amountDue: number;
  amountPaid: number;
  status: InvoiceStatus;
  attemptCount: number;
  nextPaymentAttempt: number | null;
  created: number;
  finalizedAt: number | null;
  paidAt: number | null;
  markedUncollectibleAt: number | null;
  dueDate: number | null;
  /** For a renewal, the period just ended, because Stripe reports that one at invoice level. */
  periodStart: number;
  periodEnd: number;
  linePeriodStart: number;
  linePeriodEnd: number;
  hostedInvoiceUrl: string | null;
  paymentIntentId: string | null;
  invoicePaymentId: string | null;
  latestChargeId: string | null;
}
