/**
 * The Stripe Billing calls that CSM actions make (pay an invoice, open a billing-portal session, read
 * an invoice), behind our own interface so the action processor never imports the SDK. Failures become a
 * StripeBillingError with a stable `code` and a `retryable` flag. Messages never contain the API key.
 */
import Stripe from 'stripe';
import { AppError } from '../../src/errors';

export type StripeBillingErrorCode =
  | 'stripe_card_declined'
  | 'stripe_payment_requires_action'
  | 'stripe_invoice_not_payable'
  | 'stripe_portal_not_configured'
  | 'stripe_not_found'
  | 'stripe_invalid_request'
  | 'stripe_idempotency_conflict'
  | 'stripe_rate_limited'
  | 'stripe_unavailable'
  | 'stripe_authentication_failed'
  | 'stripe_permission_denied';

const retryableCodes: ReadonlySet<StripeBillingErrorCode> = new Set([
  'stripe_rate_limited',
  'stripe_unavailable',
]);

export class StripeBillingError extends AppError {
  declare readonly code: StripeBillingErrorCode;

  constructor(
    code: StripeBillingErrorCode,
    message: string,
    readonly details: {
      /** HTTP status of Stripe's response, or null when none arrived (timeout, refused connection). */
      stripeStatus?: number | null;
      requestId?: string | null;
      declineCode?: string | null;
      adviceCode?: string | null;
      failureCode?: string | null;
      cause?: unknown;
    } = {},
  ) {
    super(code, message, { retryable: retryableCodes.has(code), cause: details.cause });
  }
}

/** The fields of a Stripe invoice that actions read. Amounts are minor units. */
export interface BillingInvoice {
  id: string;
  customerId: string | null;
  status: string | null;
  currency: string;
  amountDue: number;
  amountPaid: number;
  amountRemaining: number;
  attemptCount: number;
  hostedInvoiceUrl: string | null;
}

export interface CardUpdateLink {
  url: string;
  /** Null because Stripe gives no expiry for either kind of link; portal sessions are short-lived. */
  expiresAt: Date | null;
  kind: 'billing_portal' | 'hosted_invoice';
}

export interface StripeBilling {
  /** Charges the invoice's payment method now (`POST /v1/invoices/:id/pay`). */
  payInvoice(invoiceId: string, options: { idempotencyKey: string }): Promise<BillingInvoice>;
  /**
   * Creates a billing-portal session where the customer can update the card. When the account has no
   * portal configuration and `invoiceId` is given, returns that invoice's hosted invoice page instead.
   */
  createCardUpdateLink(
    customerId: string,
    options: { returnUrl?: string; idempotencyKey: string; invoiceId?: string },
  ): Promise<CardUpdateLink>;
  retrieveInvoice(invoiceId: string): Promise<BillingInvoice>;
}

export interface StripeBillingOptions {
  /** Base URL of the Stripe API: `https://api.stripe.com`, or a local emulator in tests and the demo. */
  baseUrl: string;
  timeoutMs?: number;
  /** Retries the SDK makes itself on network errors, with the same idempotency key. */
  maxNetworkRetries?: number;
}

// Stripe states no error code for a missing portal configuration, only this message (seen in API
// responses since 2020: "No configuration provided and your test mode default configuration has not
// been created").
const portalNotConfigured = /no configuration provided|default configuration has not been created/i;
// NOTE: Stripe rejects a pay request for a paid or void invoice with invalid_request_error and no
// code, so the message is matched. The pattern follows Stripe's wording and may miss a rephrased one.
const invoiceNotPayable = /already paid|is not open|status of|void|draft|uncollectible|cannot be paid/i;
const invoiceNotPayableCodes = new Set(['invoice_not_editable', 'invoice_no_payment_method_types']);

function classifyInvalidRequest(error: Stripe.errors.StripeError): StripeBillingErrorCode {
  if (error.code === 'resource_missing') return 'stripe_not_found';
  if (error.code === 'invoice_payment_intent_requires_action') return 'stripe_payment_requires_action';
  if (portalNotConfigured.test(error.message)) return 'stripe_portal_not_configured';
  if (error.code && invoiceNotPayableCodes.has(error.code)) return 'stripe_invoice_not_payable';
  if (invoiceNotPayable.test(error.message)) return 'stripe_invoice_not_payable';
  return 'stripe_invalid_request';
}

function classify(error: Stripe.errors.StripeError): StripeBillingErrorCode {
  if (error instanceof Stripe.errors.StripeCardError) return 'stripe_card_declined';
  if (error instanceof Stripe.errors.StripeRateLimitError) return 'stripe_rate_limited';
  if (error instanceof Stripe.errors.StripeConnectionError) return 'stripe_unavailable';
  if (error instanceof Stripe.errors.StripeAPIError) return 'stripe_unavailable';
  if (error instanceof Stripe.errors.StripeAuthenticationError) return 'stripe_authentication_failed';
  if (error instanceof Stripe.errors.StripePermissionError) return 'stripe_permission_denied';
  if (error instanceof Stripe.errors.StripeIdempotencyError) return 'stripe_idempotency_conflict';
  if ((error.statusCode ?? 0) >= 500) return 'stripe_unavailable';
  if (error.statusCode === 429) return 'stripe_rate_limited';
  return classifyInvalidRequest(error);
}

/** Converts whatever the SDK threw into a StripeBillingError naming the operation. */
export function toStripeBillingError(error: unknown, operation: string): StripeBillingError {
  if (error instanceof StripeBillingError) return error;
  if (!(error instanceof Stripe.errors.StripeError)) {
    const reason = error instanceof Error ? error.message : String(error);
    return new StripeBillingError(
      'stripe_unavailable',
      `Stripe ${operation} failed before a response: ${reason}`,
      {
        cause: error,
      },
    );
  }
  const status = error.statusCode ?? null;
  const statusText = status === null ? 'without a response' : `with HTTP ${status}`;
  return new StripeBillingError(
    classify(error),
    `Stripe ${operation} failed ${statusText}: ${error.message}`,
    {
      stripeStatus: status,
      requestId: error.requestId ?? null,
      declineCode: error.decline_code ?? null,
      adviceCode: error.advice_code ?? null,
      failureCode: error.code ?? null,
      cause: error,
    },
  );
}

function toBillingInvoice(invoice: Stripe.Invoice): BillingInvoice {
  const customer = invoice.customer;
  return {
    id: invoice.id ?? '',
    customerId: typeof customer === 'string' ? customer : (customer?.id ?? null),
    status: invoice.status ?? null,
    currency: invoice.currency,
    amountDue: invoice.amount_due,
    amountPaid: invoice.amount_paid,
    amountRemaining: invoice.amount_remaining,
    attemptCount: invoice.attempt_count,
    hostedInvoiceUrl: invoice.hosted_invoice_url ?? null,
  };
}

/** Builds the SDK client for one tenant's key, pointed at `baseUrl`. */
export function createStripeClient(apiKey: string, options: StripeBillingOptions): Stripe {
  const url = new URL(options.baseUrl);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return new Stripe(apiKey, {
    host: url.hostname,
    port: url.port || (protocol === 'http' ? 80 : 443),
    protocol,
    // Two retries ride out a brief network failure; BullMQ retries the whole job after that.
    maxNetworkRetries: options.maxNetworkRetries ?? 2,
    timeout: options.timeoutMs ?? 20_000,
    telemetry: false,
    appInfo: { name: 'csm-payments' },
  });
}

class SdkStripeBilling implements StripeBilling {
  constructor(private readonly stripe: Stripe) {}

  async payInvoice(invoiceId: string, options: { idempotencyKey: string }): Promise<BillingInvoice> {
    try {
      const invoice = await this.stripe.invoices.pay(
        invoiceId,
        {},
        { idempotencyKey: options.idempotencyKey },
      );
      return toBillingInvoice(invoice);
    } catch (error) {
      throw toStripeBillingError(error, `pay of invoice ${invoiceId}`);
    }
  }

  async retrieveInvoice(invoiceId: string): Promise<BillingInvoice> {
    try {
      return toBillingInvoice(await this.stripe.invoices.retrieve(invoiceId));
    } catch (error) {
      throw toStripeBillingError(error, `retrieve of invoice ${invoiceId}`);
    }
  }

  async createCardUpdateLink(
    customerId: string,
    options: { returnUrl?: string; idempotencyKey: string; invoiceId?: string },
  ): Promise<CardUpdateLink> {
    try {
      const session = await this.stripe.billingPortal.sessions.create(
        { customer: customerId, ...(options.returnUrl ? { return_url: options.returnUrl } : {}) },
        { idempotencyKey: options.idempotencyKey },
      );
      return { url: session.url, expiresAt: null, kind: 'billing_portal' };
    } catch (error) {
      const failure = toStripeBillingError(error, `billing portal session for customer ${customerId}`);
      if (failure.code !== 'stripe_portal_not_configured' || !options.invoiceId) throw failure;
      return this.hostedInvoiceLink(options.invoiceId, failure);
    }
  }

  private async hostedInvoiceLink(
    invoiceId: string,
    portalFailure: StripeBillingError,
  ): Promise<CardUpdateLink> {
    const invoice = await this.retrieveInvoice(invoiceId);
    if (!invoice.hostedInvoiceUrl) throw portalFailure;
    return { url: invoice.hostedInvoiceUrl, expiresAt: null, kind: 'hosted_invoice' };
  }
}

/** Creates the SDK-backed StripeBilling for one tenant's secret or restricted API key. */
export function createStripeBilling(apiKey: string, options: StripeBillingOptions): StripeBilling {
  return new SdkStripeBilling(createStripeClient(apiKey, options));
}
