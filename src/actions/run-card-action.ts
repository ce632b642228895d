import type { StripeBilling } from '../../integrations/stripe/billing-api';
import { AppError } from '../errors';
import { activityFor } from './activity';
import {
  claimCardAction,
  finishCardAction,
  isFinished,
  loadCardAction,
  noteRetryableFailure,
  storedOutcome,
  withSubjectLock,
} from './card-action-store';
import { pauseDunning, resumeDunning, sendCardUpdateLink } from './customer-actions';
import { retryPayment } from './retry-payment';
import { stripeNotConnectedReason } from './stripe-failures';
import type { ActionOutcome, CardActionDeps, CardActionRow, HandlerContext, HandlerOutcome } from './types';

export type { ActionOutcome, CardActionActivity, CardActionDeps } from './types';

/**
 * Returns the advisory lock key. A payment retry locks its invoice, so retries of one invoice run one at
 * a time. Other actions lock the customer.
 */
function lockKeyFor(row: CardActionRow): string {
  if (row.action === 'retry_payment' && row.stripe_invoice_id) {
    return `card-action:invoice:${row.tenant_id}:${row.stripe_invoice_id}`;
  }
  return `card-action:customer:${row.tenant_id}:${row.customer_id}`;
}

async function perform(
  deps: CardActionDeps,
  conn: HandlerContext['db'],
  row: CardActionRow,
): Promise<HandlerOutcome> {
  const base = { db: conn, row, log: deps.log, now: deps.now() };
  if (row.action === 'pause_dunning') return pauseDunning(base);
  if (row.action === 'resume_dunning') return resumeDunning(base);
  const billing: StripeBilling | null = await deps.billing(row.tenant_id);
  if (!billing) return { status: 'rejected', error: stripeNotConnectedReason, result: {} };
  if (row.action === 'retry_payment') return retryPayment({ ...base, billing });
  return sendCardUpdateLink({ ...base, billing });
}

async function notify(deps: CardActionDeps, row: CardActionRow, outcome: ActionOutcome): Promise<void> {
  if (!deps.onActivity || typeof outcome.result.duplicateOf === 'string') return;
  await deps.onActivity(activityFor(row, outcome));
}

/** Runs the action under its subject lock; an action another run finished meanwhile keeps its stored outcome. */
async function runLocked(
  deps: CardActionDeps,
  cardActionId: string,
): Promise<{ row: CardActionRow; outcome: ActionOutcome }> {
  const first = await loadCardAction(deps.db, cardActionId);
  if (!first) throw new AppError('card_action_not_found', `Card action ${cardActionId} not found`);
  return withSubjectLock(deps.db, lockKeyFor(first), async (conn) => {
    const row = (await loadCardAction(conn, cardActionId)) ?? first;
    if (isFinished(row)) return { row, outcome: storedOutcome(row) };
    const handled = await perform(deps, conn, row);
    return { row, outcome: await finishCardAction(conn, row, handled, deps.now()) };
  });
}

/**
 * Runs one recorded CSM action (the `card-actions` job). A finished action returns its stored outcome
 * without calling Stripe again, so a repeated job is harmless. A retryable Stripe failure (network,
 * rate limit, Stripe outage) is rethrown for the queue to retry. Declines and rejections are outcomes.
 * `onActivity` runs after the outcome is stored, and again on a repeated job, so it must be idempotent
 * on `sourceKey`.
 */
export async function runCardAction(deps: CardActionDeps, cardActionId: string): Promise<ActionOutcome> {
  const log = deps.log.child({ cardActionId });
  await claimCardAction(deps.db, cardActionId);
  try {
    const { row, outcome } = await runLocked(deps, cardActionId);
    // A failed action (a decline, a Stripe error) is something an operator may need to look at.
    const level = outcome.status === 'failed' ? 'warn' : 'info';
    log[level](
      { action: row.action, tenantId: row.tenant_id, status: outcome.status, reason: outcome.error },
      'card action finished',
    );
    await notify(deps, row, outcome);
    return outcome;
  } catch (error) {
    if (error instanceof AppError && error.retryable) {
      log.warn({ code: error.code }, 'card action failed with a retryable error; the queue retries it');
      await noteRetryableFailure(deps.db, cardActionId, error.message);
    }
    throw error;
  }
}
