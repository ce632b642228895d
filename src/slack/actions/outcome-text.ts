/** Plain words for a finished card action: the short history detail and the ephemeral result. */
import type { CardActionName, CardActionStatus } from '../../db/schema';
import { formatMoney } from '../../money/currency';
import type { AlertActionId } from './button-value';

export interface FinishedCardAction {
  id: string;
  action: CardActionName;
  status: CardActionStatus;
  result: Record<string, unknown> | null;
  error: string | null;
  stripe_invoice_id: string | null;
}

const actionNames: Record<CardActionName, string> = {
  retry_payment: 'Payment retry',
  send_card_update_link: 'Card-update link',
  pause_dunning: 'Dunning pause',
  resume_dunning: 'Dunning resume',
};

export function alertActionIdFor(action: CardActionName): AlertActionId | 'resume_dunning' {
  return action === 'pause_dunning' ? 'pause_dunning_7d' : action;
}

export function isFinishedStatus(status: CardActionStatus): status is 'succeeded' | 'failed' | 'rejected' {
  return status === 'succeeded' || status === 'failed' || status === 'rejected';
}

function formatTime(iso: unknown): string {
  if (typeof iso !== 'string' || Number.isNaN(Date.parse(iso))) return 'an unknown time';
  return `${new Date(iso).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function collected(result: Record<string, unknown>): string {
  if (result.paymentPending) return 'payment submitted, the bank has not confirmed it yet';
  if (typeof result.amountPaid === 'number' && typeof result.currency === 'string') {
    return `collected ${formatMoney(result.amountPaid, result.currency)}`;
  }
  return 'collected the amount due';
}

/**
 * Returns the short outcome shown in the alert's history. It never contains the card-update URL,
 * because every channel member can read the message and the link opens the customer's billing details.
 */
export function historyDetail(row: FinishedCardAction): string | undefined {
  const result = row.result ?? {};
  if (row.status !== 'succeeded') return row.error ?? undefined;
  if (row.action === 'retry_payment') return collected(result);
  if (row.action === 'send_card_update_link') return 'link sent to the requester';
  if (row.action === 'pause_dunning') return `paused until ${formatTime(result.pausedUntil)}`;
  return undefined;
}

/** Builds the ephemeral message to the CSM who requested the action, with the link for a card update. */
export function resultMessage(row: FinishedCardAction): string {
  const result = row.result ?? {};
  const invoice = row.stripe_invoice_id ? ` of invoice ${row.stripe_invoice_id}` : '';
  const name = `${actionNames[row.action]}${invoice}`;
  if (row.status !== 'succeeded') return `${name} ${row.status}: ${row.error ?? 'no reason recorded'}.`;
  if (row.action === 'send_card_update_link' && typeof result.url === 'string') {
    const expiry = result.expiresAt ? ` It expires at ${formatTime(result.expiresAt)}.` : '';
    // TODO: send the link to the customer from here once an outreach channel (email) exists.
    return `${name} created. Send it to the customer yourself: ${result.url}${expiry}`;
  }
  return `${name} succeeded: ${historyDetail(row) ?? 'done'}.`;
}
