import { normalizeStripeEvent } from '../../integrations/stripe/normalize';
import { applyLedgerChanges } from '../../src/ledger/project';
import { createTestDatabase, type TestDatabase } from '../support/database';

/**
 * Since the 2025-03-31 API version a charge no longer names its invoice; only the invoice's `payments`
 * list links them. The attempt must end up with its invoice id whichever event arrives first.
 */
describe('invoice payment links', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  const chargeFailed = {
    id: 'evt_link_charge',
    object: 'event',
    api_version: '2025-03-31.basil',
    created: 1_750_000_010,
    type: 'charge.failed',
    data: {
      object: {
        id: 'ch_Link1',
        object: 'charge',
        customer: 'cus_Link',
        amount: 4900,
        currency: 'usd',
        status: 'failed',
        created: 1_750_000_010,
        payment_intent: 'pi_Link1',
        failure_code: 'card_declined',
        failure_message: 'Your card has insufficient funds.',
        outcome: { type: 'issuer_declined', reason: 'insufficient_funds', advice_code: 'try_again_later' },
        payment_method_details: { type: 'card', card: { brand: 'visa', last4: '4242' } },
      },
    },
  };
  const invoiceFailed = {
    id: 'evt_link_invoice',
    object: 'event',
    api_version: '2025-03-31.basil',
    created: 1_750_000_011,
    type: 'invoice.payment_failed',
    data: {
      object: {
        id: 'in_Link1',
        object: 'invoice',
        customer: 'cus_Link',
        status: 'open',
        currency: 'usd',
        amount_due: 4900,
        amount_paid: 0,
        amount_remaining: 4900,
        attempt_count: 1,
        created: 1_750_000_000,
        payments: {
          object: 'list',
          data: [
            { object: 'invoice_payment', payment: { type: 'payment_intent', payment_intent: 'pi_Link1' } },
          ],
        },
      },
    },
  };

  async function apply(tenantId: string, event: typeof chargeFailed | typeof invoiceFailed) {
    const normalized = normalizeStripeEvent(event);
    if (normalized.status !== 'changes') throw new Error(`expected changes, got ${normalized.status}`);
    const source = { eventId: event.id, createdSeconds: event.created };
    await database.db
      .transaction()
      .execute((trx) => applyLedgerChanges(trx, tenantId, source, normalized.changes));
  }

  async function attemptInvoiceId(tenantId: string) {
    const row = await database.db
      .selectFrom('payment_attempts')
      .select(['stripe_invoice_id', 'decline_code'])
      .where('tenant_id', '=', tenantId)
      .executeTakeFirstOrThrow();
    return row;
  }

  it.each([
    ['charge first', [chargeFailed, invoiceFailed]],
    ['invoice first', [invoiceFailed, chargeFailed]],
  ] as const)('links the attempt when the %s arrives', async (_order, events) => {
    const tenant = await database.db
      .insertInto('tenants')
      .values({ name: 'Link' })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (const event of events) await apply(tenant.id, event);
    const attempt = await attemptInvoiceId(tenant.id);
    expect(attempt.stripe_invoice_id).toBe('in_Link1');
    expect(attempt.decline_code).toBe('insufficient_funds');
  });
});
