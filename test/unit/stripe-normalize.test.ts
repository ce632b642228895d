import { readFileSync } from 'node:fs';
import path from 'node:path';
import { monthlyRecurringRevenue, type RecurringItem } from '../../integrations/stripe/mrr';
import { normalizeStripeEvent } from '../../integrations/stripe/normalize';
import type { LedgerChange, NormalizedEvent, SubscriptionStatus } from '../../src/ledger/changes';

type Json = Record<string, any>;

function fixture(name: string): Json {
  const file = path.join(__dirname, '..', 'fixtures', 'stripe', `${name}.json`);
  return JSON.parse(readFileSync(file, 'utf8')) as Json;
}

function onlyChange(result: NormalizedEvent): LedgerChange {
  if (result.status !== 'changes') throw new Error(`expected changes, got ${JSON.stringify(result)}`);
  expect(result.changes).toHaveLength(1);
  return result.changes[0] as LedgerChange;
}

function changeOf<K extends LedgerChange['kind']>(
  event: unknown,
  kind: K,
): Extract<LedgerChange, { kind: K }> {
  const change = onlyChange(normalizeStripeEvent(event));
  expect(change.kind).toBe(kind);
  return change as Extract<LedgerChange, { kind: K }>;
}

function at(seconds: number): Date {
  return new Date(seconds * 1000);
}

describe('monthlyRecurringRevenue', () => {
  const monthly = (amount: number, quantity = 1): RecurringItem => ({
    unitAmountMinor: amount,
    quantity,
    interval: 'month',
    intervalCount: 1,
  });
  const cases: Array<[string, RecurringItem[], SubscriptionStatus, number]> = [
    ['monthly seats', [monthly(1500, 3)], 'active', 4500],
    ['yearly', [{ unitAmountMinor: 12000, quantity: 1, interval: 'year', intervalCount: 1 }], 'active', 1000],
    ['weekly', [{ unitAmountMinor: 1000, quantity: 1, interval: 'week', intervalCount: 1 }], 'active', 4333],
    ['daily', [{ unitAmountMinor: 100, quantity: 1, interval: 'day', intervalCount: 1 }], 'past_due', 3042],
    [
      'quarterly',
      [{ unitAmountMinor: 9000, quantity: 2, interval: 'month', intervalCount: 3 }],
      'trialing',
      6000,
    ],
    [
      'biennial',
      [{ unitAmountMinor: 48000, quantity: 1, interval: 'year', intervalCount: 2 }],
      'active',
      2000,
    ],
    [
      'rounds the sum once',
      [
        { unitAmountMinor: 1000, quantity: 1, interval: 'year', intervalCount: 1 },
        { unitAmountMinor: 1000, quantity: 1, interval: 'year', intervalCount: 1 },
      ],
      'active',
      167,
    ],
    ['zero quantity', [monthly(1500, 0)], 'active', 0],
    ['no items', [], 'active', 0],
    ['canceled', [monthly(1500, 3)], 'canceled', 0],
    ['incomplete_expired', [monthly(1500, 3)], 'incomplete_expired', 0],
  ];
  it.each(cases)('%s', (_name, items, status, expected) => {
    expect(monthlyRecurringRevenue(items, status)).toBe(expected);
  });
});

describe('normalizeStripeEvent customers', () => {
  it('reads customer.created (2020)', () => {
    expect(changeOf(fixture('customer.created.2020'), 'customer')).toEqual({
      kind: 'customer',
      stripeCustomerId: 'cus_Pn4Acme',
      email: 'billing@acme.example',
      name: 'Acme GmbH',
      currency: 'eur',
      delinquent: false,
      deleted: false,
      defaultPaymentMethodId: 'pm_1OaVisa4242',
    });
  });

  it('reads expanded default_source (2018)', () => {
    const change = changeOf(fixture('customer.updated.2018'), 'customer');
    expect(change.defaultPaymentMethodId).toBe('card_1DcLegacyVisa');
    expect(change.delinquent).toBe(true);
    expect(change.name).toBeNull();
  });

  it('marks customer.deleted', () => {
    const change = changeOf(fixture('customer.deleted'), 'customer');
    expect(change.deleted).toBe(true);
    expect(change.defaultPaymentMethodId).toBeNull();
  });
});

describe('normalizeStripeEvent subscriptions', () => {
  it('reads 2020 shape with expanded customer', () => {
    expect(changeOf(fixture('subscription.updated.2020'), 'subscription')).toEqual({
      kind: 'subscription',
      stripeSubscriptionId: 'sub_1LbSeats',
      stripeCustomerId: 'cus_Lb2Seats',
      status: 'past_due',
      currency: 'usd',
      mrrMinor: 4500,
      currentPeriodEnd: at(1662000000),
      cancelAtPeriodEnd: true,
      canceledAt: at(1659990000),
      endedAt: null,
      startedAt: at(1657000000),
      collectionMethod: 'charge_automatically',
      defaultPaymentMethodId: 'pm_1LbSeatsAmex',
    });
  });

  it('reads basil period end from items', () => {
    const change = changeOf(fixture('subscription.created.basil'), 'subscription');
    expect(change.currentPeriodEnd).toEqual(at(1776536000));
    expect(change.mrrMinor).toBe(4900 + 2000);
    expect(change.currency).toBe('gbp');
    expect(change.stripeCustomerId).toBe('cus_Rb3Bundle');
  });

  it('reads 2017 top-level plan and quantity', () => {
    const change = changeOf(fixture('subscription.trial_will_end.2017'), 'subscription');
    expect(change.mrrMinor).toBe(6000);
    expect(change.currency).toBe('usd');
    expect(change.status).toBe('trialing');
    expect(change.startedAt).toEqual(at(1499000000));
    expect(change.currentPeriodEnd).toEqual(at(1500259200));
  });

  it('counts canceled as zero MRR', () => {
    const change = changeOf(fixture('subscription.deleted.2024'), 'subscription');
    expect(change.status).toBe('canceled');
    expect(change.mrrMinor).toBe(0);
    expect(change.endedAt).toEqual(at(1720000000));
  });

  it('reads customer.subscription.paused and resumed', () => {
    for (const type of ['customer.subscription.paused', 'customer.subscription.resumed']) {
      const event = fixture('subscription.created.basil');
      event.type = type;
      expect(changeOf(event, 'subscription').stripeSubscriptionId).toBe('sub_1RbBundle');
    }
  });
});

describe('normalizeStripeEvent invoices', () => {
  it('derives pre-2018 status open', () => {
    expect(changeOf(fixture('invoice.payment_failed.2016'), 'invoice')).toEqual({
      kind: 'invoice',
      stripeInvoiceId: 'in_18OldGold',
      stripeCustomerId: 'cus_9Old',
      stripeSubscriptionId: 'sub_9OldPlan',
      number: null,
      status: 'open',
      currency: 'aud',
      amountDue: 2000,
      amountPaid: 0,
      amountRemaining: 2000,
      attemptCount: 1,
      createdAt: at(1480672129),
      dueDate: null,
      paidAt: null,
      nextPaymentAttempt: at(1480762129),
      hostedInvoiceUrl: null,
      collectionMethod: null,
      paymentRefs: ['ch_18OldGold'],
    });
  });

  it('collects payment ids from a basil payments list', () => {
    const event = fixture('invoice.payment_failed.basil');
    event.data.object.payments = {
      object: 'list',
      data: [
        { object: 'invoice_payment', payment: { type: 'payment_intent', payment_intent: 'pi_B2' } },
        { object: 'invoice_payment', payment: { type: 'charge', charge: { id: 'ch_B1' } } },
      ],
    };
    const invoice = changeOf(event, 'invoice') as { paymentRefs: string[] };
    expect(invoice.paymentRefs).toEqual(['ch_B1', 'pi_B2']);
  });

  const derived: Array<[string, Json, string]> = [
    ['paid', { paid: true }, 'paid'],
    ['forgiven', { forgiven: true, paid: true, closed: true }, 'uncollectible'],
    ['closed unpaid', { closed: true }, 'uncollectible'],
  ];
  it.each(derived)('derives pre-2018 status %s', (_name, flags, expected) => {
    const event = fixture('invoice.payment_failed.2016');
    Object.assign(event.data.object, flags);
    expect(changeOf(event, 'invoice').status).toBe(expected);
  });

  it('fills amount paid of a paid pre-2018 invoice', () => {
    const event = fixture('invoice.payment_failed.2016');
    event.data.object.paid = true;
    const change = changeOf(event, 'invoice');
    expect(change.amountPaid).toBe(2000);
    expect(change.amountRemaining).toBe(0);
  });

  it('reads 2018 billing invoice', () => {
    const change = changeOf(fixture('invoice.marked_uncollectible.2018'), 'invoice');
    expect(change.status).toBe('uncollectible');
    expect(change.dueDate).toEqual(at(1549454425));
    expect(change.createdAt).toEqual(at(1546862399));
    expect(change.stripeSubscriptionId).toBeNull();
    expect(change.number).toBe('7DBE74C-0001');
  });

  it('reads 2022 paid invoice', () => {
    const change = changeOf(fixture('invoice.paid.2022'), 'invoice');
    expect(change.stripeCustomerId).toBe('cus_Lb2Seats');
    expect(change.stripeSubscriptionId).toBe('sub_1LbSeats');
    expect(change.paidAt).toEqual(at(1660100000));
    expect(change.amountRemaining).toBe(0);
    expect(change.attemptCount).toBe(2);
  });

  it('reads basil subscription from parent', () => {
    const change = changeOf(fixture('invoice.payment_failed.basil'), 'invoice');
    expect(change.stripeSubscriptionId).toBe('sub_1RbBundle');
    expect(change.status).toBe('open');
    expect(change.nextPaymentAttempt).toEqual(at(1747859200));
  });

  it('ignores invoice.upcoming', () => {
    expect(normalizeStripeEvent(fixture('invoice.upcoming.2012'))).toEqual({
      status: 'ignored',
      reason: 'invoice.upcoming previews an invoice that does not exist yet and has no id',
    });
  });
});

describe('normalizeStripeEvent collection method', () => {
  const shapes: Array<[string, 'subscription' | 'invoice', string | null]> = [
    ['invoice.payment_failed.2016', 'invoice', null],
    ['invoice.marked_uncollectible.2018', 'invoice', 'send_invoice'],
    ['invoice.paid.2022', 'invoice', 'charge_automatically'],
    ['invoice.payment_failed.basil', 'invoice', 'charge_automatically'],
    ['subscription.trial_will_end.2017', 'subscription', null],
    ['subscription.updated.2018', 'subscription', 'send_invoice'],
    ['subscription.updated.2020', 'subscription', 'charge_automatically'],
    ['subscription.deleted.2024', 'subscription', 'charge_automatically'],
    ['subscription.created.basil', 'subscription', 'charge_automatically'],
  ];
  it.each(shapes)('reads %s', (name, kind, expected) => {
    expect(changeOf(fixture(name), kind).collectionMethod).toBe(expected);
  });

  it('reads billing on an old invoice', () => {
    const event = fixture('invoice.payment_failed.2016');
    event.data.object.billing = 'charge_automatically';
    expect(changeOf(event, 'invoice').collectionMethod).toBe('charge_automatically');
  });

  it('prefers collection_method over billing', () => {
    const event = fixture('subscription.updated.2018');
    event.data.object.collection_method = 'charge_automatically';
    expect(changeOf(event, 'subscription').collectionMethod).toBe('charge_automatically');
  });

  it('reads an unknown collection method as null', () => {
    const event = fixture('invoice.paid.2022');
    event.data.object.collection_method = 'direct_debit';
    const result = normalizeStripeEvent(event);
    if (result.status !== 'changes') throw new Error(`expected changes, got ${result.status}`);
    const invoice = result.changes.find((change) => change.kind === 'invoice');
    expect(invoice).toMatchObject({ kind: 'invoice', collectionMethod: null, status: 'paid' });
  });
});

describe('normalizeStripeEvent subscription default payment method', () => {
  const shapes: Array<[string, string | null]> = [
    ['subscription.trial_will_end.2017', null],
    ['subscription.updated.2018', null],
    ['subscription.updated.2020', 'pm_1LbSeatsAmex'],
    ['subscription.deleted.2024', 'card_1PcSeatsLegacy'],
    ['subscription.created.basil', 'pm_1RbMastercard'],
  ];
  it.each(shapes)('reads %s', (name, expected) => {
    expect(changeOf(fixture(name), 'subscription').defaultPaymentMethodId).toBe(expected);
  });

  it('prefers default_payment_method over default_source', () => {
    const event = fixture('subscription.deleted.2024');
    event.data.object.default_payment_method = 'pm_1PcSeatsVisa';
    expect(changeOf(event, 'subscription').defaultPaymentMethodId).toBe('pm_1PcSeatsVisa');
  });

  it('reads an expanded default_source', () => {
    const event = fixture('subscription.deleted.2024');
    event.data.object.default_source = { id: 'card_1PcSeatsLegacy', object: 'card', last4: '0005' };
    expect(changeOf(event, 'subscription').defaultPaymentMethodId).toBe('card_1PcSeatsLegacy');
  });

  it('reports a default without id', () => {
    const event = fixture('subscription.created.basil');
    event.data.object.default_payment_method = { object: 'payment_method' };
    const result = normalizeStripeEvent(event);
    if (result.status !== 'invalid') throw new Error(`expected invalid, got ${result.status}`);
    expect(result.issues).toEqual([
      'data.object.default_payment_method: expected a string or an object with an id',
    ]);
  });
});

describe('normalizeStripeEvent charges', () => {
  it('reads 2026 decline data', () => {
    expect(changeOf(fixture('charge.failed.2026'), 'payment_attempt')).toEqual({
      kind: 'payment_attempt',
      attemptKey: 'ch_3TbBundleRetry',
      stripeCustomerId: 'cus_Rb3Bundle',
      stripeChargeId: 'ch_3TbBundleRetry',
      stripePaymentIntentId: 'pi_3TbBundleRetry',
      stripeInvoiceId: null,
      status: 'failed',
      amount: 6900,
      currency: 'gbp',
      failureCode: 'card_declined',
      failureMessage: 'Your card was declined.',
      declineCode: 'insufficient_funds',
      adviceCode: 'try_again_later',
      networkDeclineCode: '51',
      networkAdviceCode: null,
      outcomeType: 'issuer_declined',
      cardBrand: 'mastercard',
      cardLast4: '4444',
      attemptedAt: at(1779785365),
    });
  });

  it('falls back to failure_code (2017)', () => {
    const change = changeOf(fixture('charge.failed.2017'), 'payment_attempt');
    expect(change.declineCode).toBe('expired_card');
    expect(change.cardBrand).toBe('Visa');
    expect(change.cardLast4).toBe('0069');
    expect(change.stripeInvoiceId).toBe('in_1AbOldGold');
  });

  it('omits decline code on success', () => {
    const event = fixture('charge.failed.2026');
    event.type = 'charge.succeeded';
    Object.assign(event.data.object, { status: 'succeeded', failure_code: null, failure_message: null });
    event.data.object.outcome.reason = 'elevated_risk_level';
    const change = changeOf(event, 'payment_attempt');
    expect(change.status).toBe('succeeded');
    expect(change.declineCode).toBeNull();
  });

  it('maps pending, refunded and updated', () => {
    for (const type of ['charge.pending', 'charge.refunded', 'charge.updated']) {
      const event = fixture('charge.failed.2026');
      event.type = type;
      expect(changeOf(event, 'payment_attempt').attemptKey).toBe('ch_3TbBundleRetry');
    }
  });

  it('ignores a charge without customer', () => {
    const event = fixture('charge.failed.2026');
    event.data.object.customer = null;
    const result = normalizeStripeEvent(event);
    expect(result.status).toBe('ignored');
  });

  it('keeps no card number', () => {
    const event = fixture('charge.failed.2026');
    event.data.object.payment_method_details.card.number = '5555555555554444';
    const text = JSON.stringify(normalizeStripeEvent(event));
    expect(text).not.toContain('5555555555554444');
    expect(text).not.toContain('exampleFingerprint');
  });
});

describe('normalizeStripeEvent payment intents', () => {
  it('reads last_payment_error', () => {
    expect(changeOf(fixture('payment_intent.payment_failed.2026'), 'payment_attempt')).toEqual({
      kind: 'payment_attempt',
      attemptKey: 'ch_3TbBundleRetry',
      stripeCustomerId: 'cus_Rb3Bundle',
      stripeChargeId: 'ch_3TbBundleRetry',
      stripePaymentIntentId: 'pi_3TbBundleRetry',
      stripeInvoiceId: null,
      status: 'failed',
      amount: 6900,
      currency: 'gbp',
      failureCode: 'card_declined',
      failureMessage: 'Your card has insufficient funds.',
      declineCode: 'insufficient_funds',
      adviceCode: 'try_again_later',
      networkDeclineCode: '51',
      networkAdviceCode: '02',
      outcomeType: null,
      cardBrand: 'mastercard',
      cardLast4: '4444',
      attemptedAt: at(1779785367),
    });
  });

  it('prefers charge outcome over code', () => {
    const event = fixture('payment_intent.payment_failed.2026');
    const intent = event.data.object;
    intent.last_payment_error.decline_code = null;
    intent.charges = { object: 'list', data: [fixture('charge.failed.2026').data.object] };
    const change = changeOf(event, 'payment_attempt');
    expect(change.declineCode).toBe('insufficient_funds');
    expect(change.outcomeType).toBe('issuer_declined');
    expect(change.attemptedAt).toEqual(at(1779785365));
  });

  it('falls back to error code', () => {
    const event = fixture('payment_intent.payment_failed.2026');
    event.data.object.last_payment_error.decline_code = null;
    expect(changeOf(event, 'payment_attempt').declineCode).toBe('card_declined');
  });

  it('keys requires_action by intent', () => {
    const event = fixture('payment_intent.payment_failed.2026');
    event.type = 'payment_intent.requires_action';
    Object.assign(event.data.object, {
      last_payment_error: null,
      latest_charge: null,
      status: 'requires_action',
    });
    const change = changeOf(event, 'payment_attempt');
    expect(change.attemptKey).toBe('pi_3TbBundleRetry');
    expect(change.status).toBe('requires_action');
    expect(change.stripeChargeId).toBeNull();
  });

  it('skips stale error on success', () => {
    const event = fixture('payment_intent.payment_failed.2026');
    event.type = 'payment_intent.succeeded';
    event.data.object.latest_charge = 'ch_3TbBundleSecond';
    const change = changeOf(event, 'payment_attempt');
    expect(change.attemptKey).toBe('ch_3TbBundleSecond');
    expect(change.status).toBe('succeeded');
    expect(change.declineCode).toBeNull();
  });

  it('maps processing to pending', () => {
    const event = fixture('payment_intent.payment_failed.2026');
    event.type = 'payment_intent.processing';
    expect(changeOf(event, 'payment_attempt').status).toBe('pending');
  });
});

describe('normalizeStripeEvent payment methods', () => {
  it('reads detached customer from previous_attributes', () => {
    expect(changeOf(fixture('payment_method.detached'), 'payment_method')).toEqual({
      kind: 'payment_method',
      stripePaymentMethodId: 'pm_1RbMastercard',
      stripeCustomerId: 'cus_Rb3Bundle',
      type: 'card',
      cardBrand: 'mastercard',
      cardLast4: '4444',
      expMonth: 4,
      expYear: 2030,
      detached: true,
    });
  });

  it('reads automatically_updated expiry', () => {
    const change = changeOf(fixture('payment_method.automatically_updated'), 'payment_method');
    expect(change.expYear).toBe(2031);
    expect(change.detached).toBe(false);
  });

  it('reads attached', () => {
    const event = fixture('payment_method.automatically_updated');
    event.type = 'payment_method.attached';
    expect(changeOf(event, 'payment_method').stripeCustomerId).toBe('cus_Pn4Acme');
  });

  it('reads customer.source card', () => {
    const change = changeOf(fixture('customer.source.created.card'), 'payment_method');
    expect(change.stripePaymentMethodId).toBe('card_19OldAmex');
    expect(change.cardBrand).toBe('American Express');
    expect(change.expYear).toBe(2020);
  });

  it('detaches on customer.source.deleted', () => {
    const event = fixture('customer.source.created.card');
    event.type = 'customer.source.deleted';
    expect(changeOf(event, 'payment_method').detached).toBe(true);
  });

  it('ignores a bank account source', () => {
    const event = fixture('customer.source.created.card');
    event.data.object.object = 'bank_account';
    expect(normalizeStripeEvent(event)).toEqual({
      status: 'ignored',
      reason: 'customer.source.created for a bank_account object; only cards are read',
    });
  });
});

describe('normalizeStripeEvent invalid input', () => {
  function issuesOf(event: unknown): string[] {
    const result = normalizeStripeEvent(event);
    if (result.status !== 'invalid') throw new Error(`expected invalid, got ${result.status}`);
    return result.issues;
  }

  it('reports a missing customer', () => {
    const event = fixture('invoice.paid.2022');
    delete event.data.object.customer;
    expect(issuesOf(event)).toEqual(['data.object.customer: expected a string or an object with an id']);
  });

  it('reports a customer without id', () => {
    const event = fixture('invoice.paid.2022');
    event.data.object.customer = { object: 'customer' };
    expect(issuesOf(event)).toEqual(['data.object.customer: expected a string or an object with an id']);
  });

  it('reports a missing id', () => {
    const event = fixture('subscription.updated.2020');
    delete event.data.object.id;
    expect(issuesOf(event)).toEqual(['data.object.id: missing']);
  });

  it('reports wrong types', () => {
    const event = fixture('charge.failed.2026');
    event.data.object.amount = '6900';
    event.data.object.created = null;
    expect(issuesOf(event)).toEqual([
      'data.object.amount: expected number, received "6900"',
      'data.object.created: expected number, received null',
    ]);
  });

  it('reports a nested path', () => {
    const event = fixture('subscription.created.basil');
    event.data.object.items.data[1].price.recurring.interval = 'fortnight';
    expect(issuesOf(event)).toEqual([
      'data.object.items.data[1].price.recurring.interval: ' +
        'expected one of "day", "week", "month", "year", received "fortnight"',
    ]);
  });

  it('reports an unknown status', () => {
    const event = fixture('invoice.paid.2022');
    event.data.object.status = 'settled';
    expect(issuesOf(event)).toEqual([
      'data.object.status: expected one of "draft", "open", "paid", "uncollectible", "void", received "settled"',
    ]);
  });

  it('reports a bad currency', () => {
    const event = fixture('invoice.paid.2022');
    event.data.object.currency = 'currency';
    expect(issuesOf(event)).toEqual(['data.object.currency: expected a three-letter ISO 4217 currency code']);
  });

  it('reports a misrouted object', () => {
    const event = fixture('charge.failed.2026');
    event.data.object.object = 'dispute';
    expect(issuesOf(event)).toEqual(['data.object.object: expected "charge", received "dispute"']);
  });

  it('reports a subscription without currency', () => {
    const event = fixture('subscription.trial_will_end.2017');
    delete event.data.object.plan.currency;
    expect(issuesOf(event)).toEqual([
      'data.object.currency: missing, and no item has a price or plan currency',
    ]);
  });

  it('reports envelope issues', () => {
    const event = fixture('customer.created.2020');
    delete event.type;
    event.created = '1700000000';
    expect(issuesOf(event)).toEqual(['type: missing', 'created: expected number, received "1700000000"']);
  });

  const garbage: Array<[string, unknown]> = [
    ['null', null],
    ['string', 'evt_1'],
    ['array', []],
    ['number', 42],
  ];
  it.each(garbage)('rejects %s without throwing', (_name, input) => {
    const result = normalizeStripeEvent(input);
    expect(result.status).toBe('invalid');
  });

  it('reports a non-object data.object', () => {
    const event = fixture('customer.created.2020');
    event.data.object = 'cus_Pn4Acme';
    expect(issuesOf(event)).toEqual(['data.object: expected object, received "cus_Pn4Acme"']);
  });
});

describe('normalizeStripeEvent event types', () => {
  it('ignores an unknown type', () => {
    const event = fixture('invoice.paid.2022');
    event.type = 'invoice.foo';
    expect(normalizeStripeEvent(event)).toEqual({
      status: 'ignored',
      reason: 'unhandled event type invoice.foo',
    });
  });

  it('ignores prototype keys as types', () => {
    const event = fixture('invoice.paid.2022');
    event.type = 'constructor';
    expect(normalizeStripeEvent(event)).toEqual({
      status: 'ignored',
      reason: 'unhandled event type constructor',
    });
  });

  const invoiceTypes = [
    'invoice.created',
    'invoice.finalized',
    'invoice.updated',
    'invoice.payment_succeeded',
    'invoice.payment_action_required',
    'invoice.voided',
    'invoice.overdue',
  ];
  it.each(invoiceTypes)('reads %s', (type) => {
    const event = fixture('invoice.paid.2022');
    event.type = type;
    expect(changeOf(event, 'invoice').stripeInvoiceId).toBe('in_1KxSeats');
  });
});
