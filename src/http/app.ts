import express, { type Express } from 'express';
import type { Redis } from 'ioredis';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import { hubspotCardRouter } from '../cards/card-routes';
import { cardPreviewRouter } from '../cards/preview-routes';
import type { App } from '@slack/bolt';
import type { Config } from '../config';
import { loadManifest } from '../install/manifest';
import { hubspotInstallRouter } from '../install/oauth-routes';
import type { SecretBox } from '../db/crypto';
import type { Db } from '../db/database';
import { alertSettingsRouter } from '../alerts/settings-routes';
import { stripeWebhookRouter } from '../ingestion/webhook-route';
import { createSlackReceiver, slackRouter } from '../slack/receiver';
import type { Metrics } from '../metrics';
import { waitForRedis, type Queues } from '../queues/queues';
import { apiRouter } from './api-routes';
import { errorHandler, notFoundHandler, sendError } from './errors';

export interface AppDeps {
  config: Config;
  db: Db;
  redis: Redis;
  box: SecretBox;
  queues: Queues;
  metrics: Metrics;
  log: Logger;
  stripeToleranceSeconds: number;
  now?: () => Date;
  /** Registers listeners (alert buttons) on the Slack app once it is built. */
  onSlackApp?: (app: App) => void;
}

export function createApp(deps: AppDeps): Express {
  const now = deps.now ?? (() => new Date());
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const redisReady = waitForRedis(deps.redis, 1000).then(() => deps.redis.ping());
    const checks = await Promise.allSettled([sql`SELECT 1`.execute(deps.db), redisReady]);
    const [database, redis] = checks.map((check) => (check.status === 'fulfilled' ? 'ok' : 'unavailable'));
    const ready = database === 'ok' && redis === 'ok';
    res
      .status(ready ? 200 : 503)
      .json({ status: ready ? 'ready' : 'not_ready', checks: { database, redis } });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  // Slack signs the raw body too, so its receiver also comes before any parser.
  const manifest = loadManifest();
  const slack = createSlackReceiver({
    config: deps.config,
    db: deps.db,
    box: deps.box,
    log: deps.log,
    manifest,
    now,
  });
  if (slack && deps.onSlackApp) deps.onSlackApp(slack.app);
  app.use(slackRouter(slack, deps.config));

  // Mounted before any JSON parser: the webhook needs the raw bytes.
  app.use(
    stripeWebhookRouter({
      db: deps.db,
      box: deps.box,
      queues: deps.queues,
      metrics: deps.metrics,
      log: deps.log,
      toleranceSeconds: deps.stripeToleranceSeconds,
      now,
    }),
  );
  app.use(hubspotCardRoutes(deps, now));
  app.use(hubspotInstallRouter({ ...deps, install: deps.config, manifest, now }));
  app.use(cardPreviewRouter({ db: deps.db, now }));
  app.use(alertSettingsRouter({ db: deps.db, now }));
  app.use(apiRouter({ db: deps.db, now }));

  app.use(notFoundHandler());
  app.use(errorHandler(deps.log));
  return app;
}

/** Builds the signed card routes, or a 503 that names the missing settings when the HubSpot app is not configured. */
function hubspotCardRoutes(deps: AppDeps, now: () => Date) {
  const clientSecret = deps.config.HUBSPOT_CLIENT_SECRET;
  if (!clientSecret) {
    return express
      .Router()
      .use('/cards/hubspot', (_req, res) =>
        sendError(
          res,
          503,
          'hubspot_app_not_configured',
          'Set HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET to serve the HubSpot card',
        ),
      );
  }
  return hubspotCardRouter({ ...deps, now, publicBaseUrl: deps.config.PUBLIC_BASE_URL, clientSecret });
}
