import { signStripePayload } from './sign';
import type { StripeEvent } from './types';

export interface PostSummary {
  accepted: number;
  duplicates: number;
  failed: number;
}

const maxAttempts = 3;

/** Posts one event the way Stripe does: its exact bytes, signed with the current time, retried on a 5xx. */
async function postOne(
  url: string,
  secret: string,
  event: StripeEvent,
): Promise<'accepted' | 'duplicate' | 'failed'> {
  const body = JSON.stringify(event);
  for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
    const signature = signStripePayload(body, secret, Math.floor(Date.now() / 1000));
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signature },
      body,
    }).catch(() => null);
    if (response?.ok) {
      const result = (await response.json()) as { duplicate?: boolean };
      return result.duplicate ? 'duplicate' : 'accepted';
    }
    if (response && response.status < 500) {
      console.error(`Webhook ${event.id} rejected with ${response.status}: ${await response.text()}`);
      return 'failed';
    }
    await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
  }
  return 'failed';
}

/**
 * Posts the deliveries in order with a few requests in flight, as Stripe's parallel deliveries would.
 * The generator already placed duplicates and out-of-order events in the list.
 */
export async function postDeliveries(
  url: string,
  secret: string,
  deliveries: StripeEvent[],
  concurrency = 8,
): Promise<PostSummary> {
  const summary: PostSummary = { accepted: 0, duplicates: 0, failed: 0 };
  let next = 0;
  const lane = async () => {
    while (next < deliveries.length) {
      const event = deliveries[next++]!;
      const outcome = await postOne(url, secret, event);
      if (outcome === 'accepted') summary.accepted += 1;
      else if (outcome === 'duplicate') summary.duplicates += 1;
      else summary.failed += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return summary;
}
