import nock from 'nock';
import { SecretBox } from '../../src/db/crypto';
import { runCardAction } from '../../src/actions/run-card-action';
import type { CardActionActivity } from '../../src/actions/types';
import { testConfig } from '../support/config';
import { createTestDatabase, type TestDatabase } from '../support/database';
import {
  actionDeps,
  auditRows,
  closedPortUrl,
  fixedNow,
  readAction,
  seedAction,
  seedDecline,
  seedInvoice,
  seedTenant,
  stripeApi,
} from './card-actions-fixtures';

let database: TestDatabase;
let box: SecretBox;

beforeAll(async () => {
  database = await createTestDatabase();
  const config = testConfig();
  box = new SecretBox(config.TOKEN_ENCRYPTION_KEYS, config.TOKEN_ENCRYPTION_KEY_ID);
});

afterAll(async () => {
  await database.drop();
});

afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

function paidInvoice(invoiceId: string) {
  return {
    id: invoiceId,
    object: 'invoice',
    customer: 'cus_1',
    status: 'paid',
    currency: 'usd',
    amount_due: 4900,
    amount_paid: 4900,
    amount_remaining: 0,
    attempt_count: 2,
    hosted_invoice_url: null,
  };
}

async function setUp(invoiceId: string, fields: { status?: string; attemptCount?: number } = {}) {
  const ids = await seedTenant(database.db, box);
  await seedInvoice(database.db, ids, invoiceId, fields);
  return ids;
}

test('retry succeeds and is audited', async () => {
  const ids = await setUp('in_ok');
  const id = await seedAction(database.db, ids, 'retry_payment', { invoiceId: 'in_ok' });
  nock(stripeApi)
    .post('/v1/invoices/in_ok/pay')
    .matchHeader('idempotency-key', 'retry:in_ok:1')
    .reply(200, paidInvoice('in_ok'));
  const activities: CardActionActivity[] = [];

  const outcome = await runCardAction(actionDeps(database.db, box, activities), id);

  expect(outcome.status).toBe('succeeded');
  const row = await readAction(database.db, id);
  expect(row.status).toBe('succeeded');
  expect(row.finished_at).toEqual(fixedNow);
  expect(row.result).toMatchObject({
    invoiceStatus: 'paid',
    amountPaid: 4900,
    stripeIdempotencyKey: 'retry:in_ok:1',
  });
  const audit = await auditRows(database.db, ids.tenantId);
  expect(audit).toHaveLength(1);
  expect(audit[0]?.action).toBe('card_action.retry_payment');
  expect(audit[0]?.actor).toBe('hubspot-user:77');
  expect(audit[0]?.details).toMatchObject({ cardActionId: id, status: 'succeeded' });
  expect(activities).toHaveLength(1);
  expect(activities[0]?.sourceKey).toBe(`card-action:${id}`);
  expect(activities[0]?.body).toContain('$49.00');
});

test('decline recorded as failed', async () => {
  const ids = await setUp('in_decl');
  const id = await seedAction(database.db, ids, 'retry_payment', { invoiceId: 'in_decl' });
  nock(stripeApi)
    .post('/v1/invoices/in_decl/pay')
    .reply(402, {
      error: {
        type: 'card_error',
        code: 'card_declined',
        decline_code: 'insufficient_funds',
        message: 'Declined',
      },
    });

  const outcome = await runCardAction(actionDeps(database.db, box), id);

  expect(outcome.status).toBe('failed');
  expect(outcome.error).toBe('Payment declined: Insufficient funds');
  const row = await readAction(database.db, id);
  expect(row.status).toBe('failed');
  expect(row.error).toBe('Payment declined: Insufficient funds');
  expect(row.result).toMatchObject({ declineCode: 'insufficient_funds', declineKind: 'soft' });
});

test('hard decline rejected without Stripe', async () => {
  const ids = await setUp('in_hard');
  await seedDecline(database.db, ids, 'in_hard', 'expired_card');
  const id = await seedAction(database.db, ids, 'retry_payment', { invoiceId: 'in_hard' });

  const outcome = await runCardAction(actionDeps(database.db, box), id);

  expect(outcome.status).toBe('rejected');
  expect(outcome.error).toContain('hard decline (Card expired)');
  expect((await readAction(database.db, id)).status).toBe('rejected');
});

test('hard decline on replaced card retries', async () => {
  const ids = await setUp('in_newcard');
  await seedDecline(database.db, ids, 'in_newcard', 'expired_card', { brand: 'visa', last4: '0001' });
  const id = await seedAction(database.db, ids, 'retry_payment', { invoiceId: 'in_newcard' });
  nock(stripeApi).post('/v1/invoices/in_newcard/pay').reply(200, paidInvoice('in_newcard'));

  const outcome = await runCardAction(actionDeps(database.db, box), id);

  expect(outcome.status).toBe('succeeded');
});

test('paid invoice rejected', async () => {
  const ids = await setUp('in_paid', { status: 'paid' });
  const id = await seedAction(database.db, ids, 'retry_payment', { invoiceId: 'in_paid' });

  const outcome = await runCardAction(actionDeps(database.db, box), id);

  expect(outcome.status).toBe('rejected');
  expect(outcome.error).toBe('Invoice in_paid is paid, not open, so there is nothing to retry');
});

test('concurrent retries send one request', async () => {
  const ids = await setUp('in_twice');
  const first = await seedAction(database.db, ids, 'retry_payment', { invoiceId: 'in_twice' });
  const second = await seedAction(database.db, ids, 'retry_payment', { invoiceId: 'in_twice' });
  nock(stripeApi).post('/v1/invoices/in_twice/pay').delay(200).reply(200, paidInvoice('in_twice'));
  const activities: CardActionActivity[] = [];
  const deps = actionDeps(database.db, box, activities);

  const outcomes = await Promise.all([runCardAction(deps, first), runCardAction(deps, second)]);

  expect(outcomes.map((outcome) => outcome.status)).toEqual(['succeeded', 'succeeded']);
  const duplicates = outcomes.filter((outcome) => typeof outcome.result.duplicateOf === 'string');
  expect(duplicates).toHaveLength(1);
  expect(activities).toHaveLength(1);
});

test('repeated job sends one request', async () => {
  const ids = await setUp('in_job');
  const id = await seedAction(database.db, ids, 'retry_payment', { invoiceId: 'in_job' });
  nock(stripeApi).post('/v1/invoices/in_job/pay').reply(200, paidInvoice('in_job'));
  const deps = actionDeps(database.db, box);

  const first = await runCardAction(deps, id);
  const second = await runCardAction(deps, id);

  expect(second).toEqual(first);
  expect(await auditRows(database.db, ids.tenantId)).toHaveLength(1);
});

test('network error retries with same key', async () => {
  const ids = await setUp('in_net', { attemptCount: 3 });
  const id = await seedAction(database.db, ids, 'retry_payment', { invoiceId: 'in_net' });
  const keys: unknown[] = [];
  nock(stripeApi)
    .post('/v1/invoices/in_net/pay')
    .reply(function reply() {
      keys.push(this.req.headers['idempotency-key']);
      return [200, paidInvoice('in_net')];
    });
  const unreachable = actionDeps(database.db, box, [], await closedPortUrl());

  await expect(runCardAction(unreachable, id)).rejects.toMatchObject({
    code: 'stripe_unavailable',
    retryable: true,
  });
  const running = await readAction(database.db, id);
  expect(running.status).toBe('running');
  expect(running.error).toMatch(/^Will retry: /);
  // A webhook moves the ledger on between the two runs; the stored key must still be used.
  await database.db
    .updateTable('invoices')
    .set({ attempt_count: 4 })
    .where('stripe_invoice_id', '=', 'in_net')
    .execute();
  const outcome = await runCardAction(actionDeps(database.db, box), id);

  expect(outcome.status).toBe('succeeded');
  expect(keys).toEqual(['retry:in_net:3']);
});

test('missing Stripe key rejected', async () => {
  const ids = await seedTenant(database.db, box, null);
  await seedInvoice(database.db, ids, 'in_nokey');
  const id = await seedAction(database.db, ids, 'retry_payment', { invoiceId: 'in_nokey' });

  const outcome = await runCardAction(actionDeps(database.db, box), id);

  expect(outcome.status).toBe('rejected');
  expect(outcome.error).toContain("connect Stripe: set the tenant's restricted API key");
});
