/**
 * Copy of cards/view-model-types.ts (below its header), because `hs project upload` bundles only this
 * project folder, so the card cannot import a file outside it. test/unit/card-preview-page-types.test.ts
 * in the repository root fails when the two copies differ.
 */

export interface MoneyView {
  amountMinor: number;
  currency: string;
  /** For display, e.g. "$1,250.00", "¥5,000", "KWD 12.500". */
  formatted: string;
}

export type HealthBandView = 'red' | 'yellow' | 'green';

export interface HealthView {
  score: number;
  band: HealthBandView;
  /** Score now minus the score 30 days ago; null when there is no snapshot that old. */
  changeSince30Days: number | null;
  trend: 'up' | 'down' | 'same' | 'new';
  topReasons: string[];
}

export interface PaymentAttemptView {
  attemptedAt: string;
  status: 'succeeded' | 'failed' | 'pending' | 'requires_action';
  amount: MoneyView;
  /** Plain words for a CSM, e.g. "Insufficient funds"; null for a successful attempt. */
  declineText: string | null;
  /** Hard: retrying the same card will not succeed. */
  declineKind: 'hard' | 'soft' | 'unknown' | null;
  card: string | null;
}

export interface OpenInvoiceView {
  stripeInvoiceId: string;
  number: string | null;
  amountRemaining: MoneyView;
  dueDate: string | null;
  daysOverdue: number;
  nextPaymentAttempt: string | null;
  /** Filled in once the dunning engine plans steps; null until then. */
  nextPlannedStep: string | null;
  /** Filled in once the collections forecast exists; 0-1, null until then. */
  recoveryProbability: number | null;
}

export interface CardActionView {
  enabled: boolean;
  /** Why the action is disabled, in plain words; null when enabled. */
  disabledReason: string | null;
}

export type CardActionName = 'retry_payment' | 'send_card_update_link' | 'pause_dunning' | 'resume_dunning';

export interface LinkedCardView {
  state: 'linked';
  customer: { stripeCustomerId: string; name: string | null };
  health: HealthView | null;
  subscriptionStatus: string | null;
  mrr: MoneyView | null;
  openAmount: MoneyView | null;
  overdueAmount: MoneyView | null;
  recentAttempts: PaymentAttemptView[];
  dunning: { stage: string; nextRetryAt: string | null; pausedUntil: string | null };
  paymentCard: {
    brand: string | null;
    last4: string | null;
    expMonth: number | null;
    expYear: number | null;
    expiresInDays: number | null;
  } | null;
  openInvoices: OpenInvoiceView[];
  actions: Record<CardActionName, CardActionView>;
}

/** The CRM record has no billing customer yet: the card offers to link one by Stripe customer id. */
export interface UnlinkedCardView {
  state: 'not_linked';
  companyId: string;
}

export type PaymentHealthCardView = LinkedCardView | UnlinkedCardView;
