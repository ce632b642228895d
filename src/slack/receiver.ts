import { App, ExpressReceiver } from '@slack/bolt';
import { Router } from 'express';
import type { Logger } from 'pino';
import {
  markInstallationRevoked,
  PostgresInstallationStore,
} from '../../integrations/slack/installation-store';
import type { Config } from '../config';
import type { SecretBox } from '../db/crypto';
import type { Db } from '../db/database';
import { resolvePublicUrl, type AppManifest } from '../install/manifest';
import { boltLogger } from './install/bolt-logger';
import { INSTALL_LINKS_PATH, installLinkRouter } from './install/link-route';
import { slackRoutePaths } from './install/manifest';
import { callbackOptions, installPathOptions } from './install/oauth-flow';
import { slackNotConfiguredPage } from './install/pages';

export interface SlackReceiverDeps {
  config: Config;
  db: Db;
  box: SecretBox;
  log: Logger;
  manifest: AppManifest;
  now?: () => Date;
}

export interface SlackAppCredentials {
  clientId: string;
  clientSecret: string;
  signingSecret: string;
  stateSecret: string;
}

export interface SlackReceiver {
  receiver: ExpressReceiver;
  /**
   * Bolt app for listeners (`app.action`, `app.event`). It has no token and authorizes through the
   * installation store.
   */
  app: App;
  /** Everything under /slack: mount it before any body parser, because Slack signs the raw body. */
  router: Router;
}

const requiredSettings = [
  'SLACK_CLIENT_ID',
  'SLACK_CLIENT_SECRET',
  'SLACK_SIGNING_SECRET',
  'SLACK_STATE_SECRET',
] as const;

export function missingSlackSettings(config: Config): string[] {
  return requiredSettings.filter((name) => !config[name]);
}

/** Returns the Slack app credentials, or null when any of the four settings is missing. */
export function slackAppCredentials(config: Config): SlackAppCredentials | null {
  if (missingSlackSettings(config).length > 0) return null;
  return {
    clientId: config.SLACK_CLIENT_ID!,
    clientSecret: config.SLACK_CLIENT_SECRET!,
    signingSecret: config.SLACK_SIGNING_SECRET!,
    stateSecret: config.SLACK_STATE_SECRET!,
  };
}

/**
 * Builds Bolt's ExpressReceiver and App for the Slack app: OAuth install (GET /slack/install?install_token=…,
 * GET /slack/oauth_redirect), signed events (POST /slack/events) and interactivity (POST /slack/actions), plus
 * POST /slack/install-links. Paths come from the slack block of app.json. Returns null when settings are missing.
 */
export function createSlackReceiver(deps: SlackReceiverDeps): SlackReceiver | null {
  const credentials = slackAppCredentials(deps.config);
  if (!credentials) return null;
  const now = deps.now ?? (() => new Date());
  const log = deps.log.child({ module: 'slack' });
  const slack = deps.manifest.platforms.slack;
  const paths = slackRoutePaths(deps.manifest);
  const clientOptions = { slackApiUrl: deps.config.SLACK_API_URL };
  const flow = {
    db: deps.db,
    log,
    stateSecret: credentials.stateSecret,
    redirectPath: paths.redirect,
    botDisplayName: slack.botUser.displayName,
    now,
  };
  const receiver = new ExpressReceiver({
    signingSecret: credentials.signingSecret,
    clientId: credentials.clientId,
    clientSecret: credentials.clientSecret,
    stateSecret: credentials.stateSecret,
    scopes: slack.botScopes,
    redirectUri: resolvePublicUrl(slack.redirectUrls[0]!, deps.config.PUBLIC_BASE_URL),
    installationStore: new PostgresInstallationStore(deps.db, deps.box, log, now),
    installerOptions: {
      directInstall: true,
      installPath: paths.install,
      redirectUriPath: paths.redirect,
      installPathOptions: installPathOptions(flow),
      callbackOptions: callbackOptions(flow),
      clientOptions,
    },
    endpoints: { events: paths.events, actions: paths.actions },
    // Ack first, because Slack retries an event that is not acknowledged within 3 seconds.
    processBeforeResponse: false,
    logger: boltLogger(log),
  });
  const app = new App({ receiver, logger: boltLogger(log), clientOptions, tokenVerificationEnabled: false });
  registerUninstallListeners(app, deps.db, log, now);

  const router = Router();
  const installUrl = resolvePublicUrl(slack.installUrl, deps.config.PUBLIC_BASE_URL);
  router.use(installLinkRouter({ db: deps.db, log, stateSecret: credentials.stateSecret, installUrl, now }));
  router.use(receiver.router);
  return { receiver, app, router };
}

/** Marks the installation revoked when the app is uninstalled or its bot token is revoked. */
function registerUninstallListeners(app: App, db: Db, log: Logger, now: () => Date): void {
  const revoke = async (teamId: string | undefined, enterpriseId: string | undefined, reason: string) => {
    if (!teamId) return;
    const revoked = await markInstallationRevoked(db, { teamId, enterpriseId: enterpriseId ?? null }, now());
    log.info({ teamId, tenantId: revoked?.tenantId ?? null, reason }, 'Slack installation marked revoked');
  };
  app.event('app_uninstalled', async ({ context }) => {
    await revoke(context.teamId, context.enterpriseId, 'app_uninstalled');
  });
  app.event('tokens_revoked', async ({ event, context }) => {
    // User tokens are not used; only a revoked bot token ends the installation.
    if ((event.tokens.bot ?? []).length > 0)
      await revoke(context.teamId, context.enterpriseId, 'tokens_revoked');
  });
}

/**
 * Returns the router to mount ahead of any body parser: the receiver's routes, or a 503 page that names the
 * missing settings for every /slack path when the Slack app is not configured.
 */
export function slackRouter(slack: SlackReceiver | null, config: Config): Router {
  if (slack) return slack.router;
  const missing = missingSlackSettings(config);
  const router = Router();
  router.use(['/slack', INSTALL_LINKS_PATH], (_req, res) => {
    res.status(503).type('html').send(slackNotConfiguredPage(missing));
  });
  return router;
}
