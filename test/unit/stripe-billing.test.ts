import { createServer, type AddressInfo } from 'node:net';
import nock from 'nock';
import { createStripeBilling, StripeBillingError } from '../../integrations/stripe/billing-api';

// A loopback base URL (as set through STRIPE_API_BASE_URL) rather than api.stripe.com: nock stopped
// intercepting the SDK's https requests in the second test file of a jest worker, and a missed
// interception here ends in a refused local connection, never in traffic to Stripe.
const stripeApi = 'http://127.0.0.1:12111';
const billing = createStripeBilling('rk_test_unit12345', {
  baseUrl: stripeApi,
  maxNetworkRetries: 0,
  timeoutMs: 2000,
});

const paidInvoice = {
  id: 'in_1',
  object: 'invoice',
  customer: 'cus_1',
  status: 'paid',
  currency: 'usd',
  amount_due: 2500,
  amount_paid: 2500,
  amount_remaining: 0,
  attempt_count: 2,
  hosted_invoice_url: 'https://invoice.stripe.com/i/in_1',
};

afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

async function failureOf(work: Promise<unknown>): Promise<StripeBillingError> {
  const error = await work.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof StripeBillingError))
    throw new Error(`expected StripeBillingError, got ${String(error)}`);
  return error;
}

function failPay(status: number, error: Record<string, unknown>) {
  nock(stripeApi).post('/v1/invoices/in_1/pay').reply(status, { error });
}

test('payInvoice sends key and idempotency key', async () => {
  let headers: Record<string, string | string[]> = {};
  nock(stripeApi)
    .post('/v1/invoices/in_1/pay')
    .reply(function reply() {
      headers = this.req.headers;
      return [200, paidInvoice];
    });
  const invoice = await billing.payInvoice('in_1', { idempotencyKey: 'retry:in_1:1' });
  expect(headers['idempotency-key']).toBe('retry:in_1:1');
  expect(headers.authorization).toBe('Bearer rk_test_unit12345');
  expect(invoice).toEqual({
    id: 'in_1',
    customerId: 'cus_1',
    status: 'paid',
    currency: 'usd',
    amountDue: 2500,
    amountPaid: 2500,
    amountRemaining: 0,
    attemptCount: 2,
    hostedInvoiceUrl: 'https://invoice.stripe.com/i/in_1',
  });
});

test('card error maps to decline', async () => {
  failPay(402, {
    type: 'card_error',
    code: 'card_declined',
    decline_code: 'expired_card',
    advice_code: 'confirm_card_data',
    message: 'Your card has expired.',
  });
  const failure = await failureOf(billing.payInvoice('in_1', { idempotencyKey: 'k' }));
  expect(failure.code).toBe('stripe_card_declined');
  expect(failure.retryable).toBe(false);
  expect(failure.details.declineCode).toBe('expired_card');
  expect(failure.details.adviceCode).toBe('confirm_card_data');
  expect(failure.details.failureCode).toBe('card_declined');
});

test.each([
  [
    429,
    'stripe_rate_limited',
    true,
    { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many' },
  ],
  [500, 'stripe_unavailable', true, { type: 'api_error', message: 'Something went wrong' }],
  [
    401,
    'stripe_authentication_failed',
    false,
    { type: 'invalid_request_error', message: 'Invalid API Key provided' },
  ],
  [
    403,
    'stripe_permission_denied',
    false,
    { type: 'invalid_request_error', message: 'The key does not have access' },
  ],
  [
    400,
    'stripe_invoice_not_payable',
    false,
    { type: 'invalid_request_error', message: 'Invoice is already paid' },
  ],
  [
    400,
    'stripe_payment_requires_action',
    false,
    {
      type: 'invalid_request_error',
      code: 'invoice_payment_intent_requires_action',
      message: 'Requires action',
    },
  ],
  [
    400,
    'stripe_idempotency_conflict',
    false,
    { type: 'idempotency_error', message: 'Keys for idempotent requests' },
  ],
  [
    404,
    'stripe_not_found',
    false,
    { type: 'invalid_request_error', code: 'resource_missing', message: 'No such' },
  ],
] as const)('HTTP %i maps to %s', async (status, code, retryable, error) => {
  failPay(status, error);
  const failure = await failureOf(billing.payInvoice('in_1', { idempotencyKey: 'k' }));
  expect(failure.code).toBe(code);
  expect(failure.retryable).toBe(retryable);
  expect(failure.details.stripeStatus).toBe(status);
});

test('network error is retryable', async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const unreachable = createStripeBilling('rk_test_unit12345', {
    baseUrl: `http://127.0.0.1:${port}`,
    maxNetworkRetries: 0,
  });

  const failure = await failureOf(unreachable.payInvoice('in_1', { idempotencyKey: 'k' }));

  expect(failure.code).toBe('stripe_unavailable');
  expect(failure.retryable).toBe(true);
  expect(failure.details.stripeStatus).toBeNull();
});

test('card update link creates portal session', async () => {
  let body = '';
  nock(stripeApi)
    .post('/v1/billing_portal/sessions', (sent: string) => {
      body = typeof sent === 'string' ? sent : new URLSearchParams(sent).toString();
      return true;
    })
    .matchHeader('idempotency-key', 'card-update-link:t:1')
    .reply(200, {
      id: 'bps_1',
      object: 'billing_portal.session',
      url: 'https://billing.stripe.com/p/session/x',
    });
  const link = await billing.createCardUpdateLink('cus_1', {
    returnUrl: 'https://example.com/back',
    idempotencyKey: 'card-update-link:t:1',
  });
  expect(new URLSearchParams(body).get('customer')).toBe('cus_1');
  expect(new URLSearchParams(body).get('return_url')).toBe('https://example.com/back');
  expect(link).toEqual({
    url: 'https://billing.stripe.com/p/session/x',
    expiresAt: null,
    kind: 'billing_portal',
  });
});

test('unconfigured portal falls back to hosted invoice', async () => {
  nock(stripeApi)
    .post('/v1/billing_portal/sessions')
    .reply(400, {
      error: {
        type: 'invalid_request_error',
        message: 'No configuration provided and your live mode default configuration has not been created.',
      },
    });
  nock(stripeApi)
    .get('/v1/invoices/in_1')
    .reply(200, { ...paidInvoice, status: 'open' });
  const link = await billing.createCardUpdateLink('cus_1', { idempotencyKey: 'k', invoiceId: 'in_1' });
  expect(link).toEqual({ url: 'https://invoice.stripe.com/i/in_1', expiresAt: null, kind: 'hosted_invoice' });
});

test('other portal errors do not fall back', async () => {
  nock(stripeApi)
    .post('/v1/billing_portal/sessions')
    .reply(400, {
      error: { type: 'invalid_request_error', code: 'resource_missing', message: 'No such customer' },
    });
  const failure = await failureOf(
    billing.createCardUpdateLink('cus_x', { idempotencyKey: 'k', invoiceId: 'in_1' }),
  );
  expect(failure.code).toBe('stripe_not_found');
});
