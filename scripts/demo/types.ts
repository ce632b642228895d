/** Types shared by the demo event generator and its consumers (the demo orchestrator, tests). */

/** A Stripe API object as it appears inside an event: plain JSON with at least `id` and `object`. */
export type StripeObject = { id: string; object: string } & Record<string, unknown>;

/** A Stripe webhook event (snapshot payload) in the envelope Stripe posts to an endpoint. */
export interface StripeEvent {
  id: string;
  object: 'event';
  api_version: string;
  /** Unix time in seconds. */
  created: number;
  data: { object: StripeObject; previous_attributes?: Record<string, unknown> };
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: string;
}

export type DemoCurrency = 'usd' | 'eur' | 'jpy' | 'kwd';

/**
 * Outcome a customer's history is built to show as of `now`:
 * - `healthy`: every invoice paid on the first payment attempt.
 * - `recovered`: one renewal failed, then a retry or a new card paid it.
 * - `past_due`: the latest invoice failed, the subscription is past_due, a retry is scheduled after `now`.
 * - `overdue`: a `send_invoice` invoice is open past its due date.
 * - `canceled`: retries were exhausted, the subscription was canceled, the invoice is uncollectible.
 * - `card_expiring`: paying normally, but the default card expires at the end of the month of `now`.
 */
export type DemoStory = 'healthy' | 'recovered' | 'past_due' | 'overdue' | 'canceled' | 'card_expiring';

export const demoStories: readonly DemoStory[] = [
  'healthy',
  'recovered',
  'past_due',
  'overdue',
  'canceled',
  'card_expiring',
];

export type EmailKind = 'company' | 'free_mail' | 'none';

/** Object shapes differ by API version: `basil` is 2025-03-31.basil, `legacy` is 2020-08-27. */
export type ApiShape = 'basil' | 'legacy';

export interface DemoCustomer {
  stripeCustomerId: string;
  /** Invented company name, also the Stripe customer name. */
  name: string;
  email: string | null;
  emailKind: EmailKind;
  /** The company's own domain, also when the billing email is on a free-mail domain or missing. */
  domain: string;
  currency: DemoCurrency;
  expectedStory: DemoStory;
  apiVersion: string;
  collectionMethod: 'charge_automatically' | 'send_invoice';
  interval: 'month' | 'year';
  /** Whether `DemoStream.companies` lists this customer's domain. */
  inCrm: boolean;
}

export interface DemoCompany {
  name: string;
  domain: string;
}

export interface DemoStream {
  /** Every distinct event once, in the order Stripe created them. */
  events: StripeEvent[];
  /** The order the demo posts them in: some duplicated, some late. */
  deliveries: StripeEvent[];
  customers: DemoCustomer[];
  /** Companies the CRM already has: most customers' companies plus a few prospects. */
  companies: DemoCompany[];
}

export interface GenerateOptions {
  seed: number;
  now: Date;
  /** At least 50, default 60. */
  customerCount?: number;
  /** History length in months ending at `now`, at least 3, default 6. */
  months?: number;
}
