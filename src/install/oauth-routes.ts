import { randomBytes } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { HubSpotApiCrm, hubSpotSettingsFromConfig } from '../../integrations/hubspot/api-client';
import type { HubSpotCrm } from '../../integrations/hubspot/crm';
import {
  authorizeUrl,
  createPkcePair,
  HubSpotOAuthClient,
  HubSpotOAuthError,
} from '../../integrations/hubspot/oauth';
import type { Config } from '../config';
import type { SecretBox } from '../db/crypto';
import type { Db } from '../db/database';
import type { Queues } from '../queues/queues';
import { webhookUrlFor } from '../tenants/tenants';
import { hubSpotAdminRouter } from './admin-routes';
import { hubSpotAppCredentials, type InstallConfig } from './config';
import { connectPortal, prepareHubSpotSchema, scheduleFirstSync } from './connect-portal';
import { errorPage, installedPage } from './landing-page';
import { hubSpotInstallUrl, hubSpotRedirectUrl, type AppManifest } from './manifest';

export interface HubSpotInstallDeps {
  db: Db;
  redis: Redis;
  box: SecretBox;
  queues: Queues;
  log: Logger;
  config: Config;
  install: InstallConfig;
  manifest: AppManifest;
  now?: () => Date;
  /** Builds the CRM client for the schema migration; tests may swap it. */
  crmFor?: (accessToken: string, portalId: string) => HubSpotCrm;
}

const STATE_COOKIE = 'csm_hubspot_oauth_state';

function readCookie(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return null;
}

/** Seconds an install has between the redirect to HubSpot and the callback. */
export const OAUTH_STATE_TTL_SECONDS = 600;

function stateKey(config: Config, state: string): string {
  return `${config.QUEUE_PREFIX}:hubspot-oauth-state:${state}`;
}

function defaultCrm(deps: HubSpotInstallDeps): (accessToken: string, portalId: string) => HubSpotCrm {
  return (accessToken, portalId) =>
    new HubSpotApiCrm({
      ...hubSpotSettingsFromConfig(deps.config),
      accessToken,
      portalId,
      redis: deps.redis,
      rateLimitKeyPrefix: `${deps.config.QUEUE_PREFIX}:hubspot-rate`,
      log: deps.log,
    });
}

/**
 * Routes of the HubSpot app install: GET /oauth/hubspot/install (redirect to the consent page with
 * state and a PKCE S256 challenge), GET /oauth/hubspot/callback, plus the admin API in
 * admin-routes.ts. Without HUBSPOT_CLIENT_ID/SECRET the OAuth routes return 503.
 */
export function hubspotInstallRouter(deps: HubSpotInstallDeps): Router {
  const router = Router();
  const now = deps.now ?? (() => new Date());
  const log = deps.log.child({ module: 'hubspot-install' });
  const credentials = hubSpotAppCredentials(deps.install);
  const installUrl = hubSpotInstallUrl(deps.manifest, deps.config.PUBLIC_BASE_URL);
  const redirectUri = hubSpotRedirectUrl(deps.manifest, deps.config.PUBLIC_BASE_URL);

  const notConfigured = (res: Response) =>
    res
      .status(503)
      .type('html')
      .send(
        errorPage(
          'HubSpot install is not configured',
          'Set HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET on the server and restart it.',
          null,
        ),
      );

  router.get('/oauth/hubspot/install', async (_req, res) => {
    if (!credentials) return notConfigured(res);
    const state = randomBytes(24).toString('base64url');
    const pkce = createPkcePair();
    await deps.redis.set(stateKey(deps.config, state), pkce.codeVerifier, 'EX', OAUTH_STATE_TTL_SECONDS);
    // The state cookie ties the callback to the browser that started the install (OAuth CSRF protection).
    res.cookie(STATE_COOKIE, state, {
      httpOnly: true,
      secure: deps.config.PUBLIC_BASE_URL.startsWith('https:'),
      sameSite: 'lax',
      path: '/oauth/hubspot',
      maxAge: OAUTH_STATE_TTL_SECONDS * 1000,
    });
    const auth = deps.manifest.platforms.hubspot.auth;
    res.redirect(
      302,
      authorizeUrl(deps.install.HUBSPOT_APP_BASE_URL, {
        clientId: credentials.clientId,
        redirectUri,
        scopes: auth.requiredScopes,
        optionalScopes: auth.optionalScopes,
        state,
        codeChallenge: pkce.codeChallenge,
      }),
    );
  });

  router.get('/oauth/hubspot/callback', async (req, res) => {
    if (!credentials) return notConfigured(res);
    const reject = (message: string) =>
      res
        .status(400)
        .type('html')
        .send(errorPage('HubSpot install failed', message, installUrl));
    const { code, state, error } = stringQuery(req);
    if (error)
      return reject(
        `HubSpot returned "${error}" instead of an authorization code; the install was not approved.`,
      );
    if (!state)
      return reject('The callback has no state parameter. Start the install from the install link.');
    if (readCookie(req.headers.cookie, STATE_COOKIE) !== state) {
      return reject(
        'This install was started in another browser or its cookie expired. Start the install again here.',
      );
    }
    res.clearCookie(STATE_COOKIE, { path: '/oauth/hubspot' });
    // GETDEL makes each state single use: a replayed callback finds nothing.
    const codeVerifier = await deps.redis.getdel(stateKey(deps.config, state));
    if (!codeVerifier) {
      return reject(
        'The install state is unknown, expired (10 minutes) or already used. Start the install again.',
      );
    }
    if (!code) return reject('The callback has no authorization code. Start the install again.');
    const oauth = new HubSpotOAuthClient({ baseUrl: deps.install.HUBSPOT_OAUTH_BASE_URL, ...credentials });
    try {
      const tokens = await oauth.exchangeCode({ code, redirectUri, codeVerifier });
      const portalId = tokens.portalId ?? (await oauth.portalIdFor(tokens.accessToken));
      const connected = await connectPortal(deps.db, deps.box, { portalId, tokens }, now());
      log.info(
        { tenantId: connected.tenantId, portalId, created: connected.created },
        'HubSpot portal connected',
      );
      const schemaDeferredReason = await tryPrepareSchema(deps, tokens.accessToken, connected, log, now());
      const queued = await scheduleFirstSync(
        deps.db,
        deps.queues,
        connected.tenantId,
        now(),
        deps.config.CRM_SYNC_DEBOUNCE_MS,
      );
      res.type('html').send(
        installedPage({
          portalId,
          tenantId: connected.tenantId,
          webhookUrl: webhookUrlFor(deps.config.PUBLIC_BASE_URL, connected.tenantId),
          apiKey: connected.apiKey,
          customersQueued: queued,
          schemaDeferredReason,
          stripeEvents: deps.manifest.webhooks.stripe.events,
        }),
      );
    } catch (failure) {
      if (!(failure instanceof HubSpotOAuthError)) throw failure;
      log.warn({ code: failure.code }, 'HubSpot token exchange failed');
      res
        .status(502)
        .type('html')
        .send(errorPage('HubSpot install failed', failure.message, installUrl));
    }
  });

  router.use(hubSpotAdminRouter({ db: deps.db, box: deps.box, queues: deps.queues, log, installUrl, now }));
  return router;
}

function stringQuery(req: Request): { code?: string; state?: string; error?: string } {
  const read = (name: string) =>
    typeof req.query[name] === 'string' && req.query[name] !== '' ? req.query[name] : undefined;
  return { code: read('code'), state: read('state'), error: read('error') };
}

/** Returns null on success; on failure the reason, because runCrmFlush applies the schema later anyway. */
async function tryPrepareSchema(
  deps: HubSpotInstallDeps,
  accessToken: string,
  connected: { connectionId: string; portalId: string; tenantId: string },
  log: Logger,
  now: Date,
): Promise<string | null> {
  const crm = (deps.crmFor ?? defaultCrm(deps))(accessToken, connected.portalId);
  try {
    await prepareHubSpotSchema(deps.db, crm, connected.connectionId, now);
    return null;
  } catch (error) {
    log.warn(
      { tenantId: connected.tenantId, err: (error as Error).message },
      'HubSpot schema deferred to first sync',
    );
    return (error as { code?: string }).code ?? 'HubSpot request failed';
  }
}
