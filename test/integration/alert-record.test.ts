import { planAlertsForEvent, recordAlerts } from '../../src/alerts/record';
import { writeAlertSettings } from '../../src/alerts/settings-store';
import type { Db } from '../../src/db/database';
import { createTestDatabase, type TestDatabase } from '../support/database';

const now = new Date('2025-03-10T12:00:00Z');
let database: TestDatabase;
let db: Db;
let tenantId: string;
let sequence = 0;

async function insertCustomer(): Promise<string> {
  sequence += 1;
  const customer = await db
    .insertInto('customers')
    .values({ tenant_id: tenantId, stripe_customer_id: `cus_${sequence}`, name: 'Acme', currency: 'usd' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('subscriptions')
    .values({
      tenant_id: tenantId,
      customer_id: customer.id,
      stripe_subscription_id: `sub_${sequence}`,
      status: 'past_due',
      currency: 'usd',
      mrr_minor: 50000,
    })
    .execute();
  return customer.id;
}

async function failInvoice(customerId: string, invoiceId: string): Promise<void> {
  await db
    .insertInto('invoices')
    .values({
      tenant_id: tenantId,
      customer_id: customerId,
      stripe_invoice_id: invoiceId,
      status: 'open',
      currency: 'usd',
      amount_due: 120000,
      amount_remaining: 120000,
      attempt_count: 1,
      invoice_created_at: new Date('2025-03-09T00:00:00Z'),
      next_payment_attempt: new Date('2025-03-13T00:00:00Z'),
      collection_method: 'charge_automatically',
    })
    .execute();
  await db
    .insertInto('payment_attempts')
    .values({
      tenant_id: tenantId,
      customer_id: customerId,
      attempt_key: `ch_${invoiceId}`,
      stripe_invoice_id: invoiceId,
      status: 'failed',
      amount: 120000,
      currency: 'usd',
      decline_code: 'insufficient_funds',
      card_brand: 'visa',
      card_last4: '4242',
      attempted_at: new Date('2025-03-09T01:00:00Z'),
    })
    .execute();
}

async function payInvoice(invoiceId: string): Promise<void> {
  await db
    .updateTable('invoices')
    .set({ status: 'paid', amount_remaining: 0, amount_paid: 120000 })
    .where('stripe_invoice_id', '=', invoiceId)
    .execute();
}

function plan(customerId: string, at = now) {
  return db.transaction().execute((trx) =>
    planAlertsForEvent(trx, {
      tenantId,
      customerIds: [customerId],
      eventType: 'invoice.payment_failed',
      changes: [],
      now: at,
    }),
  );
}

async function alertsOf(customerId: string) {
  return db
    .selectFrom('slack_alerts')
    .selectAll()
    .where('customer_id', '=', customerId)
    .orderBy('id')
    .execute();
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  const tenant = await db
    .insertInto('tenants')
    .values({ name: 'Acme' })
    .returning('id')
    .executeTakeFirstOrThrow();
  tenantId = tenant.id;
  await writeAlertSettings(db, tenantId, { defaultChannel: 'CALERTS' }, now);
});

afterAll(async () => {
  await database.drop();
});

describe('planAlertsForEvent', () => {
  it('records one alert per failure', async () => {
    const customerId = await insertCustomer();
    await failInvoice(customerId, 'in_a');
    const first = await plan(customerId);
    const second = await plan(customerId);
    const rows = await alertsOf(customerId);
    expect(first.alertIds).toHaveLength(1);
    expect(second.alertIds).toHaveLength(0);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.episode_key).toBe('invoice:in_a');
    expect(rows[0]?.channel_id).toBe('CALERTS');
    expect(rows[0]?.version).toBe(1);
  });

  it('updates on new content', async () => {
    const customerId = await insertCustomer();
    await failInvoice(customerId, 'in_b');
    await plan(customerId);
    await db
      .updateTable('invoices')
      .set({ attempt_count: 2 })
      .where('stripe_invoice_id', '=', 'in_b')
      .execute();
    const updated = await plan(customerId);
    const [row] = await alertsOf(customerId);
    expect(updated.alertIds).toEqual([row?.id]);
    expect(row?.version).toBe(2);
    expect((row?.content as { invoice?: { attemptCount: number } }).invoice?.attemptCount).toBe(2);
  });

  it('closes on recovery, reopens on new failure', async () => {
    const customerId = await insertCustomer();
    await failInvoice(customerId, 'in_c');
    await plan(customerId);
    await payInvoice('in_c');
    const closed = await plan(customerId);
    await failInvoice(customerId, 'in_d');
    const reopened = await plan(customerId);
    const rows = await alertsOf(customerId);
    expect(closed.alertIds).toHaveLength(1);
    expect(rows).toHaveLength(2);
    expect((rows[0]?.content as { state: string }).state).toBe('recovered');
    expect(rows[0]?.version).toBe(2);
    expect(rows[1]?.episode_key).toBe('invoice:in_d');
    expect(reopened.alertIds).toEqual([rows[1]?.id]);
  });

  it('keeps recorded actions', async () => {
    const customerId = await insertCustomer();
    await failInvoice(customerId, 'in_e');
    await plan(customerId);
    const action = { action: 'claim', userId: 'U1', at: now.toISOString(), outcome: 'succeeded' };
    const [row] = await alertsOf(customerId);
    const withAction = { ...(row?.content as object), actions: [action] };
    await db
      .updateTable('slack_alerts')
      .set({ content: JSON.stringify(withAction) })
      .where('id', '=', row!.id)
      .execute();
    await db
      .updateTable('invoices')
      .set({ attempt_count: 3 })
      .where('stripe_invoice_id', '=', 'in_e')
      .execute();
    await plan(customerId);
    const [after] = await alertsOf(customerId);
    expect((after?.content as { actions?: unknown[] }).actions).toEqual([action]);
    expect(after?.version).toBe(2);
  });

  it('suppresses concurrent duplicates', async () => {
    const customerId = await insertCustomer();
    await failInvoice(customerId, 'in_f');
    const results = await Promise.all([plan(customerId), plan(customerId), plan(customerId)]);
    const rows = await alertsOf(customerId);
    expect(rows).toHaveLength(1);
    expect(results.flatMap((result) => result.alertIds)).toEqual([rows[0]?.id]);
  });

  it('reports unrouted alerts', async () => {
    const other = await db
      .insertInto('tenants')
      .values({ name: 'Quiet' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const saved = tenantId;
    tenantId = other.id;
    const customerId = await insertCustomer();
    await failInvoice(customerId, 'in_g');
    const result = await plan(customerId);
    tenantId = saved;
    expect(result.unrouted).toEqual([
      { customerId, rule: 'paymentFailed', episodeKey: 'invoice:in_g', reason: 'no_channel' },
    ]);
    expect(await alertsOf(customerId)).toHaveLength(0);
  });
});

describe('recordAlerts', () => {
  it('marks digest rows', async () => {
    const customerId = await insertCustomer();
    const content = { rule: 'bandDrop', state: 'open', account: {}, mrrMinor: 0, currency: 'usd' } as never;
    const decision = {
      rule: 'bandDrop' as const,
      episodeKey: 'red:2025-03-10',
      content,
      channelId: 'CALERTS',
    };
    const ids = await db
      .transaction()
      .execute((trx) => recordAlerts(trx, tenantId, customerId, [decision], now, { digest: true }));
    const [row] = await alertsOf(customerId);
    expect(ids).toEqual([]);
    expect(row?.status).toBe('digest');
  });
});
