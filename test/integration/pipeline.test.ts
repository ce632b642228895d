import request from 'supertest';
import { startHubSpotEmulator, type HubSpotEmulator } from '../../scripts/emulators/hubspot';
import { createRuntime, type Runtime } from '../../src/runtime';
import { createTenant } from '../../src/tenants/tenants';
import { startWorker, type WorkerHandle } from '../../src/worker/worker';
import { customerHistory, historyCustomerId } from '../fixtures/stripe/customer-history';
import { buildTestApp, type TestApp } from '../support/app';
import { testConfig } from '../support/config';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { deliverEvents, waitForIdle } from '../support/pipeline';

/** Webhook → queue → ledger → health → HubSpot, with the real worker, PostgreSQL, Redis and the emulator. */
describe('ingestion pipeline', () => {
  const secret = 'whsec_pipeline_test_secret';
  // The history's failed renewal happened 3010 s after its start; the clock stands just after it.
  const historyStart = 1_717_200_000;
  const now = new Date((historyStart + 3020) * 1000);
  let database: TestDatabase;
  let emulator: HubSpotEmulator;
  let runtime: Runtime;
  let worker: WorkerHandle;
  let testApp: TestApp;
  let tenantId: string;
  let apiKey: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    emulator = await startHubSpotEmulator({
      companies: [{ name: 'Globex Corporation', domain: 'globex.example' }],
    });
    const config = testConfig({
      DATABASE_URL: database.url,
      HUBSPOT_API_BASE_URL: emulator.url,
      CRM_SYNC_DEBOUNCE_MS: '50',
      OUTBOX_POLL_MS: '100',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    });
    runtime = createRuntime(config, 'worker');
    testApp = buildTestApp(database.db, config);
    ({ tenantId, apiKey } = await createTenant(database.db, runtime.box, config.PUBLIC_BASE_URL, {
      name: 'Acme Software',
      stripeWebhookSecret: secret,
      hubspot: { portalId: '4242', accessToken: 'emulator-token' },
    }));
    worker = startWorker(runtime, { now: () => now });
  });

  afterAll(async () => {
    await worker.stop();
    await runtime.queues.stripeEvents.obliterate({ force: true });
    await runtime.queues.crmSync.obliterate({ force: true });
    await testApp.close();
    await runtime.close();
    await emulator.close();
    await database.drop();
  });

  function api(path: string, key = apiKey) {
    return request(testApp.app).get(path).set('authorization', `Bearer ${key}`);
  }

  it('projects a shuffled, duplicated history and writes HubSpot once settled', async () => {
    // Up to the failed renewal: the customer is past due with one declined attempt.
    const history = customerHistory().slice(0, 16);
    const deliveries = [...history].reverse().concat(history.slice(0, 5));
    const statuses = await deliverEvents(testApp.app, tenantId, secret, deliveries);
    expect(statuses.every((status) => status === 200)).toBe(true);
    await waitForIdle(database.db, runtime.queues);

    const response = await api(`/api/v1/customers/${historyCustomerId}`);
    expect(response.status).toBe(200);
    expect(response.body.subscriptions[0].status).toBe('past_due');
    const failed = response.body.recentPaymentAttempts.find(
      (attempt: { status: string }) => attempt.status === 'failed',
    );
    expect(failed.declineCode).toBe('insufficient_funds');
    expect(response.body.health.band).not.toBe('green');
    expect(response.body.health.reasons.join(' ')).toMatch(/1 failed payment in the last 30 days/);

    const [company] = emulator.companies();
    expect(company?.properties.csm_billing_customer_id).toBe(historyCustomerId);
    expect(company?.properties.csm_subscription_status).toBe('past_due');
    expect(company?.properties.csm_health_score).toBe(String(response.body.health.score));
    expect(company?.properties.csm_failed_payments_30d).toBe('1');

    // The failed renewal is written to the company as a note and a follow-up task.
    const notes = emulator.engagements().filter((engagement) => engagement.type === 'notes');
    const tasks = emulator.engagements().filter((engagement) => engagement.type === 'tasks');
    expect(
      notes.some(
        (note) =>
          note.companyIds.includes(company!.id) && /Payment failed/.test(note.properties.hs_note_body ?? ''),
      ),
    ).toBe(true);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]?.properties.hs_task_subject).toBe('Contact Globex Corporation about a failed payment');
  });

  it('dead-letters a malformed event and keeps processing', async () => {
    const malformed = {
      id: 'evt_malformed_1',
      object: 'event',
      api_version: '2024-06-20',
      created: historyStart + 3015,
      type: 'invoice.paid',
      data: { object: { id: 'in_broken', object: 'invoice', amount_due: 'lots' } },
    };
    const unknownType = {
      ...malformed,
      id: 'evt_unknown_type_1',
      type: 'issuing_card.created',
      data: { object: {} },
    };
    await deliverEvents(testApp.app, tenantId, secret, [malformed, unknownType]);
    await waitForIdle(database.db, runtime.queues);

    const response = await api('/api/v1/dead-letters');
    expect(response.status).toBe(200);
    expect(response.body.deadLetters).toHaveLength(1);
    expect(response.body.deadLetters[0].eventId).toBe('evt_malformed_1');
    expect(response.body.deadLetters[0].issues.join('\n')).toMatch(/data\.object\.customer/);
    const ignored = await database.db
      .selectFrom('stripe_events')
      .select('outcome')
      .where('event_id', '=', 'evt_unknown_type_1')
      .executeTakeFirstOrThrow();
    expect(ignored.outcome).toBe('ignored');
  });

  it('answers 401 without a valid API key', async () => {
    const missing = await request(testApp.app).get(`/api/v1/customers/${historyCustomerId}`);
    expect(missing.status).toBe(401);
    expect(missing.body.error.code).toBe('unauthorized');
    const wrong = await api(`/api/v1/customers/${historyCustomerId}`, 'csmp_not_a_real_key');
    expect(wrong.status).toBe(401);
  });

  it("never shows another tenant's customer", async () => {
    const other = await createTenant(database.db, runtime.box, 'http://127.0.0.1:3000', {
      name: 'Other Co',
      stripeWebhookSecret: 'whsec_other_tenant_secret',
    });
    const response = await api(`/api/v1/customers/${historyCustomerId}`, other.apiKey);
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('customer_not_found');
  });
});
