import type { Db } from '../db/database';
import type { InvoiceChange, LedgerChange, SubscriptionChange } from '../ledger/changes';
import { tenantHasActiveCrm } from '../tenants/tenants';
import {
  decideActivities,
  sourceKeyFor,
  type EventFacts,
  type PlannedActivity,
  type UnpaidInvoice,
} from './significant-events';

const PROVIDER = 'hubspot' as const;

/** Event types that can produce an activity; others return before any query. */
const SIGNIFICANT_TYPES = new Set([
  'invoice.payment_failed',
  'invoice.paid',
  'invoice.marked_uncollectible',
  'customer.subscription.deleted',
]);

export interface EventActivityInput {
  tenantId: string;
  eventId: string;
  eventType: string;
  /** Customers (row ids) the event touched. */
  customerIds: string[];
  changes: LedgerChange[];
  now: Date;
}

interface Customer {
  id: string;
  label: string;
}

async function findCustomer(
  trx: Db,
  input: EventActivityInput,
  stripeCustomerId: string,
): Promise<Customer | null> {
  const row = await trx
    .selectFrom('customers')
    .select(['id', 'name', 'stripe_customer_id'])
    .where('tenant_id', '=', input.tenantId)
    .where('stripe_customer_id', '=', stripeCustomerId)
    .executeTakeFirst();
  if (!row || !input.customerIds.includes(row.id)) return null;
  return { id: row.id, label: row.name ?? row.stripe_customer_id };
}

async function readDeclines(trx: Db, tenantId: string, invoice: InvoiceChange | null) {
  if (!invoice) return { decline: null, failedAttempts: 0 };
  const failed = await trx
    .selectFrom('payment_attempts')
    .select(['decline_code', 'advice_code', 'failure_code', 'failure_message'])
    .where('tenant_id', '=', tenantId)
    .where('stripe_invoice_id', '=', invoice.stripeInvoiceId)
    .where('status', '=', 'failed')
    .orderBy('attempted_at', 'desc')
    .execute();
  const latest = failed[0];
  const decline = latest
    ? {
        declineCode: latest.decline_code,
        adviceCode: latest.advice_code,
        failureCode: latest.failure_code,
        failureMessage: latest.failure_message,
      }
    : null;
  return { decline, failedAttempts: failed.length };
}

async function readUnpaidInvoice(
  trx: Db,
  tenantId: string,
  subscription: SubscriptionChange | null,
): Promise<UnpaidInvoice | null> {
  if (!subscription) return null;
  const row = await trx
    .selectFrom('invoices')
    .select(['stripe_invoice_id', 'number', 'amount_remaining', 'currency'])
    .where('tenant_id', '=', tenantId)
    .where('stripe_subscription_id', '=', subscription.stripeSubscriptionId)
    .where('status', 'in', ['open', 'uncollectible'])
    .where('amount_remaining', '>', '0')
    .orderBy('invoice_created_at', 'desc')
    .executeTakeFirst();
  if (!row) return null;
  return {
    label: row.number ?? row.stripe_invoice_id,
    amountRemaining: Number(row.amount_remaining),
    currency: row.currency,
  };
}

async function insertActivities(
  trx: Db,
  input: EventActivityInput,
  customerId: string,
  planned: PlannedActivity[],
): Promise<string[]> {
  if (planned.length === 0) return [];
  const rows = await trx
    .insertInto('crm_activities')
    .values(
      planned.map((activity) => ({
        tenant_id: input.tenantId,
        customer_id: customerId,
        provider: PROVIDER,
        kind: activity.kind,
        source_key: sourceKeyFor(input.eventId, activity.purpose),
        title: activity.title,
        body: activity.body,
        due_at: activity.dueAt,
      })),
    )
    .onConflict((conflict) => conflict.columns(['tenant_id', 'provider', 'source_key', 'kind']).doNothing())
    .returning('id')
    .execute();
  return rows.map((row) => row.id);
}

/**
 * Inserts the notes and tasks a processed Stripe event calls for and returns the ids of the new rows;
 * a replayed event inserts nothing. Call it inside the event's transaction after the ledger changes
 * are applied, and enqueue the ids after commit. Tenants without an active HubSpot connection get none.
 */
export async function planActivitiesForEvent(trx: Db, input: EventActivityInput): Promise<string[]> {
  if (!SIGNIFICANT_TYPES.has(input.eventType)) return [];
  const invoice = input.changes.find((change): change is InvoiceChange => change.kind === 'invoice') ?? null;
  const subscription =
    input.changes.find((change): change is SubscriptionChange => change.kind === 'subscription') ?? null;
  const stripeCustomerId = invoice?.stripeCustomerId ?? subscription?.stripeCustomerId;
  if (!stripeCustomerId) return [];
  if (!(await tenantHasActiveCrm(trx, input.tenantId, PROVIDER))) return [];
  const customer = await findCustomer(trx, input, stripeCustomerId);
  if (!customer) return [];

  const facts: EventFacts = {
    eventId: input.eventId,
    eventType: input.eventType,
    customerLabel: customer.label,
    invoice,
    subscription,
    ...(await readDeclines(trx, input.tenantId, invoice)),
    unpaidInvoice: await readUnpaidInvoice(trx, input.tenantId, subscription),
  };
  return insertActivities(trx, input, customer.id, decideActivities(facts, input.now));
}

export interface ActionActivity {
  tenantId: string;
  customerId: string;
  /** The action's own id, such as `card_action:<id>:succeeded`; one note per key. */
  sourceKey: string;
  title: string;
  body: string;
}

/**
 * Inserts a pending note for a CSM action and returns its row id, or the existing row's id when the
 * key was recorded before. Returns null when the tenant has no HubSpot connection at all, because
 * such a row could never be written.
 */
export async function recordActionActivity(db: Db, activity: ActionActivity): Promise<string | null> {
  const connection = await db
    .selectFrom('crm_connections')
    .select('id')
    .where('tenant_id', '=', activity.tenantId)
    .where('provider', '=', PROVIDER)
    .executeTakeFirst();
  if (!connection) return null;
  const key = {
    tenant_id: activity.tenantId,
    provider: PROVIDER,
    source_key: activity.sourceKey,
    kind: 'note' as const,
  };
  const inserted = await db
    .insertInto('crm_activities')
    .values({ ...key, customer_id: activity.customerId, title: activity.title, body: activity.body })
    .onConflict((conflict) => conflict.columns(['tenant_id', 'provider', 'source_key', 'kind']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return inserted.id;
  const existing = await db
    .selectFrom('crm_activities')
    .select('id')
    .where('tenant_id', '=', key.tenant_id)
    .where('provider', '=', key.provider)
    .where('source_key', '=', key.source_key)
    .where('kind', '=', key.kind)
    .executeTakeFirstOrThrow();
  return existing.id;
}
