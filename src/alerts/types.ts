/**
 * Shapes shared by the alert rules, the episode store and the Slack message builder. Content is
 * stored as jsonb in `slack_alerts.content`, so every field is JSON: times are ISO 8601 strings and
 * amounts are integer minor units.
 */
import type { HealthBand } from '../health/types';

export type AlertRule =
  'paymentFailed' | 'bandDrop' | 'cardExpiring' | 'finalRetryFailed' | 'expansionSignal';

export interface HealthPoint {
  score: number;
  band: HealthBand;
}

/** A failed invoice payment: the open invoice and the newest failed payment attempt on it. */
export interface FailedInvoiceFacts {
  stripeInvoiceId: string;
  /** Invoice status: `open` while Stripe retries, `uncollectible` or `open` after the last retry. */
  status: string;
  amountRemainingMinor: number;
  currency: string;
  attemptCount: number;
  /** Null once Stripe has no further automatic retry scheduled. */
  nextPaymentAttempt: Date | null;
  collectsAutomatically: boolean;
  declineCode: string | null;
  adviceCode: string | null;
  failureCode: string | null;
  failureMessage: string | null;
  cardBrand: string | null;
  cardLast4: string | null;
}

export interface CardFacts {
  stripePaymentMethodId: string;
  brand: string | null;
  last4: string | null;
  expMonth: number;
  expYear: number;
}

export interface AccountFacts {
  customerId: string;
  stripeCustomerId: string;
  name: string | null;
  /** HubSpot company record id, when the customer is linked. */
  crmRecordId: string | null;
  /** HubSpot portal (account) id of the tenant's connection. */
  crmPortalId: string | null;
  crmOwnerId: string | null;
}

/** Facts the rules read about one customer. Amounts are minor units of `currency`. */
export interface AlertFacts {
  account: AccountFacts;
  currency: string | null;
  mrrMinor: number;
  /** Worst live subscription status, else `canceled`/`incomplete_expired`, else `none`. */
  subscriptionStatus: string;
  failedInvoices: FailedInvoiceFacts[];
  /** The card Stripe charges by default, when it is a card. */
  defaultCard: CardFacts | null;
  /** Whole months in which every invoice was paid on time, counting back from now. */
  onTimeMonths: number;
  /** Start of that on-time streak, or null when there is none. */
  onTimeSince: Date | null;
  /** Stripe ids of invoices that are now paid or void, for closing failure episodes. */
  settledInvoiceIds: string[];
}

export interface AlertAction {
  /** Slack action id, e.g. `retry_payment`. */
  action: string;
  /** Slack user id of the CSM who clicked. */
  userId: string;
  at: string;
  outcome: 'requested' | 'succeeded' | 'failed' | 'rejected';
  /** Short plain words on the outcome, e.g. a decline reason. */
  detail?: string;
}

/** The facts a message shows; the episode store compares them to decide whether to update Slack. */
export interface AlertContent {
  rule: AlertRule;
  state: 'open' | 'recovered';
  account: AccountFacts;
  mrrMinor: number;
  currency: string | null;
  invoice?: {
    stripeInvoiceId: string;
    amountRemainingMinor: number;
    currency: string;
    attemptCount: number;
    nextPaymentAttempt: string | null;
  };
  decline?: { text: string; kind: 'hard' | 'soft' | 'unknown'; code: string | null };
  card?: { brand: string | null; last4: string | null; expMonth?: number; expYear?: number };
  health?: { before: HealthPoint | null; after: HealthPoint };
  subscriptionStatus?: string;
  onTime?: { months: number; since: string };
  /** When the episode ended: the invoice was paid, the band recovered or the card was replaced. */
  recoveredAt?: string;
  /** Locale for amounts in the message. */
  locale?: string;
  /** Appended by the Slack action handler; the rules keep what is stored. */
  actions?: AlertAction[];
}

/** One alert the rules want shown; `episodeKey` identifies the episode within the rule and customer. */
export interface AlertDecision {
  rule: AlertRule;
  episodeKey: string;
  content: AlertContent;
}

/** An alert row that is still open, as the episode store read it. */
export interface OpenAlert {
  id: string;
  channelId: string;
  rule: AlertRule;
  episodeKey: string;
  content: AlertContent;
}
