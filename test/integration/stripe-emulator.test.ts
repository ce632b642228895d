import { createStripeBilling, StripeBillingError } from '../../integrations/stripe/billing-api';
import { startStripeEmulator, type StripeEmulator } from '../../scripts/emulators/stripe';

let emulator: StripeEmulator;

beforeEach(async () => {
  emulator = await startStripeEmulator({
    invoices: [
      { id: 'in_open', customer: 'cus_1', currency: 'usd', amountDue: 4900 },
      { id: 'in_declined', customer: 'cus_1', currency: 'eur', amountDue: 1200, attemptCount: 2 },
      { id: 'in_paid', customer: 'cus_1', currency: 'usd', amountDue: 100, status: 'paid' },
    ],
  });
});

afterEach(async () => {
  await emulator.close();
});

function billing(apiKey = 'rk_test_emulator123') {
  return createStripeBilling(apiKey, { baseUrl: emulator.url, maxNetworkRetries: 0, timeoutMs: 2000 });
}

async function failureOf(work: Promise<unknown>): Promise<StripeBillingError> {
  const error = await work.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof StripeBillingError))
    throw new Error(`expected StripeBillingError, got ${String(error)}`);
  return error;
}

test('pay marks invoice paid', async () => {
  const invoice = await billing().payInvoice('in_open', { idempotencyKey: 'retry:in_open:0' });
  expect(invoice.status).toBe('paid');
  expect(invoice.amountPaid).toBe(4900);
  expect(invoice.amountRemaining).toBe(0);
  expect(invoice.attemptCount).toBe(1);
});

test('pay replays same idempotency key', async () => {
  const first = await billing().payInvoice('in_open', { idempotencyKey: 'retry:in_open:0' });
  const second = await billing().payInvoice('in_open', { idempotencyKey: 'retry:in_open:0' });
  expect(second).toEqual(first);
  expect(emulator.chargeAttempts()).toBe(1);
  expect(emulator.requestCount()).toBe(2);
});

test('pay decline maps to card declined', async () => {
  emulator.declineInvoice('in_declined', {
    declineCode: 'insufficient_funds',
    adviceCode: 'try_again_later',
  });
  const failure = await failureOf(
    billing().payInvoice('in_declined', { idempotencyKey: 'retry:in_declined:2' }),
  );
  expect(failure.code).toBe('stripe_card_declined');
  expect(failure.retryable).toBe(false);
  expect(failure.details.declineCode).toBe('insufficient_funds');
  expect(failure.details.adviceCode).toBe('try_again_later');
  expect(emulator.invoice('in_declined')?.attempt_count).toBe(3);
});

test('pay of paid invoice is not payable', async () => {
  const failure = await failureOf(billing().payInvoice('in_paid', { idempotencyKey: 'retry:in_paid:0' }));
  expect(failure.code).toBe('stripe_invoice_not_payable');
  expect(failure.details.stripeStatus).toBe(400);
});

test('unknown invoice maps to not found', async () => {
  const failure = await failureOf(billing().retrieveInvoice('in_missing'));
  expect(failure.code).toBe('stripe_not_found');
});

test('invalid key maps to authentication failure', async () => {
  const failure = await failureOf(billing('not-a-key').retrieveInvoice('in_open'));
  expect(failure.code).toBe('stripe_authentication_failed');
  expect(failure.message).not.toContain('not-a-key');
});

test('portal session returns portal link', async () => {
  const link = await billing().createCardUpdateLink('cus_1', {
    returnUrl: 'https://example.com/account',
    idempotencyKey: 'card-update-link:1',
  });
  expect(link.kind).toBe('billing_portal');
  expect(link.url).toMatch(new RegExp(`^${emulator.url}/p/session/bps_`));
  expect(link.expiresAt).toBeNull();
});

test('missing portal falls back to invoice page', async () => {
  await emulator.close();
  emulator = await startStripeEmulator({
    portalConfigured: false,
    invoices: [{ id: 'in_open', customer: 'cus_1', currency: 'usd', amountDue: 4900 }],
  });
  const link = await billing().createCardUpdateLink('cus_1', {
    idempotencyKey: 'card-update-link:2',
    invoiceId: 'in_open',
  });
  expect(link.kind).toBe('hosted_invoice');
  expect(link.url).toBe(`${emulator.url}/i/in_open`);
});

test('missing portal without invoice fails', async () => {
  await emulator.close();
  emulator = await startStripeEmulator({ portalConfigured: false });
  const failure = await failureOf(
    billing().createCardUpdateLink('cus_1', { idempotencyKey: 'card-update-link:3' }),
  );
  expect(failure.code).toBe('stripe_portal_not_configured');
});
