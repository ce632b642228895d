import Stripe from 'stripe';
import { AppError } from '../../src/errors';

/** The envelope fields ingestion needs before the payload is stored; the ledger validates the rest. */
export interface StripeEventEnvelope {
  id: string;
  type: string;
  created: number;
  api_version: string | null;
  livemode: boolean;
}

export class WebhookSignatureError extends AppError {
  constructor(code: 'missing_signature' | 'invalid_signature' | 'stale_signature', message: string) {
    super(code, message, { status: 400 });
  }
}

// The stripe SDK reports a matching signature with an old timestamp with this message (stripe-node 23).
const staleTimestampMessage = 'Timestamp outside the tolerance zone';

/**
 * Verifies `Stripe-Signature` against each active secret (two during a rotation) with the official SDK,
 * and returns the parsed event. `now` is injectable so tests can check the tolerance window.
 */
export function verifyStripeWebhook(
  rawBody: Buffer,
  signatureHeader: string | undefined,
  secrets: readonly string[],
  options: { toleranceSeconds: number; now: Date },
): unknown {
  if (!signatureHeader) {
    throw new WebhookSignatureError('missing_signature', 'Missing Stripe-Signature header');
  }
  let sawStale = false;
  for (const secret of secrets) {
    try {
      return Stripe.webhooks.constructEvent(
        rawBody,
        signatureHeader,
        secret,
        options.toleranceSeconds,
        undefined,
        options.now.getTime(),
      );
    } catch (error) {
      if (!(error instanceof Stripe.errors.StripeSignatureVerificationError)) throw error;
      if (error.message.startsWith(staleTimestampMessage)) sawStale = true;
    }
  }
  if (sawStale) {
    throw new WebhookSignatureError(
      'stale_signature',
      `Stripe-Signature timestamp is more than ${options.toleranceSeconds} s old; Stripe will retry with a fresh one`,
    );
  }
  throw new WebhookSignatureError(
    'invalid_signature',
    'Stripe-Signature does not match any active signing secret for this endpoint; check the secret configured for this tenant',
  );
}

/** Reads the envelope fields of a verified event, or explains which one is missing. */
export function readEventEnvelope(event: unknown): StripeEventEnvelope {
  const candidate = (event ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof candidate.id !== 'string' || candidate.id === '') problems.push('id must be a non-empty string');
  if (typeof candidate.type !== 'string' || candidate.type === '') problems.push('type must be a non-empty string');
  if (typeof candidate.created !== 'number') problems.push('created must be a number of seconds');
  const data = candidate.data as Record<string, unknown> | undefined;
  if (typeof data?.object !== 'object' || data.object === null) problems.push('data.object must be an object');
  if (problems.length > 0) {
    throw new AppError('invalid_event', `Stripe event is malformed: ${problems.join('; ')}`, { status: 400 });
  }
  return {
    id: candidate.id as string,
    type: candidate.type as string,
    created: candidate.created as number,
    api_version: typeof candidate.api_version === 'string' ? candidate.api_version : null,
    livemode: candidate.livemode === true,
  };
}
