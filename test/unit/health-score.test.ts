import { bandForScore, scoreHealth, type HealthFacts } from '../../src/health/score';

const dayMs = 24 * 60 * 60 * 1000;
const now = new Date('2025-06-19T00:00:00Z');

function daysAgo(days: number): Date {
  return new Date(now.getTime() - days * dayMs);
}

function facts(overrides: Partial<HealthFacts> = {}): HealthFacts {
  return {
    failedPaymentsLast30Days: 0,
    lastFailedDecline: null,
    oldestUnpaidDueDate: null,
    overdueAmountMinor: 0,
    mrrMinor: 10_000,
    currency: 'usd',
    subscriptionStatus: 'active',
    defaultCardExpiry: { month: 12, year: 2030 },
    collectsAutomatically: true,
    lastPaymentAt: daysAgo(3),
    nextRetryAt: null,
    ...overrides,
  };
}

function pointsOf(result: ReturnType<typeof scoreHealth>, key: string): number | undefined {
  return result.factors.find((factor) => factor.key === key)?.points;
}

describe('scoreHealth', () => {
  it('perfect customer is 100 green', () => {
    const result = scoreHealth(facts(), now);
    expect(result.score).toBe(100);
    expect(result.band).toBe('green');
    expect(result.reasons).toEqual([]);
    expect(result.topReasons).toEqual([]);
  });

  it('two failed payments', () => {
    const result = scoreHealth(facts({ failedPaymentsLast30Days: 2 }), now);
    expect(result.score).toBe(76);
    expect(pointsOf(result, 'failed_payments')).toBe(11);
    expect(result.reasons).toEqual(['2 failed payments in the last 30 days']);
  });

  it('one failed payment is singular', () => {
    const result = scoreHealth(facts({ failedPaymentsLast30Days: 1 }), now);
    expect(result.reasons).toEqual(['1 failed payment in the last 30 days']);
  });

  it('failed payments floor at zero', () => {
    const result = scoreHealth(facts({ failedPaymentsLast30Days: 5 }), now);
    expect(pointsOf(result, 'failed_payments')).toBe(0);
    expect(result.score).toBe(65);
  });

  it('failed payment reason names the decline', () => {
    const lastFailedDecline = { declineCode: 'insufficient_funds', failureCode: 'card_declined' };
    const result = scoreHealth(facts({ failedPaymentsLast30Days: 1, lastFailedDecline }), now);
    expect(result.reasons).toEqual([
      '1 failed payment in the last 30 days, last decline: Insufficient funds',
    ]);
  });

  it('invoice 18 days overdue', () => {
    const result = scoreHealth(facts({ oldestUnpaidDueDate: daysAgo(18), overdueAmountMinor: 5_000 }), now);
    expect(result.score).toBe(75);
    expect(pointsOf(result, 'overdue_invoices')).toBe(5);
    expect(result.reasons).toEqual(['invoice 18 days overdue']);
  });

  it('invoice 1 day overdue is singular', () => {
    const result = scoreHealth(facts({ oldestUnpaidDueDate: daysAgo(1.5), overdueAmountMinor: 5_000 }), now);
    expect(result.reasons).toEqual(['invoice 1 day overdue']);
  });

  it('invoice due later costs nothing', () => {
    const result = scoreHealth(facts({ oldestUnpaidDueDate: daysAgo(-3), overdueAmountMinor: 5_000 }), now);
    expect(result.score).toBe(100);
  });

  it('overdue above MRR costs extra', () => {
    const result = scoreHealth(facts({ oldestUnpaidDueDate: daysAgo(5), overdueAmountMinor: 25_000 }), now);
    expect(pointsOf(result, 'overdue_invoices')).toBe(8);
    expect(result.reasons).toEqual([
      'invoice 5 days overdue, overdue total $250.00 exceeds one month of MRR',
    ]);
  });

  it('overdue without MRR counts days only', () => {
    const result = scoreHealth(
      facts({
        oldestUnpaidDueDate: daysAgo(5),
        overdueAmountMinor: 25_000,
        mrrMinor: 0,
        subscriptionStatus: 'none',
      }),
      now,
    );
    expect(pointsOf(result, 'overdue_invoices')).toBe(18);
  });

  it('overdue reason survives a bad currency', () => {
    const result = scoreHealth(
      facts({ oldestUnpaidDueDate: daysAgo(2), overdueAmountMinor: 25_000, currency: 'us' }),
      now,
    );
    expect(result.reasons).toEqual(['invoice 2 days overdue, overdue total exceeds one month of MRR']);
  });

  it('overdue floors at zero', () => {
    const result = scoreHealth(facts({ oldestUnpaidDueDate: daysAgo(45), overdueAmountMinor: 25_000 }), now);
    expect(pointsOf(result, 'overdue_invoices')).toBe(0);
  });

  it('card expires in 12 days', () => {
    // A June card is valid through June 30, which ends 12 days after June 19.
    const result = scoreHealth(facts({ defaultCardExpiry: { month: 6, year: 2025 } }), now);
    expect(pointsOf(result, 'card_on_file')).toBe(6);
    expect(result.score).toBe(91);
    expect(result.reasons).toEqual(['card expires in 12 days']);
  });

  it('card expires in 1 day is singular', () => {
    const lateJune = new Date('2025-06-29T12:00:00Z');
    const result = scoreHealth(facts({ defaultCardExpiry: { month: 6, year: 2025 } }), lateJune);
    expect(result.reasons).toEqual(['card expires in 1 day']);
  });

  it('card 30 days from expiry keeps full points', () => {
    const card = facts({ defaultCardExpiry: { month: 6, year: 2025 } });
    expect(pointsOf(scoreHealth(card, new Date('2025-06-01T00:00:00Z')), 'card_on_file')).toBe(15);
    expect(pointsOf(scoreHealth(card, new Date('2025-06-02T00:00:00Z')), 'card_on_file')).toBe(14);
  });

  it('expired card', () => {
    const result = scoreHealth(facts({ defaultCardExpiry: { month: 5, year: 2025 } }), now);
    expect(pointsOf(result, 'card_on_file')).toBe(0);
    expect(result.score).toBe(85);
    expect(result.reasons).toEqual(['card expired']);
  });

  it('card expires at the end of its month', () => {
    const lastInstant = new Date('2025-06-30T23:59:59Z');
    const firstOfJuly = new Date('2025-07-01T00:00:00Z');
    const card = facts({ defaultCardExpiry: { month: 6, year: 2025 } });
    expect(scoreHealth(card, lastInstant).reasons).toEqual(['card expires in less than a day']);
    expect(scoreHealth(card, firstOfJuly).reasons).toEqual(['card expired']);
  });

  it('December card expires at new year', () => {
    const newYear = new Date('2026-01-01T00:00:00Z');
    const result = scoreHealth(facts({ defaultCardExpiry: { month: 12, year: 2025 } }), newYear);
    expect(result.reasons).toEqual(['card expired']);
  });

  it('automatic collection without payment method', () => {
    const result = scoreHealth(facts({ defaultCardExpiry: null }), now);
    expect(pointsOf(result, 'card_on_file')).toBe(0);
    expect(result.reasons).toEqual(['no payment method on file for automatic collection']);
  });

  it('bank debit keeps full card points', () => {
    const result = scoreHealth(facts({ defaultCardExpiry: null, paymentMethodOnFile: true }), now);
    expect(pointsOf(result, 'card_on_file')).toBe(15);
  });

  it('manual collection ignores the card', () => {
    const expired = facts({ defaultCardExpiry: { month: 1, year: 2020 }, collectsAutomatically: false });
    expect(pointsOf(scoreHealth(expired, now), 'card_on_file')).toBe(15);
  });

  it.each([
    ['canceled', 80, 'subscription canceled'],
    ['past_due', 85, 'subscription past due'],
    ['unpaid', 80, 'subscription unpaid'],
    ['paused', 90, 'subscription paused'],
    ['incomplete', 90, 'subscription incomplete, first payment not completed'],
    ['incomplete_expired', 80, 'subscription expired before its first payment'],
    ['none', 90, 'no subscription'],
  ] as const)('subscription %s', (subscriptionStatus, score, reason) => {
    const result = scoreHealth(facts({ subscriptionStatus }), now);
    expect(result.score).toBe(score);
    expect(result.reasons).toEqual([reason]);
  });

  it('trialing keeps full points', () => {
    expect(scoreHealth(facts({ subscriptionStatus: 'trialing' }), now).score).toBe(100);
  });

  const worst = facts({
    failedPaymentsLast30Days: 4,
    oldestUnpaidDueDate: daysAgo(40),
    overdueAmountMinor: 50_000,
    subscriptionStatus: 'canceled',
    defaultCardExpiry: { month: 1, year: 2024 },
  });
  const middling = facts({ failedPaymentsLast30Days: 2, subscriptionStatus: 'past_due' });
  const mostlyFine = facts({ failedPaymentsLast30Days: 1 });

  it('combined case lands red', () => {
    const result = scoreHealth(worst, now);
    expect(result.score).toBe(0);
    expect(result.band).toBe('red');
  });

  it('combined case lands yellow', () => {
    const result = scoreHealth(middling, now);
    expect(result.score).toBe(61);
    expect(result.band).toBe('yellow');
  });

  it('combined case lands green', () => {
    const result = scoreHealth(mostlyFine, now);
    expect(result.score).toBe(88);
    expect(result.band).toBe('green');
  });

  it.each([
    [11, 50, 'red'],
    [10, 51, 'yellow'],
  ] as const)('boundary: 1 failure, canceled, %i days overdue is %i', (days, score, band) => {
    const result = scoreHealth(
      facts({
        failedPaymentsLast30Days: 1,
        subscriptionStatus: 'canceled',
        oldestUnpaidDueDate: daysAgo(days),
      }),
      now,
    );
    expect(result.score).toBe(score);
    expect(result.band).toBe(band);
  });

  it.each([
    [3, 75, 'yellow'],
    [2, 76, 'green'],
  ] as const)('boundary: past due, %i days overdue is %i', (days, score, band) => {
    const result = scoreHealth(
      facts({ subscriptionStatus: 'past_due', oldestUnpaidDueDate: daysAgo(days) }),
      now,
    );
    expect(result.score).toBe(score);
    expect(result.band).toBe(band);
  });

  it.each([
    ['perfect', facts()],
    ['worst', worst],
    ['middling', middling],
    ['mostly fine', mostlyFine],
    ['card soon', facts({ defaultCardExpiry: { month: 6, year: 2025 }, failedPaymentsLast30Days: 1 })],
    ['overdue', facts({ oldestUnpaidDueDate: daysAgo(13), overdueAmountMinor: 99_999 })],
  ])('contributions sum to the score (%s)', (_name, caseFacts) => {
    const result = scoreHealth(caseFacts, now);
    const sum = result.factors.reduce((total, factor) => total + factor.points, 0);
    expect(sum).toBe(result.score);
    for (const factor of result.factors) {
      expect(Number.isInteger(factor.points)).toBe(true);
      expect(factor.points).toBeGreaterThanOrEqual(0);
      expect(factor.points).toBeLessThanOrEqual(factor.maxPoints);
    }
  });

  it('factor maximums add up to 100', () => {
    const result = scoreHealth(facts(), now);
    expect(result.factors.reduce((total, factor) => total + factor.maxPoints, 0)).toBe(100);
  });

  it('reasons ordered by points lost', () => {
    const result = scoreHealth(
      facts({
        failedPaymentsLast30Days: 2,
        subscriptionStatus: 'canceled',
        oldestUnpaidDueDate: daysAgo(18),
        defaultCardExpiry: { month: 6, year: 2025 },
      }),
      now,
    );
    expect(result.reasons).toEqual([
      'invoice 18 days overdue',
      '2 failed payments in the last 30 days',
      'subscription canceled',
      'card expires in 12 days',
    ]);
    expect(result.topReasons).toEqual(result.reasons.slice(0, 3));
  });

  it('reasons tie in factor order', () => {
    const result = scoreHealth(
      facts({ subscriptionStatus: 'canceled', oldestUnpaidDueDate: daysAgo(13) }),
      now,
    );
    expect(result.reasons).toEqual(['invoice 13 days overdue', 'subscription canceled']);
  });

  it('is deterministic', () => {
    const input = facts({ failedPaymentsLast30Days: 2, oldestUnpaidDueDate: daysAgo(7) });
    const snapshot = structuredClone(input);
    const first = scoreHealth(input, now);
    const second = scoreHealth(structuredClone(input), new Date(now.getTime()));
    expect(second).toEqual(first);
    expect(input).toEqual(snapshot);
  });
});

describe('bandForScore', () => {
  it.each([
    [0, 'red'],
    [50, 'red'],
    [51, 'yellow'],
    [75, 'yellow'],
    [76, 'green'],
    [100, 'green'],
  ] as const)('%i is %s', (score, band) => {
    expect(bandForScore(score)).toBe(band);
  });
});
