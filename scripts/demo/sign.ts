import Stripe from 'stripe';

/**
 * Returns the `Stripe-Signature` header value Stripe would send for `payload`:
 * `t=<timestamp>,v1=<hex HMAC-SHA256 of "<timestamp>.<payload>" keyed with the secret>`.
 * `payload` must be the exact bytes posted, because any re-serialization breaks the signature.
 */
export function signStripePayload(payload: string, secret: string, timestampSeconds: number): string {
  if (!Number.isSafeInteger(timestampSeconds) || timestampSeconds < 0) {
    throw new Error(
      `Invalid timestampSeconds ${timestampSeconds}: expected a non-negative integer Unix time`,
    );
  }
  if (secret.length === 0) throw new Error('Missing webhook signing secret: expected a whsec_ value');
  return Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: timestampSeconds });
}
