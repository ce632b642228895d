import type { CatalogPrice } from './catalog';
import type { CustomerState, PaymentMethodState, SubscriptionState } from './state';
import type { ApiShape, StripeObject } from './types';

/**
 * Builders for Stripe customer, payment method, price and subscription objects. Each call returns a
 * fresh snapshot of the state at that moment, so later changes never leak into earlier events.
 * Field sets follow the 2025-03-31.basil reference (stripe-node 23 types) and, for `legacy`, the
 * 2020-08-27 shape with top-level subscription periods and `plan`.
 */

export function customerSnapshot(customer: CustomerState): StripeObject {
  return {
    id: customer.id,
    object: 'customer',
    address: null,
    balance: 0,
    created: customer.created,
    currency: customer.currency,
    default_source: null,
    delinquent: customer.delinquent,
    description: null,
    ...(customer.shape === 'legacy' ? { discount: null } : {}),
    email: customer.email,
    invoice_prefix: customer.invoicePrefix,
    invoice_settings: {
      custom_fields: null,
      default_payment_method: customer.defaultPaymentMethodId,
      footer: null,
      rendering_options: null,
    },
    livemode: false,
    metadata: {},
    name: customer.name,
    next_invoice_sequence: customer.nextInvoiceSequence,
    phone: null,
    preferred_locales: [],
    shipping: null,
    tax_exempt: 'none',
    test_clock: null,
  };
}

export function cardDetails(method: PaymentMethodState): Record<string, unknown> {
  const { card } = method;
  return {
    brand: card.brand,
    checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
    country: 'US',
    display_brand: card.brand,
    exp_month: card.expMonth,
    exp_year: card.expYear,
    fingerprint: card.fingerprint,
    funding: 'credit',
    generated_from: null,
    last4: card.last4,
    networks: { available: [card.brand], preferred: null },
    three_d_secure_usage: { supported: true },
    wallet: null,
  };
}

export function paymentMethodSnapshot(method: PaymentMethodState, shape: ApiShape): StripeObject {
  return {
    id: method.id,
    object: 'payment_method',
    ...(shape === 'basil' ? { allow_redisplay: 'unspecified' } : {}),
    billing_details: {
      address: { city: null, country: null, line1: null, line2: null, postal_code: null, state: null },
      email: method.billingEmail,
      name: method.billingName,
      phone: null,
    },
    card: cardDetails(method),
    created: method.created,
    customer: method.customerId,
    livemode: false,
    metadata: {},
    type: 'card',
  };
}

export function priceSnapshot(price: CatalogPrice, shape: ApiShape): StripeObject {
  return {
    id: price.id,
    object: 'price',
    active: true,
    billing_scheme: 'per_unit',
    created: price.created,
    currency: price.currency,
    livemode: false,
    lookup_key: null,
    metadata: {},
    nickname: null,
    product: price.productId,
    recurring: {
      ...(shape === 'legacy' ? { aggregate_usage: null } : { meter: null }),
      interval: price.interval,
      interval_count: 1,
      trial_period_days: null,
      usage_type: 'licensed',
    },
    tax_behavior: 'unspecified',
    tiers_mode: null,
    transform_quantity: null,
    type: 'recurring',
    unit_amount: price.unitAmount,
    unit_amount_decimal: String(price.unitAmount),
  };
}

/** Builds the `plan` object that API versions before 2025 send beside `price`. */
export function planSnapshot(price: CatalogPrice): StripeObject {
  return {
    id: price.id,
    object: 'plan',
    active: true,
    aggregate_usage: null,
    amount: price.unitAmount,
    amount_decimal: String(price.unitAmount),
    billing_scheme: 'per_unit',
    created: price.created,
    currency: price.currency,
    interval: price.interval,
    interval_count: 1,
    livemode: false,
    metadata: {},
    nickname: null,
    product: price.productId,
    tiers_mode: null,
    transform_usage: null,
    trial_period_days: null,
    usage_type: 'licensed',
  };
}

function subscriptionItem(subscription: SubscriptionState): StripeObject {
  const periods =
    subscription.shape === 'basil'
      ? {
          current_period_end: subscription.currentPeriodEnd,
          current_period_start: subscription.currentPeriodStart,
        }
      : {};
  return {
    id: subscription.itemId,
    object: 'subscription_item',
    created: subscription.created,
    ...periods,
    discounts: [],
    metadata: {},
    plan: planSnapshot(subscription.price),
    price: priceSnapshot(subscription.price, subscription.shape),
    quantity: subscription.quantity,
    subscription: subscription.id,
    tax_rates: [],
  };
}

/** Builds the subscription's `items` list, also used alone as `previous_attributes.items`. */
export function subscriptionItems(subscription: SubscriptionState): Record<string, unknown> {
  return {
    object: 'list',
    data: [subscriptionItem(subscription)],
    has_more: false,
    total_count: 1,
    url: `/v1/subscription_items?subscription=${subscription.id}`,
  };
}

function legacySubscriptionFields(subscription: SubscriptionState): Record<string, unknown> {
  return {
    current_period_end: subscription.currentPeriodEnd,
    current_period_start: subscription.currentPeriodStart,
    plan: planSnapshot(subscription.price),
    quantity: subscription.quantity,
  };
}

export function subscriptionSnapshot(subscription: SubscriptionState): StripeObject {
  return {
    id: subscription.id,
    object: 'subscription',
    application: null,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null },
    billing_cycle_anchor: subscription.created,
    cancel_at: null,
    cancel_at_period_end: false,
    canceled_at: subscription.canceledAt,
    cancellation_details: { comment: null, feedback: null, reason: subscription.cancellationReason },
    collection_method: subscription.collectionMethod,
    created: subscription.created,
    currency: subscription.price.currency,
    ...(subscription.shape === 'legacy' ? legacySubscriptionFields(subscription) : {}),
    customer: subscription.customerId,
    days_until_due: subscription.daysUntilDue,
    default_payment_method: null,
    description: null,
    discounts: [],
    ended_at: subscription.endedAt,
    items: subscriptionItems(subscription),
    latest_invoice: subscription.latestInvoiceId,
    livemode: false,
    metadata: {},
    pause_collection: null,
    start_date: subscription.created,
    status: subscription.status,
    test_clock: null,
    trial_end: null,
    trial_start: null,
  };
}
