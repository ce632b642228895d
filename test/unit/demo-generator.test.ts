import {
  declineProfiles,
  findDeclineProfile,
  networkAdviceCode,
  type CardBrand,
} from '../../scripts/demo/declines';
import { customerOfEvent as customerOf } from '../../scripts/demo/deliveries';
import { generateDemoEvents } from '../../scripts/demo/generate-events';
import { demoStories, type DemoStream, type StripeEvent, type StripeObject } from '../../scripts/demo/types';

const now = new Date('2026-05-20T12:00:00Z');
const nowSeconds = Math.floor(now.getTime() / 1000);

function record(value: unknown): Record<string, unknown> {
  return value as Record<string, unknown>;
}

/** The latest snapshot of each object a customer's events carry, as of the end of the stream. */
interface CustomerView {
  events: StripeEvent[];
  subscription: StripeObject | undefined;
  customer: StripeObject | undefined;
  invoices: Map<string, StripeObject>;
  paymentMethods: Map<string, StripeObject>;
}

function viewOf(stream: DemoStream, customerId: string): CustomerView {
  const events = stream.events.filter((event) => customerOf(event) === customerId);
  const view: CustomerView = {
    events,
    subscription: undefined,
    customer: undefined,
    invoices: new Map(),
    paymentMethods: new Map(),
  };
  for (const { data } of events) {
    const object = data.object;
    if (object.object === 'subscription') view.subscription = object;
    if (object.object === 'customer') view.customer = object;
    if (object.object === 'invoice') view.invoices.set(object.id, object);
    if (object.object === 'payment_method') view.paymentMethods.set(object.id, object);
  }
  return view;
}

function customersWithStory(stream: DemoStream, story: string) {
  return stream.customers.filter((customer) => customer.expectedStory === story);
}

describe('generateDemoEvents', () => {
  let stream: DemoStream;

  beforeAll(() => {
    stream = generateDemoEvents({ seed: 42, now });
  });

  describe('determinism', () => {
    it('repeats for the same seed', () => {
      const again = generateDemoEvents({ seed: 42, now });
      expect(JSON.stringify(again)).toBe(JSON.stringify(stream));
    });

    it('differs for another seed', () => {
      const other = generateDemoEvents({ seed: 43, now });
      expect(JSON.stringify(other)).not.toBe(JSON.stringify(stream));
    });
  });

  describe('customers', () => {
    it('has 60 customers by default', () => {
      expect(stream.customers).toHaveLength(60);
    });

    it('rejects fewer than 50 customers', () => {
      expect(() => generateDemoEvents({ seed: 1, now, customerCount: 49 })).toThrow(/customerCount/);
    });

    it('rejects a history shorter than 3 months', () => {
      expect(() => generateDemoEvents({ seed: 1, now, months: 2 })).toThrow(/months/);
    });

    it.each(['usd', 'eur', 'jpy', 'kwd'])('includes currency %s', (currency) => {
      expect(stream.customers.some((customer) => customer.currency === currency)).toBe(true);
    });

    it.each([...demoStories])('includes story %s', (story) => {
      expect(customersWithStory(stream, story).length).toBeGreaterThan(0);
    });

    it('is mostly healthy', () => {
      expect(customersWithStory(stream, 'healthy').length).toBeGreaterThan(stream.customers.length / 2);
    });

    it.each(['company', 'free_mail', 'none'])('includes email kind %s', (kind) => {
      expect(stream.customers.some((customer) => customer.emailKind === kind)).toBe(true);
    });

    it('uses invented company domains', () => {
      for (const customer of stream.customers) {
        expect(customer.domain).toMatch(/\.example$/);
      }
    });

    it('puts company emails on the company domain', () => {
      for (const customer of stream.customers.filter((candidate) => candidate.emailKind === 'company')) {
        expect(customer.email?.endsWith(`@${customer.domain}`)).toBe(true);
      }
    });

    it('includes both API shapes', () => {
      const versions = new Set(stream.customers.map((customer) => customer.apiVersion));
      expect(versions).toEqual(new Set(['2025-03-31.basil', '2020-08-27']));
    });
  });

  describe('companies', () => {
    it('lists every customer marked inCrm', () => {
      const domains = new Set(stream.companies.map((company) => company.domain));
      for (const customer of stream.customers.filter((candidate) => candidate.inCrm)) {
        expect(domains.has(customer.domain)).toBe(true);
      }
    });

    it('leaves some customers unmatched', () => {
      const domains = new Set(stream.companies.map((company) => company.domain));
      const unmatched = stream.customers.filter((customer) => !domains.has(customer.domain));
      expect(unmatched.length).toBeGreaterThan(0);
      expect(unmatched.every((customer) => !customer.inCrm)).toBe(true);
    });

    it('lists most customers', () => {
      const listed = stream.customers.filter((customer) => customer.inCrm).length;
      expect(listed).toBeGreaterThan(stream.customers.length / 2);
    });
  });

  describe('events', () => {
    it('has unique ids', () => {
      const ids = new Set(stream.events.map((event) => event.id));
      expect(ids.size).toBe(stream.events.length);
    });

    it('is in time order and not after now', () => {
      for (let index = 1; index < stream.events.length; index += 1) {
        expect(stream.events[index]!.created).toBeGreaterThanOrEqual(stream.events[index - 1]!.created);
      }
      expect(stream.events[stream.events.length - 1]!.created).toBeLessThanOrEqual(nowSeconds);
    });

    it('has the Stripe envelope', () => {
      const event = stream.events[0]!;
      expect(event.id).toMatch(/^evt_[A-Za-z0-9]{24}$/);
      expect(event.object).toBe('event');
      expect(event.livemode).toBe(false);
      expect(event.pending_webhooks).toBe(1);
      expect(event.request).toEqual({ id: null, idempotency_key: null });
    });

    it('carries each customer API version', () => {
      const versions = new Map(
        stream.customers.map((customer) => [customer.stripeCustomerId, customer.apiVersion]),
      );
      for (const event of stream.events) {
        expect(event.api_version).toBe(versions.get(customerOf(event) ?? ''));
      }
    });

    it.each([
      ['customer.created'],
      ['customer.updated'],
      ['customer.subscription.created'],
      ['customer.subscription.updated'],
      ['customer.subscription.deleted'],
      ['payment_method.attached'],
      ['invoice.created'],
      ['invoice.finalized'],
      ['invoice.paid'],
      ['invoice.payment_succeeded'],
      ['invoice.payment_failed'],
      ['invoice.marked_uncollectible'],
      ['charge.succeeded'],
      ['charge.failed'],
      ['payment_intent.payment_failed'],
    ])('includes %s', (type) => {
      expect(stream.events.some((event) => event.type === type)).toBe(true);
    });
  });

  describe('deliveries', () => {
    it('delivers every event', () => {
      const delivered = new Set(stream.deliveries.map((event) => event.id));
      expect(delivered.size).toBe(stream.events.length);
    });

    it('duplicates some events with the same body', () => {
      const byId = new Map(stream.events.map((event) => [event.id, JSON.stringify(event)]));
      const seen = new Set<string>();
      const duplicates = stream.deliveries.filter((event) => seen.has(event.id) || !seen.add(event.id));
      expect(duplicates.length).toBeGreaterThan(0);
      for (const duplicate of duplicates) {
        expect(JSON.stringify(duplicate)).toBe(byId.get(duplicate.id));
      }
    });

    it('duplicates about 3% of events', () => {
      const extra = stream.deliveries.length - stream.events.length;
      expect(extra).toBeGreaterThanOrEqual(Math.floor(stream.events.length * 0.02));
      expect(extra).toBeLessThanOrEqual(Math.ceil(stream.events.length * 0.04));
    });

    it('delivers some events after later ones', () => {
      const position = new Map(stream.events.map((event, index) => [event.id, index]));
      let latest = -1;
      let late = 0;
      for (const event of stream.deliveries) {
        const index = position.get(event.id)!;
        if (index < latest) late += 1;
        latest = Math.max(latest, index);
      }
      expect(late).toBeGreaterThan(0);
    });

    it('delays some subscription updates', () => {
      const position = new Map(stream.events.map((event, index) => [event.id, index]));
      const lateTypes = new Set<string>();
      stream.deliveries.forEach((event, deliveryIndex) => {
        const laterDelivered = stream.deliveries.slice(0, deliveryIndex);
        if (laterDelivered.some((other) => position.get(other.id)! > position.get(event.id)!)) {
          lateTypes.add(event.type);
        }
      });
      expect(lateTypes.has('customer.subscription.updated')).toBe(true);
    });
  });

  describe('invoices', () => {
    const statusByType: Record<string, string> = {
      'invoice.created': 'draft',
      'invoice.finalized': 'open',
      'invoice.payment_failed': 'open',
      'invoice.overdue': 'open',
      'invoice.paid': 'paid',
      'invoice.payment_succeeded': 'paid',
      'invoice.marked_uncollectible': 'uncollectible',
    };

    function invoiceEvents(): StripeEvent[] {
      return stream.events.filter((event) => event.data.object.object === 'invoice');
    }

    it('snapshots the status of each event type', () => {
      for (const event of invoiceEvents()) {
        const expected = statusByType[event.type];
        if (expected)
          expect(`${event.type}:${String(event.data.object.status)}`).toBe(`${event.type}:${expected}`);
      }
    });

    it('has amounts consistent with status', () => {
      for (const event of invoiceEvents()) {
        const invoice = event.data.object;
        const due = invoice.amount_due as number;
        const paid = invoice.status === 'paid';
        expect(invoice.amount_paid).toBe(paid ? due : 0);
        expect(invoice.amount_remaining).toBe(paid ? 0 : due);
        expect((invoice.amount_paid as number) + (invoice.amount_remaining as number)).toBe(due);
      }
    });

    it('bills unit amount times quantity', () => {
      for (const event of invoiceEvents()) {
        const line = record(record(event.data.object.lines).data as unknown[])[0] as Record<string, unknown>;
        const unitAmount = Number(
          record(line.pricing ?? {}).unit_amount_decimal ?? record(line.price).unit_amount,
        );
        expect(event.data.object.amount_due).toBe(unitAmount * (line.quantity as number));
      }
    });

    it('sets paid_at only on paid invoices', () => {
      for (const event of invoiceEvents()) {
        const paidAt = record(event.data.object.status_transitions).paid_at;
        expect(paidAt === null).toBe(event.data.object.status !== 'paid');
      }
    });

    it('uses KWD amounts ending in zero', () => {
      const kwd = invoiceEvents().filter((event) => event.data.object.currency === 'kwd');
      expect(kwd.length).toBeGreaterThan(0);
      for (const event of kwd) expect((event.data.object.amount_due as number) % 10).toBe(0);
    });

    it('uses the basil parent for basil events', () => {
      for (const event of invoiceEvents().filter((candidate) => candidate.api_version.endsWith('.basil'))) {
        const parent = record(event.data.object.parent);
        expect(record(parent.subscription_details).subscription).toMatch(/^sub_/);
        expect(event.data.object).not.toHaveProperty('subscription');
        expect(event.data.object).not.toHaveProperty('paid');
      }
    });

    it('uses top-level fields for 2020-08-27 events', () => {
      for (const event of invoiceEvents().filter((candidate) => candidate.api_version === '2020-08-27')) {
        expect(event.data.object.subscription).toMatch(/^sub_/);
        expect(event.data.object.paid).toBe(event.data.object.status === 'paid');
        expect(event.data.object).not.toHaveProperty('parent');
      }
    });
  });

  describe('subscriptions', () => {
    function subscriptionEvents(): StripeEvent[] {
      return stream.events.filter((event) => event.data.object.object === 'subscription');
    }

    it('puts basil periods on items', () => {
      for (const event of subscriptionEvents().filter((candidate) =>
        candidate.api_version.endsWith('.basil'),
      )) {
        const item = (record(event.data.object.items).data as Record<string, unknown>[])[0]!;
        expect(typeof item.current_period_end).toBe('number');
        expect(event.data.object).not.toHaveProperty('current_period_end');
      }
    });

    it('puts 2020-08-27 periods on the subscription', () => {
      for (const event of subscriptionEvents().filter(
        (candidate) => candidate.api_version === '2020-08-27',
      )) {
        expect(typeof event.data.object.current_period_end).toBe('number');
      }
    });

    it('has yearly and multi-seat subscriptions', () => {
      const items = subscriptionEvents().map(
        (event) => (record(event.data.object.items).data as Record<string, unknown>[])[0]!,
      );
      expect(items.some((item) => record(record(item.price).recurring).interval === 'year')).toBe(true);
      expect(items.some((item) => (item.quantity as number) > 1)).toBe(true);
    });
  });

  describe('declines', () => {
    function failedCharges(): StripeObject[] {
      return stream.events
        .filter((event) => event.type === 'charge.failed')
        .map((event) => event.data.object);
    }

    it('uses decline codes from the table', () => {
      const known = new Set(declineProfiles.map((profile) => profile.declineCode));
      for (const charge of failedCharges()) {
        expect(known.has(String(record(charge.outcome).reason))).toBe(true);
      }
    });

    it('pairs each decline with its advice and network codes', () => {
      for (const charge of failedCharges()) {
        const outcome = record(charge.outcome);
        const profile = findDeclineProfile(String(outcome.reason));
        const brand = record(record(charge.payment_method_details).card).brand as CardBrand;
        expect(outcome.type).toBe('issuer_declined');
        expect(outcome.advice_code).toBe(profile.adviceCode);
        expect(outcome.network_decline_code).toBe(profile.networkDeclineCode[brand]);
        expect(outcome.network_advice_code).toBe(networkAdviceCode(profile, brand));
        expect(charge.failure_code).toBe(profile.failureCode);
        expect(charge.failure_message).toBe(profile.message);
      }
    });

    it('repeats the decline on the PaymentIntent', () => {
      const failures = stream.events.filter((event) => event.type === 'payment_intent.payment_failed');
      expect(failures.length).toBeGreaterThan(0);
      for (const event of failures) {
        const error = record(event.data.object.last_payment_error);
        const profile = findDeclineProfile(String(error.decline_code));
        expect(error.advice_code).toBe(profile.adviceCode);
        expect(error.code).toBe(profile.failureCode);
        expect(record(record(error.payment_method).card).last4).toMatch(/^\d{4}$/);
      }
    });

    it('uses several decline codes', () => {
      const codes = new Set(failedCharges().map((charge) => record(charge.outcome).reason));
      expect(codes.size).toBeGreaterThanOrEqual(3);
    });
  });

  describe('stories', () => {
    it('keeps healthy customers free of failures', () => {
      for (const customer of customersWithStory(stream, 'healthy')) {
        const view = viewOf(stream, customer.stripeCustomerId);
        expect(view.events.some((event) => event.type === 'charge.failed')).toBe(false);
        expect(view.subscription?.status).toBe('active');
      }
    });

    it('recovers failed invoices', () => {
      for (const customer of customersWithStory(stream, 'recovered')) {
        const view = viewOf(stream, customer.stripeCustomerId);
        const failed = view.events.filter((event) => event.type === 'invoice.payment_failed');
        expect(failed.length).toBeGreaterThan(0);
        expect(view.invoices.get(failed[0]!.data.object.id)?.status).toBe('paid');
        expect(view.subscription?.status).toBe('active');
      }
    });

    it('leaves past_due customers with a retry after now', () => {
      for (const customer of customersWithStory(stream, 'past_due')) {
        const view = viewOf(stream, customer.stripeCustomerId);
        const failed = view.events.filter((event) => event.type === 'invoice.payment_failed').pop();
        expect(view.subscription?.status).toBe('past_due');
        expect(failed?.data.object.next_payment_attempt).toBeGreaterThan(nowSeconds);
      }
    });

    it('leaves overdue customers with an open invoice past due', () => {
      for (const customer of customersWithStory(stream, 'overdue')) {
        const view = viewOf(stream, customer.stripeCustomerId);
        const overdue = [...view.invoices.values()].filter(
          (invoice) => invoice.status === 'open' && (invoice.due_date as number) < nowSeconds,
        );
        expect(overdue.length).toBeGreaterThan(0);
        expect(view.subscription?.collection_method).toBe('send_invoice');
        expect(view.subscription?.status).toBe('past_due');
      }
    });

    it('cancels after exhausted retries', () => {
      for (const customer of customersWithStory(stream, 'canceled')) {
        const view = viewOf(stream, customer.stripeCustomerId);
        const failures = view.events.filter((event) => event.type === 'invoice.payment_failed');
        expect(failures.length).toBeGreaterThanOrEqual(3);
        expect(failures[failures.length - 1]!.data.object.next_payment_attempt).toBeNull();
        expect(view.subscription?.status).toBe('canceled');
        expect(view.events.some((event) => event.type === 'invoice.marked_uncollectible')).toBe(true);
      }
    });

    it('gives card_expiring customers a card expiring this month', () => {
      for (const customer of customersWithStory(stream, 'card_expiring')) {
        const view = viewOf(stream, customer.stripeCustomerId);
        const defaultId = record(view.customer?.invoice_settings).default_payment_method as string;
        const card = record(view.paymentMethods.get(defaultId)?.card);
        expect(card.exp_month).toBe(now.getUTCMonth() + 1);
        expect(card.exp_year).toBe(now.getUTCFullYear());
      }
    });

    it('gives other customers cards valid past next month', () => {
      const limit = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 2, 1);
      for (const customer of stream.customers.filter(
        (candidate) => candidate.expectedStory !== 'card_expiring',
      )) {
        const view = viewOf(stream, customer.stripeCustomerId);
        const defaultId = record(view.customer?.invoice_settings).default_payment_method as string;
        const card = record(view.paymentMethods.get(defaultId)?.card);
        const expiresAt = Date.UTC(card.exp_year as number, card.exp_month as number, 1);
        expect(expiresAt).toBeGreaterThanOrEqual(limit);
      }
    });
  });
});
