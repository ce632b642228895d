/** Plain-English reasons for points a customer lost in the health score, shown to CSMs in the CRM. */
import { formatMoney, MoneyError } from '../money/currency';
import type { HealthSubscriptionStatus } from './types';

/**
 * Formats a count with its noun: "1 failed payment", "2 failed payments". The plural defaults to
 * the singular plus "s".
 */
export function countNoun(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}

export function failedPaymentsReason(
  count: number,
  windowDays: number,
  lastDeclineText: string | null,
): string {
  const base = `${countNoun(count, 'failed payment')} in the last ${windowDays} days`;
  return lastDeclineText ? `${base}, last decline: ${lastDeclineText}` : base;
}

function formatAmountOrNull(amountMinor: number, currency: string | null): string | null {
  if (currency === null) return null;
  try {
    return formatMoney(amountMinor, currency);
  } catch (error) {
    // A malformed currency in the ledger must not stop scoring, so the reason omits the amount.
    if (error instanceof MoneyError) return null;
    throw error;
  }
}

export function overdueReason(
  daysOverdue: number,
  exceedsMrr: boolean,
  overdueAmountMinor: number,
  currency: string | null,
): string {
  const parts: string[] = [];
  if (daysOverdue > 0) parts.push(`invoice ${countNoun(daysOverdue, 'day')} overdue`);
  if (exceedsMrr) {
    const amount = formatAmountOrNull(overdueAmountMinor, currency);
    const total = amount ? `overdue total ${amount}` : 'overdue total';
    parts.push(`${total} exceeds one month of MRR`);
  }
  return parts.join(', ');
}

export function cardExpiryReason(daysLeft: number): string {
  if (daysLeft < 1) return 'card expires in less than a day';
  return `card expires in ${countNoun(daysLeft, 'day')}`;
}

export const cardExpiredReason = 'card expired';
export const noPaymentMethodReason = 'no payment method on file for automatic collection';

const subscriptionReasons: Record<HealthSubscriptionStatus, string | null> = {
  active: null,
  trialing: null,
  past_due: 'subscription past due',
  unpaid: 'subscription unpaid',
  paused: 'subscription paused',
  incomplete: 'subscription incomplete, first payment not completed',
  incomplete_expired: 'subscription expired before its first payment',
  canceled: 'subscription canceled',
  none: 'no subscription',
};

export function subscriptionReason(status: HealthSubscriptionStatus): string | null {
  return subscriptionReasons[status];
}
