import {
  closingDecisions,
  daysUntilCardExpiry,
  decideAlerts,
  type DecideAlertsInput,
} from '../../src/alerts/rules';
import { parseAlertSettings, type AlertSettingsInput } from '../../src/alerts/settings';
import type { AlertFacts, HealthPoint, OpenAlert } from '../../src/alerts/types';
import { content, facts, failedInvoice, now } from './alert-fixtures';

function decide(
  factOverrides: Partial<AlertFacts>,
  settings: AlertSettingsInput = {},
  extra: Partial<DecideAlertsInput> = {},
) {
  return decideAlerts({
    settings: parseAlertSettings(settings),
    event: { type: 'invoice.payment_failed' },
    healthBefore: null,
    healthAfter: null,
    facts: facts(factOverrides),
    now,
    ...extra,
  });
}

const green: HealthPoint = { score: 90, band: 'green' };
const yellow: HealthPoint = { score: 60, band: 'yellow' };
const red: HealthPoint = { score: 30, band: 'red' };

describe('paymentFailed rule', () => {
  it('alerts per failed invoice', () => {
    const decisions = decide({ failedInvoices: [failedInvoice()] });
    expect(decisions.map((d) => d.rule)).toEqual(['paymentFailed']);
    expect(decisions[0]?.episodeKey).toBe('invoice:in_1');
  });

  it('carries decline facts', () => {
    const [decision] = decide({ failedInvoices: [failedInvoice({ declineCode: 'stolen_card' })] });
    expect(decision?.content.decline?.kind).toBe('hard');
    expect(decision?.content.decline?.code).toBe('stolen_card');
    expect(decision?.content.card).toEqual({ brand: 'visa', last4: '4242' });
  });

  it.each([
    ['amount below minimum', { minAmountMinor: 120001 }, {}, 0],
    ['amount at minimum', { minAmountMinor: 120000 }, {}, 1],
    ['MRR below minimum', { minMrrMinor: 50001 }, {}, 0],
    ['MRR at minimum', { minMrrMinor: 50000 }, {}, 1],
    ['disabled', { enabled: false }, {}, 0],
  ])('thresholds: %s', (_name, rule, _unused, expected) => {
    const decisions = decide({ failedInvoices: [failedInvoice()] }, { rules: { paymentFailed: rule } });
    expect(decisions).toHaveLength(expected);
  });
});

describe('finalRetryFailed rule', () => {
  const exhausted = failedInvoice({ nextPaymentAttempt: null, attemptCount: 4 });
  const quiet = { rules: { paymentFailed: { enabled: false } } };

  it('alerts when retries stop', () => {
    const decisions = decide({ failedInvoices: [exhausted] }, quiet);
    expect(decisions.map((d) => d.rule)).toEqual(['finalRetryFailed']);
  });

  it('ignores a scheduled retry', () => {
    expect(decide({ failedInvoices: [failedInvoice()] }, quiet)).toHaveLength(0);
  });

  it('alerts on cancellation for non-payment', () => {
    const decisions = decide({ failedInvoices: [failedInvoice()], subscriptionStatus: 'canceled' }, quiet);
    expect(decisions.map((d) => d.rule)).toEqual(['finalRetryFailed']);
  });

  it('alerts on an uncollectible invoice', () => {
    const decisions = decide({ failedInvoices: [failedInvoice({ status: 'uncollectible' })] }, quiet);
    expect(decisions.map((d) => d.rule)).toEqual(['finalRetryFailed']);
  });

  it('leaves sent invoices to paymentFailed', () => {
    const sent = failedInvoice({ nextPaymentAttempt: null, collectsAutomatically: false });
    expect(decide({ failedInvoices: [sent] }, quiet)).toHaveLength(0);
  });

  it('yields to paymentFailed on one invoice', () => {
    const decisions = decide({ failedInvoices: [exhausted] });
    expect(decisions.map((d) => d.rule)).toEqual(['paymentFailed']);
  });
});

describe('bandDrop rule', () => {
  it.each([
    ['green to red, to red', green, red, 'red', 'red:2025-03-10'],
    ['yellow to red, to red', yellow, red, 'red', 'red:2025-03-10'],
    ['green to yellow, to red', green, yellow, 'red', null],
    ['green to yellow, to yellow', green, yellow, 'yellow', 'yellow:2025-03-10'],
    ['red to yellow, to yellow', red, yellow, 'yellow', null],
    ['red stays red', red, { score: 20, band: 'red' }, 'yellow', null],
  ] as const)('%s', (_name, before, after, to, episodeKey) => {
    const decisions = decide(
      {},
      { rules: { bandDrop: { to } } },
      { healthBefore: before, healthAfter: after },
    );
    expect(decisions[0]?.episodeKey ?? null).toBe(episodeKey);
  });

  it('needs a previous health', () => {
    expect(decide({}, {}, { healthBefore: null, healthAfter: red })).toHaveLength(0);
  });
});

describe('cardExpiring rule', () => {
  const card = { stripePaymentMethodId: 'pm_1', brand: 'visa', last4: '4242', expMonth: 3, expYear: 2025 };

  it('counts days to month end', () => {
    expect(daysUntilCardExpiry(card, now)).toBe(22);
    expect(daysUntilCardExpiry({ expMonth: 2, expYear: 2025 }, now)).toBeLessThanOrEqual(0);
  });

  it.each([
    ['inside window', 30, card, 'active', 'pm_1:2025-03'],
    ['outside window', 21, card, 'active', null],
    ['already expired', 30, { ...card, expMonth: 1 }, 'active', 'pm_1:2025-01'],
    ['later year', 30, { ...card, expYear: 2026 }, 'active', null],
    ['canceled customer', 30, card, 'canceled', null],
  ])('%s', (_name, withinDays, defaultCard, subscriptionStatus, episodeKey) => {
    const decisions = decide(
      { defaultCard, subscriptionStatus },
      { rules: { cardExpiring: { withinDays } } },
    );
    expect(decisions[0]?.episodeKey ?? null).toBe(episodeKey);
  });

  it('respects minimum MRR', () => {
    const settings = { rules: { cardExpiring: { minMrrMinor: 60000 } } };
    expect(decide({ defaultCard: card, subscriptionStatus: 'active' }, settings)).toHaveLength(0);
  });
});

describe('expansionSignal rule', () => {
  const since = new Date('2024-06-01T00:00:00Z');
  const onTime = { onTimeMonths: 9, onTimeSince: since, subscriptionStatus: 'active' };
  const enabled = { rules: { expansionSignal: { enabled: true, minOnTimeMonths: 6 } } };
  const paid = { event: { type: 'invoice.paid' }, healthBefore: green, healthAfter: green };

  it('alerts a consistent payer', () => {
    const [decision] = decide(onTime, enabled, paid);
    expect(decision?.rule).toBe('expansionSignal');
    expect(decision?.episodeKey).toBe('on-time-since:2024-06-01');
    expect(decision?.content.onTime).toEqual({ months: 9, since: since.toISOString() });
  });

  it.each([
    ['disabled by default', onTime, {}, paid],
    ['too few months', { ...onTime, onTimeMonths: 5 }, enabled, paid],
    ['not a paid event', onTime, enabled, { ...paid, event: { type: 'customer.updated' } }],
    ['not green', onTime, enabled, { ...paid, healthAfter: yellow }],
    ['failed invoice open', { ...onTime, failedInvoices: [failedInvoice()] }, enabled, paid],
  ])('skips when %s', (_name, factOverrides, settings, extra) => {
    const rules = decide(factOverrides, settings, extra).map((decision) => decision.rule);
    expect(rules).not.toContain('expansionSignal');
  });
});

describe('closingDecisions', () => {
  const openFailure: OpenAlert = {
    id: '1',
    channelId: 'C1',
    rule: 'paymentFailed',
    episodeKey: 'invoice:in_1',
    content: content(),
  };

  it('recovers a paid invoice', () => {
    const [closed] = closingDecisions({
      openAlerts: [openFailure],
      facts: facts({ settledInvoiceIds: ['in_1'] }),
      healthAfter: null,
      now,
    });
    expect(closed?.content.state).toBe('recovered');
    expect(closed?.content.recoveredAt).toBe(now.toISOString());
    expect(closed?.content.invoice?.stripeInvoiceId).toBe('in_1');
  });

  it('keeps an unpaid invoice open', () => {
    const closed = closingDecisions({ openAlerts: [openFailure], facts: facts(), healthAfter: null, now });
    expect(closed).toHaveLength(0);
  });

  it('recovers a band drop', () => {
    const drop: OpenAlert = {
      id: '2',
      channelId: 'C1',
      rule: 'bandDrop',
      episodeKey: 'red:2025-03-09',
      content: content({ rule: 'bandDrop', health: { before: green, after: red } }),
    };
    expect(closingDecisions({ openAlerts: [drop], facts: facts(), healthAfter: yellow, now })).toHaveLength(
      1,
    );
    expect(closingDecisions({ openAlerts: [drop], facts: facts(), healthAfter: red, now })).toHaveLength(0);
  });

  it('recovers a replaced card', () => {
    const expiring: OpenAlert = {
      id: '3',
      channelId: 'C1',
      rule: 'cardExpiring',
      episodeKey: 'pm_1:2025-03',
      content: content({ rule: 'cardExpiring' }),
    };
    const newCard = {
      stripePaymentMethodId: 'pm_2',
      brand: 'visa',
      last4: '1111',
      expMonth: 3,
      expYear: 2029,
    };
    expect(
      closingDecisions({
        openAlerts: [expiring],
        facts: facts({ defaultCard: newCard }),
        healthAfter: null,
        now,
      }),
    ).toHaveLength(1);
    const sameCard = { ...newCard, stripePaymentMethodId: 'pm_1', expYear: 2025 };
    expect(
      closingDecisions({
        openAlerts: [expiring],
        facts: facts({ defaultCard: sameCard }),
        healthAfter: null,
        now,
      }),
    ).toHaveLength(0);
  });
});
