/**
 * A local Stripe API for the demo and benchmarks: an express server on 127.0.0.1 with the three
 * endpoints the card actions call (pay an invoice, create a billing-portal session, retrieve an
 * invoice). Invoices live in memory, seeded by the caller. It checks for a Bearer key, replays the
 * stored response for a repeated `Idempotency-Key`, and can decline an invoice's payment with a
 * given decline code. With a webhook endpoint set, it posts signed `charge.succeeded` and `invoice.paid`
 * events after each successful payment.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';

export interface EmulatedInvoice {
  id: string;
  customer: string;
  currency: string;
  /** Minor units. */
  amountDue: number;
  status?: 'draft' | 'open' | 'paid' | 'uncollectible' | 'void';
  attemptCount?: number;
  /** Copied into the webhook events, so the ledger links the payment to the subscription and card. */
  subscription?: string | null;
  card?: { brand: string; last4: string } | null;
  number?: string | null;
  /** Unix seconds; the ledger stores it as the invoice's creation time. */
  created?: number | null;
}

/** Webhook endpoint: its URL and its `whsec_` signing secret. */
export interface EmulatedWebhookEndpoint {
  url: string;
  secret: string;
}

export interface WebhookDelivery {
  eventId: string;
  type: string;
  /** HTTP status of the endpoint's response, or 0 when the request failed. */
  status: number;
}

export interface EmulatedDecline {
  declineCode: string;
  adviceCode?: string;
}

export interface StripeEmulatorOptions {
  port?: number;
  invoices?: EmulatedInvoice[];
  /** False makes portal sessions fail as they do on an account without saved portal settings. */
  portalConfigured?: boolean;
  webhook?: EmulatedWebhookEndpoint;
}

export interface StripeEmulator {
  url: string;
  close(): Promise<void>;
  /** Makes every pay request for the invoice fail with this decline, until cleared with null. */
  declineInvoice(invoiceId: string, decline: EmulatedDecline | null): void;
  invoice(invoiceId: string): Record<string, unknown> | undefined;
  /** Pay requests that reached the invoice logic, so idempotent replays are not counted. */
  chargeAttempts(): number;
  /** Requests received, including rejected and replayed ones. */
  requestCount(): number;
  /** Sets or clears (null) the endpoint for events of later payments. */
  setWebhook(endpoint: EmulatedWebhookEndpoint | null): void;
  /** Webhook events posted so far, in order. It is empty while no endpoint is set. */
  webhookDeliveries(): WebhookDelivery[];
}

interface StoredResponse {
  requestHash: string;
  status: number;
  body: unknown;
}

class EmulatorError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.message));
  }
}

function invalidRequest(status: number, message: string, extra: Record<string, unknown> = {}): EmulatorError {
  return new EmulatorError(status, { type: 'invalid_request_error', message, ...extra });
}

function invoiceObject(invoice: Required<EmulatedInvoice>, baseUrl: string, amountPaid: number) {
  return {
    id: invoice.id,
    object: 'invoice',
    customer: invoice.customer,
    currency: invoice.currency,
    status: invoice.status,
    amount_due: invoice.amountDue,
    amount_paid: amountPaid,
    amount_remaining: invoice.amountDue - amountPaid,
    attempt_count: invoice.attemptCount,
    hosted_invoice_url: `${baseUrl}/i/${invoice.id}`,
    livemode: false,
  };
}

class EmulatedAccount {
  readonly invoices = new Map<string, Required<EmulatedInvoice>>();
  readonly declines = new Map<string, EmulatedDecline>();
  charges = 0;
  baseUrl = '';
  onPaid: ((invoice: Required<EmulatedInvoice>) => void) | null = null;

  constructor(readonly portalConfigured: boolean) {}

  find(invoiceId: string): Required<EmulatedInvoice> {
    const invoice = this.invoices.get(invoiceId);
    if (!invoice) {
      throw invalidRequest(404, `No such invoice: '${invoiceId}'`, { code: 'resource_missing', param: 'id' });
    }
    return invoice;
  }

  view(invoice: Required<EmulatedInvoice>) {
    return invoiceObject(invoice, this.baseUrl, invoice.status === 'paid' ? invoice.amountDue : 0);
  }

  pay(invoiceId: string) {
    const invoice = this.find(invoiceId);
    if (invoice.status === 'paid') throw invalidRequest(400, 'Invoice is already paid');
    if (invoice.status !== 'open' && invoice.status !== 'uncollectible') {
      const message = `You can only pay an invoice whose status is open or uncollectible, not ${invoice.status}.`;
      throw invalidRequest(400, message);
    }
    this.charges += 1;
    invoice.attemptCount += 1;
    const decline = this.declines.get(invoiceId);
    if (decline) {
      throw new EmulatorError(402, {
        type: 'card_error',
        code: 'card_declined',
        decline_code: decline.declineCode,
        ...(decline.adviceCode ? { advice_code: decline.adviceCode } : {}),
        message: 'Your card was declined.',
      });
    }
    invoice.status = 'paid';
    this.onPaid?.(invoice);
    return this.view(invoice);
  }

  portalSession(customer: unknown, returnUrl: unknown) {
    if (typeof customer !== 'string' || customer === '') {
      throw invalidRequest(400, 'Missing required param: customer.', { param: 'customer' });
    }
    if (!this.portalConfigured) {
      throw invalidRequest(
        400,
        'No configuration provided and your test mode default configuration has not been created. ' +
          'Provide a configuration or create your default by saving your customer portal settings in test mode.',
      );
    }
    const id = `bps_${randomBytes(12).toString('hex')}`;
    return {
      id,
      object: 'billing_portal.session',
      customer,
      return_url: typeof returnUrl === 'string' ? returnUrl : null,
      url: `${this.baseUrl}/p/session/${id}`,
      created: Math.floor(Date.now() / 1000),
      livemode: false,
    };
  }
}

function stripeEvent(type: string, object: Record<string, unknown>, created: number) {
  const id = `evt_${randomBytes(12).toString('hex')}`;
  return { id, object: 'event', api_version: '2024-06-20', created, livemode: false, type, data: { object } };
}

/**
 * Builds the two payment events the ledger reads, the charge first. Stripe also sends
 * `payment_intent.succeeded` and `invoice.payment_succeeded`, and does not guarantee their order.
 */
function paymentEvents(invoice: Required<EmulatedInvoice>, view: Record<string, unknown>, created: number) {
  const charge = {
    id: `ch_${randomBytes(12).toString('hex')}`,
    object: 'charge',
    customer: invoice.customer,
    amount: invoice.amountDue,
    currency: invoice.currency,
    created,
    invoice: invoice.id,
    payment_intent: `pi_${randomBytes(12).toString('hex')}`,
    status: 'succeeded',
    paid: true,
    failure_code: null,
    failure_message: null,
    outcome: { type: 'authorized', reason: null },
    payment_method_details: { type: 'card', card: invoice.card },
  };
  const paid = {
    ...view,
    subscription: invoice.subscription,
    number: invoice.number,
    created: invoice.created,
    status_transitions: { paid_at: created },
  };
  return [stripeEvent('charge.succeeded', charge, created), stripeEvent('invoice.paid', paid, created)];
}

/** Posts events to one endpoint in order, signed as Stripe signs them (`t=…,v1=` HMAC-SHA256). */
class WebhookSender {
  readonly deliveries: WebhookDelivery[] = [];
  private queue: Promise<void> = Promise.resolve();

  constructor(public endpoint: EmulatedWebhookEndpoint | null) {}

  /** Queues the events after any earlier ones. The pay response does not wait for them, as in Stripe. */
  send(events: { id: string; type: string }[]): void {
    const endpoint = this.endpoint;
    if (!endpoint) return;
    this.queue = this.queue.then(async () => {
      for (const event of events) await this.post(endpoint, event);
    });
  }

  private async post(endpoint: EmulatedWebhookEndpoint, event: { id: string; type: string }): Promise<void> {
    const body = JSON.stringify(event);
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = createHmac('sha256', endpoint.secret).update(`${timestamp}.${body}`).digest('hex');
    let status = 0;
    try {
      const response = await fetch(endpoint.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': `t=${timestamp},v1=${signature}` },
        body,
        // Bounds close(), which waits for deliveries in flight.
        signal: AbortSignal.timeout(5000),
      });
      status = response.status;
      await response.arrayBuffer();
    } catch {
      // Status 0 records a refused or dropped connection. Stripe would retry it, but the emulator does not.
    }
    this.deliveries.push({ eventId: event.id, type: event.type, status });
  }

  settled(): Promise<void> {
    return this.queue;
  }
}

function requireKey(counter: { requests: number }) {
  return (req: Request, _res: Response, next: NextFunction) => {
    counter.requests += 1;
    if (!/^Bearer (sk|rk)_(test|live)_\S+$/.test(req.get('authorization') ?? '')) {
      next(invalidRequest(401, 'Invalid API Key provided.'));
      return;
    }
    next();
  };
}

/** Stripe stores the first response per key and replays it; a different request with the key is a 400. */
function idempotent(stored: Map<string, StoredResponse>, handler: (req: Request) => unknown) {
  return (req: Request, res: Response) => {
    const key = req.get('idempotency-key');
    const requestText = `${req.method} ${req.path} ${JSON.stringify(req.body ?? {})}`;
    const requestHash = createHash('sha256').update(requestText).digest('hex');
    const previous = key ? stored.get(`${req.get('authorization')}|${key}`) : undefined;
    if (previous && previous.requestHash !== requestHash) {
      throw new EmulatorError(400, {
        type: 'idempotency_error',
        message: `Keys for idempotent requests can only be used with the same parameters they were first used with.`,
      });
    }
    if (previous) {
      res.status(previous.status).set('idempotent-replayed', 'true').json(previous.body);
      return;
    }
    let response: { status: number; body: unknown };
    try {
      response = { status: 200, body: handler(req) };
    } catch (error) {
      if (!(error instanceof EmulatorError)) throw error;
      response = { status: error.status, body: { error: error.body } };
    }
    if (key) stored.set(`${req.get('authorization')}|${key}`, { requestHash, ...response });
    res.status(response.status).json(response.body);
  };
}

function routes(app: express.Express, account: EmulatedAccount): void {
  const stored = new Map<string, StoredResponse>();
  app.post('/v1/invoices/:id/pay', idempotent(stored, (req) => account.pay(req.params.id as string)));
  app.get('/v1/invoices/:id', (req, res) => {
    res.json(account.view(account.find(req.params.id as string)));
  });
  app.post(
    '/v1/billing_portal/sessions',
    idempotent(stored, (req) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      return account.portalSession(body.customer, body.return_url);
    }),
  );
}

export async function startStripeEmulator(options: StripeEmulatorOptions = {}): Promise<StripeEmulator> {
  const account = new EmulatedAccount(options.portalConfigured ?? true);
  for (const invoice of options.invoices ?? []) {
    const defaults = { status: 'open' as const, attemptCount: 0, subscription: null, card: null };
    account.invoices.set(invoice.id, { ...defaults, number: null, created: null, ...invoice });
  }

  const webhook = new WebhookSender(options.webhook ?? null);
  account.onPaid = (invoice) =>
    webhook.send(paymentEvents(invoice, account.view(invoice), Math.floor(Date.now() / 1000)));

  const counter = { requests: 0 };
  const app = express();
  app.use(requireKey(counter));
  app.use(express.urlencoded({ extended: true }));
  routes(app, account);
  app.use((_req: Request, _res: Response, next: NextFunction) => {
    next(invalidRequest(404, 'Unrecognized request URL; the emulator has no such endpoint.'));
  });
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const failure =
      error instanceof EmulatorError ? error : new EmulatorError(500, { type: 'api_error', message: String(error) });
    res.status(failure.status).json({ error: failure.body });
  });
  const server = app.listen(options.port ?? 0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const { port } = server.address() as AddressInfo;
  account.baseUrl = `http://127.0.0.1:${port}`;
  return {
    url: account.baseUrl,
    close: async () => {
      await webhook.settled();
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // The SDK keeps connections alive, which would hold close() open.
        server.closeAllConnections();
      });
    },
    declineInvoice(invoiceId, decline) {
      if (decline) account.declines.set(invoiceId, decline);
      else account.declines.delete(invoiceId);
    },
    invoice: (invoiceId) => {
      const invoice = account.invoices.get(invoiceId);
      return invoice ? account.view(invoice) : undefined;
    },
    chargeAttempts: () => account.charges,
    requestCount: () => counter.requests,
    setWebhook: (endpoint) => {
      webhook.endpoint = endpoint;
    },
    webhookDeliveries: () => webhook.deliveries.map((delivery) => ({ ...delivery })),
  };
}
