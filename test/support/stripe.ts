import Stripe from 'stripe';

export function stripeSignature(payload: string, secret: string, timestampSeconds: number): string {
  return Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: timestampSeconds });
}

let counter = 0;

/** A minimal, valid `customer.created` event; tests override what they need. */
export function customerCreatedEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  return {
    id: `evt_test_${process.pid}_${counter}`,
    object: 'event',
    api_version: '2025-03-31.basil',
    created: 1_760_000_000 + counter,
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: 'customer.created',
    data: {
      object: {
        id: `cus_test_${counter}`,
        object: 'customer',
        email: 'billing@acme.example',
        name: 'Acme',
        currency: 'usd',
      },
    },
    ...overrides,
  };
}
