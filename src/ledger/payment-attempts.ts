import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/database';
import type { PaymentAttemptChange, PaymentAttemptStatus } from './changes';
import type { WriteContext } from './upserts';
import { incomingIsNewer } from './version-rule';

/** Columns that one source may leave null while another source of the same attempt fills them. */
const mergedColumns = [
  'stripe_charge_id',
  'stripe_payment_intent_id',
  'stripe_invoice_id',
  'failure_code',
  'failure_message',
  'decline_code',
  'advice_code',
  'network_decline_code',
  'network_advice_code',
  'outcome_type',
  'card_brand',
  'card_last4',
] as const;

type MergedColumn = (typeof mergedColumns)[number];

/**
 * Merges one nullable column. A charge event and a PaymentIntent event of one attempt carry
 * different halves of the decline data, so the newer source's value wins and the older one fills a null.
 * NOTE: the row keeps one version for all columns, so when two sources carry different non-null
 * values for a column and a newer third source leaves it null, the result depends on delivery
 * order. The charge and its PaymentIntent normally carry the same codes.
 */
function mergeColumn(column: MergedColumn, newer: RawBuilder<boolean>): RawBuilder<unknown> {
  const stored = sql.ref(`payment_attempts.${column}`);
  const incoming = sql.ref(`excluded.${column}`);
  return sql`CASE WHEN ${newer} THEN COALESCE(${incoming}, ${stored}) ELSE COALESCE(${stored}, ${incoming}) END`;
}

function newestValue<T>(column: string, newer: RawBuilder<boolean>): RawBuilder<T> {
  const stored = sql.ref(`payment_attempts.${column}`);
  const incoming = sql.ref(`excluded.${column}`);
  return sql<T>`CASE WHEN ${newer} THEN ${incoming} ELSE ${stored} END`;
}

/**
 * Picks the status of the newest source, except that `succeeded` is terminal: a charge that
 * succeeded stays succeeded whatever order its failed and succeeded events arrive in.
 */
function mergedStatus(newer: RawBuilder<boolean>): RawBuilder<PaymentAttemptStatus> {
  return sql<PaymentAttemptStatus>`CASE
    WHEN payment_attempts.status = 'succeeded' OR excluded.status = 'succeeded' THEN 'succeeded'
    WHEN ${newer} THEN excluded.status
    ELSE payment_attempts.status END`;
}

/** Inserts or merges a payment attempt on (tenant_id, attempt_key); every rule is order-independent. */
export async function upsertPaymentAttempt(trx: Db, context: WriteContext, change: PaymentAttemptChange) {
  await upsertAttemptRow(trx, context, change);
  if (change.stripeInvoiceId === null) await linkToInvoice(trx, context, change.attemptKey);
}

/** Fills the invoice id from an invoice that lists this attempt's charge or PaymentIntent (2025+ shapes). */
async function linkToInvoice(trx: Db, context: WriteContext, attemptKey: string): Promise<void> {
  await sql`
    UPDATE payment_attempts AS attempt
    SET stripe_invoice_id = invoice.stripe_invoice_id
    FROM invoices AS invoice
    WHERE attempt.tenant_id = ${context.tenantId}
      AND attempt.attempt_key = ${attemptKey}
      AND attempt.stripe_invoice_id IS NULL
      AND invoice.tenant_id = attempt.tenant_id
      AND (attempt.stripe_charge_id = ANY(invoice.payment_refs)
        OR attempt.stripe_payment_intent_id = ANY(invoice.payment_refs))`.execute(trx);
}

async function upsertAttemptRow(trx: Db, context: WriteContext, change: PaymentAttemptChange) {
  const newer = incomingIsNewer('payment_attempts');
  const merged = Object.fromEntries(mergedColumns.map((column) => [column, mergeColumn(column, newer)]));
  await trx
    .insertInto('payment_attempts')
    .values({
      tenant_id: context.tenantId,
      customer_id: context.customerId,
      attempt_key: change.attemptKey,
      stripe_charge_id: change.stripeChargeId,
      stripe_payment_intent_id: change.stripePaymentIntentId,
      stripe_invoice_id: change.stripeInvoiceId,
      status: change.status,
      amount: change.amount,
      currency: change.currency,
      failure_code: change.failureCode,
      failure_message: change.failureMessage,
      decline_code: change.declineCode,
      advice_code: change.adviceCode,
      network_decline_code: change.networkDeclineCode,
      network_advice_code: change.networkAdviceCode,
      outcome_type: change.outcomeType,
      card_brand: change.cardBrand,
      card_last4: change.cardLast4,
      attempted_at: change.attemptedAt,
      source_version: context.source.createdSeconds,
      source_event_id: context.source.eventId,
    })
    .onConflict((conflict) =>
      conflict.columns(['tenant_id', 'attempt_key']).doUpdateSet({
        ...merged,
        customer_id: sql`excluded.customer_id`,
        status: mergedStatus(newer),
        amount: newestValue<number>('amount', newer),
        currency: newestValue<string>('currency', newer),
        // The charge's creation time is the attempt time. A PaymentIntent event without its charge
        // carries only the later event time, so the earliest one wins.
        attempted_at: sql`LEAST(payment_attempts.attempted_at, excluded.attempted_at)`,
        source_version: newestValue<number>('source_version', newer),
        source_event_id: newestValue<string>('source_event_id', newer),
      }),
    )
    .execute();
}
