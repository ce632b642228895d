import express, { Router, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { NEEDS_REAUTH_ACTION } from '../../integrations/hubspot/tokens';
import type { SecretBox } from '../db/crypto';
import type { Db } from '../db/database';
import { AppError } from '../errors';
import type { Queues } from '../queues/queues';
import { requireApiKey } from '../http/api-key';
import { addWebhookSecret } from '../tenants/tenants';
import { disconnectHubSpot } from './disconnect';

export interface HubSpotAdminDeps {
  db: Db;
  box: SecretBox;
  queues: Queues;
  log: Logger;
  /** URL of GET /oauth/hubspot/install, where an admin reinstalls the app. */
  installUrl: string;
  now: () => Date;
}

/** Reads the connection status, portal, last refresh error and reinstall link for the status endpoint. */
async function hubSpotStatus(db: Db, tenantId: string, installUrl: string) {
  const connection = await db
    .selectFrom('crm_connections')
    .select([
      'account_id',
      'status',
      'access_token_expires_at',
      'refresh_token_sealed',
      'schema_version',
      'updated_at',
    ])
    .where('tenant_id', '=', tenantId)
    .where('provider', '=', 'hubspot')
    .executeTakeFirst();
  if (!connection)
    return {
      provider: 'hubspot',
      status: 'not_connected',
      portalId: null,
      lastError: null,
      reinstallUrl: installUrl,
    };
  const lastError = await db
    .selectFrom('audit_log')
    .select(['details', 'created_at'])
    .where('tenant_id', '=', tenantId)
    .where('action', '=', NEEDS_REAUTH_ACTION)
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return {
    provider: 'hubspot',
    status: connection.status,
    portalId: connection.account_id,
    authType: connection.refresh_token_sealed ? 'oauth' : 'private_app_token',
    accessTokenExpiresAt: connection.access_token_expires_at?.toISOString() ?? null,
    schemaVersion: connection.schema_version,
    updatedAt: connection.updated_at.toISOString(),
    lastError:
      connection.status === 'needs_reauth' && lastError
        ? { message: String(lastError.details.reason ?? ''), at: lastError.created_at.toISOString() }
        : null,
    reinstallUrl: installUrl,
  };
}

const webhookSecretBody = z.object({ secret: z.string().min(1) });

/**
 * Serves GET /api/v1/crm/hubspot/status, POST /api/v1/crm/hubspot/disconnect and
 * POST /api/v1/stripe/webhook-secrets, each authenticated with a tenant API key.
 * NOTE: HubSpot's own uninstall is not received as a push: project apps get app-lifecycle events
 * from the webhooks journal API, which is not polled yet. After an uninstall the next refresh
 * fails with invalid_grant and the connection becomes needs_reauth.
 */
export function hubSpotAdminRouter(deps: HubSpotAdminDeps): Router {
  const router = Router();
  const auth = [express.json({ limit: '10kb' }), requireApiKey(deps.db)];

  router.get('/api/v1/crm/hubspot/status', ...auth, async (_req, res) => {
    res.json(await hubSpotStatus(deps.db, res.locals.tenantId as string, deps.installUrl));
  });

  router.post('/api/v1/crm/hubspot/disconnect', ...auth, async (_req, res) => {
    const tenantId = res.locals.tenantId as string;
    const actor = `api_key:${res.locals.apiKeyPrefix as string}`;
    const result = await disconnectHubSpot(deps, tenantId, actor, deps.now());
    deps.log.info(
      { tenantId, portalId: result.portalId, disconnected: result.disconnected },
      'HubSpot disconnect requested',
    );
    res.json({ ...result, status: 'disconnected' });
  });

  // An OAuth install creates the tenant before Stripe is set up, so the admin adds the signing secret here.
  router.post('/api/v1/stripe/webhook-secrets', ...auth, async (req, res) => {
    const body = webhookSecretBody.safeParse(req.body);
    if (!body.success) {
      throw new AppError(
        'invalid_request',
        'Send JSON {"secret": "whsec_..."} with the Stripe endpoint signing secret',
        {
          status: 400,
        },
      );
    }
    // Earlier secrets stay valid for 24 hours, so a rotation does not drop events in flight.
    const expireOthersAt = new Date(deps.now().getTime() + 24 * 3_600_000);
    await addWebhookSecret(
      deps.db,
      deps.box,
      res.locals.tenantId as string,
      body.data.secret,
      expireOthersAt,
    );
    res.status(201).json({ added: true });
  });

  return router;
}
