import { sql } from 'kysely';
import type { Db } from '../db/database';
import type {
  ChangeSource,
  CustomerChange,
  InvoiceChange,
  PaymentMethodChange,
  SubscriptionChange,
} from './changes';
import { inSet, overwriteRule } from './version-rule';

/** The tenant, internal customer id and event behind one write. */
export interface WriteContext {
  tenantId: string;
  customerId: string;
  source: ChangeSource;
}

function versionColumns(source: ChangeSource) {
  return { source_version: source.createdSeconds, source_event_id: source.eventId };
}

/** Stripe deletes a customer permanently, so `deleted` is terminal like a canceled subscription. */
export async function upsertCustomer(
  trx: Db,
  tenantId: string,
  change: CustomerChange,
  source: ChangeSource,
) {
  await trx
    .insertInto('customers')
    .values({
      tenant_id: tenantId,
      stripe_customer_id: change.stripeCustomerId,
      email: change.email,
      name: change.name,
      currency: change.currency,
      delinquent: change.delinquent,
      deleted: change.deleted,
      default_payment_method_id: change.defaultPaymentMethodId,
      ...versionColumns(source),
    })
    .onConflict((conflict) =>
      conflict
        .columns(['tenant_id', 'stripe_customer_id'])
        .doUpdateSet((eb) => ({
          email: eb.ref('excluded.email'),
          name: eb.ref('excluded.name'),
          currency: eb.ref('excluded.currency'),
          delinquent: eb.ref('excluded.delinquent'),
          deleted: eb.ref('excluded.deleted'),
          default_payment_method_id: eb.ref('excluded.default_payment_method_id'),
          source_version: eb.ref('excluded.source_version'),
          source_event_id: eb.ref('excluded.source_event_id'),
          updated_at: sql`now()`,
        }))
        .where(overwriteRule('customers', sql`customers.deleted`, sql`excluded.deleted`)),
    )
    .execute();
}

const terminalSubscriptionStatuses = ['canceled', 'incomplete_expired'];

export async function upsertSubscription(trx: Db, context: WriteContext, change: SubscriptionChange) {
  await trx
    .insertInto('subscriptions')
    .values({
      tenant_id: context.tenantId,
      customer_id: context.customerId,
      stripe_subscription_id: change.stripeSubscriptionId,
      status: change.status,
      currency: change.currency,
      mrr_minor: change.mrrMinor,
      current_period_end: change.currentPeriodEnd,
      cancel_at_period_end: change.cancelAtPeriodEnd,
      canceled_at: change.canceledAt,
      ended_at: change.endedAt,
      started_at: change.startedAt,
      collection_method: change.collectionMethod,
      default_payment_method_id: change.defaultPaymentMethodId,
      ...versionColumns(context.source),
    })
    .onConflict((conflict) =>
      conflict
        .columns(['tenant_id', 'stripe_subscription_id'])
        .doUpdateSet((eb) => ({
          customer_id: eb.ref('excluded.customer_id'),
          status: eb.ref('excluded.status'),
          currency: eb.ref('excluded.currency'),
          mrr_minor: eb.ref('excluded.mrr_minor'),
          current_period_end: eb.ref('excluded.current_period_end'),
          cancel_at_period_end: eb.ref('excluded.cancel_at_period_end'),
          canceled_at: eb.ref('excluded.canceled_at'),
          ended_at: eb.ref('excluded.ended_at'),
          started_at: eb.ref('excluded.started_at'),
          collection_method: eb.ref('excluded.collection_method'),
          default_payment_method_id: eb.ref('excluded.default_payment_method_id'),
          source_version: eb.ref('excluded.source_version'),
          source_event_id: eb.ref('excluded.source_event_id'),
          updated_at: sql`now()`,
        }))
        .where(
          overwriteRule(
            'subscriptions',
            inSet(sql`subscriptions.status`, terminalSubscriptionStatuses),
            inSet(sql`excluded.status`, terminalSubscriptionStatuses),
          ),
        ),
    )
    .execute();
}

/** `uncollectible` is not terminal: Stripe still lets a customer pay such an invoice. */
const terminalInvoiceStatuses = ['paid', 'void'];

/**
 * Adds the invoice's payment ids and fills the invoice id of attempts made with them. It runs for every
 * event, older ones too: a union of ids is the same in any delivery order.
 */
async function linkInvoicePayments(trx: Db, context: WriteContext, change: InvoiceChange): Promise<void> {
  if (change.paymentRefs.length === 0) return;
  const refs = sql`${sql.val(change.paymentRefs)}::text[]`;
  await trx
    .updateTable('invoices')
    .set({ payment_refs: sql`array(SELECT DISTINCT unnest(payment_refs || ${refs}) ORDER BY 1)` })
    .where('tenant_id', '=', context.tenantId)
    .where('stripe_invoice_id', '=', change.stripeInvoiceId)
    .execute();
  await trx
    .updateTable('payment_attempts')
    .set({ stripe_invoice_id: change.stripeInvoiceId })
    .where('tenant_id', '=', context.tenantId)
    .where('stripe_invoice_id', 'is', null)
    .where((eb) =>
      eb.or([
        eb('stripe_charge_id', '=', sql<string>`ANY(${refs})`),
        eb('stripe_payment_intent_id', '=', sql<string>`ANY(${refs})`),
      ]),
    )
    .execute();
}

export async function upsertInvoice(trx: Db, context: WriteContext, change: InvoiceChange) {
  await upsertInvoiceRow(trx, context, change);
  await linkInvoicePayments(trx, context, change);
}

async function upsertInvoiceRow(trx: Db, context: WriteContext, change: InvoiceChange) {
  await trx
    .insertInto('invoices')
    .values({
      tenant_id: context.tenantId,
      customer_id: context.customerId,
      stripe_invoice_id: change.stripeInvoiceId,
      stripe_subscription_id: change.stripeSubscriptionId,
      number: change.number,
      status: change.status,
      currency: change.currency,
      amount_due: change.amountDue,
      amount_paid: change.amountPaid,
      amount_remaining: change.amountRemaining,
      attempt_count: change.attemptCount,
      invoice_created_at: change.createdAt,
      due_date: change.dueDate,
      paid_at: change.paidAt,
      next_payment_attempt: change.nextPaymentAttempt,
      hosted_invoice_url: change.hostedInvoiceUrl,
      collection_method: change.collectionMethod,
      ...versionColumns(context.source),
    })
    .onConflict((conflict) =>
      conflict
        .columns(['tenant_id', 'stripe_invoice_id'])
        .doUpdateSet((eb) => ({
          customer_id: eb.ref('excluded.customer_id'),
          stripe_subscription_id: eb.ref('excluded.stripe_subscription_id'),
          number: eb.ref('excluded.number'),
          status: eb.ref('excluded.status'),
          currency: eb.ref('excluded.currency'),
          amount_due: eb.ref('excluded.amount_due'),
          amount_paid: eb.ref('excluded.amount_paid'),
          amount_remaining: eb.ref('excluded.amount_remaining'),
          attempt_count: eb.ref('excluded.attempt_count'),
          invoice_created_at: eb.ref('excluded.invoice_created_at'),
          due_date: eb.ref('excluded.due_date'),
          paid_at: eb.ref('excluded.paid_at'),
          next_payment_attempt: eb.ref('excluded.next_payment_attempt'),
          hosted_invoice_url: eb.ref('excluded.hosted_invoice_url'),
          collection_method: eb.ref('excluded.collection_method'),
          source_version: eb.ref('excluded.source_version'),
          source_event_id: eb.ref('excluded.source_event_id'),
          updated_at: sql`now()`,
        }))
        .where(
          overwriteRule(
            'invoices',
            inSet(sql`invoices.status`, terminalInvoiceStatuses),
            inSet(sql`excluded.status`, terminalInvoiceStatuses),
          ),
        ),
    )
    .execute();
}

/** Stripe makes detaching permanent: a detached payment method cannot be attached again, so detached is terminal. */
export async function upsertPaymentMethod(trx: Db, context: WriteContext, change: PaymentMethodChange) {
  await trx
    .insertInto('payment_methods')
    .values({
      tenant_id: context.tenantId,
      customer_id: context.customerId,
      stripe_payment_method_id: change.stripePaymentMethodId,
      type: change.type,
      card_brand: change.cardBrand,
      card_last4: change.cardLast4,
      exp_month: change.expMonth,
      exp_year: change.expYear,
      detached: change.detached,
      ...versionColumns(context.source),
    })
    .onConflict((conflict) =>
      conflict
        .columns(['tenant_id', 'stripe_payment_method_id'])
        .doUpdateSet((eb) => ({
          customer_id: eb.ref('excluded.customer_id'),
          type: eb.ref('excluded.type'),
          card_brand: eb.ref('excluded.card_brand'),
          card_last4: eb.ref('excluded.card_last4'),
          exp_month: eb.ref('excluded.exp_month'),
          exp_year: eb.ref('excluded.exp_year'),
          detached: eb.ref('excluded.detached'),
          source_version: eb.ref('excluded.source_version'),
          source_event_id: eb.ref('excluded.source_event_id'),
        }))
        .where(overwriteRule('payment_methods', sql`payment_methods.detached`, sql`excluded.detached`)),
    )
    .execute();
}
