import { createServer } from 'node:net';
import pino from 'pino';
import type { SecretBox } from '../../src/db/crypto';
import type { Db } from '../../src/db/database';
import type { CardActionName } from '../../src/db/schema';
import { tenantStripeBilling } from '../../src/actions/stripe-key';
import type { CardActionActivity, CardActionDeps } from '../../src/actions/types';

// A loopback base URL (as set through STRIPE_API_BASE_URL) rather than api.stripe.com: nock stopped
// intercepting the SDK's https requests in the second test file of a jest worker, and a missed
// interception here ends in a refused local connection, never in traffic to Stripe.
export const stripeApi = 'http://127.0.0.1:12111';
export const fixedNow = new Date('2026-03-02T10:00:00Z');

export async function seedTenant(db: Db, box: SecretBox, apiKey: string | null = 'rk_test_actions123') {
  const tenant = await db
    .insertInto('tenants')
    .values({ name: 'Acme', stripe_api_key_sealed: apiKey ? box.seal(apiKey) : null })
    .returning('id')
    .executeTakeFirstOrThrow();
  const customer = await db
    .insertInto('customers')
    .values({ tenant_id: tenant.id, stripe_customer_id: 'cus_1', default_payment_method_id: 'pm_1' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('payment_methods')
    .values({
      tenant_id: tenant.id,
      customer_id: customer.id,
      stripe_payment_method_id: 'pm_1',
      type: 'card',
      card_brand: 'visa',
      card_last4: '4242',
    })
    .execute();
  return { tenantId: tenant.id, customerId: customer.id };
}

export async function seedInvoice(
  db: Db,
  ids: { tenantId: string; customerId: string },
  invoiceId: string,
  fields: { status?: string; attemptCount?: number } = {},
) {
  await db
    .insertInto('invoices')
    .values({
      tenant_id: ids.tenantId,
      customer_id: ids.customerId,
      stripe_invoice_id: invoiceId,
      status: fields.status ?? 'open',
      currency: 'usd',
      amount_due: 4900,
      amount_remaining: fields.status === 'paid' ? 0 : 4900,
      attempt_count: fields.attemptCount ?? 1,
      hosted_invoice_url: `https://invoice.stripe.com/i/${invoiceId}`,
    })
    .execute();
}

export async function seedDecline(
  db: Db,
  ids: { tenantId: string; customerId: string },
  invoiceId: string,
  declineCode: string,
  card: { brand: string; last4: string } = { brand: 'visa', last4: '4242' },
) {
  await db
    .insertInto('payment_attempts')
    .values({
      tenant_id: ids.tenantId,
      customer_id: ids.customerId,
      attempt_key: `ch_${invoiceId}_${declineCode}`,
      stripe_invoice_id: invoiceId,
      status: 'failed',
      amount: 4900,
      currency: 'usd',
      failure_code: 'card_declined',
      decline_code: declineCode,
      card_brand: card.brand,
      card_last4: card.last4,
      attempted_at: new Date('2026-03-01T00:00:00Z'),
    })
    .execute();
}

let keyCounter = 0;

export async function seedAction(
  db: Db,
  ids: { tenantId: string; customerId: string },
  action: CardActionName,
  fields: { invoiceId?: string; requested?: Record<string, unknown> } = {},
): Promise<string> {
  keyCounter += 1;
  const row = await db
    .insertInto('card_actions')
    .values({
      tenant_id: ids.tenantId,
      customer_id: ids.customerId,
      action,
      idempotency_key: `test-${keyCounter}-${Math.random()}`,
      source: 'hubspot_card',
      requested_by: 'hubspot-user:77',
      stripe_invoice_id: fields.invoiceId ?? null,
      result: fields.requested ? JSON.stringify({ requested: fields.requested }) : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Returns a loopback URL where nothing listens, so a request to it fails with a refused connection. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('server has no TCP address');
  return `http://127.0.0.1:${address.port}`;
}

export function actionDeps(
  db: Db,
  box: SecretBox,
  activities: CardActionActivity[] = [],
  baseUrl = stripeApi,
): CardActionDeps {
  return {
    db,
    box,
    billing: tenantStripeBilling(db, box, { baseUrl, maxNetworkRetries: 0, timeoutMs: 2000 }),
    log: pino({ level: 'silent' }),
    now: () => fixedNow,
    onActivity: async (activity) => {
      activities.push(activity);
    },
  };
}

export async function readAction(db: Db, id: string) {
  return db.selectFrom('card_actions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

export async function auditRows(db: Db, tenantId: string) {
  return db.selectFrom('audit_log').selectAll().where('tenant_id', '=', tenantId).execute();
}
