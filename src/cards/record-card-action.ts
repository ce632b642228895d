/**
 * Records a CSM action requested from the card: checks it against the card's rules, stores it once
 * per idempotency key in card_actions with an audit row, and hands it to the worker queue. No Stripe
 * or HubSpot call happens here, so the card gets its response well inside HubSpot's fetch timeout.
 */
import type { Logger } from 'pino';
import type { CardActionName } from '../../cards/view-model-types';
import { inTransaction, type Db } from '../db/database';
import type { CardActionStatus } from '../db/schema';
import { AppError } from '../errors';
import type { Queues } from '../queues/queues';
import {
  decidePauseDunning,
  decideResumeDunning,
  decideRetryPayment,
  decideSendCardUpdateLink,
  type ActionRuleInput,
} from './action-rules';
import { cardUpdateLinkKey, dunningActionKey, retryPaymentKey } from './idempotency-keys';
import { loadCardInput } from './load-card-view';

export interface CardActionRequest {
  tenantId: string;
  stripeCustomerId: string;
  action: CardActionName;
  stripeInvoiceId?: string;
  /** Only for pause_dunning; stored as card_actions.result.requested.pauseDays for the worker. */
  pauseDays?: number;
  /** Audit actor, e.g. `hubspot-user:123`; must not be an email address. */
  requestedBy: string;
  source: 'hubspot_card' | 'salesforce_card' | 'slack' | 'api';
}

/** Pause length when the request names none; the actions worker applies the same default. */
export const defaultPauseDays = 7;

export interface RecordedCardAction {
  actionId: string;
  status: CardActionStatus;
  /** True when an earlier request with the same idempotency key recorded the action. */
  duplicate: boolean;
}

export interface RecordDeps {
  db: Db;
  queues: Queues;
  log: Logger;
  now: Date;
  /** How long the request waits for Redis before leaving the job to relayQueuedCardActions. */
  enqueueTimeoutMs?: number;
}

interface PlannedAction {
  idempotencyKey: string;
  stripeInvoiceId: string | null;
}

function notAllowed(action: CardActionName, reason: string): AppError {
  return new AppError('action_not_allowed', `Cannot run ${action}: ${reason}`, { status: 409 });
}

async function newestFinishedActionId(db: Db, tenantId: string, customerId: string): Promise<string | null> {
  const row = await db
    .selectFrom('card_actions')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('customer_id', '=', customerId)
    .where('status', 'in', ['succeeded', 'failed', 'rejected'])
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return row?.id ?? null;
}

/** Chooses the idempotency key, and the invoice for a retry; rejects a retry with no invoice to pay. */
async function planAction(
  db: Db,
  request: CardActionRequest,
  input: ActionRuleInput,
): Promise<PlannedAction> {
  const customerId = input.ledger.customer.id;
  if (request.action === 'retry_payment') {
    const decision = decideRetryPayment({ ...input, pendingActions: [] }, request.stripeInvoiceId);
    if (!decision.invoice)
      throw notAllowed(request.action, decision.view.disabledReason ?? 'no invoice to pay');
    const invoice = decision.invoice;
    return {
      idempotencyKey: retryPaymentKey(customerId, invoice.stripeInvoiceId, invoice.attemptCount),
      stripeInvoiceId: invoice.stripeInvoiceId,
    };
  }
  if (request.action === 'send_card_update_link') {
    return { idempotencyKey: cardUpdateLinkKey(customerId, input.now), stripeInvoiceId: null };
  }
  const finishedId = await newestFinishedActionId(db, request.tenantId, customerId);
  return { idempotencyKey: dunningActionKey(request.action, customerId, finishedId), stripeInvoiceId: null };
}

function checkAllowed(request: CardActionRequest, input: ActionRuleInput, invoiceId: string | null): void {
  const decisions = {
    retry_payment: () => decideRetryPayment(input, invoiceId ?? undefined).view,
    send_card_update_link: () => decideSendCardUpdateLink(input),
    pause_dunning: () => decidePauseDunning(input),
    resume_dunning: () => decideResumeDunning(input),
  } satisfies Record<CardActionName, () => unknown>;
  const view = decisions[request.action]();
  if (!view.enabled) throw notAllowed(request.action, view.disabledReason ?? 'not allowed now');
}

async function findByKey(db: Db, tenantId: string, idempotencyKey: string) {
  return db
    .selectFrom('card_actions')
    .select(['id', 'status'])
    .where('tenant_id', '=', tenantId)
    .where('idempotency_key', '=', idempotencyKey)
    .executeTakeFirst();
}

/** Inserts the action and its audit row; returns null when a concurrent request inserted the key first. */
async function insertAction(
  db: Db,
  request: CardActionRequest,
  customerId: string,
  plan: PlannedAction,
  now: Date,
) {
  return inTransaction(db, async (trx) => {
    const requested =
      request.action === 'pause_dunning' ? { pauseDays: request.pauseDays ?? defaultPauseDays } : {};
    const row = await trx
      .insertInto('card_actions')
      .values({
        tenant_id: request.tenantId,
        customer_id: customerId,
        action: request.action,
        idempotency_key: plan.idempotencyKey,
        source: request.source,
        requested_by: request.requestedBy,
        stripe_invoice_id: plan.stripeInvoiceId,
        result: JSON.stringify({ requested }),
        created_at: now,
      })
      .onConflict((conflict) => conflict.columns(['tenant_id', 'idempotency_key']).doNothing())
      .returning(['id', 'status'])
      .executeTakeFirst();
    if (!row) return null;
    await trx
      .insertInto('audit_log')
      .values({
        tenant_id: request.tenantId,
        actor: request.requestedBy,
        action: `card_action_requested:${request.action}`,
        subject: `card-action:${row.id}`,
        details: JSON.stringify({
          stripeCustomerId: request.stripeCustomerId,
          stripeInvoiceId: plan.stripeInvoiceId,
          source: request.source,
          ...requested,
        }),
        created_at: now,
      })
      .execute();
    return row;
  });
}

/** Adds the job, giving up after `timeoutMs`: the row stays `queued` and the relay enqueues it later. */
export async function enqueueWithTimeout(
  queues: Queues,
  cardActionId: string,
  timeoutMs: number,
): Promise<void> {
  const adding = queues.enqueueCardAction(cardActionId);
  adding.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Redis did not accept the job within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([adding, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Records a card action once per idempotency key. A repeated request returns the first action with
 * `duplicate: true` without checking the rules again. Throws AppError `customer_not_found` (404) or
 * `action_not_allowed` (409, with the reason).
 */
export async function recordCardAction(
  deps: RecordDeps,
  request: CardActionRequest,
): Promise<RecordedCardAction> {
  const input = await loadCardInput(deps.db, request.tenantId, request.stripeCustomerId, deps.now);
  if (!input) {
    throw new AppError(
      'customer_not_found',
      `No Stripe customer "${request.stripeCustomerId}" in this account`,
      {
        status: 404,
      },
    );
  }
  const plan = await planAction(deps.db, request, input);
  const earlier = await findByKey(deps.db, request.tenantId, plan.idempotencyKey);
  if (earlier) return { actionId: earlier.id, status: earlier.status, duplicate: true };

  checkAllowed(request, input, plan.stripeInvoiceId);
  const inserted = await insertAction(deps.db, request, input.ledger.customer.id, plan, deps.now);
  if (!inserted) {
    const winner = await findByKey(deps.db, request.tenantId, plan.idempotencyKey);
    if (!winner)
      throw new Error(`Card action with key ${plan.idempotencyKey} not found after an insert conflict`);
    return { actionId: winner.id, status: winner.status, duplicate: true };
  }

  const log = deps.log.child({
    tenantId: request.tenantId,
    cardActionId: inserted.id,
    action: request.action,
  });
  try {
    await enqueueWithTimeout(deps.queues, inserted.id, deps.enqueueTimeoutMs ?? 2000);
  } catch (error) {
    log.warn({ err: (error as Error).message }, 'card action enqueue failed; the relay will retry');
  }
  log.info('card action recorded');
  return { actionId: inserted.id, status: inserted.status, duplicate: false };
}

/**
 * Enqueues card actions still `queued` after `olderThanMs` (their job was lost or never added, e.g.
 * while Redis was down). The job id is the row id, so a job still waiting is not added twice.
 * Returns how many it enqueued.
 */
export async function relayQueuedCardActions(
  db: Db,
  queues: Queues,
  now: Date,
  options: { olderThanMs?: number; limit?: number } = {},
): Promise<number> {
  const cutoff = new Date(now.getTime() - (options.olderThanMs ?? 60_000));
  const rows = await db
    .selectFrom('card_actions')
    .select('id')
    .where('status', '=', 'queued')
    .where('created_at', '<=', cutoff)
    .orderBy('id')
    .limit(options.limit ?? 500)
    .execute();
  for (const row of rows) await queues.enqueueCardAction(row.id);
  return rows.length;
}
