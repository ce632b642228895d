import type { App } from '@slack/bolt';
import { createChannelRateLimiter, type ChannelRateLimiter } from '../../integrations/slack/rate-limit';
import type { SlackMessaging } from '../../integrations/slack/web-api';
import type { Runtime } from '../runtime';
import { registerAlertActions } from './actions/register';
import { UserGroupCache } from './actions/user-groups';
import { createMessagingFor, slackClientSettings } from './post-worker';

export interface SlackRuntime {
  messagingFor: (tenantId: string) => Promise<SlackMessaging | null>;
  limiter: ChannelRateLimiter;
}

/** Builds the Slack clients and the shared per-channel limit of one process. */
export function slackRuntime(runtime: Runtime, options: { onRequestPath?: boolean } = {}): SlackRuntime {
  const { config, db, box, redis } = runtime;
  const log = runtime.log.child({ module: 'slack' });
  const settings = slackClientSettings(config);
  // On the click path a user-group lookup must not retry for seconds: Slack expects the ack within 3 s.
  const clickSettings = options.onRequestPath ? { ...settings, retries: 0, timeoutMs: 1500 } : settings;
  return {
    messagingFor: createMessagingFor({ db, box, settings: clickSettings, log }),
    limiter: createChannelRateLimiter({ redis, keyPrefix: `${config.QUEUE_PREFIX}:slack-rate` }),
  };
}

/** Registers the alert button handlers on the Slack app of the API server. */
export function registerSlackListeners(runtime: Runtime): (app: App) => void {
  const slack = slackRuntime(runtime, { onRequestPath: true });
  return (app) =>
    registerAlertActions(app, {
      db: runtime.db,
      queues: runtime.queues,
      log: runtime.log.child({ module: 'slack-actions' }),
      now: () => new Date(),
      messagingFor: slack.messagingFor,
      userGroups: new UserGroupCache(),
    });
}
