/**
 * Idempotency keys of card actions (unique per tenant in card_actions). Two requests with the same
 * key record one action, so a double click does nothing new:
 * - retry_payment: customer, invoice and the invoice's attempt_count. Once Stripe makes another
 *   attempt, the count changes and the CSM may retry again.
 * - send_card_update_link: customer and the 10-minute UTC window (:00, :10, ...) of the request, so
 *   one customer gets at most one link per window.
 * - pause_dunning, resume_dunning: customer and the id of the customer's newest finished card action.
 *   Clicks while nothing has finished share a key; after a pause runs, a resume and a later pause
 *   get new keys.
 */
import type { CardActionName } from '../../cards/view-model-types';

export const cardUpdateLinkWindowMs = 10 * 60 * 1000;

export function retryPaymentKey(customerId: string, stripeInvoiceId: string, attemptCount: number): string {
  return `retry_payment:${customerId}:${stripeInvoiceId}:${attemptCount}`;
}

export function cardUpdateLinkKey(customerId: string, now: Date): string {
  const windowStart = Math.floor(now.getTime() / cardUpdateLinkWindowMs) * cardUpdateLinkWindowMs;
  return `send_card_update_link:${customerId}:${new Date(windowStart).toISOString()}`;
}

export function dunningActionKey(
  action: Extract<CardActionName, 'pause_dunning' | 'resume_dunning'>,
  customerId: string,
  newestFinishedActionId: string | null,
): string {
  return `${action}:${customerId}:after-${newestFinishedActionId ?? 'none'}`;
}

/** Returns the invoice attempt_count stored in a retry_payment key, or null for any other key. */
export function attemptCountFromKey(idempotencyKey: string): number | null {
  const match = /^retry_payment:[^:]+:[^:]+:(\d+)$/.exec(idempotencyKey);
  return match ? Number(match[1]) : null;
}
