import type { InvoiceChange, SubscriptionChange } from '../ledger/changes';
import { describeDecline, type DeclineInput } from '../ledger/decline-codes';
import { formatMoney } from '../money/currency';
import type { ActivityKind } from './activity-log';

/** Purpose of an activity. The note and the task of one event share it. */
export type ActivityPurpose =
  'payment_failed' | 'payment_recovered' | 'dunning_exhausted' | 'subscription_canceled';

/** Ledger facts about one processed Stripe event, gathered before deciding. */
export interface EventFacts {
  eventId: string;
  eventType: string;
  /** The customer's name, else the Stripe customer id. */
  customerLabel: string;
  invoice: InvoiceChange | null;
  subscription: SubscriptionChange | null;
  /** The latest failed payment attempt of the invoice, or null when none is recorded yet. */
  decline: DeclineInput | null;
  /** Failed payment attempts recorded for the invoice, this event's included. */
  failedAttempts: number;
  /** An invoice of the canceled subscription that still has an amount remaining. */
  unpaidInvoice: UnpaidInvoice | null;
}

export interface UnpaidInvoice {
  label: string;
  amountRemaining: number;
  currency: string;
}

export interface PlannedActivity {
  kind: ActivityKind;
  purpose: ActivityPurpose;
  title: string;
  body: string;
  dueAt: Date | null;
}

/** The hour (UTC) a task falls due. NOTE: tenants have no time zone setting yet, so this is UTC. */
const TASK_DUE_HOUR_UTC = 9;

export function sourceKeyFor(eventId: string, purpose: ActivityPurpose): string {
  return `stripe:${eventId}:${purpose}`;
}

/** Returns 09:00 UTC of the first Monday-to-Friday day after `now`. Public holidays are not skipped. */
export function nextBusinessDay(now: Date): Date {
  const tomorrow = now.getUTCDate() + 1;
  const due = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), tomorrow, TASK_DUE_HOUR_UTC));
  while (due.getUTCDay() === 0 || due.getUTCDay() === 6) due.setUTCDate(due.getUTCDate() + 1);
  return due;
}

function formatUtc(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function invoiceLabel(invoice: InvoiceChange): string {
  return invoice.number ?? invoice.stripeInvoiceId;
}

function paymentFailed(facts: EventFacts, invoice: InvoiceChange, now: Date): PlannedActivity[] {
  const decline = facts.decline ? describeDecline(facts.decline) : null;
  const amount = formatMoney(invoice.amountRemaining, invoice.currency);
  const nextRetry = invoice.nextPaymentAttempt ? formatUtc(invoice.nextPaymentAttempt) : 'none scheduled';
  const body = [
    `Amount: ${amount}`,
    `Invoice: ${invoiceLabel(invoice)}`,
    // NOTE: charge.failed can arrive after invoice.payment_failed, so the reason may not be recorded yet.
    `Decline reason: ${decline ? decline.text : 'not received from Stripe yet'}`,
    `Attempt: ${invoice.attemptCount}`,
    `Next retry: ${nextRetry}`,
  ].join('\n');
  const note: PlannedActivity = {
    kind: 'note',
    purpose: 'payment_failed',
    title: `Payment failed: ${amount} on invoice ${invoiceLabel(invoice)}`,
    body,
    dueAt: null,
  };
  const firstFailure = invoice.attemptCount <= 1;
  if (!firstFailure && decline?.kind !== 'hard') return [note];
  const task: PlannedActivity = {
    kind: 'task',
    purpose: 'payment_failed',
    title: `Contact ${facts.customerLabel} about a failed payment`,
    body,
    dueAt: nextBusinessDay(now),
  };
  return [note, task];
}

function paymentRecovered(invoice: InvoiceChange): PlannedActivity {
  const amount = formatMoney(invoice.amountPaid, invoice.currency);
  return {
    kind: 'note',
    purpose: 'payment_recovered',
    title: `Payment recovered: ${amount} on invoice ${invoiceLabel(invoice)}`,
    body: [
      `Amount paid: ${amount}`,
      `Invoice: ${invoiceLabel(invoice)}`,
      `Attempts: ${invoice.attemptCount}`,
    ].join('\n'),
    dueAt: null,
  };
}

function dunningExhausted(facts: EventFacts, unpaid: UnpaidInvoice, now: Date): PlannedActivity[] {
  const amount = formatMoney(unpaid.amountRemaining, unpaid.currency);
  const body = [
    `Amount unpaid: ${amount}`,
    `Invoice: ${unpaid.label}`,
    'Stripe stopped retrying the payment.',
  ].join('\n');
  return [
    {
      kind: 'note',
      purpose: 'dunning_exhausted',
      title: `Dunning exhausted: invoice ${unpaid.label} unpaid`,
      body,
      dueAt: null,
    },
    {
      kind: 'task',
      purpose: 'dunning_exhausted',
      title: `Contact ${facts.customerLabel} about an unpaid invoice`,
      body,
      dueAt: nextBusinessDay(now),
    },
  ];
}

function subscriptionCanceled(subscription: SubscriptionChange): PlannedActivity {
  const endedAt = subscription.endedAt ?? subscription.canceledAt;
  const body = [
    `Subscription: ${subscription.stripeSubscriptionId}`,
    `Monthly recurring revenue lost: ${formatMoney(subscription.mrrMinor, subscription.currency)}`,
    `Ended: ${endedAt ? formatUtc(endedAt) : 'unknown'}`,
  ].join('\n');
  return {
    kind: 'note',
    purpose: 'subscription_canceled',
    title: 'Subscription canceled',
    body,
    dueAt: null,
  };
}

/**
 * Decides the notes and tasks for one processed Stripe event. Events of other types, and events
 * without the ledger object they are about, produce none.
 */
export function decideActivities(facts: EventFacts, now: Date): PlannedActivity[] {
  const { invoice, subscription } = facts;
  if (facts.eventType === 'invoice.payment_failed' && invoice) return paymentFailed(facts, invoice, now);
  if (facts.eventType === 'invoice.paid' && invoice) {
    const hadFailures = facts.failedAttempts > 0 || invoice.attemptCount > 1;
    return hadFailures ? [paymentRecovered(invoice)] : [];
  }
  if (facts.eventType === 'invoice.marked_uncollectible' && invoice) {
    const unpaid = {
      label: invoiceLabel(invoice),
      amountRemaining: invoice.amountRemaining,
      currency: invoice.currency,
    };
    return dunningExhausted(facts, unpaid, now);
  }
  if (facts.eventType === 'customer.subscription.deleted' && subscription) {
    const canceled = subscriptionCanceled(subscription);
    if (!facts.unpaidInvoice) return [canceled];
    return [canceled, ...dunningExhausted(facts, facts.unpaidInvoice, now)];
  }
  return [];
}
