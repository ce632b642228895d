/**
 * The ledger's input: what a billing event states about one object, in our terms. Platform adapters
 * (integrations/stripe) turn provider payloads into these; the projector applies them. Amounts are
 * integer minor units; currencies are lower-case ISO 4217 codes; times are Date in UTC.
 */

export interface CustomerChange {
  kind: 'customer';
  stripeCustomerId: string;
  email: string | null;
  name: string | null;
  currency: string | null;
  delinquent: boolean;
  deleted: boolean;
  defaultPaymentMethodId: string | null;
}

/** Stripe subscription statuses; `canceled` and `incomplete_expired` are terminal. */
export type SubscriptionStatus =
  'trialing' | 'active' | 'past_due' | 'unpaid' | 'paused' | 'incomplete' | 'incomplete_expired' | 'canceled';

/**
 * Stripe's collection method: `charge_automatically` charges the default payment method, and
 * `send_invoice` emails the invoice for the customer to pay.
 */
export type CollectionMethod = 'charge_automatically' | 'send_invoice';

export interface SubscriptionChange {
  kind: 'subscription';
  stripeSubscriptionId: string;
  stripeCustomerId: string;
  status: SubscriptionStatus;
  currency: string;
  /** Monthly recurring revenue in minor units: every item's price normalized to one month, times quantity. */
  mrrMinor: number;
  currentPeriodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
  canceledAt: Date | null;
  endedAt: Date | null;
  startedAt: Date | null;
  /** Null when the payload has no collection method, as before Stripe added the field. */
  collectionMethod: CollectionMethod | null;
  /** The subscription's own default, which Stripe charges in place of the customer's default. */
  defaultPaymentMethodId: string | null;
}

/** Stripe invoice statuses; `paid` and `void` are terminal, `uncollectible` may still become `paid`. */
export type InvoiceStatus = 'draft' | 'open' | 'paid' | 'uncollectible' | 'void';

export interface InvoiceChange {
  kind: 'invoice';
  stripeInvoiceId: string;
  stripeCustomerId: string;
  stripeSubscriptionId: string | null;
  number: string | null;
  status: InvoiceStatus;
  currency: string;
  amountDue: number;
  amountPaid: number;
  amountRemaining: number;
  attemptCount: number;
  createdAt: Date | null;
  dueDate: Date | null;
  paidAt: Date | null;
  nextPaymentAttempt: Date | null;
  hostedInvoiceUrl: string | null;
  /** Charge and PaymentIntent ids of the invoice's payments, which link payment attempts to it. */
  paymentRefs: string[];
  /** Null when the payload has no collection method, as before Stripe added the field. */
  collectionMethod: CollectionMethod | null;
}

export type PaymentAttemptStatus = 'succeeded' | 'failed' | 'pending' | 'requires_action';

export interface PaymentAttemptChange {
  kind: 'payment_attempt';
  /** The charge id when there is one, else the PaymentIntent id: both events of one charge merge. */
  attemptKey: string;
  stripeCustomerId: string;
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
  attemptedAt: Date;
}

export interface PaymentMethodChange {
  kind: 'payment_method';
  stripePaymentMethodId: string;
  stripeCustomerId: string;
  type: string;
  cardBrand: string | null;
  cardLast4: string | null;
  expMonth: number | null;
  expYear: number | null;
  detached: boolean;
}

export type LedgerChange =
  CustomerChange | SubscriptionChange | InvoiceChange | PaymentAttemptChange | PaymentMethodChange;

/** Identifies the event a change came from; orders changes to the same object. */
export interface ChangeSource {
  eventId: string;
  /** The event's `created`, in seconds since the epoch. */
  createdSeconds: number;
}

/** The result of reading one provider event. */
export type NormalizedEvent =
  | { status: 'changes'; changes: LedgerChange[] }
  | { status: 'ignored'; reason: string }
  | { status: 'invalid'; reason: string; issues: string[] };
