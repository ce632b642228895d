/**
 * Handles one click on an alert button up to the point where Slack gets its ack: checks the value and
 * the clicking user, records the card action or the claim, and queues the work. The Stripe call, the
 * CRM note and the message update happen later, outside the request.
 */
import type { Logger } from 'pino';
import { recordCardAction, type CardActionRequest } from '../../cards/record-card-action';
import type { CardActionStatus } from '../../db/schema';
import { AppError } from '../../errors';
import { authorizeClick, loadClickedAlert, type ClickedAlert } from './authorize-click';
import { changeAlertContent, withActionEntry, withClaim } from './alert-history';
import {
  buttonPauseDays,
  parseAlertButtonValue,
  type AlertActionId,
  type AlertButtonValue,
} from './button-value';
import { isFinishedStatus, resultMessage } from './outcome-text';
import { slackRequester, type AlertActionDeps, type AlertActionEntry, type ClickOrigin } from './types';

export interface AlertClick {
  actionId: AlertActionId;
  /** The button's `value`, not yet parsed. */
  value: string | undefined;
  origin: ClickOrigin;
}

export interface ClickResult {
  /** Ephemeral text for the clicking user, or null when the updated message is enough. */
  reply: string | null;
  /** Work that may wait until after the ack, such as queueing the message update. */
  followUp: (() => Promise<void>) | null;
}

const cardActionErrors = new Set(['action_not_allowed', 'customer_not_found']);

function rejectClick(log: Logger, code: string, reason: string, alertId?: string): ClickResult {
  log.info({ code, slackAlertId: alertId }, 'Slack alert click rejected');
  return { reply: `You can't act on this alert: ${reason}.`, followUp: null };
}

function cardActionRequest(
  alert: ClickedAlert,
  value: AlertButtonValue,
  click: AlertClick,
): CardActionRequest {
  const base = {
    tenantId: alert.tenantId,
    stripeCustomerId: alert.stripeCustomerId,
    requestedBy: slackRequester(click.origin),
    source: 'slack' as const,
  };
  if (click.actionId === 'retry_payment')
    return { ...base, action: 'retry_payment', stripeInvoiceId: value.invoiceId };
  if (click.actionId === 'pause_dunning_7d')
    return { ...base, action: 'pause_dunning', pauseDays: buttonPauseDays };
  return { ...base, action: 'send_card_update_link' };
}

async function queueMessageUpdate(deps: AlertActionDeps, alertId: string, log: Logger): Promise<void> {
  try {
    await deps.queues.enqueueSlackPost(alertId, 0);
  } catch (error) {
    log.warn({ slackAlertId: alertId, err: (error as Error).message }, 'Slack message update not queued');
  }
}

async function markRequested(deps: AlertActionDeps, alertId: string, entry: AlertActionEntry, log: Logger) {
  const changed = await changeAlertContent(deps.db, alertId, deps.now(), ({ content }) =>
    withActionEntry(content, entry),
  );
  if (changed) await queueMessageUpdate(deps, alertId, log);
}

async function duplicateReply(
  deps: AlertActionDeps,
  actionId: string,
  status: CardActionStatus,
): Promise<string> {
  if (!isFinishedStatus(status)) {
    return 'This was already requested and is still running; the alert message shows the outcome when it finishes.';
  }
  const row = await deps.db
    .selectFrom('card_actions')
    .select(['id', 'action', 'status', 'result', 'error', 'stripe_invoice_id'])
    .where('id', '=', actionId)
    .executeTakeFirstOrThrow();
  return `This was already done. ${resultMessage(row)}`;
}

async function requestCardAction(
  deps: AlertActionDeps,
  alert: ClickedAlert,
  value: AlertButtonValue,
  click: AlertClick,
  log: Logger,
): Promise<ClickResult> {
  const recordDeps = { ...deps, now: deps.now(), log, enqueueTimeoutMs: deps.enqueueTimeoutMs ?? 500 };
  let recorded;
  try {
    recorded = await recordCardAction(recordDeps, cardActionRequest(alert, value, click));
  } catch (error) {
    if (!(error instanceof AppError) || !cardActionErrors.has(error.code)) throw error;
    log.info({ code: error.code, slackAlertId: alert.alertId }, 'Slack alert action not allowed');
    return { reply: `${error.message}.`, followUp: null };
  }
  if (recorded.duplicate) {
    return { reply: await duplicateReply(deps, recorded.actionId, recorded.status), followUp: null };
  }
  const entry: AlertActionEntry = {
    action: click.actionId,
    userId: click.origin.userId,
    at: deps.now().toISOString(),
    outcome: 'requested',
    cardActionId: recorded.actionId,
  };
  return { reply: null, followUp: () => markRequested(deps, alert.alertId, entry, log) };
}

async function claimAlert(deps: AlertActionDeps, alert: ClickedAlert, origin: ClickOrigin, log: Logger) {
  const now = deps.now();
  const claim = { userId: origin.userId, teamId: origin.teamId ?? 'none', at: now.toISOString() };
  const changed = await changeAlertContent(
    deps.db,
    alert.alertId,
    now,
    ({ content }) => withClaim(content, claim),
    async (trx, locked) => {
      const previous = (locked.content.claimedBy as { userId?: string } | undefined)?.userId ?? null;
      await trx
        .insertInto('audit_log')
        .values({
          tenant_id: alert.tenantId,
          actor: slackRequester(origin),
          action: 'slack_alert.claim',
          subject: `slack-alert:${alert.alertId}`,
          details: JSON.stringify({ customerId: alert.customerId, previousClaimUserId: previous }),
          created_at: now,
        })
        .execute();
    },
  );
  log.info({ slackAlertId: alert.alertId, changed }, 'Slack alert claimed');
  return { reply: null, followUp: changed ? () => queueMessageUpdate(deps, alert.alertId, log) : null };
}

/** Runs the checks and records the click. Throws only on unexpected failures, such as a lost database. */
export async function handleAlertClick(deps: AlertActionDeps, click: AlertClick): Promise<ClickResult> {
  const { teamId, userId } = click.origin;
  const log = deps.log.child({ slackAction: click.actionId, teamId, userId });
  const value = parseAlertButtonValue(click.value);
  if (!value) return rejectClick(log, 'invalid_button_value', 'the button does not name a valid alert');

  const alert = await loadClickedAlert(deps.db, value.alertId);
  if (!alert) return rejectClick(log, 'alert_not_found', 'the alert no longer exists', value.alertId);
  const decision = await authorizeClick(deps, alert, click.origin);
  if (!decision.allowed) return rejectClick(log, decision.code, decision.reason, alert.alertId);

  const alertLog = log.child({ tenantId: alert.tenantId, slackAlertId: alert.alertId });
  if (click.actionId === 'claim') return claimAlert(deps, alert, click.origin, alertLog);
  return requestCardAction(deps, alert, value, click, alertLog);
}
