import { attachDefaultCard, drawReplacementCard } from './cards';
import { findDeclineProfile } from './declines';
import { attemptTime, retryOffsetDays, type FailurePlan } from './failure-plans';
import {
  emitDelinquency,
  emitSubscriptionStatus,
  type HistoryContext,
  type OpenInvoice,
} from './history-context';
import { invoiceSnapshot } from './invoice-shapes';
import { recordFailedPayment, recordSuccessfulPayment } from './payment-attempts';
import { paymentMethodSnapshot } from './stripe-shapes';
import { daySeconds } from './time';

/** Event sequences for an invoice that does not get paid on its first attempt. */

function cycleStartOf(open: OpenInvoice): number {
  return open.invoice.linePeriodStart;
}

/**
 * Fails one automatic attempt per planned decline. Stripe schedules the next attempt only while the
 * schedule has one left and the decline is worth retrying.
 */
function failAttempts(
  context: HistoryContext,
  plan: FailurePlan,
  open: OpenInvoice,
  scheduledAttempts: number,
): void {
  const cycleStart = cycleStartOf(open);
  plan.declines.forEach((code, attempt) => {
    const decline = findDeclineProfile(code);
    const retries = attempt + 1 < scheduledAttempts && decline.retryable;
    const nextAttempt = retries ? attemptTime(cycleStart, attempt + 1) : null;
    recordFailedPayment(context, open, attemptTime(cycleStart, attempt), { decline, nextAttempt });
  });
}

function lastAttemptTime(plan: FailurePlan, open: OpenInvoice): number {
  return attemptTime(cycleStartOf(open), plan.declines.length - 1);
}

/**
 * After the last retry fails, cancels the subscription and marks the invoice uncollectible: the
 * Stripe retry settings this demo assumes (both outcomes are configurable in Stripe).
 */
function exhaustRetries(context: HistoryContext, plan: FailurePlan, open: OpenInvoice): void {
  failAttempts(context, plan, open, plan.declines.length);
  const canceledAt = lastAttemptTime(plan, open) + 5;
  const { subscription } = context;
  subscription.canceledAt = canceledAt;
  subscription.endedAt = canceledAt;
  subscription.cancellationReason = 'payment_failed';
  emitSubscriptionStatus(context, 'canceled', canceledAt);
  open.invoice.status = 'uncollectible';
  open.invoice.markedUncollectibleAt = canceledAt + 1;
  open.invoice.nextPaymentAttempt = null;
  const snapshot = invoiceSnapshot(open.invoice);
  context.log.emit(context.apiVersion, 'invoice.marked_uncollectible', canceledAt + 1, snapshot);
}

/**
 * Plays out the customer's own fix after a decline no retry can fix: authenticating on the hosted
 * invoice page, or adding a new card (and removing the declined one) and paying with it.
 */
function customerFixes(context: HistoryContext, plan: FailurePlan, open: OpenInvoice): void {
  failAttempts(context, plan, open, 1);
  const fixedAt = lastAttemptTime(plan, open) + context.random.int(daySeconds, 3 * daySeconds);
  if (plan.declines[0] === 'authentication_required') {
    recordSuccessfulPayment(context, open, fixedAt);
    return;
  }
  const declinedCard = context.paymentMethod;
  const replacement = attachDefaultCard(context, drawReplacementCard(context.random, fixedAt), fixedAt);
  const detached = { ...paymentMethodSnapshot(declinedCard, context.shape), customer: null };
  const previous = { customer: context.customer.id };
  context.log.emit(context.apiVersion, 'payment_method.detached', fixedAt + 5, detached, previous);
  recordSuccessfulPayment(context, open, fixedAt + 60, replacement);
}

/** Lets a `send_invoice` invoice pass its due date unpaid, so the subscription goes past_due. */
function leaveUnpaid(context: HistoryContext, open: OpenInvoice, now: number): void {
  const { dueDate } = open.invoice;
  if (dueDate === null || dueDate + 61 > now) return;
  emitSubscriptionStatus(context, 'past_due', dueDate + 60);
  emitDelinquency(context, true, dueDate + 61);
  const overdueNoticeAt = dueDate + daySeconds;
  if (overdueNoticeAt <= now) {
    context.log.emit(context.apiVersion, 'invoice.overdue', overdueNoticeAt, invoiceSnapshot(open.invoice));
  }
}

/** Plays out a failure plan on its invoice and returns false when the subscription ended. */
export function runFailurePlan(
  context: HistoryContext,
  plan: FailurePlan,
  open: OpenInvoice,
  now: number,
): boolean {
  switch (plan.resolution) {
    case 'retry_succeeds':
      failAttempts(context, plan, open, retryOffsetDays.length);
      recordSuccessfulPayment(context, open, attemptTime(cycleStartOf(open), plan.declines.length));
      return true;
    case 'retry_pending':
      failAttempts(context, plan, open, retryOffsetDays.length);
      return true;
    case 'customer_fixes':
      customerFixes(context, plan, open);
      return true;
    case 'exhausted':
      exhaustRetries(context, plan, open);
      return false;
    case 'unpaid':
      leaveUnpaid(context, open, now);
      return true;
  }
}
