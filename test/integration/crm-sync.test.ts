import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import nock from 'nock';
import pino from 'pino';
import { HubSpotApiCrm } from '../../integrations/hubspot/api-client';
import type { BatchInput, HubSpotCrm } from '../../integrations/hubspot/crm';
import { HubSpotError } from '../../integrations/hubspot/errors';
import type { TenantSettings } from '../../src/db/schema';
import { flushHubSpotSync, markCrmDirty } from '../../src/sync/hubspot-sync';
import { listUnmatchedCustomers } from '../../src/sync/unmatched';
import { createTestDatabase, type TestDatabase } from '../support/database';

const base = 'http://hubspot-sync.test';
const now = new Date('2026-06-01T12:00:00.000Z');
const markedAt = new Date('2026-06-01T11:59:00.000Z');
const prefix = `crm-sync-test-${randomBytes(4).toString('hex')}`;
const log = pino({ level: 'silent' });

interface UpdateBody {
  inputs: BatchInput[];
}

describe('flushHubSpotSync', () => {
  let database: TestDatabase;
  let redis: Redis;
  let crm: HubSpotApiCrm;

  beforeAll(async () => {
    database = await createTestDatabase();
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    crm = new HubSpotApiCrm({
      accessToken: 'pat-test',
      portalId: 'portal-sync',
      basePath: base,
      redis,
      rateLimit: { points: 10_000, windowSeconds: 10 },
      retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 1000 },
      log,
      rateLimitKeyPrefix: prefix,
    });
  });
  afterEach(() => {
    nock.cleanAll();
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await database.drop();
  });

  async function newTenant(settings: TenantSettings = {}) {
    const tenant = await database.db
      .insertInto('tenants')
      .values({ name: 'Tenant', settings: JSON.stringify(settings) })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { id: tenant.id, settings };
  }

  async function addCustomer(tenantId: string, stripeId: string, email: string | null, linkTo?: string) {
    const customer = await database.db
      .insertInto('customers')
      .values({
        tenant_id: tenantId,
        stripe_customer_id: stripeId,
        email,
        name: `Customer ${stripeId}`,
        currency: 'usd',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (linkTo) {
      await database.db
        .insertInto('crm_links')
        .values({
          tenant_id: tenantId,
          customer_id: customer.id,
          provider: 'hubspot',
          record_id: linkTo,
          matched_by: 'manual',
        })
        .execute();
    }
    return customer.id;
  }

  function syncState(customerId: string) {
    return database.db
      .selectFrom('crm_sync_state')
      .selectAll()
      .where('customer_id', '=', customerId)
      .executeTakeFirstOrThrow();
  }

  function flush(tenant: { id: string; settings: TenantSettings }, client: HubSpotCrm = crm) {
    return flushHubSpotSync({ db: database.db, crm: client, log, now: () => now }, tenant);
  }

  function captureUpdates(bodies: UpdateBody[], times = 1) {
    return nock(base)
      .post('/crm/v3/objects/companies/batch/update')
      .times(times)
      .reply(200, (_uri, body) => {
        const request = body as UpdateBody;
        bodies.push(request);
        return {
          status: 'COMPLETE',
          results: request.inputs.map((input) => ({ id: input.id, properties: input.properties })),
        };
      });
  }

  it('sends 250 customers in three batches', async () => {
    const tenant = await newTenant();
    const ids: string[] = [];
    for (let index = 0; index < 250; index += 1) {
      ids.push(await addCustomer(tenant.id, `cus_${index}`, null, String(5000 + index)));
    }
    await markCrmDirty(database.db, tenant.id, ids, 'hubspot', markedAt);
    const bodies: UpdateBody[] = [];
    const scope = captureUpdates(bodies, 3);

    const result = await flush(tenant);

    expect(scope.isDone()).toBe(true);
    expect(bodies).toHaveLength(3);
    for (const body of bodies) expect(body.inputs.length).toBeLessThanOrEqual(100);
    const sent = bodies.flatMap((body) => body.inputs.map((input) => input.id));
    expect(new Set(sent).size).toBe(sent.length);
    expect(sent).toHaveLength(250);
    expect(result.written).toBe(250);
    expect(result.requests).toBe(3);
    const dirty = await database.db
      .selectFrom('crm_sync_state')
      .select('id')
      .where('tenant_id', '=', tenant.id)
      .where('dirty_since', 'is not', null)
      .execute();
    expect(dirty).toHaveLength(0);
  });

  it('sends one input for a burst of marks', async () => {
    const tenant = await newTenant();
    const id = await addCustomer(tenant.id, 'cus_burst', null, '777');
    await database.db
      .insertInto('payment_attempts')
      .values({
        tenant_id: tenant.id,
        customer_id: id,
        attempt_key: 'ch_1',
        status: 'succeeded',
        amount: 1000,
        currency: 'usd',
        attempted_at: new Date('2026-05-20T18:30:00.000Z'),
      })
      .execute();
    const subscription = await database.db
      .insertInto('subscriptions')
      .values({
        tenant_id: tenant.id,
        customer_id: id,
        stripe_subscription_id: 'sub_1',
        status: 'active',
        currency: 'usd',
        mrr_minor: 0,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (let mark = 1; mark <= 10; mark += 1) {
      await database.db
        .updateTable('subscriptions')
        .set({ mrr_minor: mark * 1000 })
        .where('id', '=', subscription.id)
        .execute();
      await markCrmDirty(database.db, tenant.id, [id], 'hubspot', new Date(markedAt.getTime() + mark));
    }
    const bodies: UpdateBody[] = [];
    captureUpdates(bodies);

    await flush(tenant);

    expect(bodies).toHaveLength(1);
    expect(bodies[0]?.inputs).toHaveLength(1);
    const properties = bodies[0]?.inputs[0]?.properties ?? {};
    expect(properties.csm_mrr).toBe('100.00');
    expect(properties.csm_last_payment_date).toBe(String(Date.UTC(2026, 4, 20)));
    expect(Number(properties.csm_last_payment_date) % 86_400_000).toBe(0);

    await markCrmDirty(database.db, tenant.id, [id], 'hubspot', markedAt);
    const again = await flush(tenant);
    expect(again.unchanged).toBe(1);
    expect(again.requests).toBe(0);
  });

  it('keeps rows dirty when retries run out', async () => {
    const tenant = await newTenant();
    const id = await addCustomer(tenant.id, 'cus_down', null, '888');
    await markCrmDirty(database.db, tenant.id, [id], 'hubspot', markedAt);
    const scope = nock(base)
      .post('/crm/v3/objects/companies/batch/update')
      .times(3)
      .reply(503, { status: 'error', message: 'down' });

    const error = await flush(tenant).catch((caught: unknown) => caught);

    expect(scope.isDone()).toBe(true);
    expect((error as HubSpotError).code).toBe('hubspot_unavailable');
    expect((error as HubSpotError).retryable).toBe(true);
    const state = await syncState(id);
    expect(state.dirty_since?.toISOString()).toBe(markedAt.toISOString());
    expect(state.attempts).toBe(1);
    expect(state.last_error).toContain('HTTP 503');
  });

  it('records one failed input of a 207', async () => {
    const tenant = await newTenant();
    const good = await addCustomer(tenant.id, 'cus_good', null, '901');
    const bad = await addCustomer(tenant.id, 'cus_bad', null, '902');
    await markCrmDirty(database.db, tenant.id, [good, bad], 'hubspot', markedAt);
    nock(base)
      .post('/crm/v3/objects/companies/batch/update')
      .reply(207, {
        status: 'COMPLETE',
        results: [{ id: '901', properties: {} }],
        numErrors: 1,
        errors: [
          {
            status: 'error',
            category: 'OBJECT_NOT_FOUND',
            message: 'Object not found',
            context: { ids: ['902'] },
          },
        ],
      });

    const result = await flush(tenant);

    expect(result.written).toBe(1);
    expect(result.failed).toBe(1);
    const failed = await syncState(bad);
    expect(failed.dirty_since).toBeNull();
    expect(failed.last_error).toContain('OBJECT_NOT_FOUND');
    expect((await syncState(good)).last_error).toBeNull();
  });

  it('splits a batch rejected with 400', async () => {
    const tenant = await newTenant();
    const good = await addCustomer(tenant.id, 'cus_ok', null, '911');
    const bad = await addCustomer(tenant.id, 'cus_invalid', null, '912');
    await markCrmDirty(database.db, tenant.id, [good, bad], 'hubspot', markedAt);
    const invalid = {
      status: 'error',
      message: 'Property values were not valid',
      category: 'VALIDATION_ERROR',
    };
    const scope = nock(base)
      .post('/crm/v3/objects/companies/batch/update', (body: UpdateBody) => body.inputs.length === 2)
      .reply(400, invalid)
      .post('/crm/v3/objects/companies/batch/update', (body: UpdateBody) => body.inputs[0]?.id === '911')
      .reply(200, { status: 'COMPLETE', results: [{ id: '911', properties: {} }] })
      .post('/crm/v3/objects/companies/batch/update', (body: UpdateBody) => body.inputs[0]?.id === '912')
      .reply(400, invalid);

    const result = await flush(tenant);

    expect(scope.isDone()).toBe(true);
    expect(result.written).toBe(1);
    expect(result.failed).toBe(1);
    expect((await syncState(bad)).last_error).toContain('VALIDATION_ERROR');
  });

  it('stops on unauthorized', async () => {
    const tenant = await newTenant();
    const id = await addCustomer(tenant.id, 'cus_auth', null, '921');
    await markCrmDirty(database.db, tenant.id, [id], 'hubspot', markedAt);
    nock(base)
      .post('/crm/v3/objects/companies/batch/update')
      .reply(401, { status: 'error', message: 'expired' });

    const error = (await flush(tenant).catch((caught: unknown) => caught)) as HubSpotError;

    expect(error.code).toBe('hubspot_unauthorized');
    expect(error.retryable).toBe(false);
    expect((await syncState(id)).dirty_since?.toISOString()).toBe(markedAt.toISOString());
  });

  it('keeps a mark made during the write', async () => {
    const tenant = await newTenant();
    const id = await addCustomer(tenant.id, 'cus_race', null, '931');
    await markCrmDirty(database.db, tenant.id, [id], 'hubspot', markedAt);
    const later = new Date(now.getTime() + 1000);
    const racing: HubSpotCrm = {
      ...({} as HubSpotCrm),
      searchCompanies: async () => [],
      batchUpdateCompanies: async (inputs) => {
        await markCrmDirty(database.db, tenant.id, [id], 'hubspot', later);
        return {
          results: inputs.map((input) => ({ id: input.id, properties: input.properties })),
          errors: [],
        };
      },
      batchUpsertCompanies: async () => ({ results: [], errors: [] }),
    };

    const result = await flush(tenant, racing);

    expect(result.written).toBe(1);
    const state = await syncState(id);
    expect(state.dirty_since?.toISOString()).toBe(later.toISOString());
    expect(state.last_synced_at?.toISOString()).toBe(now.toISOString());
  });

  it('matches by billing id', async () => {
    const tenant = await newTenant();
    const id = await addCustomer(tenant.id, 'cus_billing', 'ap@acme-billing.com');
    await markCrmDirty(database.db, tenant.id, [id], 'hubspot', markedAt);
    const bodies: UpdateBody[] = [];
    const scope = nock(base)
      .post(
        '/crm/v3/objects/companies/search',
        (body: { filterGroups: { filters: { propertyName: string }[] }[] }) =>
          body.filterGroups[0]?.filters[0]?.propertyName === 'csm_billing_customer_id',
      )
      .reply(200, {
        total: 1,
        results: [{ id: '3001', properties: { csm_billing_customer_id: 'cus_billing' } }],
      });
    captureUpdates(bodies);

    await flush(tenant);

    expect(scope.isDone()).toBe(true);
    expect(bodies[0]?.inputs[0]?.id).toBe('3001');
    const link = await database.db
      .selectFrom('crm_links')
      .selectAll()
      .where('customer_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(link.matched_by).toBe('billing_customer_id');
  });

  it('matches by domain ignoring case', async () => {
    const tenant = await newTenant();
    const id = await addCustomer(tenant.id, 'cus_domain', 'Billing@Initech.IO');
    await markCrmDirty(database.db, tenant.id, [id], 'hubspot', markedAt);
    const domains: string[][] = [];
    const bodies: UpdateBody[] = [];
    nock(base)
      .post('/crm/v3/objects/companies/search')
      .reply(200, { total: 0, results: [] })
      .post(
        '/crm/v3/objects/companies/search',
        (body: { filterGroups: { filters: { values: string[] }[] }[] }) =>
          domains.push(body.filterGroups[0]?.filters[0]?.values ?? []) > 0,
      )
      .reply(200, {
        total: 1,
        results: [{ id: '4001', properties: { domain: 'INITECH.io', csm_billing_customer_id: null } }],
      });
    captureUpdates(bodies);

    await flush(tenant);

    expect(domains).toEqual([['initech.io']]);
    expect(bodies[0]?.inputs[0]?.id).toBe('4001');
    expect(bodies[0]?.inputs[0]?.properties.csm_billing_customer_id).toBe('cus_domain');
    const link = await database.db
      .selectFrom('crm_links')
      .selectAll()
      .where('customer_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(link.matched_by).toBe('domain');
  });

  it('lists a free-mail customer as unmatched', async () => {
    const tenant = await newTenant();
    const id = await addCustomer(tenant.id, 'cus_gmail', 'someone@gmail.com');
    await markCrmDirty(database.db, tenant.id, [id], 'hubspot', markedAt);
    const scope = nock(base).post('/crm/v3/objects/companies/search').reply(200, { total: 0, results: [] });

    const result = await flush(tenant);

    expect(scope.isDone()).toBe(true);
    expect(result.unmatched).toBe(1);
    expect(result.requests).toBe(1);
    const unmatched = await listUnmatchedCustomers(database.db, tenant.id);
    expect(unmatched.map((customer) => customer.stripeCustomerId)).toEqual(['cus_gmail']);
    expect(unmatched[0]?.emailDomain).toBe('gmail.com');
  });

  it('creates a company once when enabled', async () => {
    const tenant = await newTenant({ createCrmCompanies: true });
    const id = await addCustomer(tenant.id, 'cus_new', 'ops@newco.example');
    await markCrmDirty(database.db, tenant.id, [id], 'hubspot', markedAt);
    const upserts: { inputs: (BatchInput & { idProperty: string })[] }[] = [];
    nock(base)
      .post('/crm/v3/objects/companies/search')
      .times(2)
      .reply(200, { total: 0, results: [] })
      .post('/crm/v3/objects/companies/batch/upsert')
      .reply(200, (_uri, body) => {
        const request = body as { inputs: (BatchInput & { idProperty: string })[] };
        upserts.push(request);
        return {
          status: 'COMPLETE',
          results: [{ id: '6001', new: true, properties: request.inputs[0]?.properties }],
        };
      });

    const first = await flush(tenant);

    expect(first.created).toBe(1);
    expect(upserts).toHaveLength(1);
    expect(upserts[0]?.inputs[0]?.idProperty).toBe('csm_billing_customer_id');
    expect(upserts[0]?.inputs[0]?.id).toBe('cus_new');
    expect(upserts[0]?.inputs[0]?.properties.domain).toBe('newco.example');

    await database.db.updateTable('customers').set({ name: 'Renamed' }).where('id', '=', id).execute();
    await database.db
      .insertInto('subscriptions')
      .values({
        tenant_id: tenant.id,
        customer_id: id,
        stripe_subscription_id: 'sub_new',
        status: 'active',
        currency: 'usd',
        mrr_minor: 500,
      })
      .execute();
    await markCrmDirty(database.db, tenant.id, [id], 'hubspot', markedAt);
    const bodies: UpdateBody[] = [];
    captureUpdates(bodies);

    const second = await flush(tenant);

    expect(second.created).toBe(0);
    expect(upserts).toHaveLength(1);
    expect(bodies[0]?.inputs[0]?.id).toBe('6001');
    const link = await database.db
      .selectFrom('crm_links')
      .selectAll()
      .where('customer_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(link.matched_by).toBe('created');
  });
});
