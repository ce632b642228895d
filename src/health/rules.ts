/**
 * Health score v1: points per factor. The maximums add up to 100 and every factor starts at its
 * maximum and loses points as follows.
 *
 * | Factor              | Max | Points lost                                                          |
 * | ------------------- | --- | -------------------------------------------------------------------- |
 * | failed_payments     |  35 | 12 per failed payment attempt in the last 30 days                    |
 * | overdue_invoices    |  30 | 8 on the first whole day the oldest unpaid invoice is past due, 1    |
 * |                     |     | per further day, plus 10 when the overdue total exceeds one month of  |
 * |                     |     | MRR                                                                  |
 * | card_on_file        |  15 | all when the card expired or automatic collection has no payment     |
 * |                     |     | method; inside 30 days of expiry, keeps 15 × days left ÷ 30 (floor)   |
 * | subscription_status |  20 | keeps the points listed in `subscriptionPoints`                      |
 *
 * The weights are product judgment for v1, not fitted to churn data.
 */
import type { HealthBand, HealthSubscriptionStatus } from './types';

export const failedPaymentsRule = { maxPoints: 35, pointsPerFailure: 12, windowDays: 30 } as const;

// The first day costs most: being late at all is the signal; each further day adds a little.
export const overdueInvoicesRule = {
  maxPoints: 30,
  pointsWhenOverdue: 8,
  pointsPerDayOverdue: 1,
  pointsWhenOverMrr: 10,
} as const;

export const cardOnFileRule = { maxPoints: 15, warningDays: 30 } as const;

export const subscriptionStatusRule = { maxPoints: 20 } as const;

/** Points kept for the subscription status that drives the score. */
export const subscriptionPoints: Readonly<Record<HealthSubscriptionStatus, number>> = {
  active: 20,
  trialing: 20,
  paused: 10,
  incomplete: 10,
  none: 10,
  past_due: 5,
  unpaid: 0,
  incomplete_expired: 0,
  canceled: 0,
};

/** Highest score in each band; green runs to 100. */
export const bandCeilings = { red: 50, yellow: 75 } as const;

export function bandForScore(score: number): HealthBand {
  if (score <= bandCeilings.red) return 'red';
  if (score <= bandCeilings.yellow) return 'yellow';
  return 'green';
}
