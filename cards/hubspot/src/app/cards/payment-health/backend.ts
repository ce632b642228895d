import { hubspot } from '@hubspot/ui-extensions';
import { BACKEND_BASE_URL } from './backend-url.ts';
import type { CardActionName, PaymentHealthCardView } from './view-model.ts';

export interface CardActionRequest {
  action: CardActionName;
  stripeInvoiceId?: string;
  pauseDays?: number;
}

/** The backend's 202 response: the action is recorded and queued for the worker. */
export interface QueuedCardAction {
  actionId: string;
  status: string;
  duplicate: boolean;
}

/** A failed backend call, with the backend's error code when the response carried one. */
export class CardBackendError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'CardBackendError';
  }
}

// HubSpot's "Fetching data" guide caps a hubspot.fetch request at 15 seconds, and HubSpot retries once
// within that window after a 5xx. A 10-second timeout keeps a slow backend from using the whole window.
const requestTimeoutMs = 10_000;

function backendUrl(path: string): string {
  return `${BACKEND_BASE_URL}${path}`;
}

async function readBody(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

function errorFrom(response: Response, body: unknown): CardBackendError {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  const code = typeof error?.code === 'string' ? error.code : 'request_failed';
  const message =
    typeof error?.message === 'string' ? error.message : `The backend responded with HTTP ${response.status}`;
  return new CardBackendError(code, message, response.status);
}

async function send(path: string, method: 'GET' | 'POST', body?: Record<string, unknown>): Promise<unknown> {
  const response = await hubspot.fetch(backendUrl(path), { method, body, timeout: requestTimeoutMs });
  const parsed = await readBody(response);
  if (!response.ok) throw errorFrom(response, parsed);
  return parsed;
}

/** Loads the card view for a HubSpot company. The backend verifies HubSpot's v3 request signature. */
export async function fetchCardView(companyId: string): Promise<PaymentHealthCardView> {
  const query = new URLSearchParams({ companyId }).toString();
  return (await send(`/cards/hubspot/payment-health?${query}`, 'GET')) as PaymentHealthCardView;
}

/** Records a CSM action. The backend queues it and returns 202 before the worker runs it. */
export async function requestCardAction(
  companyId: string,
  request: CardActionRequest,
): Promise<QueuedCardAction> {
  return (await send('/cards/hubspot/actions', 'POST', { companyId, ...request })) as QueuedCardAction;
}

/** Links the company to a Stripe customer so the card can show its payment health. */
export async function linkStripeCustomer(companyId: string, stripeCustomerId: string): Promise<void> {
  await send('/cards/hubspot/link', 'POST', { companyId, stripeCustomerId });
}
