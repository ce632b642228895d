import type { SubscriptionStatus } from '../../src/ledger/changes';

export type BillingInterval = 'day' | 'week' | 'month' | 'year';

/** One recurring line of a subscription: a price (or legacy plan) times a quantity. */
export interface RecurringItem {
  unitAmountMinor: number;
  quantity: number;
  interval: BillingInterval;
  intervalCount: number;
}

/** Billing periods per month for each interval: a year is 12 months, 52 weeks or 365 days. */
const periodsPerMonth: Record<BillingInterval, number> = {
  day: 365 / 12,
  week: 52 / 12,
  month: 1,
  year: 1 / 12,
};

/** Statuses whose subscription brings in no revenue any more. */
const endedStatuses: ReadonlySet<SubscriptionStatus> = new Set(['canceled', 'incomplete_expired']);

/**
 * Computes monthly recurring revenue in minor units: each item's amount normalized to one month,
 * summed, then rounded once to an integer. Ended subscriptions count as 0.
 */
export function monthlyRecurringRevenue(items: readonly RecurringItem[], status: SubscriptionStatus): number {
  if (endedStatuses.has(status)) return 0;
  let total = 0;
  for (const item of items) {
    const perPeriod = item.unitAmountMinor * item.quantity;
    total += (perPeriod * periodsPerMonth[item.interval]) / Math.max(1, item.intervalCount);
  }
  return Math.round(total);
}
