import { planSnapshot, priceSnapshot } from './stripe-shapes';
import type { InvoiceState } from './state';
import type { DemoCurrency, StripeObject } from './types';

/** Builders for invoice snapshots in the basil shape (`parent`, `payments`) and the 2020-08-27 shape. */

/** Digits after the decimal point in each currency's minor unit (ISO 4217). */
const currencyExponents: Record<DemoCurrency, number> = { usd: 2, eur: 2, jpy: 0, kwd: 3 };

/** Formats minor units as Stripe's line descriptions do, e.g. 12500 KWD as "12.500 KWD". */
export function formatMinorUnits(amount: number, currency: DemoCurrency): string {
  const exponent = currencyExponents[currency];
  return `${(amount / 10 ** exponent).toFixed(exponent)} ${currency.toUpperCase()}`;
}

function lineDescription(invoice: InvoiceState): string {
  const { price, quantity } = invoice.subscription;
  const unit = formatMinorUnits(price.unitAmount, price.currency);
  return `${quantity} × ${price.productName} (at ${unit} / ${price.interval})`;
}

function lineItem(invoice: InvoiceState): StripeObject {
  const { subscription } = invoice;
  const common = {
    id: invoice.lineItemId,
    object: 'line_item',
    amount: invoice.amountDue,
    currency: subscription.price.currency,
    description: lineDescription(invoice),
    discount_amounts: [],
    discountable: true,
    discounts: [],
    livemode: false,
    metadata: {},
    period: { end: invoice.linePeriodEnd, start: invoice.linePeriodStart },
    quantity: subscription.quantity,
  };
  if (invoice.shape === 'legacy') {
    return {
      ...common,
      plan: planSnapshot(subscription.price),
      price: priceSnapshot(subscription.price, 'legacy'),
      proration: false,
      subscription: subscription.id,
      subscription_item: subscription.itemId,
      tax_amounts: [],
      tax_rates: [],
      type: 'subscription',
    };
  }
  return {
    ...common,
    invoice: invoice.id,
    parent: {
      invoice_item_details: null,
      subscription_item_details: {
        invoice_item: null,
        proration: false,
        proration_details: { credited_items: null },
        subscription: subscription.id,
        subscription_item: subscription.itemId,
      },
      type: 'subscription_item_details',
    },
    pretax_credit_amounts: [],
    pricing: {
      price_details: { price: subscription.price.id, product: subscription.price.productId },
      type: 'price_details',
      unit_amount_decimal: String(subscription.price.unitAmount),
    },
    taxes: [],
  };
}

function invoicePayments(invoice: InvoiceState): Record<string, unknown> {
  const data =
    invoice.invoicePaymentId && invoice.paymentIntentId
      ? [
          {
            id: invoice.invoicePaymentId,
            object: 'invoice_payment',
            amount_paid: invoice.status === 'paid' ? invoice.amountPaid : null,
            amount_requested: invoice.amountDue,
            created: invoice.finalizedAt,
            currency: invoice.subscription.price.currency,
            invoice: invoice.id,
            is_default: true,
            livemode: false,
            payment: { payment_intent: invoice.paymentIntentId, type: 'payment_intent' },
            status: invoice.status === 'paid' ? 'paid' : 'open',
            status_transitions: { canceled_at: null, paid_at: invoice.paidAt },
          },
        ]
      : [];
  return { object: 'list', data, has_more: false, total_count: data.length, url: '/v1/invoice_payments' };
}

function shapeSpecificFields(invoice: InvoiceState): Record<string, unknown> {
  if (invoice.shape === 'legacy') {
    return {
      charge: invoice.latestChargeId,
      discount: null,
      paid: invoice.status === 'paid',
      paid_out_of_band: false,
      payment_intent: invoice.paymentIntentId,
      subscription: invoice.subscription.id,
      tax: null,
      total_tax_amounts: [],
    };
  }
  return {
    amount_overpaid: 0,
    issuer: { type: 'self' },
    parent: {
      quote_details: null,
      subscription_details: { metadata: {}, subscription: invoice.subscription.id },
      type: 'subscription_details',
    },
    payments: invoicePayments(invoice),
    total_taxes: [],
  };
}

function amountFields(invoice: InvoiceState): Record<string, unknown> {
  return {
    amount_due: invoice.amountDue,
    amount_paid: invoice.amountPaid,
    amount_remaining: invoice.amountDue - invoice.amountPaid,
    amount_shipping: 0,
    subtotal: invoice.amountDue,
    subtotal_excluding_tax: invoice.amountDue,
    total: invoice.amountDue,
    total_discount_amounts: [],
    total_excluding_tax: invoice.amountDue,
  };
}

export function invoiceSnapshot(invoice: InvoiceState): StripeObject {
  const { customer, subscription } = invoice;
  const finalized = invoice.status !== 'draft';
  return {
    id: invoice.id,
    object: 'invoice',
    account_country: 'US',
    account_name: 'Ledgerline Demo',
    ...amountFields(invoice),
    application: null,
    attempt_count: invoice.attemptCount,
    attempted: invoice.attemptCount > 0,
    auto_advance: invoice.status === 'draft' || invoice.status === 'open',
    automatic_tax: { disabled_reason: null, enabled: false, liability: null, status: null },
    billing_reason: invoice.billingReason,
    collection_method: subscription.collectionMethod,
    created: invoice.created,
    currency: subscription.price.currency,
    customer: customer.id,
    customer_email: customer.email,
    customer_name: customer.name,
    default_payment_method: null,
    description: null,
    discounts: [],
    due_date: invoice.dueDate,
    effective_at: invoice.finalizedAt,
    ending_balance: finalized ? 0 : null,
    hosted_invoice_url: invoice.hostedInvoiceUrl,
    invoice_pdf: invoice.hostedInvoiceUrl ? `${invoice.hostedInvoiceUrl.split('?')[0]}/pdf?s=ap` : null,
    last_finalization_error: null,
    lines: {
      object: 'list',
      data: [lineItem(invoice)],
      has_more: false,
      total_count: 1,
      url: `/v1/invoices/${invoice.id}/lines`,
    },
    livemode: false,
    metadata: {},
    next_payment_attempt: invoice.nextPaymentAttempt,
    number: invoice.number,
    period_end: invoice.periodEnd,
    period_start: invoice.periodStart,
    starting_balance: 0,
    status: invoice.status,
    status_transitions: {
      finalized_at: invoice.finalizedAt,
      marked_uncollectible_at: invoice.markedUncollectibleAt,
      paid_at: invoice.paidAt,
      voided_at: null,
    },
    ...shapeSpecificFields(invoice),
    webhooks_delivered_at: invoice.created,
  };
}
