import { sql } from 'kysely';
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
      'tenants', 'webhook_secrets', 'api_keys', 'stripe_events', 'dead_letters', 'customers', 'subscriptions',
      'invoices', 'payment_attempts', 'payment_methods', 'health_snapshots', 'crm_connections', 'crm_links',
      'crm_sync_state',
    ]) {
      expect(tables).toContain(table);
    }
  });

  it('reject a duplicate event per tenant', async () => {
    const tenant = await database.db.insertInto('tenants').values({ name: 'Acme' }).returning('id').executeTakeFirstOrThrow();
    const event = {
      tenant_id: tenant.id,
      event_id: 'evt_1',
      type: 'invoice.paid',
      event_created_at: new Date(),
      payload: '{}',
    };
    await database.db.insertInto('stripe_events').values(event).execute();
    await expect(database.db.insertInto('stripe_events').values(event).execute()).rejects.toThrow(/duplicate key/);
  });
});
