import { networkAdviceCode, type DeclineProfile } from './declines';
import { cardDetails, paymentMethodSnapshot } from './stripe-shapes';
import type { PaymentMethodState } from './state';
import type { ApiShape, DemoCurrency, StripeObject } from './types';

/** Builders for charge and PaymentIntent snapshots of one payment attempt on an invoice. */

export interface ChargeFacts {
  id: string;
  shape: ApiShape;
  customerId: string;
  invoiceId: string;
  paymentIntentId: string;
  amount: number;
  currency: DemoCurrency;
  created: number;
  paymentMethod: PaymentMethodState;
  /** Null when the charge succeeded. */
  decline: DeclineProfile | null;
  /** Set for succeeded charges only. */
  balanceTransactionId: string | null;
  receiptKey: string;
  riskScore: number;
  firstInvoice: boolean;
}

function chargeOutcome(facts: ChargeFacts): Record<string, unknown> {
  const { decline } = facts;
  if (!decline) {
    return {
      advice_code: null,
      network_advice_code: null,
      network_decline_code: null,
      network_status: 'approved_by_network',
      reason: null,
      risk_level: 'normal',
      risk_score: facts.riskScore,
      seller_message: 'Payment complete.',
      type: 'authorized',
    };
  }
  const brand = facts.paymentMethod.card.brand;
  return {
    advice_code: decline.adviceCode,
    network_advice_code: networkAdviceCode(decline, brand),
    network_decline_code: decline.networkDeclineCode[brand],
    network_status: 'declined_by_network',
    reason: decline.declineCode,
    risk_level: 'normal',
    risk_score: facts.riskScore,
    seller_message: `The bank returned the decline code \`${decline.declineCode}\`.`,
    type: 'issuer_declined',
  };
}

function chargeDescription(facts: ChargeFacts): string {
  return facts.firstInvoice ? 'Subscription creation' : 'Subscription update';
}

export function chargeSnapshot(facts: ChargeFacts): StripeObject {
  const succeeded = facts.decline === null;
  const method = facts.paymentMethod;
  return {
    id: facts.id,
    object: 'charge',
    amount: facts.amount,
    amount_captured: succeeded ? facts.amount : 0,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: facts.balanceTransactionId,
    billing_details: {
      address: { city: null, country: null, line1: null, line2: null, postal_code: null, state: null },
      email: method.billingEmail,
      name: method.billingName,
      phone: null,
    },
    calculated_statement_descriptor: 'LEDGERLINE DEMO',
    captured: succeeded,
    created: facts.created,
    currency: facts.currency,
    customer: facts.customerId,
    description: chargeDescription(facts),
    disputed: false,
    failure_balance_transaction: null,
    failure_code: facts.decline?.failureCode ?? null,
    failure_message: facts.decline?.message ?? null,
    fraud_details: {},
    ...(facts.shape === 'legacy' ? { invoice: facts.invoiceId } : {}),
    livemode: false,
    metadata: {},
    on_behalf_of: null,
    outcome: chargeOutcome(facts),
    paid: succeeded,
    payment_intent: facts.paymentIntentId,
    payment_method: method.id,
    payment_method_details: {
      card: {
        amount_authorized: succeeded ? facts.amount : null,
        ...cardDetails(method),
        network: method.card.brand,
      },
      type: 'card',
    },
    receipt_email: null,
    receipt_number: null,
    receipt_url: succeeded ? `https://pay.stripe.com/receipts/invoices/${facts.receiptKey}?s=ap` : null,
    refunded: false,
    review: null,
    shipping: null,
    source: null,
    statement_descriptor: null,
    status: succeeded ? 'succeeded' : 'failed',
  };
}

function lastPaymentError(facts: ChargeFacts): Record<string, unknown> | null {
  const { decline } = facts;
  if (!decline) return null;
  const brand = facts.paymentMethod.card.brand;
  return {
    advice_code: decline.adviceCode,
    charge: facts.id,
    code: decline.failureCode,
    decline_code: decline.declineCode,
    doc_url: `https://docs.stripe.com/error-codes/${decline.failureCode.replace(/_/g, '-')}`,
    message: decline.message,
    network_advice_code: networkAdviceCode(decline, brand),
    network_decline_code: decline.networkDeclineCode[brand],
    payment_method: paymentMethodSnapshot(facts.paymentMethod, facts.shape),
    type: 'card_error',
  };
}

/** PaymentIntent facts beyond the attempt: the PaymentIntent lives as long as its invoice. */
export interface PaymentIntentFacts {
  id: string;
  created: number;
  /** Every charge so far, oldest first. The last one is the attempt this snapshot follows. */
  charges: ChargeFacts[];
}

function shapeSpecificIntentFields(intent: PaymentIntentFacts, latest: ChargeFacts): Record<string, unknown> {
  if (latest.shape === 'basil') return { latest_charge: latest.id };
  return {
    charges: {
      object: 'list',
      data: intent.charges.map(chargeSnapshot),
      has_more: false,
      total_count: intent.charges.length,
      url: `/v1/charges?payment_intent=${intent.id}`,
    },
    invoice: latest.invoiceId,
  };
}

export function paymentIntentSnapshot(intent: PaymentIntentFacts): StripeObject {
  const latest = intent.charges[intent.charges.length - 1];
  if (!latest) throw new Error(`PaymentIntent ${intent.id} has no charge to report`);
  const succeeded = latest.decline === null;
  return {
    id: intent.id,
    object: 'payment_intent',
    amount: latest.amount,
    amount_capturable: 0,
    amount_received: succeeded ? latest.amount : 0,
    application: null,
    automatic_payment_methods: null,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: 'automatic',
    confirmation_method: 'automatic',
    created: intent.created,
    currency: latest.currency,
    customer: latest.customerId,
    description: chargeDescription(latest),
    ...shapeSpecificIntentFields(intent, latest),
    last_payment_error: lastPaymentError(latest),
    livemode: false,
    metadata: {},
    next_action: null,
    payment_method: succeeded ? latest.paymentMethod.id : null,
    payment_method_types: ['card'],
    receipt_email: null,
    setup_future_usage: null,
    status: succeeded ? 'succeeded' : 'requires_payment_method',
  };
}
