/**
 * The daily digest: for tenants with the digest enabled, one Slack message per channel listing the
 * alerts stored with status `digest`. `alert_settings.next_digest_at` in PostgreSQL is the schedule.
 */
import type { Logger } from 'pino';
import { markInstallationRevoked } from '../../integrations/slack/installation-store';
import type { ChannelRateLimiter } from '../../integrations/slack/rate-limit';
import { toSlackApiError, type SlackMessaging } from '../../integrations/slack/web-api';
import { digestMessage } from '../alerts/message';
import { parseAlertSettings } from '../alerts/settings';
import type { AlertContent } from '../alerts/types';
import type { Db } from '../db/database';

export interface DigestDeps {
  db: Db;
  messagingFor: (tenantId: string) => Promise<SlackMessaging | null>;
  limiter: ChannelRateLimiter;
  log: Logger;
}

export interface DigestResult {
  tenantId: string;
  /** Channels that received a digest message. */
  channels: string[];
  alerts: number;
  outcome: 'sent' | 'disabled' | 'not_installed' | 'failed';
}

/** A digest that failed for a retryable reason is tried again this much later. */
const retryDelayMs = 5 * 60_000;

/** Returns the first time after `now` at `hourUtc`:00 UTC. */
export function nextDigestAt(now: Date, hourUtc: number): Date {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), hourUtc);
  return new Date(today > now.getTime() ? today : today + 24 * 3600_000);
}

/**
 * Sends every digest due at `now`. Each tenant's schedule is claimed by moving `next_digest_at` forward
 * with a compare-and-set, so two relay loops never send the same day's digest twice.
 */
export async function sendDueDigests(deps: DigestDeps, now: Date): Promise<DigestResult[]> {
  const due = await deps.db
    .selectFrom('alert_settings')
    .select(['tenant_id', 'settings', 'next_digest_at'])
    .where('next_digest_at', '<=', now)
    .orderBy('next_digest_at')
    .execute();
  const results: DigestResult[] = [];
  for (const row of due) {
    const result = await sendTenantDigest(deps, row, now);
    if (result) results.push(result);
  }
  return results;
}

interface DueRow {
  tenant_id: string;
  settings: Record<string, unknown>;
  next_digest_at: Date | null;
}

async function sendTenantDigest(deps: DigestDeps, row: DueRow, now: Date): Promise<DigestResult | null> {
  const settings = readSettings(deps.log, row);
  if (!settings) return null;
  const next = settings.digest.enabled ? nextDigestAt(now, settings.digest.hourUtc) : null;
  if (!(await claimSchedule(deps.db, row, next, now))) return null;
  const base = { tenantId: row.tenant_id, channels: [] as string[], alerts: 0 };
  if (!next) return { ...base, outcome: 'disabled' };
  const installation = await activeInstallation(deps.db, row.tenant_id);
  const messaging = installation ? await deps.messagingFor(row.tenant_id) : null;
  if (!installation || !messaging) {
    deps.log.warn({ tenantId: row.tenant_id }, 'Slack digest skipped: no active installation');
    return { ...base, outcome: 'not_installed' };
  }
  const byChannel = await digestAlertsByChannel(deps.db, row.tenant_id, now);
  for (const [channel, alerts] of byChannel) {
    const sent = await sendChannelDigest(
      deps,
      { ...installation, messaging },
      row.tenant_id,
      channel,
      alerts,
      now,
    );
    if (!sent) return { ...base, outcome: 'failed' };
    base.channels.push(channel);
    base.alerts += alerts.length;
  }
  deps.log.info(
    { tenantId: row.tenant_id, channels: base.channels.length, alerts: base.alerts },
    'Slack digest sent',
  );
  return { ...base, outcome: 'sent' };
}

function readSettings(log: Logger, row: DueRow) {
  try {
    return parseAlertSettings(row.settings);
  } catch (error) {
    log.error(
      { tenantId: row.tenant_id, err: error },
      'Slack digest skipped: stored alert settings are invalid',
    );
    return null;
  }
}

async function claimSchedule(db: Db, row: DueRow, next: Date | null, now: Date): Promise<boolean> {
  if (!row.next_digest_at) return false;
  const claimed = await db
    .updateTable('alert_settings')
    .set({ next_digest_at: next, updated_at: now })
    .where('tenant_id', '=', row.tenant_id)
    .where('next_digest_at', '=', row.next_digest_at)
    .executeTakeFirst();
  return claimed.numUpdatedRows === 1n;
}

async function activeInstallation(db: Db, tenantId: string) {
  const row = await db
    .selectFrom('slack_installations')
    .select(['team_id', 'enterprise_id'])
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'active')
    .orderBy('updated_at', 'desc')
    .executeTakeFirst();
  return row ? { teamId: row.team_id, enterpriseId: row.enterprise_id } : null;
}

interface DigestAlert {
  id: string;
  version: number;
  content: AlertContent;
}

async function digestAlertsByChannel(
  db: Db,
  tenantId: string,
  now: Date,
): Promise<Map<string, DigestAlert[]>> {
  const rows = await db
    .selectFrom('slack_alerts')
    .select(['id', 'channel_id', 'version', 'content'])
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'digest')
    .where('created_at', '<=', now)
    .orderBy('id')
    .execute();
  const byChannel = new Map<string, DigestAlert[]>();
  for (const row of rows) {
    const alerts = byChannel.get(row.channel_id) ?? [];
    alerts.push({ id: row.id, version: row.version, content: row.content as unknown as AlertContent });
    byChannel.set(row.channel_id, alerts);
  }
  return byChannel;
}

/** Posts one channel's digest and marks its alerts posted; returns false when the tenant's digest must stop. */
async function sendChannelDigest(
  deps: DigestDeps,
  target: { teamId: string; enterpriseId: string | null; messaging: SlackMessaging },
  tenantId: string,
  channel: string,
  alerts: DigestAlert[],
  now: Date,
): Promise<boolean> {
  try {
    await deps.limiter.acquire(target.teamId, channel);
    await target.messaging.postMessage({ channel, ...digestMessage(alerts) });
  } catch (caught) {
    const error = toSlackApiError(caught, 'chat.postMessage');
    deps.log.warn({ tenantId, channel, code: error.code }, 'Slack digest not sent to a channel');
    if (error.retryable) await retrySoon(deps.db, tenantId, now);
    if (error.code === 'slack_invalid_auth' || error.code === 'slack_token_revoked') {
      await markInstallationRevoked(
        deps.db,
        { teamId: target.teamId, enterpriseId: target.enterpriseId },
        now,
      );
    }
    // Alerts of a channel that failed for good stay in status `digest` for the next day's digest.
    return !error.retryable && error.code !== 'slack_invalid_auth' && error.code !== 'slack_token_revoked';
  }
  for (const alert of alerts) {
    await deps.db
      .updateTable('slack_alerts')
      .set({ status: 'posted', posted_version: alert.version, last_error: null, updated_at: now })
      .where('id', '=', alert.id)
      .where('status', '=', 'digest')
      .execute();
  }
  return true;
}

/** Moves the schedule to a few minutes from now so a retryable failure does not wait a whole day. */
async function retrySoon(db: Db, tenantId: string, now: Date): Promise<void> {
  await db
    .updateTable('alert_settings')
    .set({ next_digest_at: new Date(now.getTime() + retryDelayMs) })
    .where('tenant_id', '=', tenantId)
    .execute();
}
