/**
 * Builds the payment-health card from a customer's ledger, health snapshots and pending card actions.
 * Pure: every time-dependent value comes from `now`.
 */
import {
  decideCardActions,
  dunningStage,
  isDunningPaused,
  owedInvoices,
  type PendingCardAction,
} from '../src/cards/action-rules';
import type { HealthTrendSince, LatestHealth } from '../src/health/snapshots';
import { describeDecline } from '../src/ledger/decline-codes';
import type {
  CustomerLedger,
  LedgerInvoice,
  LedgerPaymentAttempt,
  LedgerPaymentMethod,
} from '../src/ledger/read';
import { formatMoney } from '../src/money/currency';
import type {
  HealthView,
  LinkedCardView,
  MoneyView,
  OpenInvoiceView,
  PaymentAttemptView,
} from './view-model-types';

export interface CardViewInput {
  ledger: CustomerLedger;
  health: LatestHealth | null;
  /** The score change against the newest snapshot at or before 30 days ago. */
  trendSince30Days: HealthTrendSince | null;
  pendingActions: readonly PendingCardAction[];
  /** customers.dunning_paused_until. */
  dunningPausedUntil: Date | null;
  now: Date;
}

const recentAttemptCount = 5;
const topReasonCount = 3;
const dayMs = 24 * 60 * 60 * 1000;

export function moneyView(amountMinor: number, currency: string): MoneyView {
  return { amountMinor, currency, formatted: formatMoney(amountMinor, currency) };
}

function healthView(health: LatestHealth | null, trend: HealthTrendSince | null): HealthView | null {
  if (!health) return null;
  return {
    score: health.score,
    band: health.band,
    changeSince30Days: trend ? trend.delta : null,
    trend: health.trend,
    topReasons: health.reasons.slice(0, topReasonCount),
  };
}

/**
 * The total to show from per-currency totals: the customer's own currency when it has one, else
 * the largest total.
 * NOTE: for a customer billed in two currencies, the card shows only one of the totals.
 */
function pickTotal(totals: ReadonlyMap<string, number>, preferred: string | null): MoneyView | null {
  if (preferred !== null && totals.has(preferred)) return moneyView(totals.get(preferred)!, preferred);
  let best: [string, number] | null = null;
  for (const entry of totals) if (best === null || entry[1] > best[1]) best = entry;
  return best ? moneyView(best[1], best[0]) : null;
}

function sumByCurrency(invoices: readonly LedgerInvoice[]): Map<string, number> {
  const totals = new Map<string, number>();
  for (const invoice of invoices) {
    totals.set(invoice.currency, (totals.get(invoice.currency) ?? 0) + invoice.amountRemaining);
  }
  return totals;
}

/** Open and overdue totals; zero in the customer's currency when nothing is owed. */
function owedTotals(ledger: CustomerLedger): {
  openAmount: MoneyView | null;
  overdueAmount: MoneyView | null;
} {
  const owed = owedInvoices(ledger);
  const currency = ledger.customer.currency;
  if (owed.length === 0) {
    const zero = currency ? moneyView(0, currency) : null;
    return { openAmount: zero, overdueAmount: zero };
  }
  const openTotals = sumByCurrency(owed);
  const openAmount = pickTotal(openTotals, currency);
  const overdueTotals = sumByCurrency(owed.filter((invoice) => invoice.daysOverdue > 0));
  const overdueAmount = openAmount
    ? moneyView(overdueTotals.get(openAmount.currency) ?? 0, openAmount.currency)
    : null;
  return { openAmount, overdueAmount };
}

function mrrView(ledger: CustomerLedger): MoneyView | null {
  return pickTotal(new Map(Object.entries(ledger.mrrByCurrency)), ledger.customer.currency);
}

/** Returns the status of the newest subscription that has not ended, else of the newest one. */
function subscriptionStatus(ledger: CustomerLedger): string | null {
  const ended = new Set(['canceled', 'incomplete_expired']);
  const live = ledger.subscriptions.find((subscription) => !ended.has(subscription.status));
  return (live ?? ledger.subscriptions[0])?.status ?? null;
}

function cardLabel(brand: string | null, last4: string | null): string | null {
  if (!brand && !last4) return null;
  return [brand, last4 ? `•••• ${last4}` : null].filter(Boolean).join(' ');
}

function attemptView(attempt: LedgerPaymentAttempt): PaymentAttemptView {
  const decline = attempt.status === 'failed' ? describeDecline(attempt) : null;
  return {
    attemptedAt: attempt.attemptedAt,
    status: attempt.status,
    amount: moneyView(attempt.amount, attempt.currency),
    declineText: decline ? decline.text : null,
    declineKind: decline ? decline.kind : null,
    card: cardLabel(attempt.cardBrand, attempt.cardLast4),
  };
}

/** Whole days until the card stops working: cards are valid through the last day of the expiry month. */
export function daysToCardExpiry(expMonth: number, expYear: number, now: Date): number {
  const firstInvalidDay = Date.UTC(expYear, expMonth, 1);
  return Math.floor((firstInvalidDay - now.getTime()) / dayMs);
}

function paymentCardView(methods: readonly LedgerPaymentMethod[], now: Date): LinkedCardView['paymentCard'] {
  const card = methods.find((method) => method.type === 'card') ?? methods[0];
  if (!card) return null;
  const hasExpiry = card.expMonth !== null && card.expYear !== null;
  return {
    brand: card.cardBrand,
    last4: card.cardLast4,
    expMonth: card.expMonth,
    expYear: card.expYear,
    expiresInDays: hasExpiry ? daysToCardExpiry(card.expMonth!, card.expYear!, now) : null,
  };
}

function openInvoiceView(invoice: LedgerInvoice): OpenInvoiceView {
  return {
    stripeInvoiceId: invoice.stripeInvoiceId,
    number: invoice.number,
    amountRemaining: moneyView(invoice.amountRemaining, invoice.currency),
    dueDate: invoice.dueDate,
    daysOverdue: invoice.daysOverdue,
    nextPaymentAttempt: invoice.nextPaymentAttempt,
    // TODO: fill from the dunning engine's plan and the collections forecast once they exist.
    nextPlannedStep: null,
    recoveryProbability: null,
  };
}

function earliestRetry(invoices: readonly LedgerInvoice[]): string | null {
  const times = invoices.flatMap((invoice) =>
    invoice.nextPaymentAttempt ? [invoice.nextPaymentAttempt] : [],
  );
  return times.length === 0 ? null : times.reduce((a, b) => (Date.parse(a) <= Date.parse(b) ? a : b));
}

function dunningView(input: CardViewInput): LinkedCardView['dunning'] {
  const { ledger, dunningPausedUntil, now } = input;
  const paused = isDunningPaused(dunningPausedUntil, now);
  const open = owedInvoices(ledger).filter((invoice) => invoice.status === 'open');
  return {
    stage: dunningStage(ledger, dunningPausedUntil, now),
    nextRetryAt: earliestRetry(open),
    pausedUntil: paused ? dunningPausedUntil!.toISOString() : null,
  };
}

export function buildCardView(input: CardViewInput): LinkedCardView {
  const { ledger, now } = input;
  return {
    state: 'linked',
    customer: { stripeCustomerId: ledger.customer.stripeCustomerId, name: ledger.customer.name },
    health: healthView(input.health, input.trendSince30Days),
    subscriptionStatus: subscriptionStatus(ledger),
    mrr: mrrView(ledger),
    ...owedTotals(ledger),
    recentAttempts: ledger.recentPaymentAttempts.slice(0, recentAttemptCount).map(attemptView),
    dunning: dunningView(input),
    paymentCard: paymentCardView(ledger.paymentMethods, now),
    openInvoices: owedInvoices(ledger).map(openInvoiceView),
    actions: decideCardActions(input),
  };
}
