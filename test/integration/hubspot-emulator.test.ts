import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { HubSpotApiCrm } from '../../integrations/hubspot/api-client';
import { applyHubSpotSchema, companyProperties } from '../../migrations/crm/hubspot-company-properties';
import { startHubSpotEmulator, type HubSpotEmulator } from '../../scripts/emulators/hubspot';
import { flushHubSpotSync, markCrmDirty } from '../../src/sync/hubspot-sync';
import { createTestDatabase, type TestDatabase } from '../support/database';

const prefix = `hubspot-emulator-test-${randomBytes(4).toString('hex')}`;
const log = pino({ level: 'silent' });
const now = new Date('2026-06-01T12:00:00.000Z');

describe('HubSpot emulator', () => {
  let database: TestDatabase;
  let redis: Redis;
  let emulator: HubSpotEmulator;
  let crm: HubSpotApiCrm;

  beforeAll(async () => {
    database = await createTestDatabase();
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    emulator = await startHubSpotEmulator({
      companies: [{ name: 'Globex', domain: 'Globex.com' }],
      requestsPer10s: 50,
    });
    crm = new HubSpotApiCrm({
      accessToken: 'pat-emulator',
      portalId: 'emulated',
      basePath: emulator.url,
      redis,
      rateLimit: { points: 40, windowSeconds: 10 },
      retry: { maxRetries: 2, baseDelayMs: 5, maxDelayMs: 50, timeoutMs: 2000 },
      log,
      rateLimitKeyPrefix: prefix,
    });
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await emulator.close();
    await database.drop();
  });

  function post(path: string, body: unknown, token = 'pat-emulator') {
    return fetch(`${emulator.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
  }

  it('applies the schema once', async () => {
    await applyHubSpotSchema(crm);
    const before = emulator.requestCount();
    const plan = await applyHubSpotSchema(crm);
    expect(emulator.requestCount() - before).toBe(2);
    expect(plan.create).toHaveLength(0);
    expect(plan.updateOptions).toHaveLength(0);
  });

  it('syncs and creates through the adapter', async () => {
    const tenant = await database.db
      .insertInto('tenants')
      .values({ name: 'Emulated', settings: JSON.stringify({ createCrmCompanies: true }) })
      .returning('id')
      .executeTakeFirstOrThrow();
    const settings = { createCrmCompanies: true };
    const matched = await database.db
      .insertInto('customers')
      .values({
        tenant_id: tenant.id,
        stripe_customer_id: 'cus_globex',
        email: 'ap@globex.com',
        name: 'Globex',
        currency: 'usd',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const fresh = await database.db
      .insertInto('customers')
      .values({
        tenant_id: tenant.id,
        stripe_customer_id: 'cus_hooli',
        email: 'ap@hooli.example',
        name: 'Hooli',
        currency: 'eur',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await database.db
      .insertInto('payment_methods')
      .values({
        tenant_id: tenant.id,
        customer_id: fresh.id,
        stripe_payment_method_id: 'pm_1',
        type: 'card',
        exp_month: 4,
        exp_year: 2027,
      })
      .execute();
    const deps = { db: database.db, crm, log, now: () => now };

    await markCrmDirty(
      database.db,
      tenant.id,
      [matched.id, fresh.id],
      'hubspot',
      new Date(now.getTime() - 60_000),
    );
    const first = await flushHubSpotSync(deps, { id: tenant.id, settings });
    // A retried job that lost the link must find the created company by its billing id, not create another.
    await database.db.deleteFrom('crm_links').where('customer_id', '=', fresh.id).execute();
    await markCrmDirty(database.db, tenant.id, [fresh.id], 'hubspot', new Date(now.getTime() - 1000));
    const second = await flushHubSpotSync(deps, { id: tenant.id, settings });

    expect(first.written).toBe(1);
    expect(first.created).toBe(1);
    expect(second.created).toBe(0);
    const companies = emulator.companies();
    expect(companies).toHaveLength(2);
    const globex = companies.find((company) => company.properties.name === 'Globex');
    expect(globex?.properties.csm_billing_customer_id).toBe('cus_globex');
    expect(globex?.properties.csm_payment_status).toBe('no_subscription');
    const hooli = companies.find((company) => company.properties.csm_billing_customer_id === 'cus_hooli');
    expect(hooli?.properties.domain).toBe('hooli.example');
    expect(hooli?.properties.csm_card_expiry).toBe(String(Date.UTC(2027, 3, 30)));
  });

  it('rejects duplicate ids', async () => {
    const response = await post('/crm/v3/objects/companies/batch/update', {
      inputs: [
        { id: '1001', properties: {} },
        { id: '1001', properties: {} },
      ],
    });
    const body = (await response.json()) as { category: string; status: string };
    expect(response.status).toBe(400);
    expect(body.category).toBe('VALIDATION_ERROR');
    expect(body.status).toBe('error');
  });

  it('rejects more than 100 inputs', async () => {
    const inputs = Array.from({ length: 101 }, (_, index) => ({ id: String(index), properties: {} }));
    const response = await post('/crm/v3/objects/companies/batch/update', { inputs });
    expect(response.status).toBe(400);
  });

  it('rejects a date that is not midnight UTC', async () => {
    const response = await post('/crm/v3/objects/companies/batch/update', {
      inputs: [{ id: '1001', properties: { csm_last_payment_date: String(Date.UTC(2026, 0, 1, 5)) } }],
    });
    expect(response.status).toBe(400);
  });

  it('requires a bearer token', async () => {
    const response = await post('/crm/v3/objects/companies/search', {}, '');
    expect(response.status).toBe(401);
  });

  it('defines every schema property', async () => {
    const properties = await crm.listProperties('companies');
    const names = new Set(properties.map((property) => property.name));
    for (const property of companyProperties) expect(names.has(property.name)).toBe(true);
  });
});

describe('HubSpot emulator rate limit', () => {
  it('answers 429 past the limit', async () => {
    const emulator = await startHubSpotEmulator({ requestsPer10s: 2 });
    try {
      const statuses: number[] = [];
      for (let index = 0; index < 3; index += 1) {
        const response = await fetch(`${emulator.url}/crm/v3/properties/companies`, {
          headers: { authorization: 'Bearer t' },
        });
        statuses.push(response.status);
        await response.arrayBuffer();
      }
      expect(statuses).toEqual([200, 200, 429]);
      expect(emulator.requestCount()).toBe(3);
    } finally {
      await emulator.close();
    }
  });
});
