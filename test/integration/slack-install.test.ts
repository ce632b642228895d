import { createHmac } from 'node:crypto';
import express from 'express';
import nock from 'nock';
import pino from 'pino';
import request from 'supertest';
import { decideInstall, installationForTenant } from '../../integrations/slack/installation-store';
import { SecretBox } from '../../src/db/crypto';
import { loadManifest } from '../../src/install/manifest';
import { createInstallToken } from '../../src/slack/install/install-links';
import { createSlackReceiver, slackRouter } from '../../src/slack/receiver';
import { createTenant } from '../../src/tenants/tenants';
import { testConfig } from '../support/config';
import { createTestDatabase, type TestDatabase } from '../support/database';

const publicBaseUrl = 'https://payments.example.com';
const signingSecret = 'signing-secret-for-tests';
const stateSecret = 'state-secret-state-secret-state-secret';
const log = pino({ level: 'silent' });
const slackApi = 'https://slack.com';

interface Tenant {
  tenantId: string;
  apiKey: string;
}

function cookiesOf(response: request.Response): string[] {
  const header = response.headers['set-cookie'] as unknown as string[] | undefined;
  return (header ?? []).map((cookie) => cookie.split(';')[0]!);
}

function signedEvent(body: string): Record<string, string> {
  const timestamp = Math.floor(Date.now() / 1000);
  const hex = createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex');
  return {
    'content-type': 'application/json',
    'X-Slack-Signature': `v0=${hex}`,
    'X-Slack-Request-Timestamp': `${timestamp}`,
  };
}

function oauthReply(teamId: string, botToken: string) {
  return {
    ok: true,
    app_id: 'A0CSM',
    authed_user: { id: 'U0ADMIN' },
    scope: 'chat:write,usergroups:read',
    token_type: 'bot',
    access_token: botToken,
    bot_user_id: 'U0BOT',
    team: { id: teamId, name: 'Acme Workspace' },
    enterprise: null,
    is_enterprise_install: false,
  };
}

describe('Slack install', () => {
  let database: TestDatabase;
  let app: express.Express;
  let tenantA: Tenant;
  let tenantB: Tenant;
  const config = testConfig({
    PUBLIC_BASE_URL: publicBaseUrl,
    SLACK_CLIENT_ID: 'client-1',
    SLACK_CLIENT_SECRET: 'client-secret-1',
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_STATE_SECRET: stateSecret,
  });
  const box = new SecretBox(config.TOKEN_ENCRYPTION_KEYS, config.TOKEN_ENCRYPTION_KEY_ID);

  beforeAll(async () => {
    database = await createTestDatabase();
    const slack = createSlackReceiver({ config, db: database.db, box, log, manifest: loadManifest() });
    app = express();
    app.use(slackRouter(slack, config));
    const create = (name: string) =>
      createTenant(database.db, box, publicBaseUrl, { name, stripeWebhookSecret: 'whsec_test_secret_1234' });
    tenantA = await create('Tenant A');
    tenantB = await create('Tenant B');
  });

  afterEach(() => {
    nock.cleanAll();
  });

  afterAll(async () => {
    await database.drop();
  });

  async function installLink(tenant: Tenant): Promise<string> {
    const response = await request(app)
      .post('/slack/install-links')
      .set('authorization', `Bearer ${tenant.apiKey}`);
    expect(response.status).toBe(201);
    return response.body.url as string;
  }

  /** Opens the install link; returns the OAuth state and the cookies the browser would keep. */
  async function startInstall(tenant: Tenant): Promise<{ state: string; cookies: string[] }> {
    const url = new URL(await installLink(tenant));
    const response = await request(app).get(`${url.pathname}${url.search}`);
    expect(response.status).toBe(302);
    const location = new URL(response.headers.location!);
    return { state: location.searchParams.get('state')!, cookies: cookiesOf(response) };
  }

  function expectTokenExchange(teamId: string, botToken: string, forms: Record<string, string>[]) {
    return nock(slackApi)
      .post('/api/oauth.v2.access', (body: Record<string, string>) => {
        forms.push(body);
        return true;
      })
      .reply(200, oauthReply(teamId, botToken))
      .post('/api/auth.test')
      .reply(200, {
        ok: true,
        bot_id: 'B0BOT',
        user_id: 'U0BOT',
        team_id: teamId,
        url: 'https://acme.slack.com/',
      });
  }

  async function finishInstall(started: { state: string; cookies: string[] }) {
    return request(app)
      .get(`/slack/oauth_redirect?code=code-123&state=${encodeURIComponent(started.state)}`)
      .set('cookie', started.cookies.join('; '));
  }

  async function workspaceRows(teamId: string) {
    return database.db.selectFrom('slack_installations').selectAll().where('team_id', '=', teamId).execute();
  }

  it('link requires the API key', async () => {
    const response = await request(app)
      .post('/slack/install-links')
      .set('authorization', 'Bearer csmp_wrong');

    expect(response.status).toBe(401);
  });

  it('install path redirects to Slack', async () => {
    const url = new URL(await installLink(tenantA));
    const response = await request(app).get(`${url.pathname}${url.search}`);
    const location = new URL(response.headers.location!);

    expect(response.status).toBe(302);
    expect(location.origin + location.pathname).toBe('https://slack.com/oauth/v2/authorize');
    expect(location.searchParams.get('scope')).toBe('chat:write,usergroups:read');
    expect(location.searchParams.get('client_id')).toBe('client-1');
    expect(location.searchParams.get('redirect_uri')).toBe(`${publicBaseUrl}/slack/oauth_redirect`);
    expect(cookiesOf(response).some((cookie) => cookie.startsWith('csm_slack_install='))).toBe(true);
  });

  it('install path requires a link', async () => {
    const response = await request(app).get('/slack/install');

    expect(response.status).toBe(400);
    expect(response.headers.location).toBeUndefined();
  });

  it('installs and stores the token sealed', async () => {
    const forms: Record<string, string>[] = [];
    const scope = expectTokenExchange('T0INSTALL', 'xoxb-install-1', forms);

    const response = await finishInstall(await startInstall(tenantA));
    const [row] = await workspaceRows('T0INSTALL');

    expect(response.status).toBe(200);
    expect(response.text).toContain('Acme Workspace');
    expect(response.text).toContain('Tenant A');
    expect(scope.isDone()).toBe(true);
    expect(forms[0]).toMatchObject({
      code: 'code-123',
      client_id: 'client-1',
      client_secret: 'client-secret-1',
      redirect_uri: `${publicBaseUrl}/slack/oauth_redirect`,
    });
    expect(row!.tenant_id).toBe(tenantA.tenantId);
    expect(row!.bot_token_sealed).not.toContain('xoxb');
    expect(box.open(row!.bot_token_sealed)).toBe('xoxb-install-1');
    expect(row!.bot_scopes).toEqual(['chat:write', 'usergroups:read']);
    expect(await installationForTenant(database.db, box, tenantA.tenantId)).toEqual({
      teamId: 'T0INSTALL',
      botToken: 'xoxb-install-1',
      botUserId: 'U0BOT',
    });
  });

  it('reinstall updates the row', async () => {
    expectTokenExchange('T0REINSTALL', 'xoxb-first', []);
    await finishInstall(await startInstall(tenantA));
    expectTokenExchange('T0REINSTALL', 'xoxb-second', []);

    const response = await finishInstall(await startInstall(tenantA));
    const rows = await workspaceRows('T0REINSTALL');

    expect(response.status).toBe(200);
    expect(rows).toHaveLength(1);
    expect(box.open(rows[0]!.bot_token_sealed)).toBe('xoxb-second');
  });

  it('rejects a workspace of another tenant', async () => {
    expectTokenExchange('T0TAKEN', 'xoxb-owner', []);
    await finishInstall(await startInstall(tenantA));
    expectTokenExchange('T0TAKEN', 'xoxb-intruder', []);

    const response = await finishInstall(await startInstall(tenantB));
    const rows = await workspaceRows('T0TAKEN');

    expect(response.status).toBe(409);
    expect(response.text).toContain('already connected to another CSM Payments account');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.tenant_id).toBe(tenantA.tenantId);
    expect(box.open(rows[0]!.bot_token_sealed)).toBe('xoxb-owner');
  });

  it('rejects a forged tenant in the cookie', async () => {
    const scope = expectTokenExchange('T0FORGED', 'xoxb-forged', []);
    const started = await startInstall(tenantB);
    const ownToken = started.cookies
      .find((cookie) => cookie.startsWith('csm_slack_install='))!
      .split('=')[1]!;
    const [, signature] = ownToken.split('.');
    const forgedPayload = createInstallToken('attacker-guess', tenantA.tenantId, new Date()).token.split(
      '.',
    )[0];
    const cookies = started.cookies.map((cookie) =>
      cookie.startsWith('csm_slack_install=') ? `csm_slack_install=${forgedPayload}.${signature}` : cookie,
    );

    const response = await finishInstall({ state: started.state, cookies });

    expect(response.status).toBe(400);
    expect(scope.isDone()).toBe(false);
    expect(await workspaceRows('T0FORGED')).toHaveLength(0);
  });

  it('rejects a redirect without the install cookie', async () => {
    const scope = expectTokenExchange('T0NOCOOKIE', 'xoxb-none', []);
    const started = await startInstall(tenantA);
    const cookies = started.cookies.filter((cookie) => !cookie.startsWith('csm_slack_install='));

    const response = await finishInstall({ state: started.state, cookies });

    expect(response.status).toBe(400);
    expect(scope.isDone()).toBe(false);
    expect(await workspaceRows('T0NOCOOKIE')).toHaveLength(0);
  });

  it('rejects a link signed with another secret', async () => {
    const { token } = createInstallToken(
      'another-state-secret-another-state-secret',
      tenantA.tenantId,
      new Date(),
    );

    const response = await request(app).get(`/slack/install?install_token=${encodeURIComponent(token)}`);

    expect(response.status).toBe(400);
    expect(response.headers.location).toBeUndefined();
  });

  it('rejects an expired link', async () => {
    const twoHoursAgo = new Date(Date.now() - 2 * 3600 * 1000);
    const { token } = createInstallToken(stateSecret, tenantA.tenantId, twoHoursAgo);

    const response = await request(app).get(`/slack/install?install_token=${encodeURIComponent(token)}`);

    expect(response.status).toBe(400);
    expect(response.text).toContain('expired');
  });

  it('app_uninstalled marks it revoked', async () => {
    expectTokenExchange('T0UNINSTALL', 'xoxb-gone', []);
    await finishInstall(await startInstall(tenantB));
    const body = JSON.stringify({
      type: 'event_callback',
      team_id: 'T0UNINSTALL',
      api_app_id: 'A0CSM',
      event_id: 'Ev0001',
      event_time: 1_780_000_000,
      event: { type: 'app_uninstalled', event_ts: '1780000000.000100' },
    });

    const response = await request(app).post('/slack/events').set(signedEvent(body)).send(body);
    const row = await eventually(async () => {
      const [current] = await workspaceRows('T0UNINSTALL');
      return current?.status === 'revoked' ? current : null;
    });

    expect(response.status).toBe(200);
    expect(row.bot_token_sealed).toBe('');
    expect(await installationForTenant(database.db, box, tenantB.tenantId)).toBeNull();
  });

  it('tokens_revoked marks it revoked', async () => {
    expectTokenExchange('T0REVOKED', 'xoxb-revoked', []);
    await finishInstall(await startInstall(tenantB));
    const body = JSON.stringify({
      type: 'event_callback',
      team_id: 'T0REVOKED',
      api_app_id: 'A0CSM',
      event_id: 'Ev0002',
      event_time: 1_780_000_000,
      event: { type: 'tokens_revoked', tokens: { oauth: [], bot: ['U0BOT'] }, event_ts: '1780000000.000200' },
    });

    const response = await request(app).post('/slack/events').set(signedEvent(body)).send(body);
    const row = await eventually(async () => {
      const [current] = await workspaceRows('T0REVOKED');
      return current?.status === 'revoked' ? current : null;
    });

    expect(response.status).toBe(200);
    expect(row.status).toBe('revoked');
  });
});

describe('decideInstall', () => {
  it('inserts a new workspace', () => {
    expect(decideInstall(undefined, 'tenant-a')).toBe('insert');
  });

  it('updates for the same tenant', () => {
    expect(decideInstall({ tenantId: 'tenant-a', status: 'active' }, 'tenant-a')).toBe('update');
  });

  it('rejects another tenant while active', () => {
    expect(decideInstall({ tenantId: 'tenant-a', status: 'active' }, 'tenant-b')).toBe('reject');
  });

  it('hands a revoked workspace over', () => {
    expect(decideInstall({ tenantId: 'tenant-a', status: 'revoked' }, 'tenant-b')).toBe('update');
  });
});

/** Polls until `check` returns a value: Bolt acks events before the listener finishes. */
async function eventually<T>(check: () => Promise<T | null>, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
