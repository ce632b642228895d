/**
 * Maps one billing customer's state to the `csm_` company properties in HubSpot. Pure: the caller
 * loads the view (sync-views.ts) and sends the result.
 */
import type { HealthBand, HealthSubscriptionStatus } from '../health/types';
import { minorToMajor } from '../money/currency';

export type PaymentStatus =
  'current' | 'payment_failed' | 'past_due' | 'overdue' | 'canceled' | 'no_subscription';

/** Everything the company properties are built from. Amounts are minor units of `currency`. */
export interface CustomerSyncView {
  customerId: string;
  /** The Stripe customer id, written to the unique `csm_billing_customer_id` property. */
  billingCustomerId: string;
  name: string | null;
  /** Lower-case billing email domain to match companies on, or null without an email or for free mail. */
  emailDomain: string | null;
  healthScore: number | null;
  healthBand: HealthBand | null;
  healthReasons: string[];
  subscriptionStatus: HealthSubscriptionStatus;
  /** Whether the newest payment attempt failed, whatever its age. */
  lastAttemptFailed: boolean;
  mrrMinor: number;
  currency: string | null;
  overdueAmountMinor: number;
  oldestUnpaidDays: number | null;
  failedPayments30d: number;
  lastPaymentAt: Date | null;
  nextRetryAt: Date | null;
  cardExpiry: { month: number; year: number } | null;
}

/** Payment status values, each with the label HubSpot shows. */
export const paymentStatusLabels: Record<PaymentStatus, string> = {
  current: 'Current',
  payment_failed: 'Payment failed',
  past_due: 'Past due',
  overdue: 'Overdue',
  canceled: 'Canceled',
  no_subscription: 'No subscription',
};

/** Every Stripe subscription status, plus `none` for a customer without one. */
export const subscriptionStatusLabels: Record<HealthSubscriptionStatus, string> = {
  trialing: 'Trialing',
  active: 'Active',
  past_due: 'Past due',
  unpaid: 'Unpaid',
  paused: 'Paused',
  incomplete: 'Incomplete',
  incomplete_expired: 'Incomplete, expired',
  canceled: 'Canceled',
  none: 'None',
};

export const healthBandLabels: Record<HealthBand, string> = { red: 'Red', yellow: 'Yellow', green: 'Green' };

/**
 * Derives the payment status, first match wins: an ended subscription (its unpaid amount is still sent
 * as the overdue amount), a delinquent subscription, money past due on an invoice, a failed newest
 * attempt, no subscription at all.
 */
export function derivePaymentStatus(view: CustomerSyncView): PaymentStatus {
  if (view.subscriptionStatus === 'canceled' || view.subscriptionStatus === 'incomplete_expired')
    return 'canceled';
  if (view.subscriptionStatus === 'past_due' || view.subscriptionStatus === 'unpaid') return 'past_due';
  if (view.overdueAmountMinor > 0 || view.oldestUnpaidDays !== null) return 'overdue';
  if (view.lastAttemptFailed) return 'payment_failed';
  if (view.subscriptionStatus === 'none') return 'no_subscription';
  return 'current';
}

/**
 * Formats a day as HubSpot expects a date property: epoch milliseconds of midnight UTC, as a
 * string. HubSpot rejects a date value that is not midnight UTC ("How should timestamps be
 * formatted for HubSpot's APIs?", developers.hubspot.com FAQ).
 */
export function toHubSpotDate(year: number, month: number, day: number): string {
  return String(Date.UTC(year, month - 1, day));
}

/** Formats the UTC calendar day of an instant as a HubSpot date value. */
export function dateOfInstant(instant: Date): string {
  return toHubSpotDate(instant.getUTCFullYear(), instant.getUTCMonth() + 1, instant.getUTCDate());
}

/** Formats the last day of the expiry month, the last day a card is valid, as a HubSpot date value. */
export function cardExpiryDate(expiry: { month: number; year: number }): string {
  // Day 0 of the following month is the last day of the expiry month.
  return String(Date.UTC(expiry.year, expiry.month, 0));
}

function money(amountMinor: number, currency: string | null): string {
  return currency ? minorToMajor(amountMinor, currency) : '';
}

/** Builds the company properties. An empty string clears a HubSpot property, so no value stays stale. */
export function toCompanyProperties(view: CustomerSyncView): Record<string, string> {
  return {
    csm_billing_customer_id: view.billingCustomerId,
    csm_health_score: view.healthScore === null ? '' : String(view.healthScore),
    csm_health_band: view.healthBand ?? '',
    csm_health_reasons: view.healthReasons.join('; '),
    csm_payment_status: derivePaymentStatus(view),
    csm_subscription_status: view.subscriptionStatus,
    csm_mrr: money(view.mrrMinor, view.currency),
    csm_currency: view.currency ? view.currency.toUpperCase() : '',
    csm_overdue_amount: money(view.overdueAmountMinor, view.currency),
    csm_oldest_unpaid_days: view.oldestUnpaidDays === null ? '' : String(view.oldestUnpaidDays),
    csm_failed_payments_30d: String(view.failedPayments30d),
    csm_last_payment_date: view.lastPaymentAt ? dateOfInstant(view.lastPaymentAt) : '',
    csm_next_retry_date: view.nextRetryAt ? dateOfInstant(view.nextRetryAt) : '',
    csm_card_expiry: view.cardExpiry ? cardExpiryDate(view.cardExpiry) : '',
  };
}

/**
 * Properties for a company we create: ours plus its name and, when the billing email is not at a
 * free-mail provider, its domain. The caller decides `companyDomain`.
 */
export function toNewCompanyProperties(
  view: CustomerSyncView,
  companyDomain: string | null,
): Record<string, string> {
  const properties = toCompanyProperties(view);
  if (view.name) properties.name = view.name;
  if (companyDomain) properties.domain = companyDomain;
  return properties;
}
