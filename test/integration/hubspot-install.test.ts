import { createHash, randomBytes } from 'node:crypto';
import express from 'express';
import { Redis } from 'ioredis';
import nock from 'nock';
import pino from 'pino';
import request from 'supertest';
import { companyProperties, CRM_SCHEMA_VERSION } from '../../migrations/crm/hubspot-company-properties';
import { SecretBox } from '../../src/db/crypto';
import { errorHandler, notFoundHandler } from '../../src/http/errors';
import { loadInstallConfig } from '../../src/install/config';
import { hubSpotRedirectUrl, loadManifest } from '../../src/install/manifest';
import { hubspotInstallRouter } from '../../src/install/oauth-routes';
import { Metrics } from '../../src/metrics';
import { Queues, redisOptions, waitForRedis } from '../../src/queues/queues';
import type { Runtime } from '../../src/runtime';
import { runCrmFlush } from '../../src/worker/crm-flush';
import { HubSpotTokenProvider } from '../../integrations/hubspot/tokens';
import { testConfig } from '../support/config';
import { createTestDatabase, type TestDatabase } from '../support/database';

const oauthBase = 'http://hubspot-oauth.test';
const apiBase = 'http://hubspot-api.test';
const appBase = 'http://hubspot-app.test';
const publicBaseUrl = 'https://payments.example.com';
const now = new Date('2026-06-01T12:00:00.000Z');
const log = pino({ level: 'silent' });
const manifest = loadManifest();
const installEnv = {
  HUBSPOT_CLIENT_ID: 'client-123',
  HUBSPOT_CLIENT_SECRET: 'secret-456',
  HUBSPOT_OAUTH_BASE_URL: oauthBase,
  HUBSPOT_APP_BASE_URL: appBase,
};

describe('HubSpot install', () => {
  let database: TestDatabase;
  let redis: Redis;
  let queues: Queues;
  const config = testConfig({
    PUBLIC_BASE_URL: publicBaseUrl,
    HUBSPOT_API_BASE_URL: apiBase,
    HUBSPOT_MAX_RETRIES: '0',
  });
  const box = new SecretBox(config.TOKEN_ENCRYPTION_KEYS, config.TOKEN_ENCRYPTION_KEY_ID);

  function buildApp(env: Record<string, string> = installEnv) {
    const app = express();
    app.use(
      hubspotInstallRouter({
        db: database.db,
        redis,
        box,
        queues,
        log,
        config,
        install: loadInstallConfig(env),
        manifest,
        now: () => now,
      }),
    );
    app.use(notFoundHandler());
    app.use(errorHandler(log));
    return app;
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    redis = new Redis(redisOptions(config.REDIS_URL, 'producer'));
    await waitForRedis(redis, 3000);
    queues = new Queues(redisOptions(config.REDIS_URL, 'producer'), config.QUEUE_PREFIX);
  });
  afterEach(() => nock.cleanAll());
  afterAll(async () => {
    const keys = await redis.keys(`${config.QUEUE_PREFIX}*`);
    if (keys.length > 0) await redis.del(...keys);
    await queues.close();
    redis.disconnect();
    await database.drop();
  });

  async function startInstall(app: express.Express) {
    const response = await request(app).get('/oauth/hubspot/install');
    const location = new URL(response.headers.location as string);
    return { response, location, state: location.searchParams.get('state')! };
  }

  /** Builds the cookie the install route set in the admin's browser. */
  function stateCookie(state: string) {
    return `csm_hubspot_oauth_state=${state}`;
  }

  /** Stands in for the browser: HubSpot would send the code to the redirect URL with the state. */
  function verifierFor(location: URL) {
    return location.searchParams.get('code_challenge')!;
  }

  function mockSchemaRequests(created: string[]) {
    return nock(apiBase)
      .get('/crm/v3/properties/companies/groups')
      .reply(200, { results: [] })
      .get('/crm/v3/properties/companies')
      .reply(200, { results: [] })
      .post('/crm/v3/properties/companies/groups')
      .reply(201, { name: 'csm_payments', label: 'CSM Payments', displayOrder: 0 })
      .post('/crm/v3/properties/companies')
      .times(companyProperties.length)
      .reply(201, (_uri, body) => {
        created.push((body as { name: string }).name);
        return { ...(body as object), options: [] };
      });
  }

  it('redirect has state, PKCE and manifest redirect', async () => {
    const { response, location } = await startInstall(buildApp());

    expect(response.status).toBe(302);
    expect(location.origin + location.pathname).toBe(`${appBase}/oauth/authorize`);
    expect(location.searchParams.get('client_id')).toBe('client-123');
    expect(location.searchParams.get('redirect_uri')).toBe(hubSpotRedirectUrl(manifest, publicBaseUrl));
    expect(location.searchParams.get('redirect_uri')).toBe(`${publicBaseUrl}/oauth/hubspot/callback`);
    expect(location.searchParams.get('scope')).toBe(manifest.platforms.hubspot.auth.requiredScopes.join(' '));
    expect(location.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(location.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
  });

  it('full install connects, migrates and syncs', async () => {
    // A portal that was installed before: its tenant has a customer linked to a company.
    const tenant = await database.db
      .insertInto('tenants')
      .values({ name: 'Acme billing', settings: JSON.stringify({}) })
      .returning('id')
      .executeTakeFirstOrThrow();
    await database.db
      .insertInto('crm_connections')
      .values({
        tenant_id: tenant.id,
        provider: 'hubspot',
        account_id: '777',
        access_token_sealed: box.seal('old-access'),
        refresh_token_sealed: box.seal('old-refresh'),
        status: 'needs_reauth',
      })
      .execute();
    const customer = await database.db
      .insertInto('customers')
      .values({ tenant_id: tenant.id, stripe_customer_id: 'cus_known', name: 'Known', currency: 'usd' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await database.db
      .insertInto('crm_links')
      .values({
        tenant_id: tenant.id,
        customer_id: customer.id,
        provider: 'hubspot',
        record_id: '9001',
        matched_by: 'manual',
      })
      .execute();

    const app = buildApp();
    const { location, state } = await startInstall(app);
    let tokenForm: URLSearchParams | undefined;
    const tokenScope = nock(oauthBase)
      .post('/oauth/v3/token')
      .reply(200, (_uri, body) => {
        tokenForm = new URLSearchParams(body as string);
        return {
          token_type: 'bearer',
          access_token: 'access-1',
          refresh_token: 'refresh-1',
          expires_in: 1800,
          hub_id: 777,
        };
      });
    const created: string[] = [];
    const schemaScope = mockSchemaRequests(created);

    const callback = await request(app)
      .get('/oauth/hubspot/callback')
      .set('cookie', stateCookie(state))
      .query({ code: 'code-abc', state });

    expect(callback.status).toBe(200);
    expect(tokenScope.isDone()).toBe(true);
    expect(tokenForm?.get('grant_type')).toBe('authorization_code');
    expect(tokenForm?.get('code')).toBe('code-abc');
    expect(tokenForm?.get('client_id')).toBe('client-123');
    expect(tokenForm?.get('client_secret')).toBe('secret-456');
    expect(tokenForm?.get('redirect_uri')).toBe(`${publicBaseUrl}/oauth/hubspot/callback`);
    const verifier = tokenForm?.get('code_verifier') ?? '';
    expect(createHash('sha256').update(verifier).digest('base64url')).toBe(verifierFor(location));
    expect(schemaScope.isDone()).toBe(true);
    expect(created.sort()).toEqual(companyProperties.map((property) => property.name).sort());

    const connection = await database.db
      .selectFrom('crm_connections')
      .selectAll()
      .where('account_id', '=', '777')
      .executeTakeFirstOrThrow();
    expect(connection.tenant_id).toBe(tenant.id);
    expect(connection.status).toBe('active');
    expect(connection.schema_version).toBe(CRM_SCHEMA_VERSION);
    expect(connection.access_token_sealed).toMatch(/^v1:test:/);
    expect(box.open(connection.access_token_sealed)).toBe('access-1');
    expect(box.open(connection.refresh_token_sealed!)).toBe('refresh-1');
    expect(connection.access_token_expires_at?.toISOString()).toBe('2026-06-01T12:30:00.000Z');

    expect(callback.text).toContain('HubSpot portal <strong>777</strong>');
    expect(callback.text).toContain(tenant.id);
    expect(callback.text).toContain(`${publicBaseUrl}/webhooks/stripe/${tenant.id}`);
    expect(callback.text).toContain('whsec_');
    expect(callback.text).toContain('already connected');
    expect(callback.text).toContain('first sync of 1 known billing customer');
    expect(callback.text).not.toContain('access-1');

    const job = await queues.crmSync.getJob(`hubspot-flush-${tenant.id}`);
    expect(job?.data.tenantId).toBe(tenant.id);

    // The queued flush, run as the worker runs it: a batch update for the known customer.
    let updateBody: { inputs: Array<{ id: string }> } | undefined;
    const updateScope = nock(apiBase)
      .matchHeader('authorization', 'Bearer access-1')
      .post('/crm/v3/objects/companies/batch/update')
      .reply(200, (_uri, body) => {
        updateBody = body as { inputs: Array<{ id: string; properties: object }> };
        return { status: 'COMPLETE', results: updateBody.inputs };
      });
    const runtime = {
      config,
      db: database.db,
      redis,
      queues,
      box,
      metrics: new Metrics(),
      log,
    } as unknown as Runtime;
    const tokens = new HubSpotTokenProvider({
      db: database.db,
      box,
      redis,
      oauth: null,
      log,
      now: () => now,
      keyPrefix: config.QUEUE_PREFIX,
    });
    const result = await runCrmFlush(runtime, tenant.id, () => new Date(now.getTime() + 60_000), tokens);

    expect(updateScope.isDone()).toBe(true);
    expect(updateBody?.inputs.map((input) => input.id)).toEqual(['9001']);
    expect(result?.written).toBe(1);
  });

  it('new portal gets a tenant and API key', async () => {
    const app = buildApp();
    const { state } = await startInstall(app);
    nock(oauthBase)
      .post('/oauth/v3/token')
      .reply(200, {
        token_type: 'bearer',
        access_token: 'access-2',
        refresh_token: 'refresh-2',
        expires_in: 1800,
      })
      .post('/oauth/v3/token/introspect')
      .reply(200, { active: true, hub_id: 888, token_use: 'access_token' });
    mockSchemaRequests([]);

    const callback = await request(app)
      .get('/oauth/hubspot/callback')
      .set('cookie', stateCookie(state))
      .query({ code: 'code-new', state });

    expect(callback.status).toBe(200);
    const apiKey = /<code>(csmp_[A-Za-z0-9_-]+)<\/code>/.exec(callback.text)?.[1];
    expect(apiKey).toBeDefined();
    const status = await request(app)
      .get('/api/v1/crm/hubspot/status')
      .set('authorization', `Bearer ${apiKey}`);
    expect(status.status).toBe(200);
    expect(status.body.portalId).toBe('888');
    expect(status.body.status).toBe('active');
    const tenant = await database.db
      .selectFrom('crm_connections')
      .innerJoin('tenants', 'tenants.id', 'crm_connections.tenant_id')
      .select('tenants.name')
      .where('account_id', '=', '888')
      .executeTakeFirstOrThrow();
    expect(tenant.name).toBe('HubSpot portal 888');
  });

  it('callback rejects missing state', async () => {
    const response = await request(buildApp()).get('/oauth/hubspot/callback').query({ code: 'c' });

    expect(response.status).toBe(400);
    expect(response.text).toContain('no state parameter');
  });

  it('callback rejects unknown state', async () => {
    const state = randomBytes(24).toString('base64url');
    const response = await request(buildApp())
      .get('/oauth/hubspot/callback')
      .set('cookie', stateCookie(state))
      .query({ code: 'c', state });

    expect(response.status).toBe(400);
    expect(response.text).toContain('unknown, expired');
  });

  it('callback rejects a state from another browser', async () => {
    const app = buildApp();
    const { state } = await startInstall(app);
    const response = await request(app).get('/oauth/hubspot/callback').query({ code: 'c', state });

    expect(response.status).toBe(400);
    expect(response.text).toContain('started in another browser');
  });

  it('callback rejects reused state', async () => {
    const app = buildApp();
    const { state } = await startInstall(app);
    const tokenScope = nock(oauthBase).post('/oauth/v3/token').reply(400, {
      error: 'invalid_grant',
      error_description: 'code already used',
      status: 'BAD_AUTH_CODE',
    });
    const first = await request(app)
      .get('/oauth/hubspot/callback')
      .set('cookie', stateCookie(state))
      .query({ code: 'c1', state });

    const second = await request(app)
      .get('/oauth/hubspot/callback')
      .set('cookie', stateCookie(state))
      .query({ code: 'c1', state });

    expect(tokenScope.isDone()).toBe(true);
    expect(first.status).toBe(502);
    expect(second.status).toBe(400);
    expect(second.text).toContain('already used');
  });

  it('routes answer 503 without client credentials', async () => {
    const app = buildApp({});

    const install = await request(app).get('/oauth/hubspot/install');
    const callback = await request(app).get('/oauth/hubspot/callback').query({ code: 'c', state: 's' });

    expect(install.status).toBe(503);
    expect(install.text).toContain('HUBSPOT_CLIENT_ID');
    expect(callback.status).toBe(503);
  });
});
