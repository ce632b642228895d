import { createHmac } from 'node:crypto';
import express from 'express';
import pino from 'pino';
import request from 'supertest';
import { SecretBox } from '../../src/db/crypto';
import { errorHandler, notFoundHandler } from '../../src/http/errors';
import { loadManifest } from '../../src/install/manifest';
import { createSlackReceiver, slackRouter } from '../../src/slack/receiver';
import { testConfig } from '../support/config';
import { createTestDatabase, type TestDatabase } from '../support/database';

const signingSecret = 'signing-secret-for-tests';
const log = pino({ level: 'silent' });

function sign(body: string, timestamp: number, secret = signingSecret): Record<string, string> {
  const hex = createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex');
  return { 'X-Slack-Signature': `v0=${hex}`, 'X-Slack-Request-Timestamp': String(timestamp) };
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

describe('Slack signature behind global body parsers', () => {
  let database: TestDatabase;
  let app: express.Express;
  const config = testConfig({
    SLACK_CLIENT_ID: 'client-1',
    SLACK_CLIENT_SECRET: 'client-secret-1',
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_STATE_SECRET: 'state-secret-state-secret-state-secret',
  });

  beforeAll(async () => {
    database = await createTestDatabase();
    const box = new SecretBox(config.TOKEN_ENCRYPTION_KEYS, config.TOKEN_ENCRYPTION_KEY_ID);
    const slack = createSlackReceiver({ config, db: database.db, box, log, manifest: loadManifest() });
    app = express();
    // The order src/http/app.ts uses: the Slack router first, then parsers that apply to every later route.
    app.use(slackRouter(slack, config));
    app.use(express.json());
    app.use(express.urlencoded({ extended: false }));
    app.post('/echo', (req, res) => {
      res.json(req.body);
    });
    app.use(notFoundHandler());
    app.use(errorHandler(log));
  });

  afterAll(async () => {
    await database.drop();
  });

  it('accepts a signed JSON event', async () => {
    const body = JSON.stringify({ type: 'url_verification', challenge: 'challenge-42', token: 'unused' });
    const response = await request(app)
      .post('/slack/events')
      .set({ 'content-type': 'application/json', ...sign(body, nowSeconds()) })
      .send(body);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ challenge: 'challenge-42' });
  });

  it('accepts a signed form body', async () => {
    const body = 'ssl_check=1&token=unused';
    const response = await request(app)
      .post('/slack/actions')
      .set({ 'content-type': 'application/x-www-form-urlencoded', ...sign(body, nowSeconds()) })
      .send(body);

    expect(response.status).toBe(200);
  });

  it('rejects a bad signature', async () => {
    const body = JSON.stringify({ type: 'url_verification', challenge: 'challenge-42' });
    const response = await request(app)
      .post('/slack/events')
      .set({ 'content-type': 'application/json', ...sign(body, nowSeconds(), 'another-secret') })
      .send(body);

    expect(response.status).toBe(401);
    expect(response.text).not.toContain('challenge-42');
  });

  it('rejects a changed body', async () => {
    const signed = JSON.stringify({ type: 'url_verification', challenge: 'challenge-42' });
    const sent = JSON.stringify({ type: 'url_verification', challenge: 'challenge-43' });
    const response = await request(app)
      .post('/slack/events')
      .set({ 'content-type': 'application/json', ...sign(signed, nowSeconds()) })
      .send(sent);

    expect(response.status).toBe(401);
  });

  it('rejects a stale timestamp', async () => {
    const body = JSON.stringify({ type: 'url_verification', challenge: 'challenge-42' });
    const sixMinutesAgo = nowSeconds() - 6 * 60;
    const response = await request(app)
      .post('/slack/events')
      .set({ 'content-type': 'application/json', ...sign(body, sixMinutesAgo) })
      .send(body);

    expect(response.status).toBe(401);
  });

  it('rejects missing signature headers', async () => {
    const body = JSON.stringify({ type: 'url_verification', challenge: 'challenge-42' });
    const response = await request(app)
      .post('/slack/events')
      .set('content-type', 'application/json')
      .send(body);

    expect(response.status).toBe(401);
  });

  it('leaves the global parsers working', async () => {
    const response = await request(app).post('/echo').send({ invoice: 'in_1' });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ invoice: 'in_1' });
  });
});

describe('Slack routes without settings', () => {
  it('answer 503 naming the settings', async () => {
    const config = testConfig();
    const app = express();
    app.use(slackRouter(null, config));

    const response = await request(app).get('/slack/install');

    expect(response.status).toBe(503);
    expect(response.text).toContain('SLACK_SIGNING_SECRET');
    expect(response.text).toContain('SLACK_STATE_SECRET');
  });
});
