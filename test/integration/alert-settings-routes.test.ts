import request from 'supertest';
import { createTenant } from '../../src/tenants/tenants';
import { buildTestApp, type TestApp } from '../support/app';
import { testConfig } from '../support/config';
import { createTestDatabase, type TestDatabase } from '../support/database';

describe('alert settings API', () => {
  const config = testConfig();
  let database: TestDatabase;
  let testApp: TestApp;
  let apiKey: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    testApp = buildTestApp(database.db, config);
    ({ apiKey } = await createTenant(database.db, testApp.box, config.PUBLIC_BASE_URL, {
      name: 'Acme',
      stripeWebhookSecret: 'whsec_alert_settings_test',
    }));
  });
  afterAll(async () => {
    await testApp.close();
    await database.drop();
  });

  const put = (body: unknown, key = apiKey) =>
    request(testApp.app)
      .put('/api/v1/alerts/settings')
      .set('authorization', `Bearer ${key}`)
      .send(body as object);

  it('saves settings and warns without Slack', async () => {
    const response = await put({ defaultChannel: 'C0ALERTS' });
    expect(response.status).toBe(200);
    expect(response.body.settings.defaultChannel).toBe('C0ALERTS');
    expect(response.body.warnings[0]).toMatch(/No Slack workspace is connected/);
    const read = await request(testApp.app)
      .get('/api/v1/alerts/settings')
      .set('authorization', `Bearer ${apiKey}`);
    expect(read.body.settings.defaultChannel).toBe('C0ALERTS');
  });

  it('lists every problem of a bad body', async () => {
    const response = await put({ defaultChannel: 'general', rules: { nope: {} } });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_alert_settings');
    expect(response.body.error.issues.length).toBeGreaterThanOrEqual(2);
  });

  it('rejects a body that is not JSON', async () => {
    const response = await request(testApp.app)
      .put('/api/v1/alerts/settings')
      .set('authorization', `Bearer ${apiKey}`)
      .set('content-type', 'text/plain')
      .send('defaultChannel=C0ALERTS');
    expect(response.status).toBe(415);
    expect(response.body.error.code).toBe('unsupported_media_type');
  });

  it('requires the API key', async () => {
    const response = await put({ defaultChannel: 'C0ALERTS' }, 'csmp_wrong');
    expect(response.status).toBe(401);
  });
});
