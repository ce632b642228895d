import { sql } from 'kysely';
import {
  toStripeBillingError,
  type BillingInvoice,
  type StripeBilling,
} from '../../integrations/stripe/billing-api';
import type { Db } from '../db/database';
import { describeDecline } from '../ledger/decline-codes';
import { outcomeForStripeFailure } from './stripe-failures';
import type { CardActionRow, HandlerContext, HandlerOutcome } from './types';

/** Ledger facts about an invoice before a retry. */
export interface RetryFacts {
  invoice: {
    stripeInvoiceId: string;
    customerId: string;
    status: string;
    amountRemaining: number;
    attemptCount: number;
  } | null;
  /** The newest payment attempt on the invoice, if any. */
  lastAttempt: {
    status: string;
    declineCode: string | null;
    adviceCode: string | null;
    failureCode: string | null;
    failureMessage: string | null;
    cardBrand: string | null;
    cardLast4: string | null;
  } | null;
  /** The card Stripe would charge now: the subscription's default, else the customer's default. */
  currentCard: { brand: string | null; last4: string | null } | null;
}

export type RetryDecision = { kind: 'pay'; idempotencyKey: string } | { kind: 'reject'; reason: string };

/**
 * Builds the Stripe idempotency key: one charge attempt per invoice attempt, so a second click or a
 * second CSM reuses the key.
 */
export function retryIdempotencyKey(stripeInvoiceId: string, attemptCount: number): string {
  return `retry:${stripeInvoiceId}:${attemptCount}`;
}

function sameCard(
  declined: NonNullable<RetryFacts['lastAttempt']>,
  current: RetryFacts['currentCard'],
): boolean {
  if (!current) return true;
  return declined.cardBrand === current.brand && declined.cardLast4 === current.last4;
}

/**
 * Decides whether a CSM may retry the invoice now. A hard decline blocks the retry until the customer's
 * default card differs from the declined one (compared by brand and last 4 digits).
 */
export function decideRetry(facts: RetryFacts, stripeInvoiceId: string, customerId: string): RetryDecision {
  const { invoice, lastAttempt } = facts;
  if (!invoice || invoice.customerId !== customerId) {
    return {
      kind: 'reject',
      reason:
        `Invoice ${stripeInvoiceId} not found for this customer in the ledger; ` +
        "wait for Stripe's events to arrive, then request the retry again",
    };
  }
  if (invoice.status !== 'open' || invoice.amountRemaining <= 0) {
    const reason = `Invoice ${stripeInvoiceId} is ${invoice.status}, not open, so there is nothing to retry`;
    return { kind: 'reject', reason };
  }
  if (lastAttempt?.status === 'failed' && sameCard(lastAttempt, facts.currentCard)) {
    const decline = describeDecline(lastAttempt);
    if (decline.kind === 'hard') {
      return {
        kind: 'reject',
        reason:
          `The last payment attempt on invoice ${stripeInvoiceId} was a hard decline (${decline.text}); ` +
          'the customer must update the card first, for example through a card-update link',
      };
    }
  }
  // TODO: once the dunning engine exists, also reject retries beyond the card networks' retry limits.
  return { kind: 'pay', idempotencyKey: retryIdempotencyKey(stripeInvoiceId, invoice.attemptCount) };
}

async function readCurrentCard(db: Db, row: CardActionRow, subscriptionId: string | null) {
  const subscription = subscriptionId
    ? await db
        .selectFrom('subscriptions')
        .select('default_payment_method_id')
        .where('tenant_id', '=', row.tenant_id)
        .where('stripe_subscription_id', '=', subscriptionId)
        .executeTakeFirst()
    : undefined;
  const customer = await db
    .selectFrom('customers')
    .select('default_payment_method_id')
    .where('id', '=', row.customer_id)
    .executeTakeFirst();
  const methodId = subscription?.default_payment_method_id ?? customer?.default_payment_method_id;
  if (!methodId) return null;
  const method = await db
    .selectFrom('payment_methods')
    .select(['card_brand as brand', 'card_last4 as last4'])
    .where('tenant_id', '=', row.tenant_id)
    .where('stripe_payment_method_id', '=', methodId)
    .where('detached', '=', false)
    .executeTakeFirst();
  return method ?? null;
}

export async function readRetryFacts(
  db: Db,
  row: CardActionRow,
  stripeInvoiceId: string,
): Promise<RetryFacts> {
  const invoice = await db
    .selectFrom('invoices')
    .select(['customer_id', 'status', 'amount_remaining', 'attempt_count', 'stripe_subscription_id'])
    .where('tenant_id', '=', row.tenant_id)
    .where('stripe_invoice_id', '=', stripeInvoiceId)
    .executeTakeFirst();
  const lastAttempt = await db
    .selectFrom('payment_attempts')
    .select([
      'status',
      'decline_code',
      'advice_code',
      'failure_code',
      'failure_message',
      'card_brand',
      'card_last4',
    ])
    .where('tenant_id', '=', row.tenant_id)
    .where('stripe_invoice_id', '=', stripeInvoiceId)
    .orderBy('attempted_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return {
    invoice: invoice
      ? {
          stripeInvoiceId,
          customerId: invoice.customer_id,
          status: invoice.status,
          amountRemaining: Number(invoice.amount_remaining),
          attemptCount: invoice.attempt_count,
        }
      : null,
    lastAttempt: lastAttempt
      ? {
          status: lastAttempt.status,
          declineCode: lastAttempt.decline_code,
          adviceCode: lastAttempt.advice_code,
          failureCode: lastAttempt.failure_code,
          failureMessage: lastAttempt.failure_message,
          cardBrand: lastAttempt.card_brand,
          cardLast4: lastAttempt.card_last4,
        }
      : null,
    currentCard: invoice ? await readCurrentCard(db, row, invoice.stripe_subscription_id) : null,
  };
}

/** Another retry of the same invoice attempt that already finished, so its Stripe response is known. */
async function findFinishedSibling(db: Db, row: CardActionRow, idempotencyKey: string) {
  return db
    .selectFrom('card_actions')
    .select(['id', 'status', 'result', 'error'])
    .where('tenant_id', '=', row.tenant_id)
    .where('action', '=', 'retry_payment')
    .where('id', '!=', row.id)
    .where('status', 'in', ['succeeded', 'failed'])
    .where(sql<string>`result->>'stripeIdempotencyKey'`, '=', idempotencyKey)
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
}

/** Stores the key before the request, so a retried job sends the same key even if the ledger moved on. */
async function storeIdempotencyKey(db: Db, row: CardActionRow, idempotencyKey: string): Promise<void> {
  const result = { ...(row.result ?? {}), stripeIdempotencyKey: idempotencyKey };
  await db
    .updateTable('card_actions')
    .set({ result: JSON.stringify(result) })
    .where('id', '=', row.id)
    .execute();
}

function paidResult(invoice: BillingInvoice, base: Record<string, unknown>): HandlerOutcome {
  const paid = invoice.status === 'paid';
  return {
    status: 'succeeded',
    error: null,
    result: {
      ...base,
      invoiceStatus: invoice.status,
      amountPaid: invoice.amountPaid,
      amountRemaining: invoice.amountRemaining,
      currency: invoice.currency,
      // An invoice stays open while a bank debit or similar payment is still processing.
      paymentPending: !paid,
    },
  };
}

async function pay(billing: StripeBilling, stripeInvoiceId: string, key: string): Promise<HandlerOutcome> {
  const base = { stripeInvoiceId, stripeIdempotencyKey: key };
  try {
    return paidResult(await billing.payInvoice(stripeInvoiceId, { idempotencyKey: key }), base);
  } catch (error) {
    const failure = toStripeBillingError(error, `pay of invoice ${stripeInvoiceId}`);
    if (failure.retryable) throw failure;
    return outcomeForStripeFailure(failure, base);
  }
}

/**
 * Retries an open invoice's payment once. Runs under the tenant+invoice advisory lock, so two card
 * actions for the same invoice attempt send at most one request: the second copies the first's outcome.
 */
export async function retryPayment(context: HandlerContext): Promise<HandlerOutcome> {
  const { db, row } = context;
  const stripeInvoiceId = row.stripe_invoice_id;
  if (!stripeInvoiceId) {
    return { status: 'rejected', error: 'No invoice given for the payment retry', result: {} };
  }
  const storedKey = row.result?.stripeIdempotencyKey;
  if (typeof storedKey === 'string') {
    // An earlier run of this job stored the key and then failed with a retryable error.
    return pay(context.billing, stripeInvoiceId, storedKey);
  }
  const decision = decideRetry(
    await readRetryFacts(db, row, stripeInvoiceId),
    stripeInvoiceId,
    row.customer_id,
  );
  if (decision.kind === 'reject') {
    return { status: 'rejected', error: decision.reason, result: { stripeInvoiceId } };
  }
  const sibling = await findFinishedSibling(db, row, decision.idempotencyKey);
  if (sibling) {
    const { requested: _requested, ...siblingResult } = sibling.result ?? {};
    return {
      status: sibling.status as 'succeeded' | 'failed',
      error: sibling.error,
      result: { ...siblingResult, duplicateOf: sibling.id },
      duplicateOf: sibling.id,
    };
  }
  await storeIdempotencyKey(db, row, decision.idempotencyKey);
  return pay(context.billing, stripeInvoiceId, decision.idempotencyKey);
}
