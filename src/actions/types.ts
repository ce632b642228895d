import type { Logger } from 'pino';
import type { StripeBilling } from '../../integrations/stripe/billing-api';
import type { SecretBox } from '../db/crypto';
import type { Db } from '../db/database';
import type { CardActionName } from '../db/schema';

/** Final state of a card action, as stored in `card_actions`. */
export type FinishedStatus = 'succeeded' | 'failed' | 'rejected';

export interface ActionOutcome {
  cardActionId: string;
  status: FinishedStatus;
  /** Stored in `card_actions.result`; always keeps the request under `requested`. */
  result: Record<string, unknown>;
  /** Plain-words reason for `failed` and `rejected`, else null. */
  error: string | null;
}

/** A note for the customer's CRM record about a finished CSM action. */
export interface CardActionActivity {
  tenantId: string;
  /** Our `customers.id`. */
  customerId: string;
  /** `card-action:<card_actions.id>`, unique per action, so a repeated call must not write twice. */
  sourceKey: string;
  title: string;
  body: string;
}

export interface CardActionDeps {
  db: Db;
  box: SecretBox;
  /** Returns the tenant's Stripe client, or null when the tenant has no Stripe API key. */
  billing: (tenantId: string) => StripeBilling | null | Promise<StripeBilling | null>;
  log: Logger;
  now: () => Date;
  /** Called after the outcome is stored, and again when a finished action's job runs again. */
  onActivity?: (activity: CardActionActivity) => Promise<void>;
}

/**
 * Request parameters the card or Slack stores in `card_actions.result.requested` when it records the
 * action. Every field is optional.
 */
export interface RequestedParameters {
  /** Days to pause dunning for `pause_dunning`, 1 to 90; 7 when absent. */
  pauseDays?: number;
  /** Return URL of the billing portal session, for `send_card_update_link`. */
  returnUrl?: string;
}

/** The `card_actions` row as the processor reads it. */
export interface CardActionRow {
  id: string;
  tenant_id: string;
  customer_id: string;
  action: CardActionName;
  idempotency_key: string;
  source: string;
  requested_by: string;
  stripe_invoice_id: string | null;
  status: string;
  result: Record<string, unknown> | null;
  error: string | null;
  finished_at: Date | null;
}

/** Decision of one action handler, before the processor stores it. */
export interface HandlerOutcome {
  status: FinishedStatus;
  result: Record<string, unknown>;
  error: string | null;
  /** Set when another card action already made the same Stripe request; no activity is written then. */
  duplicateOf?: string;
}

/** Inputs of an action handler, on the connection that holds the action's advisory lock. */
export interface HandlerContext {
  db: Db;
  row: CardActionRow;
  /** The tenant's Stripe client; the processor rejects Stripe actions before a handler runs without one. */
  billing: StripeBilling;
  log: Logger;
  now: Date;
}
