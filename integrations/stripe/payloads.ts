import { z } from 'zod';

/**
 * Zod schemas for the parts of Stripe objects the ledger reads. Objects are loose (unknown fields
 * pass) and cover the shapes of API versions from 2016 to the 2025+ "basil" and 2026 "dahlia"
 * releases, so a field that some versions drop is optional here.
 */

const idMessage = 'expected a string or an object with an id';

/** A Stripe reference: an id string, or the expanded object that carries it. */
export const stripeRef = z.union([z.string(), z.looseObject({ id: z.string() })], { error: idMessage });
export type StripeRef = z.infer<typeof stripeRef>;

export function refId(ref: StripeRef): string;
export function refId(ref: StripeRef | null | undefined): string | null;
export function refId(ref: StripeRef | null | undefined): string | null {
  if (ref === null || ref === undefined) return null;
  return typeof ref === 'string' ? ref : ref.id;
}

const seconds = z.number().int();
const minorUnits = z.number().int();
const optionalText = z.string().nullish();
const optionalSeconds = seconds.nullish();
/** ISO 4217 code. Stripe sends lower case, and the mappers lower-case it anyway. */
const currencyCode = z
  .string()
  .regex(/^[a-zA-Z]{3}$/, { error: 'expected a three-letter ISO 4217 currency code' });

export const customerObject = z.looseObject({
  id: z.string(),
  email: optionalText,
  name: optionalText,
  currency: optionalText,
  delinquent: z.boolean().nullish(),
  deleted: z.boolean().optional(),
  default_source: stripeRef.nullish(),
  invoice_settings: z.looseObject({ default_payment_method: stripeRef.nullish() }).nullish(),
});

/** Named `billing` before API version 2019-10-17, with the same values. */
// An unknown future value is read as null (unknown) rather than dead-lettering the whole object.
const collectionMethod = z.enum(['charge_automatically', 'send_invoice']).nullish().catch(null);

const recurring = z.looseObject({
  interval: z.enum(['day', 'week', 'month', 'year']),
  interval_count: z.number().int().positive().optional(),
});

export const priceObject = z.looseObject({
  currency: optionalText,
  unit_amount: minorUnits.nullish(),
  unit_amount_decimal: optionalText,
  recurring: recurring.nullish(),
});

/** The plan object that predates prices. Later API versions still send it beside `price`. */
export const planObject = z.looseObject({
  currency: optionalText,
  amount: minorUnits.nullish(),
  interval: z.enum(['day', 'week', 'month', 'year']),
  interval_count: z.number().int().positive().optional(),
});

const subscriptionItem = z.looseObject({
  price: priceObject.nullish(),
  plan: planObject.nullish(),
  quantity: z.number().int().nonnegative().nullish(),
  current_period_end: optionalSeconds,
});

export const subscriptionStatus = z.enum([
  'trialing',
  'active',
  'past_due',
  'unpaid',
  'paused',
  'incomplete',
  'incomplete_expired',
  'canceled',
]);

export const subscriptionObject = z.looseObject({
  id: z.string(),
  customer: stripeRef,
  status: subscriptionStatus,
  currency: currencyCode.nullish(),
  items: z.looseObject({ data: z.array(subscriptionItem) }).nullish(),
  plan: planObject.nullish(),
  price: priceObject.nullish(),
  quantity: z.number().int().nonnegative().nullish(),
  current_period_end: optionalSeconds,
  cancel_at_period_end: z.boolean().nullish(),
  canceled_at: optionalSeconds,
  ended_at: optionalSeconds,
  start_date: optionalSeconds,
  start: optionalSeconds,
  created: optionalSeconds,
  collection_method: collectionMethod,
  billing: collectionMethod,
  default_payment_method: stripeRef.nullish(),
  default_source: stripeRef.nullish(),
});
export type SubscriptionObject = z.infer<typeof subscriptionObject>;

export const invoiceObject = z.looseObject({
  id: z.string(),
  customer: stripeRef,
  status: z.enum(['draft', 'open', 'paid', 'uncollectible', 'void']).nullish(),
  paid: z.boolean().nullish(),
  closed: z.boolean().nullish(),
  forgiven: z.boolean().nullish(),
  subscription: stripeRef.nullish(),
  parent: z
    .looseObject({
      subscription_details: z.looseObject({ subscription: stripeRef.nullish() }).nullish(),
    })
    .nullish(),
  number: optionalText,
  currency: currencyCode,
  amount_due: minorUnits,
  amount_paid: minorUnits.nullish(),
  amount_remaining: minorUnits.nullish(),
  attempt_count: z.number().int().nonnegative().nullish(),
  created: optionalSeconds,
  date: optionalSeconds,
  due_date: optionalSeconds,
  status_transitions: z.looseObject({ paid_at: optionalSeconds }).nullish(),
  next_payment_attempt: optionalSeconds,
  hosted_invoice_url: optionalText,
  collection_method: collectionMethod,
  billing: collectionMethod,
  // 2019-2024 shapes name the latest charge and PaymentIntent; 2025+ shapes list every payment.
  charge: stripeRef.nullish(),
  payment_intent: stripeRef.nullish(),
  payments: z
    .looseObject({
      data: z.array(
        z.looseObject({
          payment: z
            .looseObject({ charge: stripeRef.nullish(), payment_intent: stripeRef.nullish() })
            .nullish(),
        }),
      ),
    })
    .nullish(),
});
export type InvoiceObject = z.infer<typeof invoiceObject>;

/** Card metadata as Stripe sends it on charges, payment methods and card sources. */
export const cardDetails = z.looseObject({
  brand: optionalText,
  last4: optionalText,
  exp_month: z.number().int().nullish(),
  exp_year: z.number().int().nullish(),
});
export type CardDetails = z.infer<typeof cardDetails>;

const chargeOutcome = z.looseObject({
  type: optionalText,
  reason: optionalText,
  advice_code: optionalText,
  network_decline_code: optionalText,
  network_advice_code: optionalText,
});

export const chargeObject = z.looseObject({
  id: z.string(),
  customer: stripeRef.nullable(),
  status: z.enum(['succeeded', 'failed', 'pending']).nullish(),
  paid: z.boolean().nullish(),
  amount: minorUnits,
  currency: currencyCode,
  created: seconds,
  invoice: stripeRef.nullish(),
  payment_intent: stripeRef.nullish(),
  failure_code: optionalText,
  failure_message: optionalText,
  outcome: chargeOutcome.nullish(),
  payment_method_details: z.looseObject({ card: cardDetails.nullish() }).nullish(),
  source: z.looseObject({ object: z.string().optional() }).nullish(),
});
export type ChargeObject = z.infer<typeof chargeObject>;

const paymentMethodRef = z.union(
  [z.string(), z.looseObject({ id: z.string(), card: cardDetails.nullish() })],
  { error: idMessage },
);

export const paymentIntentObject = z.looseObject({
  id: z.string(),
  customer: stripeRef.nullable(),
  status: z.string(),
  amount: minorUnits,
  currency: currencyCode,
  created: seconds,
  invoice: stripeRef.nullish(),
  latest_charge: stripeRef.nullish(),
  charges: z.looseObject({ data: z.array(chargeObject) }).nullish(),
  last_payment_error: z
    .looseObject({
      charge: optionalText,
      code: optionalText,
      decline_code: optionalText,
      advice_code: optionalText,
      network_decline_code: optionalText,
      network_advice_code: optionalText,
      message: optionalText,
      payment_method: paymentMethodRef.nullish(),
    })
    .nullish(),
});
export type PaymentIntentObject = z.infer<typeof paymentIntentObject>;

export const paymentMethodObject = z.looseObject({
  id: z.string(),
  type: z.string(),
  customer: stripeRef.nullable(),
  card: cardDetails.nullish(),
});

/** A card attached to a customer through the Sources API (`customer.source.*` events). */
export const cardSourceObject = cardDetails.extend({
  id: z.string(),
  object: z.literal('card'),
  customer: stripeRef.nullable(),
});

export const eventEnvelope = z.looseObject({
  id: z.string(),
  type: z.string(),
  created: seconds,
  data: z.looseObject({
    object: z.looseObject({ object: z.string().optional() }),
    previous_attributes: z.looseObject({}).nullish(),
  }),
});
export type EventEnvelope = z.infer<typeof eventEnvelope>;
