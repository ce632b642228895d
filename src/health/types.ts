import type { SubscriptionStatus } from '../ledger/changes';
import type { DeclineInput } from '../ledger/decline-codes';

/** Subscription status that drives the score, or `none` when the customer never had one. */
export type HealthSubscriptionStatus = SubscriptionStatus | 'none';

export type HealthBand = 'red' | 'yellow' | 'green';

/** Card expiry as Stripe reports it: month 1-12 and a four-digit year. */
export interface CardExpiry {
  month: number;
  year: number;
}

/** Ledger facts about one customer that the health score reads. Amounts are minor units of `currency`. */
export interface HealthFacts {
  /** Failed payment attempts in the 30 days before `now`. */
  failedPaymentsLast30Days: number;
  /** Decline data of the newest failed attempt in that window. */
  lastFailedDecline?: DeclineInput | null;
  /**
   * Due date of the oldest past-due open or uncollectible invoice with money remaining. An invoice
   * that Stripe charges automatically has no due date and is due when created.
   */
  oldestUnpaidDueDate: Date | null;
  /** Sum of amount_remaining over those invoices, in `currency` only. */
  overdueAmountMinor: number;
  /** Monthly recurring revenue over subscriptions that are not canceled, in `currency` only. */
  mrrMinor: number;
  currency: string | null;
  subscriptionStatus: HealthSubscriptionStatus;
  defaultCardExpiry: CardExpiry | null;
  /**
   * Whether a usable payment method of any type is on file. A bank debit has no expiry, so this can
   * be true with `defaultCardExpiry` null. When omitted, a card expiry implies a payment method.
   */
  paymentMethodOnFile?: boolean;
  /** True when Stripe charges the customer's payment method, false when the customer pays invoices. */
  collectsAutomatically: boolean;
  lastPaymentAt: Date | null;
  /** Earliest next automatic payment attempt Stripe has scheduled on an open invoice. */
  nextRetryAt: Date | null;
}

export type HealthFactorKey = 'failed_payments' | 'overdue_invoices' | 'card_on_file' | 'subscription_status';

/** One factor's contribution: an integer from 0 to `maxPoints`, and why points were lost. */
export interface HealthFactor {
  key: HealthFactorKey;
  points: number;
  maxPoints: number;
  /** Null when the factor lost no points. */
  reason: string | null;
}

export interface HealthScore {
  /** 0-100, higher is healthier: the sum of the factors' points. */
  score: number;
  band: HealthBand;
  /** In the fixed factor order of the scoring table. */
  factors: HealthFactor[];
  /** Reasons of the factors that lost points, most points lost first. */
  reasons: string[];
  /** The first three of `reasons`. */
  topReasons: string[];
}
