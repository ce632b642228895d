/**
 * A local Stripe API for the demo and benchmarks: an express server on 127.0.0.1 with the three
 * endpoints the card actions call (pay an invoice, create a billing-portal session, retrieve an
 * invoice). Invoices live in memory, seeded by the caller. It checks for a Bearer key, replays the
 * stored response for a repeated `Idempotency-Key`, and can decline an invoice's payment with a
 * given decline code. With a webhook endpoint set, it posts signed `charge.succeeded` and `invoice.paid`
 * events after each successful payment.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import {
  paymentEvents,
  webhookControls,
  WebhookSender,
  type WebhookControls,
  type WebhookOptions,
} from './stripe-webhooks';

export type { EmulatedWebhookEndpoint, WebhookDelivery } from './stripe-webhooks';

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

export interface EmulatedDecline {
  declineCode: string;
  adviceCode?: string;
}

export interface StripeEmulatorOptions extends WebhookOptions {
  port?: number;
  invoices?: EmulatedInvoice[];
  /** False makes portal sessions fail as they do on an account without saved portal settings. */
  portalConfigured?: boolean;
}

export interface StripeEmulator extends WebhookControls {
  url: string;
  close(): Promise<void>;
  /** Makes every pay request for the invoice fail with this decline, until cleared with null. */
  declineInvoice(invoiceId: string, decline: EmulatedDecline | null): void;
  invoice(invoiceId: string): Record<string, unknown> | undefined;
  /** Pay requests that reached the invoice logic, so idempotent replays are not counted. */
  chargeAttempts(): number;
  /** Requests received, including rejected and replayed ones. */
  requestCount(): number;
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
  app.post(
    '/v1/invoices/:id/pay',
    idempotent(stored, (req) => account.pay(req.params.id as string)),
  );
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
      error instanceof EmulatorError
        ? error
        : new EmulatorError(500, { type: 'api_error', message: String(error) });
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
    ...webhookControls(webhook),
  };
}
