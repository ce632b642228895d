import { buildCardView, daysToCardExpiry, type CardViewInput } from '../../cards/view-model';
import type { PendingCardAction } from '../../src/cards/action-rules';
import type { LatestHealth } from '../../src/health/snapshots';
import type { CustomerLedger, LedgerInvoice, LedgerPaymentAttempt } from '../../src/ledger/read';

const now = new Date('2026-03-15T12:00:00Z');

function invoice(overrides: Partial<LedgerInvoice> = {}): LedgerInvoice {
  return {
    stripeInvoiceId: 'in_1',
    stripeSubscriptionId: 'sub_1',
    number: 'INV-0001',
    status: 'open',
    currency: 'usd',
    amountDue: 125_000,
    amountRemaining: 125_000,
    attemptCount: 1,
    createdAt: '2026-03-01T00:00:00.000Z',
    dueDate: null,
    daysOverdue: 14,
    nextPaymentAttempt: '2026-03-17T00:00:00.000Z',
    hostedInvoiceUrl: null,
    collectionMethod: 'charge_automatically',
    ...overrides,
  };
}

function attempt(overrides: Partial<LedgerPaymentAttempt> = {}): LedgerPaymentAttempt {
  return {
    attemptKey: 'ch_1',
    stripeChargeId: 'ch_1',
    stripePaymentIntentId: null,
    stripeInvoiceId: 'in_1',
    status: 'failed',
    amount: 125_000,
    currency: 'usd',
    failureCode: 'card_declined',
    failureMessage: 'Your card has insufficient funds.',
    declineCode: 'insufficient_funds',
    adviceCode: null,
    networkDeclineCode: null,
    networkAdviceCode: null,
    outcomeType: 'issuer_declined',
    cardBrand: 'visa',
    cardLast4: '4242',
    attemptedAt: '2026-03-10T00:00:00.000Z',
    ...overrides,
  };
}

function ledger(overrides: Partial<CustomerLedger> = {}): CustomerLedger {
  return {
    customer: {
      id: '10',
      stripeCustomerId: 'cus_1',
      name: 'Acme',
      email: null,
      currency: 'usd',
      delinquent: true,
      deleted: false,
    },
    subscriptions: [
      {
        stripeSubscriptionId: 'sub_1',
        status: 'past_due',
        currency: 'usd',
        mrrMinor: 50_000,
        currentPeriodEnd: null,
        cancelAtPeriodEnd: false,
        canceledAt: null,
        endedAt: null,
        startedAt: '2025-01-01T00:00:00.000Z',
        collectionMethod: 'charge_automatically',
        defaultPaymentMethodId: null,
      },
    ],
    openInvoices: [invoice()],
    recentPaymentAttempts: [attempt()],
    paymentMethods: [
      {
        stripePaymentMethodId: 'pm_1',
        type: 'card',
        cardBrand: 'visa',
        cardLast4: '4242',
        expMonth: 4,
        expYear: 2026,
        isDefault: true,
      },
    ],
    mrrByCurrency: { usd: 50_000 },
    ...overrides,
  };
}

const health: LatestHealth = {
  score: 42,
  band: 'yellow',
  reasons: ['Invoice 14 days overdue', 'Card declined twice', 'Card expires soon', 'Fourth reason'],
  factors: [],
  computedAt: now,
  trend: 'down',
  previousScore: 60,
};

function input(overrides: Partial<CardViewInput> = {}): CardViewInput {
  return {
    ledger: ledger(),
    health,
    trendSince30Days: {
      delta: -30,
      score: 42,
      baselineScore: 72,
      baselineAt: new Date('2026-02-10T00:00:00Z'),
    },
    pendingActions: [],
    dunningPausedUntil: null,
    now,
    ...overrides,
  };
}

const pendingRetry: PendingCardAction = {
  action: 'retry_payment',
  stripeInvoiceId: 'in_1',
  invoiceAttemptCount: 1,
  status: 'queued',
};

describe('buildCardView', () => {
  it('health with change and top reasons', () => {
    const view = buildCardView(input());
    expect(view.health?.score).toBe(42);
    expect(view.health?.band).toBe('yellow');
    expect(view.health?.changeSince30Days).toBe(-30);
    expect(view.health?.trend).toBe('down');
    expect(view.health?.topReasons).toEqual(health.reasons.slice(0, 3));
  });

  it('health change null without old snapshot', () => {
    const view = buildCardView(input({ trendSince30Days: null }));
    expect(view.health?.changeSince30Days).toBeNull();
  });

  it('health null without snapshot', () => {
    expect(buildCardView(input({ health: null })).health).toBeNull();
  });

  it('money, subscription and card', () => {
    const view = buildCardView(input());
    expect(view.subscriptionStatus).toBe('past_due');
    expect(view.mrr?.formatted).toBe('$500.00');
    expect(view.openAmount?.formatted).toBe('$1,250.00');
    expect(view.overdueAmount?.formatted).toBe('$1,250.00');
    expect(view.paymentCard?.last4).toBe('4242');
    expect(view.paymentCard?.expiresInDays).toBe(46);
  });

  it('overdue excludes invoices not yet due', () => {
    const openInvoices = [
      invoice(),
      invoice({ stripeInvoiceId: 'in_2', amountRemaining: 1000, daysOverdue: 0 }),
    ];
    const view = buildCardView(input({ ledger: ledger({ openInvoices }) }));
    expect(view.openAmount?.amountMinor).toBe(126_000);
    expect(view.overdueAmount?.amountMinor).toBe(125_000);
  });

  it('zero amounts when nothing owed', () => {
    const view = buildCardView(input({ ledger: ledger({ openInvoices: [] }) }));
    expect(view.openAmount?.formatted).toBe('$0.00');
    expect(view.overdueAmount?.amountMinor).toBe(0);
    expect(view.openInvoices).toEqual([]);
  });

  it('JPY and KWD amounts', () => {
    const customer = { ...ledger().customer, currency: 'jpy' };
    const jpy = buildCardView(
      input({
        ledger: ledger({ customer, openInvoices: [invoice({ currency: 'jpy', amountRemaining: 5000 })] }),
      }),
    );
    expect(jpy.openAmount?.formatted).toBe('¥5,000');
    const kwdCustomer = { ...ledger().customer, currency: 'kwd' };
    const kwd = buildCardView(
      input({
        ledger: ledger({
          customer: kwdCustomer,
          openInvoices: [invoice({ currency: 'kwd', amountRemaining: 12_500 })],
          mrrByCurrency: { kwd: 1_005 },
        }),
      }),
    );
    expect(kwd.openAmount?.formatted).toBe('KWD\u00a012.500');
    expect(kwd.mrr?.formatted).toBe('KWD\u00a01.005');
    expect(kwd.openInvoices[0]?.amountRemaining.formatted).toBe('KWD\u00a012.500');
  });

  it('recent attempts limited to five with decline words', () => {
    const attempts = Array.from({ length: 7 }, (_, index) => attempt({ attemptKey: `ch_${index}` }));
    attempts[1] = attempt({ status: 'succeeded', declineCode: null, failureCode: null });
    const view = buildCardView(input({ ledger: ledger({ recentPaymentAttempts: attempts }) }));
    expect(view.recentAttempts).toHaveLength(5);
    expect(view.recentAttempts[0]?.declineText).toBe('Insufficient funds');
    expect(view.recentAttempts[0]?.declineKind).toBe('soft');
    expect(view.recentAttempts[0]?.card).toBe('visa •••• 4242');
    expect(view.recentAttempts[1]?.declineText).toBeNull();
  });

  it('open invoice leaves forecast fields null', () => {
    const [open] = buildCardView(input()).openInvoices;
    expect(open?.stripeInvoiceId).toBe('in_1');
    expect(open?.daysOverdue).toBe(14);
    expect(open?.nextPlannedStep).toBeNull();
    expect(open?.recoveryProbability).toBeNull();
  });
});

describe('dunning stage', () => {
  const cases: [string, Partial<CardViewInput>, string, string | null][] = [
    ['retrying', {}, 'retrying', '2026-03-17T00:00:00.000Z'],
    ['none without owed invoice', { ledger: ledger({ openInvoices: [] }) }, 'none', null],
    [
      'none without next attempt',
      { ledger: ledger({ openInvoices: [invoice({ nextPaymentAttempt: null })] }) },
      'none',
      null,
    ],
    [
      'paused',
      { dunningPausedUntil: new Date('2026-03-20T00:00:00Z') },
      'paused',
      '2026-03-17T00:00:00.000Z',
    ],
    [
      'pause in the past',
      { dunningPausedUntil: new Date('2026-03-01T00:00:00Z') },
      'retrying',
      '2026-03-17T00:00:00.000Z',
    ],
    [
      'exhausted by uncollectible invoice',
      { ledger: ledger({ openInvoices: [invoice({ status: 'uncollectible', nextPaymentAttempt: null })] }) },
      'exhausted',
      null,
    ],
    [
      'exhausted by unpaid subscription',
      { ledger: ledger({ subscriptions: [{ ...ledger().subscriptions[0]!, status: 'unpaid' }] }) },
      'exhausted',
      '2026-03-17T00:00:00.000Z',
    ],
    [
      'exhausted by canceled subscription with debt',
      { ledger: ledger({ subscriptions: [{ ...ledger().subscriptions[0]!, status: 'canceled' }] }) },
      'exhausted',
      '2026-03-17T00:00:00.000Z',
    ],
  ];

  it.each(cases)('%s', (_name, overrides, stage, nextRetryAt) => {
    const view = buildCardView(input(overrides));
    expect(view.dunning.stage).toBe(stage);
    expect(view.dunning.nextRetryAt).toBe(nextRetryAt);
  });

  it('paused until shown only while paused', () => {
    const paused = buildCardView(input({ dunningPausedUntil: new Date('2026-03-20T00:00:00Z') }));
    expect(paused.dunning.pausedUntil).toBe('2026-03-20T00:00:00.000Z');
    const over = buildCardView(input({ dunningPausedUntil: new Date('2026-03-01T00:00:00Z') }));
    expect(over.dunning.pausedUntil).toBeNull();
  });
});

describe('card action rules', () => {
  type Case = [string, Partial<CardViewInput>, boolean, RegExp | null];
  const hardDecline = attempt({ declineCode: 'stolen_card' });
  const deleted = { ...ledger().customer, deleted: true };
  const pausedUntil = new Date('2026-03-20T00:00:00Z');

  const retryCases: Case[] = [
    ['enabled with open invoice', {}, true, null],
    ['disabled without open invoice', { ledger: ledger({ openInvoices: [] }) }, false, /No open invoice/],
    [
      'disabled after hard decline',
      { ledger: ledger({ recentPaymentAttempts: [hardDecline] }) },
      false,
      /stolen/,
    ],
    ['disabled while retry queued', { pendingActions: [pendingRetry] }, false, /already queued/],
    [
      'enabled after a new attempt',
      { pendingActions: [{ ...pendingRetry, invoiceAttemptCount: 0 }] },
      true,
      null,
    ],
    ['disabled for deleted customer', { ledger: ledger({ customer: deleted }) }, false, /deleted/],
  ];
  it.each(retryCases)('retry %s', (_name, overrides, enabled, reason) => {
    const action = buildCardView(input(overrides)).actions.retry_payment;
    expect(action.enabled).toBe(enabled);
    if (reason) expect(action.disabledReason).toMatch(reason);
    else expect(action.disabledReason).toBeNull();
  });

  const linkCases: Case[] = [
    ['enabled', {}, true, null],
    ['enabled after hard decline', { ledger: ledger({ recentPaymentAttempts: [hardDecline] }) }, true, null],
    ['disabled for deleted customer', { ledger: ledger({ customer: deleted }) }, false, /deleted/],
  ];
  it.each(linkCases)('card-update link %s', (_name, overrides, enabled, reason) => {
    const action = buildCardView(input(overrides)).actions.send_card_update_link;
    expect(action.enabled).toBe(enabled);
    if (reason) expect(action.disabledReason).toMatch(reason);
    else expect(action.disabledReason).toBeNull();
  });

  const pauseCases: Case[] = [
    ['enabled while retrying', {}, true, null],
    [
      'disabled when paused',
      { dunningPausedUntil: pausedUntil },
      false,
      /already paused until 2026-03-20 00:00/,
    ],
    ['disabled without owed invoice', { ledger: ledger({ openInvoices: [] }) }, false, /No unpaid invoice/],
    [
      'disabled when exhausted',
      { ledger: ledger({ openInvoices: [invoice({ status: 'uncollectible' })] }) },
      false,
      /ended/,
    ],
    [
      'disabled while pause queued',
      { pendingActions: [{ ...pendingRetry, action: 'pause_dunning', stripeInvoiceId: null }] },
      false,
      /already queued/,
    ],
  ];
  it.each(pauseCases)('pause %s', (_name, overrides, enabled, reason) => {
    const action = buildCardView(input(overrides)).actions.pause_dunning;
    expect(action.enabled).toBe(enabled);
    if (reason) expect(action.disabledReason).toMatch(reason);
    else expect(action.disabledReason).toBeNull();
  });

  const resumeCases: Case[] = [
    ['disabled when not paused', {}, false, /not paused/],
    ['enabled when paused', { dunningPausedUntil: pausedUntil }, true, null],
    [
      'disabled after the pause ended',
      { dunningPausedUntil: new Date('2026-03-01T00:00:00Z') },
      false,
      /not paused/,
    ],
    [
      'disabled while resume queued',
      {
        dunningPausedUntil: pausedUntil,
        pendingActions: [{ ...pendingRetry, action: 'resume_dunning', stripeInvoiceId: null }],
      },
      false,
      /already queued/,
    ],
  ];
  it.each(resumeCases)('resume %s', (_name, overrides, enabled, reason) => {
    const action = buildCardView(input(overrides)).actions.resume_dunning;
    expect(action.enabled).toBe(enabled);
    if (reason) expect(action.disabledReason).toMatch(reason);
    else expect(action.disabledReason).toBeNull();
  });
});

describe('daysToCardExpiry', () => {
  it('counts through the end of the month', () => {
    expect(daysToCardExpiry(3, 2026, now)).toBe(16);
  });

  it('negative once expired', () => {
    expect(daysToCardExpiry(2, 2026, now)).toBe(-15);
  });
});
