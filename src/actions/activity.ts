import { formatMoney } from '../money/currency';
import type { CardActionName } from '../db/schema';
import type { ActionOutcome, CardActionActivity, CardActionRow } from './types';

const actionTitles: Record<CardActionName, string> = {
  retry_payment: 'Payment retry',
  send_card_update_link: 'Card-update link',
  pause_dunning: 'Dunning pause',
  resume_dunning: 'Dunning resume',
};

const statusWords: Record<ActionOutcome['status'], string> = {
  succeeded: 'succeeded',
  failed: 'failed',
  rejected: 'rejected',
};

function outcomeLine(row: CardActionRow, outcome: ActionOutcome): string {
  const { result } = outcome;
  if (outcome.status !== 'succeeded') return outcome.error ?? 'No reason recorded';
  if (row.action === 'retry_payment') {
    const amount =
      typeof result.amountPaid === 'number' && typeof result.currency === 'string'
        ? formatMoney(result.amountPaid, result.currency)
        : 'the amount due';
    return result.paymentPending
      ? 'Payment submitted; the bank has not confirmed it yet'
      : `Collected ${amount}`;
  }
  if (row.action === 'send_card_update_link') return 'Link created; send it to the customer from the card';
  if (row.action === 'pause_dunning') return `Dunning paused until ${String(result.pausedUntil)}`;
  return 'Dunning resumed';
}

/**
 * Builds the CRM note for a finished card action. The card-update URL stays out of the note because it
 * gives access to the customer's billing details.
 */
export function activityFor(row: CardActionRow, outcome: ActionOutcome): CardActionActivity {
  const invoice = row.stripe_invoice_id ? ` for invoice ${row.stripe_invoice_id}` : '';
  return {
    tenantId: row.tenant_id,
    customerId: row.customer_id,
    sourceKey: `card-action:${row.id}`,
    title: `${actionTitles[row.action]} ${statusWords[outcome.status]}`,
    body: [
      `${actionTitles[row.action]}${invoice}, requested by ${row.requested_by} (${row.source}).`,
      outcomeLine(row, outcome),
    ].join('\n'),
  };
}
