import nock from 'nock';
import { SecretBox } from '../../src/db/crypto';
import { runCardAction } from '../../src/actions/run-card-action';
import { setStripeApiKey } from '../../src/actions/stripe-key';
import { testConfig } from '../support/config';
import { createTestDatabase, type TestDatabase } from '../support/database';
import {
  actionDeps,
  fixedNow,
  readAction,
  seedAction,
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

async function pausedUntil(customerId: string): Promise<Date | null> {
  const customer = await database.db
    .selectFrom('customers')
    .select('dunning_paused_until')
    .where('id', '=', customerId)
    .executeTakeFirstOrThrow();
  return customer.dunning_paused_until;
}

test('card update link stored in result', async () => {
  const ids = await seedTenant(database.db, box);
  const id = await seedAction(database.db, ids, 'send_card_update_link', {
    requested: { returnUrl: 'https://example.com/billing' },
  });
  nock(stripeApi)
    .post('/v1/billing_portal/sessions')
    .matchHeader('idempotency-key', `card-update-link:${ids.tenantId}:${id}`)
    .reply(200, {
      id: 'bps_1',
      object: 'billing_portal.session',
      url: 'https://billing.stripe.com/p/session/abc',
    });

  const outcome = await runCardAction(actionDeps(database.db, box), id);

  expect(outcome.status).toBe('succeeded');
  const row = await readAction(database.db, id);
  expect(row.result).toEqual({
    requested: { returnUrl: 'https://example.com/billing' },
    url: 'https://billing.stripe.com/p/session/abc',
    linkKind: 'billing_portal',
    expiresAt: null,
  });
});

test('card update link falls back to invoice page', async () => {
  const ids = await seedTenant(database.db, box);
  await seedInvoice(database.db, ids, 'in_page');
  const id = await seedAction(database.db, ids, 'send_card_update_link');
  nock(stripeApi)
    .post('/v1/billing_portal/sessions')
    .reply(400, {
      error: {
        type: 'invalid_request_error',
        message: 'No configuration provided and your test mode default configuration has not been created.',
      },
    })
    .get('/v1/invoices/in_page')
    .reply(200, {
      id: 'in_page',
      object: 'invoice',
      status: 'open',
      hosted_invoice_url: 'https://invoice.stripe.com/i/in_page',
    });

  const outcome = await runCardAction(actionDeps(database.db, box), id);

  expect(outcome.result.url).toBe('https://invoice.stripe.com/i/in_page');
  expect(outcome.result.linkKind).toBe('hosted_invoice');
});

test('pause sets column', async () => {
  const ids = await seedTenant(database.db, box);
  const id = await seedAction(database.db, ids, 'pause_dunning', { requested: { pauseDays: 3 } });

  const outcome = await runCardAction(actionDeps(database.db, box), id);

  expect(outcome.status).toBe('succeeded');
  expect(await pausedUntil(ids.customerId)).toEqual(new Date('2026-03-05T10:00:00Z'));
});

test('pause defaults to seven days', async () => {
  const ids = await seedTenant(database.db, box);
  const id = await seedAction(database.db, ids, 'pause_dunning');

  await runCardAction(actionDeps(database.db, box), id);

  expect(await pausedUntil(ids.customerId)).toEqual(new Date(fixedNow.getTime() + 7 * 86_400_000));
});

test('pause rejects out-of-range days', async () => {
  const ids = await seedTenant(database.db, box);
  const id = await seedAction(database.db, ids, 'pause_dunning', { requested: { pauseDays: 365 } });

  const outcome = await runCardAction(actionDeps(database.db, box), id);

  expect(outcome.status).toBe('rejected');
  expect(await pausedUntil(ids.customerId)).toBeNull();
});

test('resume clears column', async () => {
  const ids = await seedTenant(database.db, box);
  await runCardAction(actionDeps(database.db, box), await seedAction(database.db, ids, 'pause_dunning'));
  const id = await seedAction(database.db, ids, 'resume_dunning');

  const outcome = await runCardAction(actionDeps(database.db, box), id);

  expect(outcome.status).toBe('succeeded');
  expect(outcome.result.previousPausedUntil).toBe('2026-03-09T10:00:00.000Z');
  expect(await pausedUntil(ids.customerId)).toBeNull();
});

test('unknown card action throws', async () => {
  await expect(runCardAction(actionDeps(database.db, box), '999999')).rejects.toMatchObject({
    code: 'card_action_not_found',
  });
});

test('setStripeApiKey seals key', async () => {
  const ids = await seedTenant(database.db, box, null);

  await setStripeApiKey(database.db, box, ids.tenantId, 'rk_live_abcdefgh1234');

  const tenant = await database.db
    .selectFrom('tenants')
    .select('stripe_api_key_sealed')
    .where('id', '=', ids.tenantId)
    .executeTakeFirstOrThrow();
  expect(tenant.stripe_api_key_sealed).not.toContain('rk_live');
  expect(box.open(tenant.stripe_api_key_sealed ?? '')).toBe('rk_live_abcdefgh1234');
});

test('setStripeApiKey rejects other prefixes', async () => {
  const ids = await seedTenant(database.db, box, null);

  await expect(setStripeApiKey(database.db, box, ids.tenantId, 'pk_live_abcdefgh1234')).rejects.toMatchObject(
    {
      code: 'invalid_stripe_api_key',
    },
  );
});

test('setStripeApiKey rejects unknown tenant', async () => {
  await expect(
    setStripeApiKey(database.db, box, '00000000-0000-0000-0000-000000000000', 'sk_test_abcdefgh1234'),
  ).rejects.toMatchObject({ code: 'tenant_not_found' });
});
