import { createHmac, randomBytes } from 'node:crypto';
import type { EmulatedInvoice } from './stripe';

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

/** Options of `startStripeEmulator` for posting payment events. */
export interface WebhookOptions {
  webhook?: EmulatedWebhookEndpoint;
}

/** Methods of the Stripe emulator that set the webhook endpoint and read what was posted to it. */
export interface WebhookControls {
  /** Sets or clears (null) the endpoint for events of later payments. */
  setWebhook(endpoint: EmulatedWebhookEndpoint | null): void;
  /** Webhook events posted so far, in order. It is empty while no endpoint is set. */
  webhookDeliveries(): WebhookDelivery[];
}

function stripeEvent(type: string, object: Record<string, unknown>, created: number) {
  const id = `evt_${randomBytes(12).toString('hex')}`;
  return { id, object: 'event', api_version: '2024-06-20', created, livemode: false, type, data: { object } };
}

/**
 * Builds the two payment events the ledger reads, the charge first. Stripe also sends
 * `payment_intent.succeeded` and `invoice.payment_succeeded`, and does not guarantee their order.
 */
export function paymentEvents(
  invoice: Required<EmulatedInvoice>,
  view: Record<string, unknown>,
  created: number,
) {
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
export class WebhookSender {
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

export function webhookControls(webhook: WebhookSender): WebhookControls {
  return {
    setWebhook: (endpoint) => {
      webhook.endpoint = endpoint;
    },
    webhookDeliveries: () => webhook.deliveries.map((delivery) => ({ ...delivery })),
  };
}
