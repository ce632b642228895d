import request from 'supertest';
import { addWebhookSecret, createTenant } from '../../src/tenants/tenants';
import { testConfig } from '../support/config';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { buildTestApp, type TestApp } from '../support/app';
import { customerCreatedEvent, stripeSignature } from '../support/stripe';

describe('POST /webhooks/stripe/:tenantId', () => {
  const config = testConfig();
  const secret = 'whsec_test_primary_secret';
  const now = new Date('2026-06-01T12:00:00Z');
  const nowSeconds = Math.floor(now.getTime() / 1000);
  let database: TestDatabase;
  let testApp: TestApp;
  let tenantId: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    testApp = buildTestApp(database.db, config, { now: () => now });
    ({ tenantId } = await createTenant(database.db, testApp.box, config.PUBLIC_BASE_URL, {
      name: 'Acme',
      stripeWebhookSecret: secret,
    }));
  });
  afterAll(async () => {
    await testApp.queues.stripeEvents.obliterate({ force: true });
    await testApp.close();
    await database.drop();
  });

  function post(body: string, signature: string | undefined, tenant = tenantId) {
    const req = request(testApp.app)
      .post(`/webhooks/stripe/${tenant}`)
      .set('content-type', 'application/json');
    if (signature !== undefined) req.set('stripe-signature', signature);
    return req.send(body);
  }

  async function storedEvents(eventId: string) {
    return database.db.selectFrom('stripe_events').selectAll().where('event_id', '=', eventId).execute();
  }

  it('accepts a valid signature and commits the event', async () => {
    const body = JSON.stringify(customerCreatedEvent());
    const response = await post(body, stripeSignature(body, secret, nowSeconds));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ received: true, duplicate: false });
    const rows = await storedEvents(JSON.parse(body).id);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.type).toBe('customer.created');
    expect(rows[0]?.enqueued_at).not.toBeNull();
    const job = await testApp.queues.stripeEvents.getJob(`event-${rows[0]?.id}`);
    expect(job?.data.eventRowId).toBe(rows[0]?.id);
  });

  it('rejects a signature made with another secret', async () => {
    const body = JSON.stringify(customerCreatedEvent());
    const response = await post(body, stripeSignature(body, 'whsec_someone_else', nowSeconds));
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_signature');
    expect(await storedEvents(JSON.parse(body).id)).toHaveLength(0);
  });

  it('rejects a body changed after signing', async () => {
    const body = JSON.stringify(customerCreatedEvent());
    const signature = stripeSignature(body, secret, nowSeconds);
    const response = await post(body.replace('Acme', 'Evil'), signature);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_signature');
  });

  it('rejects a stale timestamp', async () => {
    const body = JSON.stringify(customerCreatedEvent());
    const response = await post(
      body,
      stripeSignature(body, secret, nowSeconds - config.STRIPE_WEBHOOK_TOLERANCE_SECONDS - 1),
    );
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('stale_signature');
    expect(response.body.error.message).toMatch(/more than 300 s old/);
  });

  it('rejects a missing signature header', async () => {
    const response = await post(JSON.stringify(customerCreatedEvent()), undefined);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('missing_signature');
  });

  it.each([
    ['an empty v1', `t=${Math.floor(Date.now() / 1000)},v1=`],
    ['a non-numeric timestamp', 't=abc,v1=' + 'a'.repeat(64)],
    ['no v1 at all', `t=${Math.floor(Date.now() / 1000)}`],
  ])('rejects a header with %s', async (_case, header) => {
    const response = await post(JSON.stringify(customerCreatedEvent()), header);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_signature');
    expect(response.body.error.message).toMatch(/malformed/);
  });

  it('rejects a timestamp in the future', async () => {
    const body = JSON.stringify(customerCreatedEvent());
    const response = await post(body, stripeSignature(body, secret, nowSeconds + 3600));
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('stale_signature');
  });

  it('rejects a signed body that is not JSON', async () => {
    const response = await post('this is not json', stripeSignature('this is not json', secret, nowSeconds));
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_event');
  });

  it.each([
    ['created far in the future', { created: 1e15 }, /created must be whole seconds/],
    ['fractional created', { created: 1_700_000_000.5 }, /created must be whole seconds/],
    ['a very long id', { id: `evt_${'a'.repeat(6000)}` }, /id must be a non-empty string of at most 255/],
    ['a NUL character', { type: 'customer.created\u0000' }, /U\+0000/],
  ])('rejects an event with %s', async (_case, overrides, message) => {
    const body = JSON.stringify(customerCreatedEvent(overrides as Record<string, unknown>));
    const response = await post(body, stripeSignature(body, secret, nowSeconds));
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_event');
    expect(response.body.error.message).toMatch(message);
  });

  it('rejects an unknown tenant', async () => {
    const body = JSON.stringify(customerCreatedEvent());
    const unknown = '00000000-0000-4000-8000-000000000000';
    const response = await post(body, stripeSignature(body, secret, nowSeconds), unknown);
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('unknown_tenant');
    const malformed = await post(body, stripeSignature(body, secret, nowSeconds), 'not-a-uuid');
    expect(malformed.status).toBe(404);
  });

  it('rejects a signed body that is not an event', async () => {
    const body = JSON.stringify({ hello: 'world' });
    const response = await post(body, stripeSignature(body, secret, nowSeconds));
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_event');
    expect(response.body.error.message).toMatch(/id must be a non-empty string/);
  });

  it('treats a redelivery as a duplicate', async () => {
    const body = JSON.stringify(customerCreatedEvent());
    const first = await post(body, stripeSignature(body, secret, nowSeconds));
    const second = await post(body, stripeSignature(body, secret, nowSeconds + 60));
    expect(first.body.duplicate).toBe(false);
    expect(second.status).toBe(200);
    expect(second.body.duplicate).toBe(true);
    expect(await storedEvents(JSON.parse(body).id)).toHaveLength(1);
  });

  it('accepts both secrets during a rotation, then only the new one', async () => {
    const rotatedSecret = 'whsec_test_rotated_secret';
    await addWebhookSecret(
      database.db,
      testApp.box,
      tenantId,
      rotatedSecret,
      new Date(now.getTime() + 3_600_000),
    );
    const oldBody = JSON.stringify(customerCreatedEvent());
    const newBody = JSON.stringify(customerCreatedEvent());
    expect((await post(oldBody, stripeSignature(oldBody, secret, nowSeconds))).status).toBe(200);
    expect((await post(newBody, stripeSignature(newBody, rotatedSecret, nowSeconds))).status).toBe(200);

    const later = new Date(now.getTime() + 2 * 3_600_000);
    const laterApp = buildTestApp(database.db, config, { now: () => later });
    try {
      const laterSeconds = Math.floor(later.getTime() / 1000);
      const oldAgain = JSON.stringify(customerCreatedEvent());
      const expired = await request(laterApp.app)
        .post(`/webhooks/stripe/${tenantId}`)
        .set('stripe-signature', stripeSignature(oldAgain, secret, laterSeconds))
        .send(oldAgain);
      expect(expired.status).toBe(400);
      expect(expired.body.error.code).toBe('invalid_signature');
    } finally {
      await laterApp.close();
    }
  });
});
