import { sql } from 'kysely';
import type { CollectionMethod } from '../../src/db/schema';
import { createTestDatabase, type TestDatabase } from '../support/database';

describe('database migrations', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  it('create every table the typed schema names', async () => {
    const { rows } = await sql<{ table_name: string }>`
      SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`.execute(database.db);
    const tables = rows.map((row) => row.table_name);
    for (const table of [
      'tenants',
      'webhook_secrets',
      'api_keys',
      'stripe_events',
      'dead_letters',
      'customers',
      'subscriptions',
      'invoices',
      'payment_attempts',
      'payment_methods',
      'health_snapshots',
      'crm_connections',
      'crm_links',
      'crm_sync_state',
    ]) {
      expect(tables).toContain(table);
    }
  });

  it('add the collection method columns', async () => {
    const { rows } = await sql<{ table_name: string; column_name: string; is_nullable: string }>`
      SELECT table_name, column_name, is_nullable FROM information_schema.columns
      WHERE table_schema = 'public' AND column_name IN ('collection_method', 'default_payment_method_id')
      ORDER BY table_name, column_name`.execute(database.db);
    expect(rows).toEqual([
      { table_name: 'customers', column_name: 'default_payment_method_id', is_nullable: 'YES' },
      { table_name: 'invoices', column_name: 'collection_method', is_nullable: 'YES' },
      { table_name: 'subscriptions', column_name: 'collection_method', is_nullable: 'YES' },
      { table_name: 'subscriptions', column_name: 'default_payment_method_id', is_nullable: 'YES' },
    ]);
  });

  it('reject an unknown collection method', async () => {
    const tenant = await database.db
      .insertInto('tenants')
      .values({ name: 'Acme' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const customer = await database.db
      .insertInto('customers')
      .values({ tenant_id: tenant.id, stripe_customer_id: 'cus_check' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const insertInvoice = (id: string, method: string) =>
      database.db
        .insertInto('invoices')
        .values({
          tenant_id: tenant.id,
          customer_id: customer.id,
          stripe_invoice_id: id,
          status: 'open',
          currency: 'usd',
          collection_method: method as CollectionMethod,
        })
        .execute();
    await expect(insertInvoice('in_unknown', 'direct_debit')).rejects.toThrow(/check constraint/);
    await expect(insertInvoice('in_manual', 'send_invoice')).resolves.toHaveLength(1);
  });

  it('reject a duplicate event per tenant', async () => {
    const tenant = await database.db
      .insertInto('tenants')
      .values({ name: 'Acme' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const event = {
      tenant_id: tenant.id,
      event_id: 'evt_1',
      type: 'invoice.paid',
      event_created_at: new Date(),
      payload: '{}',
    };
    await database.db.insertInto('stripe_events').values(event).execute();
    await expect(database.db.insertInto('stripe_events').values(event).execute()).rejects.toThrow(
      /duplicate key/,
    );
  });
});
