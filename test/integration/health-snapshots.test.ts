import { CustomerNotFoundError, loadHealthFacts } from '../../src/health/facts';
import { healthTrendSince, latestHealth, recordHealth } from '../../src/health/snapshots';
import { createTestDatabase, type TestDatabase } from '../support/database';

const dayMs = 24 * 60 * 60 * 1000;
const now = new Date('2025-06-19T00:00:00Z');

function daysFromNow(days: number): Date {
  return new Date(now.getTime() + days * dayMs);
}

describe('health facts and snapshots', () => {
  let database: TestDatabase;
  let tenantId: string;
  let sequence = 0;

  beforeAll(async () => {
    database = await createTestDatabase();
    const tenant = await database.db
      .insertInto('tenants')
      .values({ name: 'Acme' })
      .returning('id')
      .executeTakeFirstOrThrow();
    tenantId = tenant.id;
  });
  afterAll(() => database.drop());

  function nextId(prefix: string): string {
    sequence += 1;
    return `${prefix}_${sequence}`;
  }

  async function insertCustomer(defaultPaymentMethodId: string | null = null, tenant = tenantId): Promise<string> {
    const row = await database.db
      .insertInto('customers')
      .values({
        tenant_id: tenant,
        stripe_customer_id: nextId('cus'),
        currency: 'usd',
        default_payment_method_id: defaultPaymentMethodId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async function insertSubscription(customerId: string, status: string, mrrMinor: number): Promise<void> {
    await database.db
      .insertInto('subscriptions')
      .values({
        tenant_id: tenantId,
        customer_id: customerId,
        stripe_subscription_id: nextId('sub'),
        status,
        currency: 'usd',
        mrr_minor: mrrMinor,
      })
      .execute();
  }

  async function insertAttempt(
    customerId: string,
    status: 'succeeded' | 'failed' | 'pending',
    attemptedAt: Date,
    declineCode: string | null = null,
  ): Promise<string> {
    const attemptKey = nextId('ch');
    await database.db
      .insertInto('payment_attempts')
      .values({
        tenant_id: tenantId,
        customer_id: customerId,
        attempt_key: attemptKey,
        status,
        amount: 5_000,
        currency: 'usd',
        failure_code: status === 'failed' ? 'card_declined' : null,
        decline_code: declineCode,
        attempted_at: attemptedAt,
      })
      .execute();
    return attemptKey;
  }

  interface InvoiceOptions {
    status: string;
    amountRemaining: number;
    createdAt: Date;
    dueDate?: Date | null;
    nextPaymentAttempt?: Date | null;
  }

  async function insertInvoice(customerId: string, options: InvoiceOptions): Promise<void> {
    await database.db
      .insertInto('invoices')
      .values({
        tenant_id: tenantId,
        customer_id: customerId,
        stripe_invoice_id: nextId('in'),
        status: options.status,
        currency: 'usd',
        amount_due: options.amountRemaining,
        amount_remaining: options.amountRemaining,
        invoice_created_at: options.createdAt,
        due_date: options.dueDate ?? null,
        next_payment_attempt: options.nextPaymentAttempt ?? null,
      })
      .execute();
  }

  async function insertCard(
    customerId: string,
    paymentMethodId: string,
    expiry: { month: number; year: number },
    options: { detached?: boolean; sourceVersion?: number; type?: string } = {},
  ): Promise<void> {
    await database.db
      .insertInto('payment_methods')
      .values({
        tenant_id: tenantId,
        customer_id: customerId,
        stripe_payment_method_id: paymentMethodId,
        type: options.type ?? 'card',
        exp_month: options.type && options.type !== 'card' ? null : expiry.month,
        exp_year: options.type && options.type !== 'card' ? null : expiry.year,
        detached: options.detached ?? false,
        source_version: options.sourceVersion ?? 1,
      })
      .execute();
  }

  describe('loadHealthFacts', () => {
    let customerId: string;

    beforeAll(async () => {
      customerId = await insertCustomer('pm_default');
      await insertCard(customerId, 'pm_default', { month: 6, year: 2025 }, { sourceVersion: 1 });
      await insertCard(customerId, 'pm_newer', { month: 1, year: 2030 }, { sourceVersion: 5 });
      await insertSubscription(customerId, 'active', 10_000);
      await insertSubscription(customerId, 'past_due', 5_000);
      await insertSubscription(customerId, 'canceled', 9_999);
      await insertAttempt(customerId, 'failed', daysFromNow(-10), 'do_not_honor');
      await insertAttempt(customerId, 'failed', daysFromNow(-5), 'insufficient_funds');
      await insertAttempt(customerId, 'failed', daysFromNow(-40), 'expired_card');
      await insertAttempt(customerId, 'succeeded', daysFromNow(-2));
      await insertAttempt(customerId, 'pending', daysFromNow(-1));
      await insertInvoice(customerId, {
        status: 'uncollectible', amountRemaining: 2_000, createdAt: daysFromNow(-40), dueDate: daysFromNow(-10),
      });
      await insertInvoice(customerId, { status: 'paid', amountRemaining: 0, createdAt: daysFromNow(-60) });
      await insertInvoice(customerId, { status: 'void', amountRemaining: 7_000, createdAt: daysFromNow(-50) });
      await insertInvoice(customerId, {
        status: 'open', amountRemaining: 3_000, createdAt: daysFromNow(-18), nextPaymentAttempt: daysFromNow(2),
      });
      await insertInvoice(customerId, {
        status: 'open', amountRemaining: 4_000, createdAt: daysFromNow(-1), dueDate: daysFromNow(5),
        nextPaymentAttempt: daysFromNow(6),
      });
      await insertInvoice(customerId, {
        status: 'open', amountRemaining: 1_000, createdAt: daysFromNow(-0.5), nextPaymentAttempt: daysFromNow(1),
      });
    });

    it('counts failures in the last 30 days', async () => {
      const facts = await loadHealthFacts(database.db, tenantId, customerId, now);
      expect(facts.failedPaymentsLast30Days).toBe(2);
      expect(facts.lastFailedDecline?.declineCode).toBe('insufficient_funds');
      expect(facts.lastFailedDecline?.failureCode).toBe('card_declined');
    });

    it('finds the oldest overdue invoice', async () => {
      const facts = await loadHealthFacts(database.db, tenantId, customerId, now);
      expect(facts.oldestUnpaidDueDate).toEqual(daysFromNow(-18));
      expect(facts.overdueAmountMinor).toBe(6_000);
      expect(facts.nextRetryAt).toEqual(daysFromNow(1));
    });

    it('sums MRR of live subscriptions', async () => {
      const facts = await loadHealthFacts(database.db, tenantId, customerId, now);
      expect(facts.mrrMinor).toBe(15_000);
      expect(facts.currency).toBe('usd');
      expect(facts.subscriptionStatus).toBe('past_due');
    });

    it('uses the default card', async () => {
      const facts = await loadHealthFacts(database.db, tenantId, customerId, now);
      expect(facts.defaultCardExpiry).toEqual({ month: 6, year: 2025 });
      expect(facts.paymentMethodOnFile).toBe(true);
      expect(facts.collectsAutomatically).toBe(true);
    });

    it('finds the last successful payment', async () => {
      const facts = await loadHealthFacts(database.db, tenantId, customerId, now);
      expect(facts.lastPaymentAt).toEqual(daysFromNow(-2));
    });

    it('ignores attempts after now', async () => {
      const facts = await loadHealthFacts(database.db, tenantId, customerId, daysFromNow(-7));
      expect(facts.failedPaymentsLast30Days).toBe(1);
      expect(facts.lastFailedDecline?.declineCode).toBe('do_not_honor');
      expect(facts.lastPaymentAt).toBeNull();
    });
  });

  it('falls back to the newest attached card', async () => {
    const customerId = await insertCustomer('pm_gone');
    await insertCard(customerId, 'pm_gone', { month: 1, year: 2031 }, { detached: true, sourceVersion: 9 });
    await insertCard(customerId, 'pm_older', { month: 2, year: 2026 }, { sourceVersion: 2 });
    await insertCard(customerId, 'pm_newest', { month: 3, year: 2027 }, { sourceVersion: 3 });
    await insertCard(customerId, 'pm_removed', { month: 4, year: 2028 }, { detached: true, sourceVersion: 4 });
    const facts = await loadHealthFacts(database.db, tenantId, customerId, now);
    expect(facts.defaultCardExpiry).toEqual({ month: 3, year: 2027 });
  });

  it('default bank debit has no card expiry', async () => {
    const customerId = await insertCustomer('pm_sepa');
    await insertCard(customerId, 'pm_sepa', { month: 0, year: 0 }, { type: 'sepa_debit' });
    const facts = await loadHealthFacts(database.db, tenantId, customerId, now);
    expect(facts.defaultCardExpiry).toBeNull();
    expect(facts.paymentMethodOnFile).toBe(true);
  });

  it('bare customer has no subscription', async () => {
    const customerId = await insertCustomer();
    const facts = await loadHealthFacts(database.db, tenantId, customerId, now);
    expect(facts.subscriptionStatus).toBe('none');
    expect(facts.defaultCardExpiry).toBeNull();
    expect(facts.paymentMethodOnFile).toBe(false);
    expect(facts.oldestUnpaidDueDate).toBeNull();
    expect(facts.nextRetryAt).toBeNull();
  });

  it('all canceled subscriptions give canceled', async () => {
    const customerId = await insertCustomer();
    await insertSubscription(customerId, 'canceled', 10_000);
    await insertSubscription(customerId, 'incomplete_expired', 10_000);
    const facts = await loadHealthFacts(database.db, tenantId, customerId, now);
    expect(facts.subscriptionStatus).toBe('canceled');
    expect(facts.mrrMinor).toBe(0);
  });

  it('newest send_invoice invoice means manual collection', async () => {
    const customerId = await insertCustomer();
    await insertInvoice(customerId, { status: 'paid', amountRemaining: 0, createdAt: daysFromNow(-40) });
    await insertInvoice(customerId, {
      status: 'open', amountRemaining: 1_000, createdAt: daysFromNow(-3), dueDate: daysFromNow(27),
    });
    const facts = await loadHealthFacts(database.db, tenantId, customerId, now);
    expect(facts.collectsAutomatically).toBe(false);
    expect(facts.oldestUnpaidDueDate).toBeNull();
  });

  it('unknown customer is rejected', async () => {
    await expect(loadHealthFacts(database.db, tenantId, '999999', now)).rejects.toBeInstanceOf(CustomerNotFoundError);
  });

  it('other tenant customer is rejected', async () => {
    const other = await database.db
      .insertInto('tenants')
      .values({ name: 'Other' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const customerId = await insertCustomer(null, other.id);
    const error = await loadHealthFacts(database.db, tenantId, customerId, now).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CustomerNotFoundError);
    expect((error as CustomerNotFoundError).code).toBe('customer_not_found');
    expect((error as CustomerNotFoundError).retryable).toBe(false);
  });

  describe('recordHealth', () => {
    let customerId: string;

    async function snapshotCount(): Promise<number> {
      const rows = await database.db
        .selectFrom('health_snapshots')
        .select('id')
        .where('customer_id', '=', customerId)
        .execute();
      return rows.length;
    }

    beforeAll(async () => {
      customerId = await insertCustomer('pm_card');
      await insertCard(customerId, 'pm_card', { month: 12, year: 2030 });
      await insertSubscription(customerId, 'active', 10_000);
    });

    it('first run writes a new snapshot', async () => {
      const result = await recordHealth(database.db, tenantId, customerId, daysFromNow(-3));
      expect(result.score.score).toBe(100);
      expect(result.changed).toBe(true);
      expect(result.trend).toBe('new');
      expect(await snapshotCount()).toBe(1);
    });

    it('unchanged health writes nothing', async () => {
      const result = await recordHealth(database.db, tenantId, customerId, daysFromNow(-2));
      expect(result.changed).toBe(false);
      expect(result.trend).toBe('same');
      expect(await snapshotCount()).toBe(1);
    });

    it('failed payment writes a lower snapshot', async () => {
      await insertAttempt(customerId, 'failed', daysFromNow(-1), 'insufficient_funds');
      const result = await recordHealth(database.db, tenantId, customerId, daysFromNow(-1));
      expect(result.score.score).toBe(88);
      expect(result.changed).toBe(true);
      expect(result.trend).toBe('down');
      expect(await snapshotCount()).toBe(2);
    });

    it('stores score, band and reasons', async () => {
      const row = await database.db
        .selectFrom('health_snapshots')
        .selectAll()
        .where('customer_id', '=', customerId)
        .orderBy('computed_at', 'desc')
        .executeTakeFirstOrThrow();
      expect(row.score).toBe(88);
      expect(row.band).toBe('green');
      expect(row.reasons).toEqual(['1 failed payment in the last 30 days, last decline: Insufficient funds']);
      expect(row.computed_at).toEqual(daysFromNow(-1));
    });

    it('latestHealth trends down', async () => {
      const latest = await latestHealth(database.db, tenantId, customerId);
      expect(latest?.score).toBe(88);
      expect(latest?.trend).toBe('down');
      expect(latest?.previousScore).toBe(100);
    });

    it('recovery trends up', async () => {
      await database.db
        .updateTable('payment_attempts')
        .set({ status: 'succeeded' })
        .where('customer_id', '=', customerId)
        .execute();
      const result = await recordHealth(database.db, tenantId, customerId, now);
      expect(result.score.score).toBe(100);
      expect(result.trend).toBe('up');
      expect(await snapshotCount()).toBe(3);
      const latest = await latestHealth(database.db, tenantId, customerId);
      expect(latest?.trend).toBe('up');
    });

    it('new reasons at same score write', async () => {
      // A card expiring in 13 and then 12 days keeps 6 of 15 points but changes the reason.
      const cardCustomer = await insertCustomer('pm_soon');
      await insertCard(cardCustomer, 'pm_soon', { month: 6, year: 2025 });
      await insertSubscription(cardCustomer, 'active', 10_000);
      const first = await recordHealth(database.db, tenantId, cardCustomer, daysFromNow(-1));
      const second = await recordHealth(database.db, tenantId, cardCustomer, now);
      expect(first.score.score).toBe(second.score.score);
      expect(second.changed).toBe(true);
      expect(second.trend).toBe('same');
      expect(second.score.reasons).toEqual(['card expires in 12 days']);
    });

    it('trend since a date compares with the snapshot then', async () => {
      const sinceFirst = await healthTrendSince(database.db, tenantId, customerId, daysFromNow(-1.5));
      expect(sinceFirst?.baselineScore).toBe(100);
      expect(sinceFirst?.delta).toBe(0);
      const sinceDrop = await healthTrendSince(database.db, tenantId, customerId, daysFromNow(-0.5));
      expect(sinceDrop?.baselineScore).toBe(88);
      expect(sinceDrop?.delta).toBe(12);
      expect(sinceDrop?.baselineAt).toEqual(daysFromNow(-1));
    });

    it('trend since before any snapshot is null', async () => {
      expect(await healthTrendSince(database.db, tenantId, customerId, daysFromNow(-30))).toBeNull();
    });

    it('latestHealth without snapshots is null', async () => {
      const fresh = await insertCustomer();
      expect(await latestHealth(database.db, tenantId, fresh)).toBeNull();
    });

    it('concurrent runs write one snapshot', async () => {
      const fresh = await insertCustomer();
      const results = await Promise.all([
        recordHealth(database.db, tenantId, fresh, now),
        recordHealth(database.db, tenantId, fresh, now),
        recordHealth(database.db, tenantId, fresh, now),
      ]);
      expect(results.filter((result) => result.changed)).toHaveLength(1);
      const rows = await database.db
        .selectFrom('health_snapshots')
        .select('id')
        .where('customer_id', '=', fresh)
        .execute();
      expect(rows).toHaveLength(1);
    });
  });
});
