import { toStripeBillingError } from '../../integrations/stripe/billing-api';
import type { Db } from '../db/database';
import { outcomeForStripeFailure } from './stripe-failures';
import type { CardActionRow, HandlerContext, HandlerOutcome, RequestedParameters } from './types';

export const defaultPauseDays = 7;
export const maxPauseDays = 90;
const dayMs = 24 * 60 * 60 * 1000;

/** Reads `card_actions.result.requested`, ignoring fields of the wrong type. */
export function requestedParameters(row: Pick<CardActionRow, 'result'>): RequestedParameters {
  const requested = row.result?.requested;
  if (typeof requested !== 'object' || requested === null) return {};
  const { pauseDays, returnUrl } = requested as Record<string, unknown>;
  return {
    ...(typeof pauseDays === 'number' ? { pauseDays } : {}),
    ...(typeof returnUrl === 'string' ? { returnUrl } : {}),
  };
}

/** Returns the end of a dunning pause, or an error message when `pauseDays` is out of range. */
export function pauseEnd(now: Date, pauseDays: number = defaultPauseDays): Date | string {
  if (!Number.isInteger(pauseDays) || pauseDays < 1 || pauseDays > maxPauseDays) {
    return `Pause length must be a whole number of days from 1 to ${maxPauseDays}, got ${pauseDays}`;
  }
  return new Date(now.getTime() + pauseDays * dayMs);
}

async function readCustomer(db: Db, row: CardActionRow) {
  return db
    .selectFrom('customers')
    .select(['stripe_customer_id', 'deleted', 'dunning_paused_until'])
    .where('id', '=', row.customer_id)
    .where('tenant_id', '=', row.tenant_id)
    .executeTakeFirst();
}

/** Picks the invoice whose hosted page stands in for the portal: the action's own, else the oldest open one. */
async function fallbackInvoiceId(db: Db, row: CardActionRow): Promise<string | undefined> {
  if (row.stripe_invoice_id) return row.stripe_invoice_id;
  const invoice = await db
    .selectFrom('invoices')
    .select('stripe_invoice_id')
    .where('customer_id', '=', row.customer_id)
    .where('status', '=', 'open')
    .orderBy('invoice_created_at', 'asc')
    .limit(1)
    .executeTakeFirst();
  return invoice?.stripe_invoice_id;
}

/**
 * Creates a link where the customer updates the card and stores it in the result, for the CSM to send.
 * TODO: send the link to the customer once an outreach channel (email) exists.
 */
export async function sendCardUpdateLink(context: HandlerContext): Promise<HandlerOutcome> {
  const { db, row } = context;
  const customer = await readCustomer(db, row);
  if (!customer || customer.deleted) {
    return { status: 'rejected', error: 'Customer not found or deleted in Stripe', result: {} };
  }
  const requested = requestedParameters(row);
  try {
    const link = await context.billing.createCardUpdateLink(customer.stripe_customer_id, {
      returnUrl: requested.returnUrl,
      idempotencyKey: `card-update-link:${row.tenant_id}:${row.id}`,
      invoiceId: await fallbackInvoiceId(db, row),
    });
    return {
      status: 'succeeded',
      error: null,
      result: { url: link.url, linkKind: link.kind, expiresAt: link.expiresAt?.toISOString() ?? null },
    };
  } catch (error) {
    const failure = toStripeBillingError(error, 'card-update link');
    if (failure.retryable) throw failure;
    if (failure.code === 'stripe_portal_not_configured') {
      return {
        status: 'failed',
        error:
          'The Stripe customer portal is not configured and the customer has no open invoice page; ' +
          'save the customer portal settings in the Stripe dashboard (Settings, Billing, Customer portal)',
        result: { stripeErrorCode: failure.code },
      };
    }
    return outcomeForStripeFailure(failure, {});
  }
}

/** Pauses dunning for the customer until now + `requested.pauseDays` (7 days when absent). */
export async function pauseDunning(context: Omit<HandlerContext, 'billing'>): Promise<HandlerOutcome> {
  const { db, row } = context;
  const until = pauseEnd(context.now, requestedParameters(row).pauseDays);
  if (typeof until === 'string') return { status: 'rejected', error: until, result: {} };
  const updated = await db
    .updateTable('customers')
    .set({ dunning_paused_until: until })
    .where('id', '=', row.customer_id)
    .where('tenant_id', '=', row.tenant_id)
    .executeTakeFirst();
  if (updated.numUpdatedRows === 0n) return { status: 'rejected', error: 'Customer not found', result: {} };
  return { status: 'succeeded', error: null, result: { pausedUntil: until.toISOString() } };
}

/** Clears the customer's dunning pause; succeeds also when none was set. */
export async function resumeDunning(context: Omit<HandlerContext, 'billing'>): Promise<HandlerOutcome> {
  const { db, row } = context;
  const customer = await readCustomer(db, row);
  if (!customer) return { status: 'rejected', error: 'Customer not found', result: {} };
  await db
    .updateTable('customers')
    .set({ dunning_paused_until: null })
    .where('id', '=', row.customer_id)
    .execute();
  const previous = customer.dunning_paused_until;
  return {
    status: 'succeeded',
    error: null,
    result: { previousPausedUntil: previous?.toISOString() ?? null },
  };
}
