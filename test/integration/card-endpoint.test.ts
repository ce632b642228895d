import express from 'express';
import pino from 'pino';
import request from 'supertest';
import { hubspotCardRouter } from '../../src/cards/card-routes';
import { computeHubSpotSignatureV3 } from '../../src/cards/hubspot-signature';
import { relayQueuedCardActions } from '../../src/cards/record-card-action';
import { SecretBox } from '../../src/db/crypto';
import { errorHandler } from '../../src/http/errors';
import { Queues, redisOptions } from '../../src/queues/queues';
import { createTenant } from '../../src/tenants/tenants';
import { testConfig } from '../support/config';
import { createTestDatabase, type TestDatabase } from '../support/database';

const clientSecret = 'hubspot-client-secret-for-tests';
const publicBaseUrl = 'https://csm.example.com';
const portalA = '1001';
const portalB = '2002';
const now = new Date('2026-03-15T12:00:00Z');

describe('HubSpot card endpoints', () => {
  const config = testConfig();
  const log = pino({ level: 'silent' });
  let database: TestDatabase;
  let queues: Queues;
  let app: express.Express;
  let tenantA: string;
  let tenantB: string;
  let customerA: string;

  async function addCustomer(tenantId: string, stripeCustomerId: string): Promise<string> {
    const row = await database.db
      .insertInto('customers')
      .values({ tenant_id: tenantId, stripe_customer_id: stripeCustomerId, name: 'Acme', currency: 'usd' })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async function addOpenInvoice(tenantId: string, customerId: string, invoiceId: string) {
    await database.db
      .insertInto('invoices')
      .values({
        tenant_id: tenantId,
        customer_id: customerId,
        stripe_invoice_id: invoiceId,
        status: 'open',
        currency: 'usd',
        amount_due: 125_000,
        amount_remaining: 125_000,
        attempt_count: 2,
        invoice_created_at: new Date('2026-03-01T00:00:00Z'),
        next_payment_attempt: new Date('2026-03-17T00:00:00Z'),
      })
      .execute();
  }

  async function addLink(tenantId: string, customerId: string, companyId: string) {
    await database.db
      .insertInto('crm_links')
      .values({
        tenant_id: tenantId,
        customer_id: customerId,
        provider: 'hubspot',
        record_id: companyId,
        matched_by: 'domain',
      })
      .execute();
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    queues = new Queues(redisOptions(config.REDIS_URL, 'producer'), config.QUEUE_PREFIX);
    const box = new SecretBox(config.TOKEN_ENCRYPTION_KEYS, config.TOKEN_ENCRYPTION_KEY_ID);
    const tenant = (name: string, portalId: string) =>
      createTenant(database.db, box, publicBaseUrl, {
        name,
        stripeWebhookSecret: 'whsec_test_card_endpoint',
        hubspot: { portalId, accessToken: 'token' },
      });
    ({ tenantId: tenantA } = await tenant('A', portalA));
    ({ tenantId: tenantB } = await tenant('B', portalB));
    customerA = await addCustomer(tenantA, 'cus_A');
    await addOpenInvoice(tenantA, customerA, 'in_A1');
    await addLink(tenantA, customerA, '500');
    const customerB = await addCustomer(tenantB, 'cus_B');
    await addLink(tenantB, customerB, '600');
    await addCustomer(tenantA, 'cus_A_unlinked');

    app = express();
    app.use(
      hubspotCardRouter({ db: database.db, box, queues, log, now: () => now, publicBaseUrl, clientSecret }),
    );
    app.use(errorHandler(log));
  });

  afterAll(async () => {
    await queues.cardActions.obliterate({ force: true });
    await queues.close();
    await database.drop();
  });

  function signed(
    method: 'GET' | 'POST',
    path: string,
    body = '',
    options: { secret?: string; at?: Date } = {},
  ) {
    const timestamp = String((options.at ?? now).getTime());
    const signature = computeHubSpotSignatureV3(
      { method, url: `${publicBaseUrl}${path}`, body, timestamp },
      options.secret ?? clientSecret,
    );
    const req =
      method === 'GET'
        ? request(app).get(path)
        : request(app).post(path).set('content-type', 'application/json');
    req.set('x-hubspot-signature-v3', signature).set('x-hubspot-request-timestamp', timestamp);
    return method === 'POST' ? req.send(body) : req;
  }

  const healthPath = (portalId: string, companyId: string) =>
    `/cards/hubspot/payment-health?companyId=${companyId}&userId=7&userEmail=csm%40example.com&portalId=${portalId}`;
  const actionPath = (portalId = portalA) => `/cards/hubspot/actions?userId=7&portalId=${portalId}`;
  const linkPath = (portalId = portalA) => `/cards/hubspot/link?userId=7&portalId=${portalId}`;

  describe('signature', () => {
    it('valid GET returns the card', async () => {
      const res = await signed('GET', healthPath(portalA, '500'));
      expect(res.status).toBe(200);
      expect(res.body.state).toBe('linked');
      expect(res.body.customer.stripeCustomerId).toBe('cus_A');
      expect(res.body.openAmount.formatted).toBe('$1,250.00');
      expect(res.body.actions.retry_payment.enabled).toBe(true);
    });

    it('wrong secret rejected', async () => {
      const res = await signed('GET', healthPath(portalA, '500'), '', { secret: 'other' });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('invalid_signature');
    });

    it('missing headers rejected', async () => {
      const res = await request(app).get(healthPath(portalA, '500'));
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('missing_signature');
    });

    it('stale timestamp rejected', async () => {
      const res = await signed('GET', healthPath(portalA, '500'), '', {
        at: new Date(now.getTime() - 6 * 60_000),
      });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('stale_signature');
    });

    it('tampered body rejected', async () => {
      const body = JSON.stringify({ companyId: '500', action: 'pause_dunning' });
      const timestamp = String(now.getTime());
      const signature = computeHubSpotSignatureV3(
        { method: 'POST', url: `${publicBaseUrl}${actionPath()}`, body, timestamp },
        clientSecret,
      );
      const res = await request(app)
        .post(actionPath())
        .set('content-type', 'application/json')
        .set('x-hubspot-signature-v3', signature)
        .set('x-hubspot-request-timestamp', timestamp)
        .send(body.replace('pause_dunning', 'resume_dunning'));
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('invalid_signature');
    });
  });

  describe('tenant isolation', () => {
    it("another portal's company not returned", async () => {
      const res = await signed('GET', healthPath(portalB, '500'));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ state: 'not_linked', companyId: '500' });
    });

    it('another portal cannot act on the company', async () => {
      const res = await signed(
        'POST',
        actionPath(portalB),
        JSON.stringify({ companyId: '500', action: 'pause_dunning' }),
      );
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('company_not_linked');
    });

    it("another tenant's customer cannot be linked", async () => {
      const res = await signed(
        'POST',
        linkPath(portalB),
        JSON.stringify({ companyId: '700', stripeCustomerId: 'cus_A' }),
      );
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('customer_not_found');
    });

    it('unconnected portal rejected', async () => {
      const res = await signed('GET', healthPath('3003', '500'));
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('portal_not_connected');
    });

    it('unlinked company returns not_linked', async () => {
      const res = await signed('GET', healthPath(portalA, '999'));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ state: 'not_linked', companyId: '999' });
    });
  });

  describe('POST /cards/hubspot/link', () => {
    it('links a company', async () => {
      const res = await signed(
        'POST',
        linkPath(),
        JSON.stringify({ companyId: '800', stripeCustomerId: 'cus_A_unlinked' }),
      );
      expect(res.status).toBe(201);
      const link = await database.db
        .selectFrom('crm_links')
        .selectAll()
        .where('record_id', '=', '800')
        .executeTakeFirst();
      expect(link?.matched_by).toBe('manual');
      expect(link?.tenant_id).toBe(tenantA);
      const state = await database.db
        .selectFrom('crm_sync_state')
        .select('dirty_since')
        .where('customer_id', '=', link!.customer_id)
        .executeTakeFirst();
      expect(state?.dirty_since).toEqual(now);
      const card = await signed('GET', healthPath(portalA, '800'));
      expect(card.body.customer.stripeCustomerId).toBe('cus_A_unlinked');
    });

    it('unknown Stripe customer is 404', async () => {
      const res = await signed(
        'POST',
        linkPath(),
        JSON.stringify({ companyId: '801', stripeCustomerId: 'cus_missing' }),
      );
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('customer_not_found');
    });

    it('company linked to another customer is 409', async () => {
      await addCustomer(tenantA, 'cus_A_other');
      const res = await signed(
        'POST',
        linkPath(),
        JSON.stringify({ companyId: '500', stripeCustomerId: 'cus_A_other' }),
      );
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('company_already_linked');
    });
  });

  describe('POST /cards/hubspot/actions', () => {
    async function rowsFor(action: string) {
      return database.db
        .selectFrom('card_actions')
        .selectAll()
        .where('action', '=', action as never)
        .execute();
    }

    it('double click records one action and one job', async () => {
      const body = JSON.stringify({ companyId: '500', action: 'retry_payment' });
      const [first, second] = await Promise.all([
        signed('POST', actionPath(), body),
        signed('POST', actionPath(), body),
      ]);
      expect(first.status).toBe(202);
      expect(second.status).toBe(202);
      expect(first.body.actionId).toBe(second.body.actionId);
      expect([first.body.duplicate, second.body.duplicate].sort()).toEqual([false, true]);
      const rows = await rowsFor('retry_payment');
      expect(rows).toHaveLength(1);
      expect(rows[0]?.idempotency_key).toBe(`retry_payment:${customerA}:in_A1:2`);
      expect(rows[0]?.requested_by).toBe('hubspot-user:7');
      expect(await queues.cardActions.getJobCounts('waiting', 'delayed', 'active')).toEqual({
        waiting: 1,
        delayed: 0,
        active: 0,
      });
      const audit = await database.db
        .selectFrom('audit_log')
        .selectAll()
        .where('subject', '=', `card-action:${rows[0]!.id}`)
        .execute();
      expect(audit).toHaveLength(1);
      expect(audit[0]?.actor).toBe('hubspot-user:7');
    });

    it('later click in same attempt is a duplicate', async () => {
      const res = await signed(
        'POST',
        actionPath(),
        JSON.stringify({ companyId: '500', action: 'retry_payment' }),
      );
      expect(res.status).toBe(202);
      expect(res.body.duplicate).toBe(true);
    });

    it('disabled action rejected with its reason', async () => {
      const res = await signed(
        'POST',
        actionPath(),
        JSON.stringify({ companyId: '500', action: 'resume_dunning' }),
      );
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('action_not_allowed');
      expect(res.body.error.message).toMatch(/Dunning is not paused/);
    });

    it('pause stores the requested days', async () => {
      const res = await signed(
        'POST',
        actionPath(),
        JSON.stringify({ companyId: '500', action: 'pause_dunning', pauseDays: 14 }),
      );
      expect(res.status).toBe(202);
      const [row] = await rowsFor('pause_dunning');
      expect(row?.result).toEqual({ requested: { pauseDays: 14 } });
    });

    it('bad body rejected with the issue list', async () => {
      const body = JSON.stringify({ companyId: 'abc', action: 'refund', extra: 1 });
      const res = await signed('POST', actionPath(), body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
      const paths = (res.body.error.issues as { path: string }[]).map((issue) => issue.path).sort();
      expect(paths).toEqual(['', 'action', 'companyId']);
    });

    it('missing field reads as required', async () => {
      const res = await signed('POST', actionPath(), JSON.stringify({ action: 'claim_it' }));
      expect(res.status).toBe(400);
      const issues = res.body.error.issues as { path: string; message: string }[];
      expect(issues.find((issue) => issue.path === 'companyId')?.message).toBe('is required');
    });

    it('invalid JSON rejected', async () => {
      const res = await signed('POST', actionPath(), '{"companyId":');
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_json');
    });

    it('Redis outage leaves the row queued', async () => {
      const deadQueues = new Queues(redisOptions('redis://127.0.0.1:1', 'producer'), config.QUEUE_PREFIX);
      const box = new SecretBox(config.TOKEN_ENCRYPTION_KEYS, config.TOKEN_ENCRYPTION_KEY_ID);
      const outageApp = express();
      outageApp.use(
        hubspotCardRouter({
          db: database.db,
          box,
          queues: deadQueues,
          log,
          now: () => now,
          publicBaseUrl,
          clientSecret,
        }),
      );
      outageApp.use(errorHandler(log));
      const body = JSON.stringify({ companyId: '500', action: 'send_card_update_link' });
      const timestamp = String(now.getTime());
      const signature = computeHubSpotSignatureV3(
        { method: 'POST', url: `${publicBaseUrl}${actionPath()}`, body, timestamp },
        clientSecret,
      );
      try {
        const res = await request(outageApp)
          .post(actionPath())
          .set('content-type', 'application/json')
          .set('x-hubspot-signature-v3', signature)
          .set('x-hubspot-request-timestamp', timestamp)
          .send(body);
        expect(res.status).toBe(202);
        expect(res.body.status).toBe('queued');
        expect(await rowsFor('send_card_update_link')).toHaveLength(1);
      } finally {
        await deadQueues.close();
      }
    });

    it('relay enqueues rows left queued', async () => {
      await queues.cardActions.obliterate({ force: true });
      const later = new Date(now.getTime() + 5 * 60_000);
      const relayed = await relayQueuedCardActions(database.db, queues, later);
      expect(relayed).toBe(3);
      const counts = await queues.cardActions.getJobCounts('waiting');
      expect(counts.waiting).toBe(3);
    });
  });
});
