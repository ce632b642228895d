import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import nock from 'nock';
import pino from 'pino';
import { HubSpotApiCrm, type HubSpotApiCrmOptions } from '../../integrations/hubspot/api-client';
import { HubSpotError } from '../../integrations/hubspot/errors';
import {
  applyHubSpotSchema,
  companyProperties,
  propertyGroup,
} from '../../migrations/crm/hubspot-company-properties';

const base = 'http://hubspot.test';
const token = 'pat-test-secret-token';
const prefix = `hubspot-adapter-test-${randomBytes(4).toString('hex')}`;

describe('HubSpotApiCrm', () => {
  let redis: Redis;

  beforeAll(() => {
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  });
  afterEach(() => {
    nock.cleanAll();
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  function adapter(overrides: Partial<HubSpotApiCrmOptions> = {}): HubSpotApiCrm {
    return new HubSpotApiCrm({
      accessToken: token,
      portalId: `portal-${randomBytes(3).toString('hex')}`,
      basePath: base,
      redis,
      rateLimit: { points: 1000, windowSeconds: 10 },
      retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 300 },
      log: pino({ level: 'silent' }),
      rateLimitKeyPrefix: prefix,
      ...overrides,
    });
  }

  const updated = { status: 'COMPLETE', results: [{ id: '1', properties: { csm_mrr: '10.00' } }] };
  const input = [{ id: '1', properties: { csm_mrr: '10.00' } }];

  it('sends the bearer token', async () => {
    const scope = nock(base, { reqheaders: { authorization: `Bearer ${token}` } })
      .post('/crm/v3/objects/companies/batch/update')
      .reply(200, updated);
    const result = await adapter().batchUpdateCompanies(input);
    expect(result.results.map((company) => company.id)).toEqual(['1']);
    expect(scope.isDone()).toBe(true);
  });

  it('retries 429 after Retry-After', async () => {
    const scope = nock(base)
      .post('/crm/v3/objects/companies/batch/update')
      .reply(429, { status: 'error', message: 'limit', errorType: 'RATE_LIMIT' }, { 'Retry-After': '1' })
      .post('/crm/v3/objects/companies/batch/update')
      .reply(200, updated);
    const crm = adapter();
    const started = Date.now();
    const result = await crm.batchUpdateCompanies(input);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(result.errors).toEqual([]);
    expect(crm.requestCount()).toBe(2);
    expect(scope.isDone()).toBe(true);
  });

  it('retries 503', async () => {
    const scope = nock(base)
      .post('/crm/v3/objects/companies/batch/update')
      .reply(503, { status: 'error', message: 'down' })
      .post('/crm/v3/objects/companies/batch/update')
      .reply(200, updated);
    await expect(adapter().batchUpdateCompanies(input)).resolves.toEqual({
      results: updated.results,
      errors: [],
    });
    expect(scope.isDone()).toBe(true);
  });

  it('retries a timeout', async () => {
    const scope = nock(base)
      .post('/crm/v3/objects/companies/batch/update')
      .delay(600)
      .reply(200, updated)
      .post('/crm/v3/objects/companies/batch/update')
      .reply(200, updated);
    const crm = adapter();
    await expect(crm.batchUpdateCompanies(input)).resolves.toEqual({ results: updated.results, errors: [] });
    expect(crm.requestCount()).toBe(2);
    expect(scope.isDone()).toBe(true);
  });

  it('stops after max retries', async () => {
    const scope = nock(base)
      .post('/crm/v3/objects/companies/batch/update')
      .times(3)
      .reply(502, { status: 'error', message: 'bad gateway', correlationId: 'corr-1' });
    const crm = adapter();
    const error = await crm.batchUpdateCompanies(input).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HubSpotError);
    expect((error as HubSpotError).code).toBe('hubspot_unavailable');
    expect((error as HubSpotError).retryable).toBe(true);
    expect((error as HubSpotError).correlationId).toBe('corr-1');
    expect(crm.requestCount()).toBe(3);
    expect(scope.isDone()).toBe(true);
  });

  it('does not retry 401', async () => {
    const scope = nock(base)
      .post('/crm/v3/objects/companies/batch/update')
      .reply(401, { status: 'error', message: 'expired', category: 'EXPIRED_AUTHENTICATION' });
    const crm = adapter();
    const error = (await crm.batchUpdateCompanies(input).catch((caught: unknown) => caught)) as HubSpotError;
    expect(error.code).toBe('hubspot_unauthorized');
    expect(error.retryable).toBe(false);
    expect(error.message).not.toContain(token);
    expect(crm.requestCount()).toBe(1);
    expect(scope.isDone()).toBe(true);
  });

  it('reads a 207 multi-status', async () => {
    nock(base)
      .post('/crm/v3/objects/companies/batch/update')
      .reply(207, {
        status: 'COMPLETE',
        results: [{ id: '1', properties: {} }],
        numErrors: 1,
        errors: [
          { status: 'error', category: 'OBJECT_NOT_FOUND', message: 'not found', context: { ids: ['2'] } },
        ],
      });
    const result = await adapter().batchUpdateCompanies([...input, { id: '2', properties: {} }]);
    expect(result.results.map((company) => company.id)).toEqual(['1']);
    expect(result.errors).toEqual([{ ids: ['2'], category: 'OBJECT_NOT_FOUND', message: 'not found' }]);
  });

  it('rejects more than 100 inputs', async () => {
    const inputs = Array.from({ length: 101 }, (_, index) => ({ id: String(index), properties: {} }));
    await expect(adapter().batchUpdateCompanies(inputs)).rejects.toThrow(RangeError);
  });

  it('pages search results', async () => {
    const scope = nock(base)
      .post(
        '/crm/v3/objects/companies/search',
        (body: { filterGroups: { filters: { operator: string; values: string[] }[] }[] }) =>
          body.filterGroups[0]?.filters[0]?.operator === 'IN' &&
          body.filterGroups[0]?.filters[0]?.values.length === 2,
      )
      .reply(200, {
        total: 2,
        results: [{ id: '1', properties: { domain: 'a.com' } }],
        paging: { next: { after: '1' } },
      })
      .post('/crm/v3/objects/companies/search', (body: { after?: string }) => body.after === '1')
      .reply(200, { total: 2, results: [{ id: '2', properties: { domain: 'b.com' } }] });
    const companies = await adapter().searchCompanies({ propertyName: 'domain', values: ['a.com', 'b.com'] });
    expect(companies.map((company) => company.id)).toEqual(['1', '2']);
    expect(scope.isDone()).toBe(true);
  });

  it('shares the rate limit between instances', async () => {
    const portalId = `shared-${randomBytes(3).toString('hex')}`;
    let received = 0;
    nock(base)
      .post('/crm/v3/objects/companies/batch/update')
      .times(10)
      .reply(() => {
        received += 1;
        return [200, updated];
      });
    const first = adapter({ portalId, rateLimit: { points: 5, windowSeconds: 1 } });
    const second = adapter({ portalId, rateLimit: { points: 5, windowSeconds: 1 } });
    const calls = Array.from({ length: 10 }, (_, index) =>
      (index % 2 ? first : second).batchUpdateCompanies(input),
    );
    while (received < 5) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(received).toBe(5);
    await Promise.all(calls);
    expect(received).toBe(10);
    expect(first.requestCount() + second.requestCount()).toBe(10);
  });
});

describe('applyHubSpotSchema', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  });
  afterAll(() => redis.disconnect());
  afterEach(() => nock.cleanAll());

  it('writes once, then only reads', async () => {
    const crm = new HubSpotApiCrm({
      accessToken: token,
      portalId: `schema-${randomBytes(3).toString('hex')}`,
      basePath: base,
      redis,
      rateLimit: { points: 1000, windowSeconds: 10 },
      retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 1000 },
      log: pino({ level: 'silent' }),
      rateLimitKeyPrefix: prefix,
    });
    const created: string[] = [];
    const first = nock(base)
      .get('/crm/v3/properties/companies/groups')
      .reply(200, { results: [] })
      .get('/crm/v3/properties/companies')
      .reply(200, { results: [] })
      .post('/crm/v3/properties/companies/groups')
      .reply(201, { ...propertyGroup, archived: false })
      .post('/crm/v3/properties/companies', (body: { name: string }) => created.push(body.name) > 0)
      .times(companyProperties.length)
      .reply(201, (_uri, body) => ({ ...(body as object), options: [] }));
    await applyHubSpotSchema(crm);
    expect(first.isDone()).toBe(true);
    expect(created.sort()).toEqual(companyProperties.map((property) => property.name).sort());

    const existing = companyProperties.map((property) => ({ ...property, options: property.options ?? [] }));
    const second = nock(base)
      .get('/crm/v3/properties/companies/groups')
      .reply(200, { results: [{ ...propertyGroup, archived: false }] })
      .get('/crm/v3/properties/companies')
      .reply(200, { results: existing });
    const plan = await applyHubSpotSchema(crm);
    expect(second.isDone()).toBe(true);
    expect(plan.create).toEqual([]);
    expect(plan.updateOptions).toEqual([]);
    expect(plan.createGroup).toBe(false);
  });
});
