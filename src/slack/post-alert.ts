/**
 * The `slack-posts` job: shows the latest content of one alert in Slack, posting the message once and
 * updating that same message (chat.update) on every later version.
 */
import { hostname } from 'node:os';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import { markInstallationRevoked } from '../../integrations/slack/installation-store';
import type { ChannelRateLimiter } from '../../integrations/slack/rate-limit';
import {
  toSlackApiError,
  type SlackApiError,
  type SlackBlock,
  type SlackMessageRef,
  type SlackMessaging,
} from '../../integrations/slack/web-api';
import type { Db } from '../db/database';
import { AppError } from '../errors';
import { renderAlertMessage } from '../alerts/message';
import type { AlertContent } from '../alerts/types';

export interface SlackPostDeps {
  db: Db;
  /** Returns the Slack client of the tenant's active installation, or null when there is none. */
  messagingFor: (tenantId: string) => Promise<SlackMessaging | null>;
  limiter: ChannelRateLimiter;
  log: Logger;
  now: () => Date;
  /** Stored in `slack_alerts.claimed_by` while this worker posts; host and pid when unset. */
  workerId?: string;
}

export type SlackPostOutcome =
  | 'posted'
  | 'updated'
  | 'already_posted'
  | 'busy'
  | 'not_found'
  | 'digest'
  | 'not_installed'
  | 'failed'
  | 'revoked';

export interface SlackPostResult {
  outcome: SlackPostOutcome;
  /** The alert version Slack now shows, after a post or update. */
  version?: number;
  messageTs?: string;
}

interface AlertRow {
  id: string;
  tenant_id: string;
  channel_id: string;
  message_ts: string | null;
  content: Record<string, unknown>;
  version: number;
  posted_version: number;
  status: string;
}

interface Target {
  messaging: SlackMessaging;
  teamId: string;
  enterpriseId: string | null;
}

/** Versions that arrive while one job posts are shown by the same job, up to this many Slack calls. */
const maxRounds = 3;

/** Decides what to do about a Slack failure. It is pure, so the policy is testable without Slack. */
export type FailureHandling = 'retry' | 'fix_channel' | 'revoke_installation' | 'reject';

export function failureHandling(error: SlackApiError): FailureHandling {
  if (error.retryable) return 'retry';
  if (['slack_not_in_channel', 'slack_channel_not_found', 'slack_channel_archived'].includes(error.code)) {
    return 'fix_channel';
  }
  if (error.code === 'slack_invalid_auth' || error.code === 'slack_token_revoked')
    return 'revoke_installation';
  return 'reject';
}

/** Builds the `last_error` an admin reads when an alert cannot reach its channel. */
export function channelErrorText(error: SlackApiError, channel: string): string {
  if (error.code === 'slack_not_in_channel') {
    return (
      `The Slack app is not a member of channel ${channel}: ` +
      'invite it there (/invite @app) or route alerts elsewhere.'
    );
  }
  if (error.code === 'slack_channel_archived') {
    return `Slack channel ${channel} is archived: unarchive it or change the channel in the alert settings.`;
  }
  return `Slack channel ${channel} was not found: fix the channel id in the alert settings.`;
}

/**
 * Posts or updates one alert. Two workers never post one alert at once: a session advisory lock on the
 * alert id makes the second return `busy` (the holder shows versions that arrive meanwhile).
 * Retryable Slack failures are rethrown for BullMQ to retry; the stored content is never changed here.
 */
export async function postSlackAlert(deps: SlackPostDeps, slackAlertId: string): Promise<SlackPostResult> {
  const workerId = deps.workerId ?? `${hostname()}:${process.pid}`;
  const lockKey = `slack-alert:${slackAlertId}`;
  const owner = await deps.db
    .selectFrom('slack_alerts')
    .select('tenant_id')
    .where('id', '=', slackAlertId)
    .executeTakeFirst();
  if (!owner) return { outcome: 'not_found' };
  // Resolved before the lock's connection is taken, so one job never holds two pool connections.
  const target = await targetFor(deps, owner.tenant_id);
  return deps.db.connection().execute(async (conn) => {
    const lock = await sql<{ locked: boolean }>`
      SELECT pg_try_advisory_lock(hashtextextended(${lockKey}, 0)) AS locked`.execute(conn);
    if (!lock.rows[0]?.locked) return { outcome: 'busy' };
    try {
      await setClaim(conn, slackAlertId, workerId);
      return await postLatest({ ...deps, db: conn }, slackAlertId, target);
    } finally {
      await setClaim(conn, slackAlertId, null);
      await sql`SELECT pg_advisory_unlock(hashtextextended(${lockKey}, 0))`.execute(conn);
    }
  });
}

async function setClaim(db: Db, slackAlertId: string, workerId: string | null): Promise<void> {
  await db.updateTable('slack_alerts').set({ claimed_by: workerId }).where('id', '=', slackAlertId).execute();
}

async function postLatest(
  deps: SlackPostDeps,
  slackAlertId: string,
  target: Target | null,
): Promise<SlackPostResult> {
  let result: SlackPostResult = { outcome: 'already_posted' };
  for (let round = 0; round < maxRounds; round += 1) {
    const alert = await loadAlert(deps.db, slackAlertId);
    if (!alert) return { outcome: 'not_found' };
    if (alert.status === 'digest') return { outcome: 'digest' };
    if (alert.version <= alert.posted_version) return result;
    if (!target) return recordNotInstalled(deps, alert);
    result = await sendVersion(deps, alert, target);
    if (result.outcome !== 'posted' && result.outcome !== 'updated') return result;
  }
  const alert = await loadAlert(deps.db, slackAlertId);
  if (alert && alert.version > alert.posted_version) {
    throw new AppError(
      'slack_alert_changing',
      `Slack alert ${slackAlertId} changed during ${maxRounds} posts`,
      {
        retryable: true,
      },
    );
  }
  return result;
}

async function loadAlert(db: Db, slackAlertId: string): Promise<AlertRow | undefined> {
  return db
    .selectFrom('slack_alerts')
    .select(['id', 'tenant_id', 'channel_id', 'message_ts', 'content', 'version', 'posted_version', 'status'])
    .where('id', '=', slackAlertId)
    .executeTakeFirst();
}

async function targetFor(deps: SlackPostDeps, tenantId: string): Promise<Target | null> {
  const installation = await deps.db
    .selectFrom('slack_installations')
    .select(['team_id', 'enterprise_id'])
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'active')
    .orderBy('updated_at', 'desc')
    .executeTakeFirst();
  if (!installation) return null;
  const messaging = await deps.messagingFor(tenantId);
  if (!messaging) return null;
  return { messaging, teamId: installation.team_id, enterpriseId: installation.enterprise_id };
}

async function recordNotInstalled(deps: SlackPostDeps, alert: AlertRow): Promise<SlackPostResult> {
  const message = 'No active Slack installation for this tenant: install the Slack app to receive alerts.';
  await recordError(deps.db, alert.id, message, deps.now(), null);
  deps.log.warn(
    { slackAlertId: alert.id, tenantId: alert.tenant_id },
    'Slack alert not posted: no installation',
  );
  return { outcome: 'not_installed' };
}

async function sendVersion(deps: SlackPostDeps, alert: AlertRow, target: Target): Promise<SlackPostResult> {
  const message = renderAlertMessage(alert.content as unknown as AlertContent, alert.id);
  let ref: SlackMessageRef;
  try {
    ref = await deliver(deps, alert, target, message);
  } catch (error) {
    const method = alert.message_ts ? 'chat.update' : 'chat.postMessage';
    return handleFailure(deps, alert, target, toSlackApiError(error, method));
  }
  const latestVersion = await storePosted(deps.db, alert, ref.ts, deps.now());
  const outcome = alert.message_ts === ref.ts ? 'updated' : 'posted';
  deps.log.info(
    { slackAlertId: alert.id, version: alert.version, latestVersion, channel: alert.channel_id, outcome },
    'Slack alert shown',
  );
  return { outcome, version: alert.version, messageTs: ref.ts };
}

/** Updates the alert's message, or posts one when there is none yet or Slack no longer has it. */
async function deliver(
  deps: SlackPostDeps,
  alert: AlertRow,
  target: Target,
  message: { text: string; blocks: SlackBlock[] },
): Promise<SlackMessageRef> {
  const channel = alert.channel_id;
  await deps.limiter.acquire(target.teamId, channel);
  if (alert.message_ts) {
    try {
      return await target.messaging.updateMessage({ channel, ts: alert.message_ts, ...message });
    } catch (error) {
      if (toSlackApiError(error, 'chat.update').code !== 'slack_message_not_found') throw error;
      deps.log.warn(
        { slackAlertId: alert.id, channel },
        'Slack message of the alert is gone; posting a new one',
      );
      await deps.limiter.acquire(target.teamId, channel);
    }
  }
  return target.messaging.postMessage({ channel, ...message });
}

/**
 * Stores the message ts and the version Slack now shows. The status becomes `posted` only when no newer
 * version arrived since the alert was read (compare on `version`); otherwise the next round updates it.
 */
async function storePosted(db: Db, alert: AlertRow, messageTs: string, now: Date): Promise<number> {
  const row = await db
    .updateTable('slack_alerts')
    .set({
      message_ts: messageTs,
      posted_version: alert.version,
      status: sql<string>`CASE WHEN version = ${alert.version} THEN 'posted' ELSE 'pending' END`,
      attempts: 0,
      last_error: null,
      updated_at: now,
    })
    .where('id', '=', alert.id)
    .returning('version')
    .executeTakeFirstOrThrow();
  return row.version;
}

async function handleFailure(
  deps: SlackPostDeps,
  alert: AlertRow,
  target: Target,
  error: SlackApiError,
): Promise<SlackPostResult> {
  const context = { slackAlertId: alert.id, channel: alert.channel_id, code: error.code };
  const handling = failureHandling(error);
  const now = deps.now();
  if (handling === 'retry') {
    if (error.retryAfterMs !== null)
      await deps.limiter.pause(target.teamId, alert.channel_id, error.retryAfterMs);
    await recordError(deps.db, alert.id, error.message, now, null);
    deps.log.warn({ ...context, retryAfterMs: error.retryAfterMs }, 'Slack alert not shown; will retry');
    throw error;
  }
  if (handling === 'revoke_installation') {
    const workspace = { teamId: target.teamId, enterpriseId: target.enterpriseId };
    await markInstallationRevoked(deps.db, workspace, now);
    const message = `Slack rejected the bot token (${error.slackError ?? error.code}): reinstall the Slack app.`;
    await recordError(deps.db, alert.id, message, now, null);
    deps.log.warn(
      { ...context, tenantId: alert.tenant_id },
      'Slack installation revoked after a rejected token',
    );
    return { outcome: 'revoked' };
  }
  const message =
    handling === 'fix_channel'
      ? channelErrorText(error, alert.channel_id)
      : `Slack rejected the message: ${error.message}`;
  await recordError(deps.db, alert.id, message, now, 'failed');
  deps.log.warn(context, 'Slack alert failed');
  return { outcome: 'failed' };
}

async function recordError(
  db: Db,
  slackAlertId: string,
  message: string,
  now: Date,
  status: 'failed' | null,
) {
  await db
    .updateTable('slack_alerts')
    .set((eb) => ({
      last_error: message,
      attempts: eb('attempts', '+', 1),
      updated_at: now,
      ...(status ? { status } : {}),
    }))
    .where('id', '=', slackAlertId)
    .execute();
}
