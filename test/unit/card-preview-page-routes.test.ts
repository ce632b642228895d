import express from 'express';
import pino from 'pino';
import request from 'supertest';
import { cardPreviewRouter } from '../../src/cards/preview-routes';
import { SecretBox } from '../../src/db/crypto';
import { errorHandler } from '../../src/http/errors';
import { createTenant } from '../../src/tenants/tenants';
import { testConfig } from '../support/config';
import { createTestDatabase, type TestDatabase } from '../support/database';

const now = new Date('2026-03-15T12:00:00Z');

describe('cardPreviewRouter', () => {
  const config = testConfig();
  let database: TestDatabase;
  let app: express.Express;
  let apiKey: string;
  let otherApiKey: string;

  async function addCustomer(tenantId: string, stripeCustomerId: string, name: string): Promise<string> {
    const row = await database.db
      .insertInto('customers')
      .values({ tenant_id: tenantId, stripe_customer_id: stripeCustomerId, name, currency: 'usd' })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    const box = new SecretBox(config.TOKEN_ENCRYPTION_KEYS, config.TOKEN_ENCRYPTION_KEY_ID);
    const tenant = (name: string) =>
      createTenant(database.db, box, 'https://csm.example.com', {
        name,
        stripeWebhookSecret: 'whsec_test_preview',
      });
    const first = await tenant('Preview A');
    const second = await tenant('Preview B');
    apiKey = first.apiKey;
    otherApiKey = second.apiKey;
    const customerId = await addCustomer(first.tenantId, 'cus_Preview1', 'Acme <Widgets>');
    await database.db
      .insertInto('invoices')
      .values({
        tenant_id: first.tenantId,
        customer_id: customerId,
        stripe_invoice_id: 'in_Preview1',
        status: 'open',
        currency: 'usd',
        amount_due: 125_000,
        amount_remaining: 125_000,
        attempt_count: 2,
        invoice_created_at: new Date('2026-03-01T00:00:00Z'),
        next_payment_attempt: new Date('2026-03-17T00:00:00Z'),
      })
      .execute();
    app = express();
    app.use(cardPreviewRouter({ db: database.db, now: () => now }));
    app.use(errorHandler(pino({ level: 'silent' })));
  });

  afterAll(async () => {
    await database.drop();
  });

  it('renders the page for a customer', async () => {
    const response = await request(app)
      .get('/cards/preview/cus_Preview1')
      .set('Authorization', `Bearer ${apiKey}`);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.headers['content-security-policy']).toContain("default-src 'none'");
    expect(response.text).toContain('<title>Payment health: Acme &lt;Widgets&gt;</title>');
    expect(response.text).toContain('$1,250.00');
  });

  it('rejects a missing key', async () => {
    const response = await request(app).get('/cards/preview/cus_Preview1');
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('unauthorized');
  });

  it('rejects a key in the query', async () => {
    const response = await request(app).get(`/cards/preview/cus_Preview1?key=${apiKey}`);
    expect(response.status).toBe(401);
  });

  it('returns 404 for an unknown customer', async () => {
    const response = await request(app)
      .get('/cards/preview/cus_Unknown')
      .set('Authorization', `Bearer ${apiKey}`);
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('customer_not_found');
    expect(response.body.error.message).toContain('cus_Unknown');
  });

  it("hides other tenants' customers", async () => {
    const response = await request(app)
      .get('/cards/preview/cus_Preview1')
      .set('Authorization', `Bearer ${otherApiKey}`);
    expect(response.status).toBe(404);
  });
});
