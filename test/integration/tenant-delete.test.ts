import { sql } from 'kysely';
import pino from 'pino';
import { main } from '../../src/cli';
import { SecretBox } from '../../src/db/crypto';
import { disconnectHubSpot } from '../../src/install/disconnect';
import { Metrics } from '../../src/metrics';
import { Queues, redisOptions } from '../../src/queues/queues';
import type { Runtime } from '../../src/runtime';
import { markCrmDirty } from '../../src/sync/hubspot-sync';
import { createTenant } from '../../src/tenants/tenants';
import { runCrmFlush } from '../../src/worker/crm-flush';
import { testConfig, testEncryptionKey } from '../support/config';
import { createTestDatabase, type TestDatabase } from '../support/database';

const log = pino({ level: 'silent' });
const now = new Date('2026-06-01T12:00:00.000Z');

describe('tenant disconnect and delete', () => {
  let database: TestDatabase;
  let queues: Queues;
  const config = testConfig();
  const box = new SecretBox(config.TOKEN_ENCRYPTION_KEYS, config.TOKEN_ENCRYPTION_KEY_ID);
  const savedEnv = { ...process.env };
  let output: string[];

  beforeAll(async () => {
    database = await createTestDatabase();
    queues = new Queues(redisOptions(config.REDIS_URL, 'producer'), config.QUEUE_PREFIX);
  });
  beforeEach(() => {
    Object.assign(process.env, {
      DATABASE_URL: database.url,
      TOKEN_ENCRYPTION_KEYS: `test:${testEncryptionKey}`,
      TOKEN_ENCRYPTION_KEY_ID: 'test',
      QUEUE_PREFIX: config.QUEUE_PREFIX,
      LOG_LEVEL: 'silent',
    });
    output = [];
    jest.spyOn(console, 'log').mockImplementation((line: string) => void output.push(line));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    process.env = { ...savedEnv };
  });
  afterAll(async () => {
    await queues.crmSync.obliterate({ force: true });
    await queues.close();
    await database.drop();
  });

  async function tenantWithData(portalId: string) {
    const created = await createTenant(database.db, box, 'https://payments.example.com', {
      name: `Tenant ${portalId}`,
      stripeWebhookSecret: 'whsec_delete_test_secret',
      hubspot: { portalId, accessToken: 'pat-delete-test' },
    });
    const customer = await database.db
      .insertInto('customers')
      .values({
        tenant_id: created.tenantId,
        stripe_customer_id: `cus_${portalId}`,
        name: 'Doomed',
        currency: 'usd',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await database.db
      .insertInto('crm_links')
      .values({
        tenant_id: created.tenantId,
        customer_id: customer.id,
        provider: 'hubspot',
        record_id: '1',
        matched_by: 'manual',
      })
      .execute();
    await markCrmDirty(database.db, created.tenantId, [customer.id], 'hubspot', now);
    await database.db
      .insertInto('audit_log')
      .values({
        tenant_id: created.tenantId,
        actor: 'test',
        action: 'test.seeded',
        details: JSON.stringify({}),
      })
      .execute();
    return { tenantId: created.tenantId, customerId: customer.id };
  }

  async function rowsFor(tenantId: string): Promise<Record<string, number>> {
    const tables = await sql<{ table_name: string }>`
      SELECT table_name FROM information_schema.columns
      WHERE table_schema = current_schema() AND column_name = 'tenant_id'`.execute(database.db);
    const counts: Record<string, number> = {};
    for (const { table_name: table } of tables.rows) {
      const result = await sql<{ count: string }>`
        SELECT count(*) AS count FROM ${sql.table(table)} WHERE tenant_id = ${tenantId}`.execute(database.db);
      counts[table] = Number(result.rows[0]?.count);
    }
    return counts;
  }

  it('disconnect empties tokens and stops the flush', async () => {
    const { tenantId, customerId } = await tenantWithData('2001');
    await queues.scheduleCrmFlush(tenantId, 60_000);

    const result = await disconnectHubSpot({ db: database.db, queues, log }, tenantId, 'test', now);

    expect(result).toEqual({ disconnected: true, portalId: '2001' });
    const connection = await database.db
      .selectFrom('crm_connections')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .executeTakeFirstOrThrow();
    expect(connection.status).toBe('disconnected');
    expect(connection.access_token_sealed).toBe('');
    expect(connection.refresh_token_sealed).toBeNull();
    expect(await queues.crmSync.getJob(`hubspot-flush-${tenantId}`)).toBeUndefined();
    const audit = await database.db
      .selectFrom('audit_log')
      .select('action')
      .where('tenant_id', '=', tenantId)
      .execute();
    expect(audit.map((entry) => entry.action)).toContain('hubspot.disconnected');
    const runtime = { config, db: database.db, box, metrics: new Metrics(), log } as unknown as Runtime;
    await expect(runCrmFlush(runtime, tenantId, () => now, {} as never)).resolves.toBeNull();
    const state = await database.db
      .selectFrom('crm_sync_state')
      .select('dirty_since')
      .where('customer_id', '=', customerId)
      .executeTakeFirstOrThrow();
    expect(state.dirty_since).not.toBeNull();
  });

  it('CLI disconnect-hubspot disconnects', async () => {
    const { tenantId } = await tenantWithData('2002');

    await main(['tenant', 'disconnect-hubspot', '--tenant', tenantId]);

    expect(output.join('\n')).toContain('Disconnected HubSpot portal 2002');
    const connection = await database.db
      .selectFrom('crm_connections')
      .select('status')
      .where('tenant_id', '=', tenantId)
      .executeTakeFirstOrThrow();
    expect(connection.status).toBe('disconnected');
  });

  it('delete refuses without --confirm', async () => {
    const { tenantId } = await tenantWithData('2003');

    await expect(main(['tenant', 'delete', '--tenant', tenantId])).rejects.toThrow('add --confirm');

    const tenant = await database.db
      .selectFrom('tenants')
      .select('id')
      .where('id', '=', tenantId)
      .executeTakeFirst();
    expect(tenant?.id).toBe(tenantId);
  });

  it('delete removes every row and prints counts', async () => {
    const { tenantId } = await tenantWithData('2004');
    const other = await tenantWithData('2005');
    const before = await rowsFor(tenantId);

    await main(['tenant', 'delete', '--tenant', tenantId, '--confirm', '--json']);

    const printed = JSON.parse(output.join('')) as Record<string, number>;
    expect(printed.tenants).toBe(1);
    expect(printed.customers).toBe(before.customers);
    expect(printed.crm_connections).toBe(1);
    expect(printed.crm_sync_state).toBe(1);
    expect(printed.audit_log).toBe(before.audit_log);
    const after = await rowsFor(tenantId);
    for (const [table, count] of Object.entries(after)) expect([table, count]).toEqual([table, 0]);
    const tenant = await database.db
      .selectFrom('tenants')
      .select('id')
      .where('id', '=', tenantId)
      .executeTakeFirst();
    expect(tenant).toBeUndefined();
    expect((await rowsFor(other.tenantId)).customers).toBe(1);
  });
});
