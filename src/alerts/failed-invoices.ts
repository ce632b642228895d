/** Loads a customer's unpaid invoices that have a failed payment attempt, with the newest failure. */
import type { Db } from '../db/database';
import type { FailedInvoiceFacts } from './types';

interface InvoiceRow {
  stripe_invoice_id: string;
  status: string;
  currency: string;
  amount_remaining: string;
  attempt_count: number;
  next_payment_attempt: Date | null;
  collection_method: string | null;
  due_date: Date | null;
}

/**
 * Tells whether Stripe charges the invoice itself. An invoice stored without a collection method falls
 * back to its due date (set only on send_invoice invoices), then to the customer's subscriptions.
 */
function invoiceCollectsAutomatically(invoice: InvoiceRow, fallback: boolean): boolean {
  if (invoice.collection_method !== null) return invoice.collection_method === 'charge_automatically';
  return invoice.due_date === null ? fallback : false;
}

export async function loadFailedInvoices(
  db: Db,
  tenantId: string,
  customerId: string,
  fallbackCollectsAutomatically: boolean,
): Promise<FailedInvoiceFacts[]> {
  const invoices = await db
    .selectFrom('invoices')
    .select([
      'stripe_invoice_id',
      'status',
      'currency',
      'amount_remaining',
      'attempt_count',
      'next_payment_attempt',
      'collection_method',
      'due_date',
    ])
    .where('tenant_id', '=', tenantId)
    .where('customer_id', '=', customerId)
    .where('status', 'in', ['open', 'uncollectible'])
    .where('amount_remaining', '>', '0')
    .orderBy('invoice_created_at', (ob) => ob.desc().nullsLast())
    .orderBy('id', 'desc')
    .execute();
  if (invoices.length === 0) return [];

  const attempts = await db
    .selectFrom('payment_attempts')
    .select([
      'stripe_invoice_id',
      'decline_code',
      'advice_code',
      'failure_code',
      'failure_message',
      'card_brand',
      'card_last4',
    ])
    .where('tenant_id', '=', tenantId)
    .where('customer_id', '=', customerId)
    .where('status', '=', 'failed')
    .where(
      'stripe_invoice_id',
      'in',
      invoices.map((invoice) => invoice.stripe_invoice_id),
    )
    .orderBy('attempted_at', 'desc')
    .orderBy('id', 'desc')
    .execute();

  return invoices.flatMap((invoice) => {
    const attempt = attempts.find((row) => row.stripe_invoice_id === invoice.stripe_invoice_id);
    if (!attempt) return [];
    return [
      {
        stripeInvoiceId: invoice.stripe_invoice_id,
        status: invoice.status,
        amountRemainingMinor: Number(invoice.amount_remaining),
        currency: invoice.currency,
        attemptCount: invoice.attempt_count,
        nextPaymentAttempt: invoice.next_payment_attempt,
        collectsAutomatically: invoiceCollectsAutomatically(invoice, fallbackCollectsAutomatically),
        declineCode: attempt.decline_code,
        adviceCode: attempt.advice_code,
        failureCode: attempt.failure_code,
        failureMessage: attempt.failure_message,
        cardBrand: attempt.card_brand,
        cardLast4: attempt.card_last4,
      },
    ];
  });
}
