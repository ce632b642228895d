import { readFileSync } from 'node:fs';
import path from 'node:path';
import { normalizeStripeEvent } from '../../integrations/stripe/normalize';
import type { CollectionMethod } from '../../src/db/schema';
import { cardOnFileFactor } from '../../src/health/factors';
import {
  collectsAutomatically,
  CustomerNotFoundError,
  defaultPaymentMethodIds,
  loadHealthFacts,
} from '../../src/health/facts';
import { cardExpiredReason } from '../../src/health/reasons';
import { scoreHealth } from '../../src/health/score';
import { healthTrendSince, latestHealth, recordHealth } from '../../src/health/snapshots';
import { applyLedgerChanges } from '../../src/ledger/project';
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

  async function insertCustomer(
    defaultPaymentMethodId: string | null = null,
    tenant = tenantId,
  ): Promise<string> {
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

  interface SubscriptionOptions {
    collectionMethod?: CollectionMethod | null;
    defaultPaymentMethodId?: string | null;
    sourceVersion?: number;
  }

  async function insertSubscription(
    customerId: string,
    status: string,
    mrrMinor: number,
    options: SubscriptionOptions = {},
  ): Promise<void> {
    await database.db
      .insertInto('subscriptions')
      .values({
        tenant_id: tenantId,
        customer_id: customerId,
        stripe_subscription_id: nextId('sub'),
        status,
        currency: 'usd',
        mrr_minor: mrrMinor,
        collection_method: options.collectionMethod ?? null,
        default_payment_method_id: options.defaultPaymentMethodId ?? null,
        source_version: options.sourceVersion ?? 1,
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
    collectionMethod?: CollectionMethod | null;
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
        collection_method: options.collectionMethod ?? null,
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
        status: 'uncollectible',
        amountRemaining: 2_000,
        createdAt: daysFromNow(-40),
        dueDate: daysFromNow(-10),
      });
      await insertInvoice(customerId, { status: 'paid', amountRemaining: 0, createdAt: daysFromNow(-60) });
      await insertInvoice(customerId, {
        status: 'void',
        amountRemaining: 7_000,
        createdAt: daysFromNow(-50),
      });
      await insertInvoice(customerId, {
        status: 'open',
        amountRemaining: 3_000,
        createdAt: daysFromNow(-18),
        nextPaymentAttempt: daysFromNow(2),
      });
      await insertInvoice(customerId, {
        status: 'open',
        amountRemaining: 4_000,
        createdAt: daysFromNow(-1),
        dueDate: daysFromNow(5),
        nextPaymentAttempt: daysFromNow(6),
      });
      await insertInvoice(customerId, {
        status: 'open',
        amountRemaining: 1_000,
        createdAt: daysFromNow(-0.5),
        nextPaymentAttempt: daysFromNow(1),
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
    await insertCard(
      customerId,
      'pm_removed',
      { month: 4, year: 2028 },
      { detached: true, sourceVersion: 4 },
    );
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
      status: 'open',
      amountRemaining: 1_000,
      createdAt: daysFromNow(-3),
      dueDate: daysFromNow(27),
    });
    const facts = await loadHealthFacts(database.db, tenantId, customerId, now);
    expect(facts.collectsAutomatically).toBe(false);
    expect(facts.oldestUnpaidDueDate).toBeNull();
  });

  describe('collection method', () => {
    const expired = { month: 1, year: 2024 };

    it('send_invoice keeps expired card points', async () => {
      const customerId = await insertCustomer('pm_expired');
      await insertCard(customerId, 'pm_expired', expired);
      await insertSubscription(customerId, 'active', 10_000, { collectionMethod: 'send_invoice' });
      const facts = await loadHealthFacts(database.db, tenantId, customerId, now);
      const card = cardOnFileFactor(facts, now);
      expect(facts.collectsAutomatically).toBe(false);
      expect(facts.defaultCardExpiry).toEqual(expired);
      expect(card.points).toBe(card.maxPoints);
      expect(card.reason).toBeNull();
    });

    it('automatic loses expired card points', async () => {
      const customerId = await insertCustomer('pm_expired_auto');
      await insertCard(customerId, 'pm_expired_auto', expired);
      await insertSubscription(customerId, 'active', 10_000, { collectionMethod: 'charge_automatically' });
      const facts = await loadHealthFacts(database.db, tenantId, customerId, now);
      const card = cardOnFileFactor(facts, now);
      expect(facts.collectsAutomatically).toBe(true);
      expect(card.points).toBe(0);
      expect(card.reason).toBe(cardExpiredReason);
    });

    it('subscription beats newest invoice', async () => {
      const customerId = await insertCustomer();
      await insertSubscription(customerId, 'active', 10_000, { collectionMethod: 'send_invoice' });
      await insertInvoice(customerId, {
        status: 'paid',
        amountRemaining: 0,
        createdAt: daysFromNow(-2),
        collectionMethod: 'charge_automatically',
      });
      const facts = await loadHealthFacts(database.db, tenantId, customerId, now);
      expect(facts.collectsAutomatically).toBe(false);
    });

    it('newest invoice method beats due date', async () => {
      const customerId = await insertCustomer();
      await insertSubscription(customerId, 'active', 10_000);
      await insertInvoice(customerId, {
        status: 'open',
        amountRemaining: 1_000,
        createdAt: daysFromNow(-2),
        dueDate: daysFromNow(28),
        collectionMethod: 'charge_automatically',
      });
      const facts = await loadHealthFacts(database.db, tenantId, customerId, now);
      expect(facts.collectsAutomatically).toBe(true);
    });

    it('legacy billing event keeps card points', async () => {
      const file = path.join(__dirname, '..', 'fixtures', 'stripe', 'subscription.updated.2018.json');
      const event = JSON.parse(readFileSync(file, 'utf8')) as { id: string; created: number };
      const normalized = normalizeStripeEvent(event);
      if (normalized.status !== 'changes') throw new Error(`fixture did not normalize: ${normalized.status}`);
      const source = { eventId: event.id, createdSeconds: event.created };
      const { customerIds } = await database.db
        .transaction()
        .execute((trx) => applyLedgerChanges(trx, tenantId, source, normalized.changes));
      const customerId = customerIds[0] as string;
      await insertCard(customerId, 'card_legacy_expired', expired);
      const score = scoreHealth(await loadHealthFacts(database.db, tenantId, customerId, now), now);
      const card = score.factors.find((factor) => factor.key === 'card_on_file');
      expect(card?.points).toBe(card?.maxPoints);
      expect(score.reasons).not.toContain(cardExpiredReason);
    });
  });

  describe('subscription default payment method', () => {
    it('overrides the customer default', async () => {
      const [customerCard, subscriptionCard] = [nextId('pm'), nextId('pm')];
      const customerId = await insertCustomer(customerCard);
      await insertCard(customerId, customerCard, { month: 12, year: 2030 });
      await insertCard(customerId, subscriptionCard, { month: 1, year: 2024 });
      await insertSubscription(customerId, 'active', 10_000, {
        collectionMethod: 'charge_automatically',
        defaultPaymentMethodId: subscriptionCard,
      });
      const facts = await loadHealthFacts(database.db, tenantId, customerId, now);
      expect(facts.defaultCardExpiry).toEqual({ month: 1, year: 2024 });
      expect(cardOnFileFactor(facts, now).reason).toBe(cardExpiredReason);
    });

    it('detached default falls back', async () => {
      const [customerCard, subscriptionCard] = [nextId('pm'), nextId('pm')];
      const customerId = await insertCustomer(customerCard);
      await insertCard(customerId, customerCard, { month: 12, year: 2030 });
      await insertCard(customerId, subscriptionCard, { month: 1, year: 2024 }, { detached: true });
      await insertSubscription(customerId, 'active', 10_000, { defaultPaymentMethodId: subscriptionCard });
      const facts = await loadHealthFacts(database.db, tenantId, customerId, now);
      expect(facts.defaultCardExpiry).toEqual({ month: 12, year: 2030 });
    });

    it('send_invoice default is skipped', async () => {
      const [customerCard, invoicedCard] = [nextId('pm'), nextId('pm')];
      const customerId = await insertCustomer(customerCard);
      await insertCard(customerId, customerCard, { month: 12, year: 2030 });
      await insertCard(customerId, invoicedCard, { month: 1, year: 2024 });
      await insertSubscription(customerId, 'active', 5_000, {
        collectionMethod: 'send_invoice',
        defaultPaymentMethodId: invoicedCard,
      });
      await insertSubscription(customerId, 'active', 5_000, { collectionMethod: 'charge_automatically' });
      const facts = await loadHealthFacts(database.db, tenantId, customerId, now);
      expect(facts.collectsAutomatically).toBe(true);
      expect(facts.defaultCardExpiry).toEqual({ month: 12, year: 2030 });
    });

    it('newest subscription default wins', async () => {
      const cards = [nextId('pm'), nextId('pm'), nextId('pm')];
      const customerId = await insertCustomer();
      // Written in an order where neither insertion order nor id order puts the newest first.
      const versions = [2, 9, 5];
      for (const [index, card] of cards.entries()) {
        await insertCard(customerId, card, { month: index + 1, year: 2030 });
        const sourceVersion = versions[index] as number;
        await insertSubscription(customerId, 'active', 5_000, {
          defaultPaymentMethodId: card,
          sourceVersion,
        });
      }
      const facts = await loadHealthFacts(database.db, tenantId, customerId, now);
      expect(facts.defaultCardExpiry).toEqual({ month: 2, year: 2030 });
    });
  });

  it('unknown customer is rejected', async () => {
    await expect(loadHealthFacts(database.db, tenantId, '999999', now)).rejects.toBeInstanceOf(
      CustomerNotFoundError,
    );
  });

  it('other tenant customer is rejected', async () => {
    const other = await database.db
      .insertInto('tenants')
      .values({ name: 'Other' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const customerId = await insertCustomer(null, other.id);
    const error = await loadHealthFacts(database.db, tenantId, customerId, now).catch(
      (caught: unknown) => caught,
    );
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

describe('collectsAutomatically', () => {
  const live = (method: CollectionMethod | null) => ({
    status: 'active',
    collection_method: method,
    default_payment_method_id: null,
  });
  const canceled = (method: CollectionMethod | null) => ({ ...live(method), status: 'canceled' });
  const invoice = (method: CollectionMethod | null, dueDate: Date | null = null) => ({
    collection_method: method,
    due_date: dueDate,
  });
  const due = new Date('2025-07-01T00:00:00Z');
  type Case = [string, ReturnType<typeof live>[], ReturnType<typeof invoice> | null, boolean];
  const cases: Case[] = [
    ['nothing stored', [], null, true],
    ['automatic subscription', [live('charge_automatically')], invoice('send_invoice', due), true],
    [
      'send_invoice subscriptions',
      [live('send_invoice'), live('send_invoice')],
      invoice('charge_automatically'),
      false,
    ],
    ['one automatic of two', [live('send_invoice'), live('charge_automatically')], null, true],
    ['canceled subscription', [canceled('charge_automatically')], invoice('send_invoice', due), false],
    [
      'unknown subscription method',
      [live(null), live('send_invoice')],
      invoice('charge_automatically'),
      true,
    ],
    ['send_invoice without invoice', [live('send_invoice')], null, false],
    ['invoice method', [], invoice('send_invoice'), false],
    ['legacy invoice with due date', [live(null)], invoice(null, due), false],
    ['legacy invoice without due date', [], invoice(null), true],
  ];
  it.each(cases)('%s', (_name, subscriptions, newest, expected) => {
    expect(collectsAutomatically(subscriptions, newest)).toBe(expected);
  });
});

describe('defaultPaymentMethodIds', () => {
  const subscriptions = [
    {
      status: 'active',
      collection_method: 'charge_automatically' as const,
      default_payment_method_id: 'pm_a',
    },
    { status: 'past_due', collection_method: null, default_payment_method_id: 'pm_b' },
    {
      status: 'canceled',
      collection_method: 'charge_automatically' as const,
      default_payment_method_id: 'pm_c',
    },
    { status: 'active', collection_method: 'send_invoice' as const, default_payment_method_id: 'pm_d' },
    { status: 'active', collection_method: 'charge_automatically' as const, default_payment_method_id: null },
  ];

  it('lists live automatic defaults first', () => {
    expect(defaultPaymentMethodIds(subscriptions, 'pm_customer')).toEqual(['pm_a', 'pm_b', 'pm_customer']);
  });

  it('omits a missing customer default', () => {
    expect(defaultPaymentMethodIds(subscriptions, null)).toEqual(['pm_a', 'pm_b']);
  });

  it('uses the customer default alone', () => {
    expect(defaultPaymentMethodIds([], 'pm_customer')).toEqual(['pm_customer']);
  });
});
