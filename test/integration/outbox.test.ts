import pino from 'pino';
import request from 'supertest';
import { Metrics } from '../../src/metrics';
import { Queues, redisOptions } from '../../src/queues/queues';
import { createTenant } from '../../src/tenants/tenants';
import { relayOnce } from '../../src/worker/relay';
import { storeStripeEvent } from '../../src/ingestion/event-store';
import { readEventEnvelope } from '../../integrations/stripe/webhook';
import { buildTestApp } from '../support/app';
import { testConfig } from '../support/config';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { customerCreatedEvent, stripeSignature } from '../support/stripe';

describe('outbox relay', () => {
  const config = testConfig();
  const secret = 'whsec_test_outbox_secret';
  let database: TestDatabase;
  let tenantId: string;
  let queues: Queues;

  beforeAll(async () => {
    database = await createTestDatabase();
    const setup = buildTestApp(database.db, config);
    ({ tenantId } = await createTenant(database.db, setup.box, config.PUBLIC_BASE_URL, {
      name: 'Acme',
      stripeWebhookSecret: secret,
    }));
    await setup.close();
    queues = new Queues(redisOptions(config.REDIS_URL, 'producer'), config.QUEUE_PREFIX);
  });
  afterAll(async () => {
    await queues.stripeEvents.obliterate({ force: true });
    await queues.close();
    await database.drop();
  });

  function relay(now = new Date()) {
    return relayOnce({
      db: database.db,
      queues,
      metrics: new Metrics(),
      log: pino({ level: 'silent' }),
      now: () => now,
      staleAfterMs: 60_000,
      crmDebounceMs: 1000,
    });
  }

  it('keeps an event that arrives while Redis is down and enqueues it later', async () => {
    // Port 1 on loopback has no Redis: the producer fails fast instead of queuing commands in memory.
    const offline = buildTestApp(database.db, config, { redisUrl: 'redis://127.0.0.1:1' });
    const body = JSON.stringify(customerCreatedEvent());
    try {
      const response = await request(offline.app)
        .post(`/webhooks/stripe/${tenantId}`)
        .set('stripe-signature', stripeSignature(body, secret, Math.floor(Date.now() / 1000)))
        .send(body);
      expect(response.status).toBe(200);
    } finally {
      await offline.close();
    }
    const stored = await database.db
      .selectFrom('stripe_events')
      .selectAll()
      .where('event_id', '=', JSON.parse(body).id)
      .executeTakeFirstOrThrow();
    expect(stored.enqueued_at).toBeNull();

    expect(await relay()).toBeGreaterThanOrEqual(1);
    const job = await queues.stripeEvents.getJob(`event-${stored.id}`);
    expect(job?.data.eventRowId).toBe(stored.id);
    const after = await database.db
      .selectFrom('stripe_events')
      .select('enqueued_at')
      .where('id', '=', stored.id)
      .executeTakeFirstOrThrow();
    expect(after.enqueued_at).not.toBeNull();
  });

  it('enqueues an event committed by a process that died before enqueueing', async () => {
    const event = customerCreatedEvent();
    const stored = await storeStripeEvent(
      database.db,
      tenantId,
      readEventEnvelope(event),
      Buffer.from(JSON.stringify(event)),
    );
    await relay();
    const job = await queues.stripeEvents.getJob(`event-${stored.eventRowId}`);
    expect(job?.data.eventRowId).toBe(stored.eventRowId);
  });

  it('re-enqueues an event stuck past the stale window', async () => {
    const event = customerCreatedEvent();
    const stored = await storeStripeEvent(
      database.db,
      tenantId,
      readEventEnvelope(event),
      Buffer.from(JSON.stringify(event)),
    );
    await database.db
      .updateTable('stripe_events')
      .set({ enqueued_at: new Date(Date.now() - 120_000) })
      .where('id', '=', stored.eventRowId)
      .execute();
    await relay();
    const job = await queues.stripeEvents.getJob(`event-${stored.eventRowId}`);
    expect(job?.data.eventRowId).toBe(stored.eventRowId);
  });

  it('leaves processed events alone', async () => {
    const event = customerCreatedEvent();
    const stored = await storeStripeEvent(
      database.db,
      tenantId,
      readEventEnvelope(event),
      Buffer.from(JSON.stringify(event)),
    );
    await database.db
      .updateTable('stripe_events')
      .set({ processed_at: new Date(), outcome: 'applied' })
      .where('id', '=', stored.eventRowId)
      .execute();
    await relay();
    expect(await queues.stripeEvents.getJob(`event-${stored.eventRowId}`)).toBeUndefined();
  });
});
