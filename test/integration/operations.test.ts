import request from 'supertest';
import { createTenant } from '../../src/tenants/tenants';
import { buildTestApp, type TestApp } from '../support/app';
import { testConfig } from '../support/config';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { customerCreatedEvent, stripeSignature } from '../support/stripe';

describe('operations endpoints', () => {
  const config = testConfig();
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  it('healthz answers while the process runs', async () => {
    const testApp = buildTestApp(database.db, config);
    try {
      const response = await request(testApp.app).get('/healthz');
      expect(response.status).toBe(200);
    } finally {
      await testApp.close();
    }
  });

  it('readyz is ready with PostgreSQL and Redis up', async () => {
    const testApp = buildTestApp(database.db, config);
    try {
      const response = await request(testApp.app).get('/readyz');
      expect(response.status).toBe(200);
      expect(response.body.checks).toEqual({ database: 'ok', redis: 'ok' });
    } finally {
      await testApp.close();
    }
  });

  it('readyz names Redis when it is down', async () => {
    const testApp = buildTestApp(database.db, config, { redisUrl: 'redis://127.0.0.1:1' });
    try {
      const response = await request(testApp.app).get('/readyz');
      expect(response.status).toBe(503);
      expect(response.body.checks).toEqual({ database: 'ok', redis: 'unavailable' });
    } finally {
      await testApp.close();
    }
  });

  it('metrics count webhook outcomes', async () => {
    const testApp = buildTestApp(database.db, config);
    const secret = 'whsec_metrics_test_secret';
    try {
      const { tenantId } = await createTenant(database.db, testApp.box, config.PUBLIC_BASE_URL, {
        name: 'Acme',
        stripeWebhookSecret: secret,
      });
      const body = JSON.stringify(customerCreatedEvent());
      const signature = stripeSignature(body, secret, Math.floor(Date.now() / 1000));
      for (let i = 0; i < 2; i += 1) {
        await request(testApp.app)
          .post(`/webhooks/stripe/${tenantId}`)
          .set('stripe-signature', signature)
          .send(body);
      }
      await request(testApp.app)
        .post(`/webhooks/stripe/${tenantId}`)
        .set('stripe-signature', 'bad')
        .send(body);
      const response = await request(testApp.app).get('/metrics');
      expect(response.status).toBe(200);
      expect(response.text).toContain('csm_webhook_requests_total{outcome="accepted"} 1');
      expect(response.text).toContain('csm_webhook_requests_total{outcome="duplicate"} 1');
      expect(response.text).toContain('csm_webhook_requests_total{outcome="rejected"} 1');
    } finally {
      await testApp.queues.stripeEvents.obliterate({ force: true });
      await testApp.close();
    }
  });

  it.each([
    [
      'bad percent-encoding',
      (app: TestApp['app']) => request(app).post('/webhooks/stripe/%E0%A4%A').send('{}'),
      400,
    ],
    [
      'an unsupported content encoding',
      (app: TestApp['app']) =>
        request(app)
          .post('/webhooks/stripe/00000000-0000-4000-8000-000000000000')
          .set('content-encoding', 'foo')
          .send('{}'),
      415,
    ],
  ])('answers a 4xx for %s', async (_case, send, status) => {
    const testApp = buildTestApp(database.db, config);
    try {
      const response = await send(testApp.app);
      expect(response.status).toBe(status);
      expect(response.body.error.code).toBeDefined();
    } finally {
      await testApp.close();
    }
  });

  it('unknown routes answer a JSON 404', async () => {
    const testApp = buildTestApp(database.db, config);
    try {
      const response = await request(testApp.app).get('/nope');
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('not_found');
    } finally {
      await testApp.close();
    }
  });
});
