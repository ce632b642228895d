import type {
  NormalizedEvent,
  PaymentAttemptChange,
  PaymentAttemptStatus,
  PaymentMethodChange,
} from '../../src/ledger/changes';
import {
  cardDetails,
  refId,
  type CardDetails,
  type ChargeObject,
  type PaymentIntentObject,
  type StripeRef,
} from './payloads';

function ignoredWithoutCustomer(kind: string, id: string): NormalizedEvent {
  return {
    status: 'ignored',
    reason: `${kind} ${id} has no customer, so the ledger has no row to attach it to`,
  };
}

/** Reads card metadata from a charge: `payment_method_details` (2018+) or a card `source` (older). */
function chargeCard(charge: ChargeObject): CardDetails | null {
  const details = charge.payment_method_details?.card;
  if (details) return details;
  if (charge.source?.object !== 'card') return null;
  const parsed = cardDetails.safeParse(charge.source);
  return parsed.success ? parsed.data : null;
}

function chargeStatus(charge: ChargeObject): PaymentAttemptStatus {
  if (charge.status) return charge.status;
  return charge.paid ? 'succeeded' : 'failed';
}

/** Returns a charge's decline code: the outcome reason of a failed charge, else its failure code. */
function chargeDeclineCode(charge: ChargeObject): string | null {
  if (chargeStatus(charge) !== 'failed') return null;
  return charge.outcome?.reason ?? charge.failure_code ?? null;
}

export function chargeAttempt(charge: ChargeObject): NormalizedEvent {
  const customerId = refId(charge.customer);
  if (customerId === null) return ignoredWithoutCustomer('charge', charge.id);
  const card = chargeCard(charge);
  const outcome = charge.outcome;
  const change: PaymentAttemptChange = {
    kind: 'payment_attempt',
    attemptKey: charge.id,
    stripeCustomerId: customerId,
    stripeChargeId: charge.id,
    stripePaymentIntentId: refId(charge.payment_intent),
    stripeInvoiceId: refId(charge.invoice),
    status: chargeStatus(charge),
    amount: charge.amount,
    currency: charge.currency.toLowerCase(),
    failureCode: charge.failure_code ?? null,
    failureMessage: charge.failure_message ?? null,
    declineCode: chargeDeclineCode(charge),
    adviceCode: outcome?.advice_code ?? null,
    networkDeclineCode: outcome?.network_decline_code ?? null,
    networkAdviceCode: outcome?.network_advice_code ?? null,
    outcomeType: outcome?.type ?? null,
    cardBrand: card?.brand ?? null,
    cardLast4: card?.last4 ?? null,
    attemptedAt: new Date(charge.created * 1000),
  };
  return { status: 'changes', changes: [change] };
}

/** The attempt status of each PaymentIntent event type. The object's own status is coarser. */
export const paymentIntentEventStatus: Record<string, PaymentAttemptStatus> = {
  'payment_intent.succeeded': 'succeeded',
  'payment_intent.payment_failed': 'failed',
  'payment_intent.requires_action': 'requires_action',
  'payment_intent.processing': 'pending',
};

/**
 * Returns the charge an event's PaymentIntent attempt belongs to, so its row merges with the
 * charge events. A failure names it in `last_payment_error.charge`, and otherwise it is the latest charge.
 */
function attemptChargeId(intent: PaymentIntentObject, status: PaymentAttemptStatus): string | null {
  const errorCharge = status === 'succeeded' ? null : intent.last_payment_error?.charge;
  const embedded = intent.charges?.data ?? [];
  return errorCharge ?? refId(intent.latest_charge) ?? embedded[embedded.length - 1]?.id ?? null;
}

function paymentMethodCard(ref: StripeRef | null | undefined): CardDetails | null {
  if (ref === null || ref === undefined || typeof ref === 'string') return null;
  const parsed = cardDetails.safeParse(ref.card);
  return parsed.success ? parsed.data : null;
}

export function paymentIntentAttempt(
  intent: PaymentIntentObject,
  status: PaymentAttemptStatus,
  eventCreatedSeconds: number,
): NormalizedEvent {
  const customerId = refId(intent.customer);
  if (customerId === null) return ignoredWithoutCustomer('PaymentIntent', intent.id);
  const chargeId = attemptChargeId(intent, status);
  const charge = intent.charges?.data.find((embedded) => embedded.id === chargeId) ?? null;
  // A succeeded PaymentIntent may still carry the error of an earlier attempt: skip it.
  const error = status === 'succeeded' ? null : (intent.last_payment_error ?? null);
  const outcome = charge?.outcome;
  const chargeFailed = charge !== null && chargeStatus(charge) === 'failed';
  const card = paymentMethodCard(error?.payment_method) ?? (charge ? chargeCard(charge) : null);
  const change: PaymentAttemptChange = {
    kind: 'payment_attempt',
    attemptKey: chargeId ?? intent.id,
    stripeCustomerId: customerId,
    stripeChargeId: chargeId,
    stripePaymentIntentId: intent.id,
    stripeInvoiceId: refId(intent.invoice) ?? refId(charge?.invoice),
    status,
    amount: charge?.amount ?? intent.amount,
    currency: (charge?.currency ?? intent.currency).toLowerCase(),
    failureCode: error?.code ?? charge?.failure_code ?? null,
    failureMessage: error?.message ?? charge?.failure_message ?? null,
    declineCode:
      error?.decline_code ??
      (chargeFailed ? outcome?.reason : null) ??
      charge?.failure_code ??
      error?.code ??
      null,
    adviceCode: error?.advice_code ?? outcome?.advice_code ?? null,
    networkDeclineCode: error?.network_decline_code ?? outcome?.network_decline_code ?? null,
    networkAdviceCode: error?.network_advice_code ?? outcome?.network_advice_code ?? null,
    outcomeType: outcome?.type ?? null,
    cardBrand: card?.brand ?? null,
    cardLast4: card?.last4 ?? null,
    attemptedAt: new Date((charge?.created ?? eventCreatedSeconds) * 1000),
  };
  return { status: 'changes', changes: [change] };
}

export interface CardLike {
  id: string;
  type: string;
  customer: StripeRef | null;
  card?: CardDetails | null;
}

/**
 * Builds the payment method change. A detached payment method no longer names its customer, so
 * the caller passes the customer from the event's `previous_attributes`.
 */
export function paymentMethodChange(
  method: CardLike,
  detached: boolean,
  previousCustomer: string | null,
): NormalizedEvent {
  const customerId = refId(method.customer) ?? previousCustomer;
  if (customerId === null) return ignoredWithoutCustomer('payment method', method.id);
  const card = method.card ?? null;
  const change: PaymentMethodChange = {
    kind: 'payment_method',
    stripePaymentMethodId: method.id,
    stripeCustomerId: customerId,
    type: method.type,
    cardBrand: card?.brand ?? null,
    cardLast4: card?.last4 ?? null,
    expMonth: card?.exp_month ?? null,
    expYear: card?.exp_year ?? null,
    detached,
  };
  return { status: 'changes', changes: [change] };
}
