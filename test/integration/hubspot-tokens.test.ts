import { randomBytes } from 'node:crypto';
import express from 'express';
import { Redis } from 'ioredis';
import nock from 'nock';
import pino from 'pino';
import request from 'supertest';
import { HubSpotOAuthClient } from '../../integrations/hubspot/oauth';
import {
  HubSpotTokenError,
  HubSpotTokenProvider,
  type HubSpotConnection,
} from '../../integrations/hubspot/tokens';
import { SecretBox } from '../../src/db/crypto';
import { errorHandler } from '../../src/http/errors';
import { hubSpotAdminRouter } from '../../src/install/admin-routes';
import { markCrmDirty } from '../../src/sync/hubspot-sync';
import { createTenant } from '../../src/tenants/tenants';
import { testConfig } from '../support/config';
import { createTestDatabase, type TestDatabase } from '../support/database';

const oauthBase = 'http://hubspot-oauth-tokens.test';
const now = new Date('2026-06-01T12:00:00.000Z');
const log = pino({ level: 'silent' });
const prefix = `tokens-test-${randomBytes(4).toString('hex')}`;

describe('HubSpotTokenProvider', () => {
  let database: TestDatabase;
  let redis: Redis;
  const config = testConfig();
  const box = new SecretBox(config.TOKEN_ENCRYPTION_KEYS, config.TOKEN_ENCRYPTION_KEY_ID);
  const oauth = new HubSpotOAuthClient({ baseUrl: oauthBase, clientId: 'client', clientSecret: 'secret' });

  function provider(overrides: { oauth?: HubSpotOAuthClient | null } = {}) {
    return new HubSpotTokenProvider({
      db: database.db,
      box,
      redis,
      oauth: overrides.oauth === undefined ? oauth : overrides.oauth,
      log,
      now: () => now,
      keyPrefix: prefix,
      pollIntervalMs: 10,
    });
  }

  async function connection(
    portalId: string,
    expiresAt: Date | null,
    refreshToken: string | null = 'refresh-old',
  ) {
    const created = await createTenant(database.db, box, 'https://payments.example.com', {
      name: `Portal ${portalId}`,
      stripeWebhookSecret: 'whsec_tokens_test_secret',
    });
    await database.db
      .insertInto('crm_connections')
      .values({
        tenant_id: created.tenantId,
        provider: 'hubspot',
        account_id: portalId,
        access_token_sealed: box.seal('access-old'),
        refresh_token_sealed: refreshToken === null ? null : box.seal(refreshToken),
        access_token_expires_at: expiresAt,
      })
      .execute();
    const row = await reload(portalId);
    return { row, tenantId: created.tenantId, apiKey: created.apiKey };
  }

  function reload(portalId: string): Promise<HubSpotConnection> {
    return database.db
      .selectFrom('crm_connections')
      .selectAll()
      .where('account_id', '=', portalId)
      .executeTakeFirstOrThrow();
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    redis = new Redis(config.REDIS_URL);
  });
  afterEach(() => nock.cleanAll());
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await database.drop();
  });

  it('returns a fresh token without refreshing', async () => {
    const { row } = await connection('1001', new Date(now.getTime() + 20 * 60_000));

    await expect(provider().accessTokenFor(row)).resolves.toBe('access-old');
  });

  it('refreshes within five minutes of expiry', async () => {
    const { row } = await connection('1002', new Date(now.getTime() + 4 * 60_000));
    let form: URLSearchParams | undefined;
    const scope = nock(oauthBase)
      .post('/oauth/v3/token')
      .reply(200, (_uri, body) => {
        form = new URLSearchParams(body as string);
        return {
          access_token: 'access-new',
          refresh_token: 'refresh-new',
          expires_in: 1800,
          token_type: 'bearer',
        };
      });

    const token = await provider().accessTokenFor(row);

    expect(scope.isDone()).toBe(true);
    expect(token).toBe('access-new');
    expect(form?.get('grant_type')).toBe('refresh_token');
    expect(form?.get('refresh_token')).toBe('refresh-old');
    const stored = await reload('1002');
    expect(box.open(stored.access_token_sealed)).toBe('access-new');
    expect(box.open(stored.refresh_token_sealed!)).toBe('refresh-new');
    expect(stored.access_token_expires_at?.toISOString()).toBe('2026-06-01T12:30:00.000Z');
  });

  it('two concurrent refreshes make one call', async () => {
    const { row } = await connection('1003', new Date(now.getTime() - 60_000));
    let calls = 0;
    nock(oauthBase)
      .post('/oauth/v3/token')
      .times(2)
      .delay(150)
      .reply(200, () => {
        calls += 1;
        return { access_token: `access-${calls}`, refresh_token: 'refresh-next', expires_in: 1800 };
      });

    const tokens = await Promise.all([provider().accessTokenFor(row), provider().accessTokenFor(row)]);

    expect(calls).toBe(1);
    expect(tokens).toEqual(['access-1', 'access-1']);
  });

  it('rejected refresh token marks needs_reauth', async () => {
    const { row, tenantId, apiKey } = await connection('1004', new Date(now.getTime() - 60_000));
    const customer = await database.db
      .insertInto('customers')
      .values({ tenant_id: tenantId, stripe_customer_id: 'cus_reauth', name: 'Reauth', currency: 'usd' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await markCrmDirty(database.db, tenantId, [customer.id], 'hubspot', now);
    const scope = nock(oauthBase).post('/oauth/v3/token').once().reply(400, {
      error: 'invalid_grant',
      error_description: 'refresh token is invalid, expired or revoked',
      status: 'BAD_REFRESH_TOKEN',
      message: 'refresh token is invalid, expired or revoked',
    });

    const failure = await provider()
      .accessTokenFor(row)
      .catch((error: unknown) => error);

    expect(scope.isDone()).toBe(true);
    expect(failure).toBeInstanceOf(HubSpotTokenError);
    expect((failure as HubSpotTokenError).code).toBe('hubspot_reauth_required');
    expect((failure as HubSpotTokenError).retryable).toBe(false);
    expect((await reload('1004')).status).toBe('needs_reauth');
    const state = await database.db
      .selectFrom('crm_sync_state')
      .select('dirty_since')
      .where('customer_id', '=', customer.id)
      .executeTakeFirstOrThrow();
    expect(state.dirty_since?.toISOString()).toBe(now.toISOString());
    const audit = await database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .execute();
    expect(audit.map((entry) => entry.action)).toEqual(['hubspot.needs_reauth']);

    // A second attempt fails at once, without another token request.
    await expect(provider().accessTokenFor(await reload('1004'))).rejects.toThrow('needs_reauth');

    const app = express();
    app.use(
      hubSpotAdminRouter({
        db: database.db,
        box,
        queues: null as never,
        log,
        installUrl: 'https://payments.example.com/oauth/hubspot/install',
        now: () => now,
      }),
    );
    app.use(errorHandler(log));
    const status = await request(app)
      .get('/api/v1/crm/hubspot/status')
      .set('authorization', `Bearer ${apiKey}`);
    expect(status.status).toBe(200);
    expect(status.body.status).toBe('needs_reauth');
    expect(status.body.portalId).toBe('1004');
    expect(status.body.lastError.message).toContain('refresh token is invalid');
    expect(status.body.reinstallUrl).toBe('https://payments.example.com/oauth/hubspot/install');
  });

  it('private-app token works without OAuth', async () => {
    const { row } = await connection('1005', null, null);

    await expect(provider({ oauth: null }).accessTokenFor(row)).resolves.toBe('access-old');
  });
});
