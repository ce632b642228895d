/** The four factors of health score v1, each a pure function of the facts and `now`. */
import { describeDecline } from '../ledger/decline-codes';
import {
  cardExpiredReason,
  cardExpiryReason,
  failedPaymentsReason,
  noPaymentMethodReason,
  overdueReason,
  subscriptionReason,
} from './reasons';
import {
  cardOnFileRule,
  failedPaymentsRule,
  overdueInvoicesRule,
  subscriptionPoints,
  subscriptionStatusRule,
} from './rules';
import type { CardExpiry, HealthFactor, HealthFacts } from './types';

const millisecondsPerDay = 24 * 60 * 60 * 1000;

function wholeDaysBetween(from: Date, to: Date): number {
  return Math.floor((to.getTime() - from.getTime()) / millisecondsPerDay);
}

/** First instant after the card's expiry month, in UTC: a card is valid through its whole exp month. */
export function cardExpiresAt(expiry: CardExpiry): Date {
  // Date.UTC months are 0-based, so passing the 1-based month gives the first day of the next month.
  return new Date(Date.UTC(expiry.year, expiry.month, 1));
}

export function failedPaymentsFactor(facts: HealthFacts): HealthFactor {
  const { maxPoints, pointsPerFailure, windowDays } = failedPaymentsRule;
  const count = Math.max(0, facts.failedPaymentsLast30Days);
  const points = Math.max(0, maxPoints - count * pointsPerFailure);
  const declineText = facts.lastFailedDecline ? describeDecline(facts.lastFailedDecline).text : null;
  const reason = count > 0 ? failedPaymentsReason(count, windowDays, declineText) : null;
  return { key: 'failed_payments', points, maxPoints, reason };
}

export function overdueInvoicesFactor(facts: HealthFacts, now: Date): HealthFactor {
  const { maxPoints, pointsWhenOverdue, pointsPerDayOverdue, pointsWhenOverMrr } = overdueInvoicesRule;
  const due = facts.oldestUnpaidDueDate;
  const daysOverdue = due && due < now ? wholeDaysBetween(due, now) : 0;
  // Without MRR (no live subscription) "one month of MRR" is undefined, so only the days count.
  const exceedsMrr = facts.mrrMinor > 0 && facts.overdueAmountMinor > facts.mrrMinor;
  const lateness = daysOverdue > 0 ? pointsWhenOverdue + (daysOverdue - 1) * pointsPerDayOverdue : 0;
  const lost = Math.min(maxPoints, lateness + (exceedsMrr ? pointsWhenOverMrr : 0));
  const reason =
    lost > 0 ? overdueReason(daysOverdue, exceedsMrr, facts.overdueAmountMinor, facts.currency) : null;
  return { key: 'overdue_invoices', points: maxPoints - lost, maxPoints, reason };
}

/**
 * Customers who pay invoices themselves keep full points: Stripe never charges their card, so its
 * expiry does not put a payment at risk.
 */
export function cardOnFileFactor(facts: HealthFacts, now: Date): HealthFactor {
  const { maxPoints, warningDays } = cardOnFileRule;
  const full: HealthFactor = { key: 'card_on_file', points: maxPoints, maxPoints, reason: null };
  if (!facts.collectsAutomatically) return full;

  if (facts.defaultCardExpiry === null) {
    const hasPaymentMethod = facts.paymentMethodOnFile ?? false;
    return hasPaymentMethod ? full : { ...full, points: 0, reason: noPaymentMethodReason };
  }
  const expiresAt = cardExpiresAt(facts.defaultCardExpiry);
  if (expiresAt <= now) return { ...full, points: 0, reason: cardExpiredReason };

  const daysLeft = wholeDaysBetween(now, expiresAt);
  if (daysLeft >= warningDays) return full;
  const points = Math.floor((maxPoints * daysLeft) / warningDays);
  return { ...full, points, reason: cardExpiryReason(daysLeft) };
}

export function subscriptionStatusFactor(facts: HealthFacts): HealthFactor {
  const { maxPoints } = subscriptionStatusRule;
  const points = subscriptionPoints[facts.subscriptionStatus];
  const reason = points < maxPoints ? subscriptionReason(facts.subscriptionStatus) : null;
  return { key: 'subscription_status', points, maxPoints, reason };
}
