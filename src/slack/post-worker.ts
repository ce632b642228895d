/** Wiring for the `slack-posts` queue: the job processor, per-tenant Slack clients and the relay sweep. */
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import { installationForTenant } from '../../integrations/slack/installation-store';
import {
  createSlackMessaging,
  type SlackClientSettings,
  type SlackMessaging,
} from '../../integrations/slack/web-api';
import type { Config } from '../config';
import type { SecretBox } from '../db/crypto';
import type { Db } from '../db/database';
import { AppError } from '../errors';
import type { SlackPostJob } from '../queues/queues';
import { postSlackAlert, type SlackPostDeps, type SlackPostResult } from './post-alert';

export function slackClientSettings(
  config: Pick<Config, 'SLACK_API_URL' | 'SLACK_TIMEOUT_MS'>,
): SlackClientSettings {
  return { slackApiUrl: config.SLACK_API_URL, timeoutMs: config.SLACK_TIMEOUT_MS };
}

/** Creates `messagingFor`: the Web API adapter on the bot token of the tenant's active installation. */
export function createMessagingFor(deps: {
  db: Db;
  box: SecretBox;
  settings: SlackClientSettings;
  log: Logger;
}): (tenantId: string) => Promise<SlackMessaging | null> {
  return async (tenantId) => {
    const installation = await installationForTenant(deps.db, deps.box, tenantId);
    if (!installation) return null;
    return createSlackMessaging(installation.botToken, deps.settings, deps.log);
  };
}

/**
 * Creates the BullMQ processor of `slack-posts`. A `busy` alert (another worker has its lock) is thrown as
 * retryable, so the job runs again after its backoff and shows any version the holder missed.
 */
export function createSlackPostProcessor(deps: SlackPostDeps) {
  return async (job: Job<SlackPostJob>): Promise<SlackPostResult> => {
    const result = await postSlackAlert(deps, job.data.slackAlertId);
    if (result.outcome === 'busy') {
      throw new AppError(
        'slack_alert_busy',
        `Slack alert ${job.data.slackAlertId} is being posted by another worker`,
        {
          retryable: true,
        },
      );
    }
    return result;
  };
}

/**
 * Lists pending alerts whose latest version Slack does not show yet, for the relay to enqueue again.
 * A change made while the alert's job was running is enqueued as a no-op (same job id), so only this
 * sweep picks it up. Tenants without an active installation are skipped until they reinstall.
 */
export async function listUnpostedAlertIds(
  db: Db,
  options: { updatedBefore: Date; limit: number },
): Promise<string[]> {
  const rows = await db
    .selectFrom('slack_alerts')
    .select('slack_alerts.id')
    .where((eb) => eb('slack_alerts.version', '>', eb.ref('slack_alerts.posted_version')))
    .where('slack_alerts.status', '=', 'pending')
    .where('slack_alerts.updated_at', '<=', options.updatedBefore)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('slack_installations')
          .select('slack_installations.id')
          .whereRef('slack_installations.tenant_id', '=', 'slack_alerts.tenant_id')
          .where('slack_installations.status', '=', 'active'),
      ),
    )
    .orderBy('slack_alerts.updated_at')
    .limit(options.limit)
    .execute();
  return rows.map((row) => row.id);
}
