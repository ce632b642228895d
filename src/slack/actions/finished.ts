/**
 * Follow-up of a card action requested from Slack, after the worker ran it. It records the outcome in
 * the alert's history, queues the message update and sends the result to the requesting CSM. The CRM
 * note and the `audit_log` row come from `runCardAction` itself.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/database';
import { changeAlertContent, withActionEntry } from './alert-history';
import {
  alertActionIdFor,
  historyDetail,
  isFinishedStatus,
  resultMessage,
  type FinishedCardAction,
} from './outcome-text';
import { parseSlackRequester, type AlertActionEntry, type SlackActionDeps } from './types';

export interface FinishedReport {
  /** The alert whose history got the outcome, or null when none did. */
  slackAlertId: string | null;
  /** True when the requester was sent the result; false when an earlier call did or it failed. */
  notified: boolean;
}

interface FinishedRow extends FinishedCardAction {
  tenant_id: string;
  customer_id: string;
  requested_by: string;
  finished_at: Date | null;
}

async function loadFinished(db: Db, cardActionId: string): Promise<FinishedRow | undefined> {
  return db
    .selectFrom('card_actions')
    .select(['id', 'tenant_id', 'customer_id', 'action', 'status', 'result', 'error', 'stripe_invoice_id'])
    .select(['requested_by', 'finished_at'])
    .where('id', '=', cardActionId)
    .executeTakeFirst();
}

/**
 * Finds the alert whose history names the card action. When the worker finished before the click
 * handler wrote the `requested` entry, falls back to the customer's newest posted alert.
 */
async function alertFor(db: Db, row: FinishedRow): Promise<{ id: string; channel_id: string } | undefined> {
  const entry = JSON.stringify([{ cardActionId: row.id }]);
  const named = await db
    .selectFrom('slack_alerts')
    .select(['id', 'channel_id'])
    .where('tenant_id', '=', row.tenant_id)
    .where('customer_id', '=', row.customer_id)
    .where(sql<boolean>`content -> 'actions' @> ${entry}::jsonb`)
    .orderBy('id', 'desc')
    .executeTakeFirst();
  if (named) return named;
  return db
    .selectFrom('slack_alerts')
    .select(['id', 'channel_id'])
    .where('tenant_id', '=', row.tenant_id)
    .where('customer_id', '=', row.customer_id)
    .where('message_ts', 'is not', null)
    .orderBy('updated_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
}

function finishedEntry(row: FinishedRow, userId: string, finishedAt: Date): AlertActionEntry {
  const entry: AlertActionEntry = {
    action: alertActionIdFor(row.action),
    userId,
    at: finishedAt.toISOString(),
    outcome: row.status as AlertActionEntry['outcome'],
    cardActionId: row.id,
    finishedAt: finishedAt.toISOString(),
  };
  const detail = historyDetail(row);
  if (detail !== undefined) entry.detail = detail;
  return entry;
}

async function notifyRequester(deps: SlackActionDeps, row: FinishedRow, channel: string, user: string) {
  const log = deps.log.child({ tenantId: row.tenant_id, cardActionId: row.id });
  try {
    const messaging = await deps.messagingFor(row.tenant_id);
    if (!messaging) {
      log.warn('Slack result not sent: the tenant has no active Slack installation');
      return false;
    }
    await messaging.postEphemeral({ channel, user, text: resultMessage(row) });
    return true;
  } catch (error) {
    log.warn({ err: (error as Error).message }, 'Slack result not sent');
    return false;
  }
}

/**
 * Records a finished card action on its Slack alert and sends the result to the requester. Call it
 * after `runCardAction`. A repeated call (a repeated job) changes and sends nothing. Actions not
 * requested from Slack, and unfinished ones, are skipped. A failed ephemeral is logged, not thrown,
 * because the updated message already shows the outcome.
 */
export async function onCardActionFinished(
  deps: SlackActionDeps,
  cardActionId: string,
): Promise<FinishedReport> {
  const row = await loadFinished(deps.db, cardActionId);
  const requester = row ? parseSlackRequester(row.requested_by) : null;
  if (!row || !requester || !isFinishedStatus(row.status)) return { slackAlertId: null, notified: false };

  const alert = await alertFor(deps.db, row);
  if (!alert) return { slackAlertId: null, notified: false };
  const entry = finishedEntry(row, requester.userId, row.finished_at ?? deps.now());
  const changed = await changeAlertContent(deps.db, alert.id, deps.now(), ({ content }) =>
    withActionEntry(content, entry),
  );
  if (!changed) return { slackAlertId: alert.id, notified: false };

  try {
    await deps.queues.enqueueSlackPost(alert.id, 0);
  } catch (error) {
    // NOTE: the bumped version stays above posted_version, but only the next enqueue of this alert posts it.
    deps.log.warn(
      { slackAlertId: alert.id, err: (error as Error).message },
      'Slack message update not queued',
    );
  }
  const notified = await notifyRequester(deps, row, alert.channel_id, requester.userId);
  return { slackAlertId: alert.id, notified };
}
