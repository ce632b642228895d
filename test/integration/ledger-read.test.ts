import { normalizeStripeEvent } from '../../integrations/stripe/normalize';
import type { Db } from '../../src/db/database';
import { applyLedgerChanges } from '../../src/ledger/project';
import { daysOverdue, readCustomerLedger } from '../../src/ledger/read';
import {
  customerHistory,
  historyCustomerId,
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

async function createTenant(): Promise<string> {
  const row = await db
    .insertInto('tenants')
    .values({ name: 'read' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function applyAll(tenantId: string, events: readonly StripeEventJson[]): Promise<void> {
  for (const event of events) {
    const result = normalizeStripeEvent(event);
    if (result.status !== 'changes') throw new Error(`${event.id} did not normalize`);
    const source = { eventId: event.id, createdSeconds: event.created };
    await db.transaction().execute((trx) => applyLedgerChanges(trx, tenantId, source, result.changes));
  }
}

/** Returns the history up to the card change, when invoice in_Globex0003 is open after a declined charge. */
function historyUntilCardChange(): StripeEventJson[] {
  const events = customerHistory();
  return events.slice(
    0,
    events.findIndex((event) => event.id === 'evt_h22'),
  );
}

const invoiceCreated = customerHistory().find((event) => event.id === 'evt_h10')?.created as number;

describe('readCustomerLedger', () => {
  it('returns null for an unknown customer', async () => {
    const tenantId = await createTenant();
    expect(await readCustomerLedger(db, tenantId, 'cus_missing', new Date())).toBeNull();
  });

  it('reads another tenant as null', async () => {
    const owner = await createTenant();
    await applyAll(owner, customerHistory().slice(0, 1));
    const other = await createTenant();
    expect(await readCustomerLedger(db, other, historyCustomerId, new Date())).toBeNull();
  });

  describe('during dunning', () => {
    const now = new Date((invoiceCreated + 5 * 86400 + 3600) * 1000);
    let ledger: NonNullable<Awaited<ReturnType<typeof readCustomerLedger>>>;

    beforeAll(async () => {
      const tenantId = await createTenant();
      await applyAll(tenantId, historyUntilCardChange());
      const read = await readCustomerLedger(db, tenantId, historyCustomerId, now);
      if (read === null) throw new Error('customer not found');
      ledger = read;
    });

    it('reads the customer', () => {
      expect(ledger.customer.stripeCustomerId).toBe(historyCustomerId);
      expect(ledger.customer.name).toBe('Globex Corporation');
      expect(ledger.customer.email).toBe('ap@globex.example');
      expect(ledger.customer.delinquent).toBe(true);
      expect(typeof ledger.customer.id).toBe('string');
    });

    it('reads the open invoice', () => {
      expect(ledger.openInvoices).toHaveLength(1);
      const [invoice] = ledger.openInvoices;
      expect(invoice?.stripeInvoiceId).toBe('in_Globex0003');
      expect(invoice?.amountRemaining).toBe(10000);
      expect(invoice?.attemptCount).toBe(1);
      expect(invoice?.daysOverdue).toBe(5);
      expect(invoice?.createdAt).toBe(new Date(invoiceCreated * 1000).toISOString());
      expect(invoice?.collectionMethod).toBe('charge_automatically');
    });

    it('reads subscription collection fields', () => {
      expect(ledger.subscriptions[0]?.collectionMethod).toBe('charge_automatically');
      expect(ledger.subscriptions[0]?.defaultPaymentMethodId).toBeNull();
    });

    it('reads attempts newest first', () => {
      const keys = ledger.recentPaymentAttempts.map((attempt) => attempt.attemptKey);
      expect(keys).toEqual(['ch_Globex3a', 'ch_Globex2', 'ch_Globex1']);
      const [declined] = ledger.recentPaymentAttempts;
      expect(declined?.declineCode).toBe('insufficient_funds');
      expect(declined?.adviceCode).toBe('try_again_later');
      expect(declined?.failureMessage).toBe('Your card has insufficient funds.');
      expect(declined?.amount).toBe(10000);
    });

    it('marks the default card', () => {
      expect(ledger.paymentMethods).toEqual([
        {
          stripePaymentMethodId: 'pm_GlobexMc',
          type: 'card',
          cardBrand: 'mastercard',
          cardLast4: '4444',
          expMonth: 8,
          expYear: 2029,
          isDefault: true,
        },
      ]);
    });

    it('sums MRR per currency', () => {
      expect(ledger.mrrByCurrency).toEqual({ usd: 10000 });
      expect(ledger.subscriptions[0]?.status).toBe('past_due');
      expect(ledger.subscriptions[0]?.mrrMinor).toBe(10000);
    });
  });

  it('lists no paid invoices after recovery', async () => {
    const tenantId = await createTenant();
    await applyAll(tenantId, customerHistory());
    const ledger = await readCustomerLedger(db, tenantId, historyCustomerId, new Date());
    expect(ledger?.openInvoices).toEqual([]);
    expect(ledger?.mrrByCurrency).toEqual({ usd: 0 });
    expect(ledger?.subscriptions[0]?.endedAt).not.toBeNull();
  });

  it('reads a subscription default payment method', async () => {
    const tenantId = await createTenant();
    const events = historyUntilCardChange();
    const last = events[events.length - 1] as StripeEventJson;
    const update = customerHistory().find((event) => event.id === 'evt_h16') as StripeEventJson;
    const object = {
      ...update.data.object,
      collection_method: 'send_invoice',
      default_payment_method: { id: 'pm_GlobexMc', object: 'payment_method' },
    };
    const switched = { ...update, id: 'evt_switch', created: last.created + 1, data: { object } };
    await applyAll(tenantId, [...events, switched]);
    const ledger = await readCustomerLedger(db, tenantId, historyCustomerId, new Date());
    expect(ledger?.subscriptions[0]?.defaultPaymentMethodId).toBe('pm_GlobexMc');
    expect(ledger?.subscriptions[0]?.collectionMethod).toBe('send_invoice');
  });

  it('limits attempts to 20', async () => {
    const tenantId = await createTenant();
    await applyAll(tenantId, customerHistory().slice(0, 1));
    const customer = await db
      .selectFrom('customers')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .executeTakeFirstOrThrow();
    const rows = Array.from({ length: 25 }, (_, index) => ({
      tenant_id: tenantId,
      customer_id: customer.id,
      attempt_key: `ch_bulk${String(index).padStart(2, '0')}`,
      status: 'failed' as const,
      amount: 100,
      currency: 'usd',
      attempted_at: new Date(Date.UTC(2024, 0, 1 + index)),
    }));
    await db.insertInto('payment_attempts').values(rows).execute();
    const ledger = await readCustomerLedger(db, tenantId, historyCustomerId, new Date());
    expect(ledger?.recentPaymentAttempts).toHaveLength(20);
    expect(ledger?.recentPaymentAttempts[0]?.attemptKey).toBe('ch_bulk24');
    expect(ledger?.recentPaymentAttempts[19]?.attemptKey).toBe('ch_bulk05');
  });
});

describe('daysOverdue', () => {
  const now = new Date('2025-03-10T12:00:00Z');
  const cases: Array<[string, string | null, string | null, number]> = [
    ['due date passed', '2025-03-01T12:00:00Z', '2025-02-01T00:00:00Z', 9],
    ['partial day', '2025-03-09T18:00:00Z', null, 0],
    ['not yet due', '2025-03-20T00:00:00Z', '2025-03-01T00:00:00Z', 0],
    ['no due date', null, '2025-03-07T12:00:00Z', 3],
    ['no dates', null, null, 0],
  ];
  it.each(cases)('%s', (_name, dueDate, createdAt, expected) => {
    const due = dueDate === null ? null : new Date(dueDate);
    const created = createdAt === null ? null : new Date(createdAt);
    expect(daysOverdue(due, created, now)).toBe(expected);
  });
});
