import { normalizeStripeEvent } from '../../integrations/stripe/normalize';
import type { Db } from '../../src/db/database';
import { applyLedgerChanges } from '../../src/ledger/project';
import {
  customerHistory,
  historyCustomerId,
  historySubscriptionId,
  type StripeEventJson,
} from '../fixtures/stripe/customer-history';
import { createTestDatabase, type TestDatabase } from '../support/database';

let testDb: TestDatabase;
let db: Db;

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = testDb.db;
});

afterAll(async () => {
  await testDb.drop();
});

async function createTenant(name: string): Promise<string> {
  const row = await db.insertInto('tenants').values({ name }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

async function applyEvent(tenantId: string, event: StripeEventJson): Promise<string[]> {
  const result = normalizeStripeEvent(event);
  if (result.status !== 'changes')
    throw new Error(`${event.id} did not normalize: ${JSON.stringify(result)}`);
  const source = { eventId: event.id, createdSeconds: event.created };
  const applied = await db
    .transaction()
    .execute((trx) => applyLedgerChanges(trx, tenantId, source, result.changes));
  return applied.customerIds;
}

async function applyAll(events: readonly StripeEventJson[]): Promise<string> {
  const tenantId = await createTenant('history');
  for (const event of events) await applyEvent(tenantId, event);
  return tenantId;
}

/** Selects every ledger column except generated ids and wall-clock timestamps. */
async function snapshot(tenantId: string) {
  const customers = await db
    .selectFrom('customers')
    .select([
      'stripe_customer_id',
      'email',
      'name',
      'currency',
      'delinquent',
      'deleted',
      'default_payment_method_id',
      'source_version',
      'source_event_id',
    ])
    .where('tenant_id', '=', tenantId)
    .orderBy('stripe_customer_id')
    .execute();
  const subscriptions = await db
    .selectFrom('subscriptions')
    .select([
      'stripe_subscription_id',
      'status',
      'currency',
      'mrr_minor',
      'current_period_end',
      'cancel_at_period_end',
      'canceled_at',
      'ended_at',
      'started_at',
      'collection_method',
      'default_payment_method_id',
      'source_version',
      'source_event_id',
    ])
    .where('tenant_id', '=', tenantId)
    .orderBy('stripe_subscription_id')
    .execute();
  const invoices = await db
    .selectFrom('invoices')
    .select([
      'stripe_invoice_id',
      'stripe_subscription_id',
      'number',
      'status',
      'currency',
      'amount_due',
      'amount_paid',
      'amount_remaining',
      'attempt_count',
      'invoice_created_at',
      'due_date',
      'paid_at',
      'next_payment_attempt',
      'hosted_invoice_url',
      'collection_method',
      'source_version',
      'source_event_id',
    ])
    .where('tenant_id', '=', tenantId)
    .orderBy('stripe_invoice_id')
    .execute();
  const attempts = await db
    .selectFrom('payment_attempts')
    .select([
      'attempt_key',
      'stripe_charge_id',
      'stripe_payment_intent_id',
      'stripe_invoice_id',
      'status',
      'amount',
      'currency',
      'failure_code',
      'failure_message',
      'decline_code',
      'advice_code',
      'network_decline_code',
      'network_advice_code',
      'outcome_type',
      'card_brand',
      'card_last4',
      'attempted_at',
      'source_version',
      'source_event_id',
    ])
    .where('tenant_id', '=', tenantId)
    .orderBy('attempt_key')
    .execute();
  const methods = await db
    .selectFrom('payment_methods')
    .select([
      'stripe_payment_method_id',
      'type',
      'card_brand',
      'card_last4',
      'exp_month',
      'exp_year',
      'detached',
      'source_version',
      'source_event_id',
    ])
    .where('tenant_id', '=', tenantId)
    .orderBy('stripe_payment_method_id')
    .execute();
  return { customers, subscriptions, invoices, attempts, methods };
}

/** Mulberry32: a small seeded generator, so a failing shuffle can be replayed by its seed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = seededRandom(seed);
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

function eventById(id: string): StripeEventJson {
  const found = customerHistory().find((event) => event.id === id);
  if (found === undefined) throw new Error(`no history event ${id}`);
  return found;
}

describe('applyLedgerChanges history', () => {
  let expected: Awaited<ReturnType<typeof snapshot>>;

  beforeAll(async () => {
    expected = await snapshot(await applyAll(customerHistory()));
  });

  it('ends in the recovered, canceled state', () => {
    const [customer] = expected.customers;
    expect(customer?.delinquent).toBe(false);
    expect(customer?.default_payment_method_id).toBe('pm_GlobexMc');
    expect(customer?.name).toBe('Globex Corporation');
    expect(expected.subscriptions[0]?.status).toBe('canceled');
    expect(expected.subscriptions[0]?.mrr_minor).toBe('0');
    expect(expected.subscriptions[0]?.collection_method).toBe('charge_automatically');
    expect(expected.subscriptions[0]?.default_payment_method_id).toBeNull();
    expect(expected.invoices.map((row) => row.collection_method)).toEqual(
      Array(4).fill('charge_automatically'),
    );
    expect(expected.invoices.map((row) => [row.stripe_invoice_id, row.status])).toEqual([
      ['in_Globex0001', 'paid'],
      ['in_Globex0002', 'paid'],
      ['in_Globex0003', 'paid'],
      ['in_Globex0005', 'void'],
    ]);
    expect(expected.methods.map((row) => [row.stripe_payment_method_id, row.detached])).toEqual([
      ['pm_GlobexMc', false],
      ['pm_GlobexVisa', true],
    ]);
  });

  it('merges the declined attempt', () => {
    const declined = expected.attempts.find((row) => row.attempt_key === 'ch_Globex3a');
    expect(declined?.status).toBe('failed');
    expect(declined?.decline_code).toBe('insufficient_funds');
    expect(declined?.network_decline_code).toBe('51');
    expect(declined?.advice_code).toBe('try_again_later');
    expect(declined?.network_advice_code).toBe('02');
    expect(declined?.outcome_type).toBe('issuer_declined');
    expect(declined?.failure_message).toBe('Your card has insufficient funds.');
    const keys = expected.attempts.map((row) => row.attempt_key);
    expect(keys).toEqual(['ch_Globex1', 'ch_Globex2', 'ch_Globex3a', 'ch_Globex3b']);
  });

  it.each(Array.from({ length: 20 }, (_, index) => index + 1))('matches shuffle seed %i', async (seed) => {
    const tenantId = await applyAll(shuffled(customerHistory(), seed));
    expect(await snapshot(tenantId)).toEqual(expected);
  });

  it('matches with every event duplicated', async () => {
    const doubled = customerHistory().flatMap((event) => [event, event]);
    expect(await snapshot(await applyAll(doubled))).toEqual(expected);
  });

  it('matches duplicated and shuffled', async () => {
    const doubled = [...customerHistory(), ...customerHistory()];
    expect(await snapshot(await applyAll(shuffled(doubled, 99)))).toEqual(expected);
  });

  it('matches concurrent workers', async () => {
    const tenantId = await createTenant('concurrent');
    const queue = shuffled(customerHistory(), 7);
    const worker = async () => {
      for (let event = queue.shift(); event !== undefined; event = queue.shift())
        await applyEvent(tenantId, event);
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    expect(await snapshot(tenantId)).toEqual(expected);
  });
});

describe('applyLedgerChanges rules', () => {
  async function subscriptionRow(tenantId: string) {
    return db
      .selectFrom('subscriptions')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('stripe_subscription_id', '=', historySubscriptionId)
      .executeTakeFirstOrThrow();
  }

  async function invoiceRow(tenantId: string, invoiceId: string) {
    return db
      .selectFrom('invoices')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('stripe_invoice_id', '=', invoiceId)
      .executeTakeFirstOrThrow();
  }

  it('keeps canceled against an older update', async () => {
    const tenantId = await applyAll([eventById('evt_h29'), eventById('evt_h27')]);
    const row = await subscriptionRow(tenantId);
    expect(row.status).toBe('canceled');
    expect(row.source_event_id).toBe('evt_h29');
  });

  it('keeps canceled against a newer update', async () => {
    const revived = { ...eventById('evt_h25'), id: 'evt_late', created: eventById('evt_h29').created + 60 };
    const tenantId = await applyAll([eventById('evt_h29'), revived]);
    const row = await subscriptionRow(tenantId);
    expect(row.status).toBe('canceled');
    expect(row.source_event_id).toBe('evt_h29');
  });

  it('applies an older cancel over active', async () => {
    const revived = { ...eventById('evt_h25'), id: 'evt_late', created: eventById('evt_h29').created + 60 };
    const tenantId = await applyAll([revived, eventById('evt_h29')]);
    expect((await subscriptionRow(tenantId)).status).toBe('canceled');
  });

  it('keeps paid against an older payment_failed', async () => {
    const tenantId = await applyAll([eventById('evt_h24'), eventById('evt_h14')]);
    const row = await invoiceRow(tenantId, 'in_Globex0003');
    expect(row.status).toBe('paid');
    expect(row.amount_remaining).toBe('0');
    expect(row.source_event_id).toBe('evt_h24');
  });

  it('allows uncollectible to paid', async () => {
    const uncollectible = eventById('evt_h14');
    (uncollectible.data.object as { status: string }).status = 'uncollectible';
    const tenantId = await applyAll([uncollectible, eventById('evt_h24')]);
    expect((await invoiceRow(tenantId, 'in_Globex0003')).status).toBe('paid');
  });

  it('applies an older void over open', async () => {
    const reopened = { ...eventById('evt_h28'), id: 'evt_late', created: eventById('evt_h30').created + 60 };
    (reopened.data.object as { status: string }).status = 'open';
    const tenantId = await applyAll([reopened, eventById('evt_h30')]);
    expect((await invoiceRow(tenantId, 'in_Globex0005')).status).toBe('void');
  });

  it('writes subscription collection fields', async () => {
    const switched = eventById('evt_h27');
    Object.assign(switched.data.object, {
      collection_method: 'send_invoice',
      default_payment_method: 'pm_GlobexMc',
    });
    const tenantId = await applyAll([eventById('evt_h25'), switched]);
    const row = await subscriptionRow(tenantId);
    expect(row.collection_method).toBe('send_invoice');
    expect(row.default_payment_method_id).toBe('pm_GlobexMc');
  });

  it('keeps newer collection method against older event', async () => {
    const switched = eventById('evt_h27');
    Object.assign(switched.data.object, { collection_method: 'send_invoice' });
    const tenantId = await applyAll([switched, eventById('evt_h25')]);
    const row = await subscriptionRow(tenantId);
    expect(row.collection_method).toBe('send_invoice');
    expect(row.source_event_id).toBe('evt_h27');
  });

  it('writes a legacy billing invoice', async () => {
    const legacy = eventById('evt_h11');
    const object = legacy.data.object as Record<string, unknown>;
    delete object.collection_method;
    object.billing = 'send_invoice';
    const tenantId = await applyAll([legacy]);
    expect((await invoiceRow(tenantId, 'in_Globex0003')).collection_method).toBe('send_invoice');
  });

  it('writes null without a collection method', async () => {
    const legacy = eventById('evt_h16');
    const object = legacy.data.object as Record<string, unknown>;
    delete object.collection_method;
    delete object.default_payment_method;
    const tenantId = await applyAll([eventById('evt_h04'), legacy]);
    const row = await subscriptionRow(tenantId);
    expect(row.collection_method).toBeNull();
    expect(row.default_payment_method_id).toBeNull();
  });

  it('merges charge and PaymentIntent halves', async () => {
    const tenantId = await applyAll([eventById('evt_h13'), eventById('evt_h12')]);
    const rows = await db
      .selectFrom('payment_attempts')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .execute();
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row?.stripe_payment_intent_id).toBe('pi_Globex3');
    expect(row?.stripe_charge_id).toBe('ch_Globex3a');
    expect(row?.network_decline_code).toBe('51');
    expect(row?.outcome_type).toBe('issuer_declined');
    expect(row?.network_advice_code).toBe('02');
    expect(row?.advice_code).toBe('try_again_later');
    expect(row?.decline_code).toBe('insufficient_funds');
    expect(row?.attempted_at).toEqual(new Date(eventById('evt_h12').created * 1000));
  });

  it('keeps succeeded against a newer failure', async () => {
    const failedLater = eventById('evt_h22');
    const object = failedLater.data.object as Record<string, unknown>;
    Object.assign(object, { status: 'failed', failure_code: 'card_declined' });
    const late = { ...failedLater, id: 'evt_late', created: failedLater.created + 60 };
    const tenantId = await applyAll([eventById('evt_h22'), late]);
    const row = await db
      .selectFrom('payment_attempts')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('succeeded');
    expect(row.source_event_id).toBe('evt_late');
  });

  it('creates a placeholder customer', async () => {
    const tenantId = await createTenant('placeholder');
    const [customerId] = await applyEvent(tenantId, eventById('evt_h04'));
    const placeholder = await db
      .selectFrom('customers')
      .selectAll()
      .where('id', '=', customerId as string)
      .executeTakeFirstOrThrow();
    expect(placeholder.stripe_customer_id).toBe(historyCustomerId);
    expect(placeholder.source_version).toBe('0');
    expect(placeholder.name).toBeNull();
    await applyEvent(tenantId, eventById('evt_h01'));
    const filled = await db
      .selectFrom('customers')
      .selectAll()
      .where('id', '=', customerId as string)
      .executeTakeFirstOrThrow();
    expect(filled.name).toBe('Globex Corporation');
  });

  it('returns the same customer id', async () => {
    const tenantId = await createTenant('ids');
    const first = await applyEvent(tenantId, eventById('evt_h01'));
    const second = await applyEvent(tenantId, eventById('evt_h12'));
    expect(first).toHaveLength(1);
    expect(second).toEqual(first);
  });

  it('returns nothing for no changes', async () => {
    const tenantId = await createTenant('empty');
    const source = { eventId: 'evt_none', createdSeconds: 1 };
    const result = await db.transaction().execute((trx) => applyLedgerChanges(trx, tenantId, source, []));
    expect(result.customerIds).toEqual([]);
  });

  it('keeps tenants apart', async () => {
    const first = await applyAll([eventById('evt_h01')]);
    const second = await applyAll([eventById('evt_h01')]);
    const rows = await db
      .selectFrom('customers')
      .select(['tenant_id'])
      .where('stripe_customer_id', '=', historyCustomerId)
      .where('tenant_id', 'in', [first, second])
      .execute();
    expect(rows).toHaveLength(2);
  });
});
