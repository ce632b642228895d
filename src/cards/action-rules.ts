/**
 * Rules for the CSM actions on the payment-health card: whether each is enabled, and the reason when
 * not. Pure functions of the ledger, the pending card actions and the dunning pause, so the card and
 * the action endpoint apply the same rules.
 */
import type { CardActionName, CardActionView } from '../../cards/view-model-types';
import { describeDecline, type DeclineDescription } from '../ledger/decline-codes';
import type { CustomerLedger, LedgerInvoice, LedgerSubscription } from '../ledger/read';

export type DunningStage = 'none' | 'retrying' | 'paused' | 'exhausted';

/** A card action still waiting for the worker or being run by it. */
export interface PendingCardAction {
  action: CardActionName;
  stripeInvoiceId: string | null;
  /** The invoice's attempt_count when the retry was requested; null for other actions. */
  invoiceAttemptCount: number | null;
  status: 'queued' | 'running';
}

export interface ActionRuleInput {
  ledger: CustomerLedger;
  pendingActions: readonly PendingCardAction[];
  /** customers.dunning_paused_until; a time in the past means not paused. */
  dunningPausedUntil: Date | null;
  now: Date;
}

export interface RetryDecision {
  view: CardActionView;
  /** The invoice a retry would pay; null when the retry is disabled. */
  invoice: LedgerInvoice | null;
}

const enabled: CardActionView = { enabled: true, disabledReason: null };

function disabled(reason: string): CardActionView {
  return { enabled: false, disabledReason: reason };
}

function formatTime(time: Date): string {
  return `${time.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Invoices with an amount still owed, oldest first (status `open` or `uncollectible`). */
export function owedInvoices(ledger: CustomerLedger): LedgerInvoice[] {
  return ledger.openInvoices.filter((invoice) => invoice.amountRemaining > 0);
}

export function isDunningPaused(pausedUntil: Date | null, now: Date): boolean {
  return pausedUntil !== null && pausedUntil.getTime() > now.getTime();
}

/** Describes the newest payment attempt's decline, or returns null when that attempt did not fail. */
export function lastDecline(ledger: CustomerLedger): DeclineDescription | null {
  const newest = ledger.recentPaymentAttempts[0];
  if (!newest || newest.status !== 'failed') return null;
  return describeDecline(newest);
}

/**
 * Stripe sets `unpaid` when its retries end and the subscription is left unpaid. The ledger stores
 * no cancellation reason, so a canceled subscription that still has an owed invoice counts as
 * canceled for non-payment.
 */
function endedForNonPayment(subscription: LedgerSubscription, owed: readonly LedgerInvoice[]): boolean {
  if (subscription.status === 'unpaid') return true;
  if (subscription.status !== 'canceled') return false;
  return owed.some((invoice) => invoice.stripeSubscriptionId === subscription.stripeSubscriptionId);
}

export function dunningStage(ledger: CustomerLedger, pausedUntil: Date | null, now: Date): DunningStage {
  if (isDunningPaused(pausedUntil, now)) return 'paused';
  const owed = owedInvoices(ledger);
  const uncollectible = owed.some((invoice) => invoice.status === 'uncollectible');
  if (uncollectible || ledger.subscriptions.some((sub) => endedForNonPayment(sub, owed))) return 'exhausted';
  const retrying = owed.some((invoice) => invoice.status === 'open' && invoice.nextPaymentAttempt !== null);
  return retrying ? 'retrying' : 'none';
}

function hasPending(input: ActionRuleInput, action: CardActionName): boolean {
  return input.pendingActions.some((pending) => pending.action === action);
}

function retryIsPending(input: ActionRuleInput, invoice: LedgerInvoice): boolean {
  return input.pendingActions.some(
    (pending) =>
      pending.action === 'retry_payment' &&
      pending.stripeInvoiceId === invoice.stripeInvoiceId &&
      pending.invoiceAttemptCount === invoice.attemptCount,
  );
}

/**
 * Decides whether "Retry payment" may run, and on which invoice: the requested one, else the oldest
 * owed invoice without a retry already queued for its current attempt.
 */
export function decideRetryPayment(input: ActionRuleInput, stripeInvoiceId?: string): RetryDecision {
  const reject = (reason: string): RetryDecision => ({ view: disabled(reason), invoice: null });
  if (input.ledger.customer.deleted) return reject('The customer is deleted in Stripe');

  const owed = owedInvoices(input.ledger);
  const candidates = stripeInvoiceId
    ? owed.filter((owedInvoice) => owedInvoice.stripeInvoiceId === stripeInvoiceId)
    : owed;
  if (candidates.length === 0) {
    return reject(
      stripeInvoiceId
        ? `Invoice ${stripeInvoiceId} is not an open invoice of this customer`
        : 'No open invoice to retry',
    );
  }

  const decline = lastDecline(input.ledger);
  if (decline?.kind === 'hard') {
    return reject(`The last payment was declined (${decline.text}); send a card-update link instead`);
  }

  const invoice = candidates.find((candidate) => !retryIsPending(input, candidate));
  if (!invoice) {
    const first = candidates[0]!;
    return reject(`A retry of invoice ${first.number ?? first.stripeInvoiceId} is already queued`);
  }
  return { view: enabled, invoice };
}

export function decideSendCardUpdateLink(input: ActionRuleInput): CardActionView {
  if (input.ledger.customer.deleted) return disabled('The customer is deleted in Stripe');
  return enabled;
}

export function decidePauseDunning(input: ActionRuleInput): CardActionView {
  if (input.ledger.customer.deleted) return disabled('The customer is deleted in Stripe');
  if (hasPending(input, 'pause_dunning')) return disabled('A pause is already queued');
  if (isDunningPaused(input.dunningPausedUntil, input.now)) {
    return disabled(`Dunning is already paused until ${formatTime(input.dunningPausedUntil!)}`);
  }
  const stage = dunningStage(input.ledger, input.dunningPausedUntil, input.now);
  if (stage === 'exhausted') return disabled('Dunning has ended: Stripe stopped retrying this customer');
  if (owedInvoices(input.ledger).length === 0) return disabled('No unpaid invoice to pause dunning for');
  return enabled;
}

export function decideResumeDunning(input: ActionRuleInput): CardActionView {
  if (hasPending(input, 'resume_dunning')) return disabled('A resume is already queued');
  if (!isDunningPaused(input.dunningPausedUntil, input.now)) return disabled('Dunning is not paused');
  return enabled;
}

export function decideCardActions(input: ActionRuleInput): Record<CardActionName, CardActionView> {
  return {
    retry_payment: decideRetryPayment(input).view,
    send_card_update_link: decideSendCardUpdateLink(input),
    pause_dunning: decidePauseDunning(input),
    resume_dunning: decideResumeDunning(input),
  };
}
