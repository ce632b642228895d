import { activityHtml, containsReference } from '../../integrations/hubspot/activities';
import type { InvoiceChange, SubscriptionChange } from '../../src/ledger/changes';
import {
  decideActivities,
  nextBusinessDay,
  sourceKeyFor,
  type EventFacts,
  type PlannedActivity,
} from '../../src/activity/significant-events';

// A Wednesday.
const now = new Date('2026-06-03T15:30:00.000Z');

function invoice(overrides: Partial<InvoiceChange> = {}): InvoiceChange {
  return {
    kind: 'invoice',
    paymentRefs: [],
    stripeInvoiceId: 'in_1',
    stripeCustomerId: 'cus_1',
    stripeSubscriptionId: 'sub_1',
    number: 'INV-0001',
    status: 'open',
    currency: 'usd',
    amountDue: 12000,
    amountPaid: 0,
    amountRemaining: 12000,
    attemptCount: 1,
    createdAt: null,
    dueDate: null,
    paidAt: null,
    nextPaymentAttempt: new Date('2026-06-06T14:00:00.000Z'),
    hostedInvoiceUrl: null,
    collectionMethod: 'charge_automatically',
    ...overrides,
  };
}

const subscription: SubscriptionChange = {
  kind: 'subscription',
  stripeSubscriptionId: 'sub_1',
  stripeCustomerId: 'cus_1',
  status: 'canceled',
  currency: 'usd',
  mrrMinor: 5000,
  currentPeriodEnd: null,
  cancelAtPeriodEnd: false,
  canceledAt: new Date('2026-06-03T12:00:00.000Z'),
  endedAt: new Date('2026-06-03T12:00:00.000Z'),
  startedAt: null,
  collectionMethod: 'charge_automatically',
  defaultPaymentMethodId: null,
};

function facts(overrides: Partial<EventFacts>): EventFacts {
  return {
    eventId: 'evt_1',
    eventType: 'invoice.payment_failed',
    customerLabel: 'Acme Ltd',
    invoice: invoice(),
    subscription: null,
    decline: { declineCode: 'insufficient_funds' },
    failedAttempts: 1,
    unpaidInvoice: null,
    ...overrides,
  };
}

function activityAt(input: EventFacts, index: number): PlannedActivity {
  const activity = decideActivities(input, now)[index];
  if (!activity) throw new Error(`no activity at index ${index}`);
  return activity;
}

function titles(input: EventFacts): string[] {
  return decideActivities(input, now).map((activity) => `${activity.kind}: ${activity.title}`);
}

describe('decideActivities', () => {
  const cases: Array<[string, EventFacts, string[]]> = [
    [
      'first failure',
      facts({}),
      ['note: Payment failed: $120.00 on invoice INV-0001', 'task: Contact Acme Ltd about a failed payment'],
    ],
    [
      'second soft failure',
      facts({ invoice: invoice({ attemptCount: 2 }) }),
      ['note: Payment failed: $120.00 on invoice INV-0001'],
    ],
    [
      'second hard failure',
      facts({ invoice: invoice({ attemptCount: 2 }), decline: { declineCode: 'expired_card' } }),
      ['note: Payment failed: $120.00 on invoice INV-0001', 'task: Contact Acme Ltd about a failed payment'],
    ],
    [
      'paid after failures',
      facts({
        eventType: 'invoice.paid',
        invoice: invoice({ status: 'paid', amountPaid: 12000, amountRemaining: 0, attemptCount: 2 }),
      }),
      ['note: Payment recovered: $120.00 on invoice INV-0001'],
    ],
    [
      'paid first time',
      facts({
        eventType: 'invoice.paid',
        invoice: invoice({ status: 'paid', amountPaid: 12000 }),
        failedAttempts: 0,
      }),
      [],
    ],
    [
      'marked uncollectible',
      facts({ eventType: 'invoice.marked_uncollectible', invoice: invoice({ status: 'uncollectible' }) }),
      ['note: Dunning exhausted: invoice INV-0001 unpaid', 'task: Contact Acme Ltd about an unpaid invoice'],
    ],
    [
      'subscription deleted',
      facts({ eventType: 'customer.subscription.deleted', invoice: null, subscription }),
      ['note: Subscription canceled'],
    ],
    [
      'subscription deleted unpaid',
      facts({
        eventType: 'customer.subscription.deleted',
        invoice: null,
        subscription,
        unpaidInvoice: { label: 'INV-0002', amountRemaining: 5000, currency: 'usd' },
      }),
      [
        'note: Subscription canceled',
        'note: Dunning exhausted: invoice INV-0002 unpaid',
        'task: Contact Acme Ltd about an unpaid invoice',
      ],
    ],
    ['invoice created', facts({ eventType: 'invoice.created' }), []],
    ['payment failed without invoice', facts({ invoice: null }), []],
  ];

  it.each(cases)('%s', (_name, input, expected) => {
    expect(titles(input)).toEqual(expected);
  });

  it('payment failed body', () => {
    const note = activityAt(facts({}), 0);
    expect(note.body).toContain('Amount: $120.00');
    expect(note.body).toContain('Decline reason: Insufficient funds');
    expect(note.body).toContain('Attempt: 1');
    expect(note.body).toContain('Next retry: 2026-06-06 14:00 UTC');
  });

  it('payment failed without decline', () => {
    const note = activityAt(facts({ decline: null }), 0);
    expect(note.body).toContain('Decline reason: not received from Stripe yet');
  });

  it('task due next business day', () => {
    const task = activityAt(facts({}), 1);
    expect(task.dueAt).toEqual(new Date('2026-06-04T09:00:00.000Z'));
  });

  it('notes have no due date', () => {
    const note = activityAt(facts({}), 0);
    expect(note.dueAt).toBeNull();
  });

  it('note and task share purpose', () => {
    const purposes = decideActivities(facts({}), now).map((activity) => activity.purpose);
    expect(purposes).toEqual(['payment_failed', 'payment_failed']);
  });
});

describe('nextBusinessDay', () => {
  const cases: Array<[string, string, string]> = [
    ['Wednesday', '2026-06-03T23:59:00.000Z', '2026-06-04T09:00:00.000Z'],
    ['Friday', '2026-06-05T10:00:00.000Z', '2026-06-08T09:00:00.000Z'],
    ['Saturday', '2026-06-06T10:00:00.000Z', '2026-06-08T09:00:00.000Z'],
    ['Sunday', '2026-06-07T10:00:00.000Z', '2026-06-08T09:00:00.000Z'],
    ['month end', '2026-06-30T10:00:00.000Z', '2026-07-01T09:00:00.000Z'],
  ];

  it.each(cases)('%s', (_name, from, expected) => {
    expect(nextBusinessDay(new Date(from)).toISOString()).toBe(expected);
  });
});

describe('sourceKeyFor', () => {
  it('joins event and purpose', () => {
    expect(sourceKeyFor('evt_9', 'payment_failed')).toBe('stripe:evt_9:payment_failed');
  });
});

describe('activityHtml', () => {
  it('escapes body text', () => {
    expect(activityHtml('A & B', '<b>x</b>', 'k:1')).toBe(
      '<p><strong>A &amp; B</strong></p><p>&lt;b&gt;x&lt;/b&gt;</p><p>Reference: k:1</p>',
    );
  });

  it('omits heading without title', () => {
    expect(activityHtml(null, 'line', 'k:1')).toBe('<p>line</p><p>Reference: k:1</p>');
  });
});

describe('containsReference', () => {
  it('finds exact key', () => {
    const html = '<p>Reference: stripe:evt_1:payment_failed</p>';
    expect(containsReference(html, 'stripe:evt_1:payment_failed')).toBe(true);
  });

  it('rejects longer key', () => {
    expect(containsReference('<p>Reference: stripe:evt_12:x</p>', 'stripe:evt_1')).toBe(false);
  });

  it('rejects missing key', () => {
    expect(containsReference('<p>other</p>', 'stripe:evt_1:payment_failed')).toBe(false);
  });
});
