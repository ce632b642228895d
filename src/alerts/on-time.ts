/**
 * The on-time payment streak behind the expansion signal: consecutive paid invoices, newest first,
 * that were paid on time. An automatically charged invoice is on time when its first attempt
 * succeeded; a sent invoice is on time when it was paid by its due date.
 */
import type { Db } from '../db/database';

// Enough paid invoices for five years of monthly billing, the largest minOnTimeMonths allowed.
const maxInvoicesRead = 60;

export interface PaidInvoice {
  createdAt: Date | null;
  paidAt: Date | null;
  dueDate: Date | null;
  attemptCount: number;
}

export interface OnTimeStreak {
  months: number;
  since: Date | null;
}

export function paidOnTime(invoice: PaidInvoice): boolean {
  if (invoice.dueDate === null) return invoice.attemptCount <= 1;
  return invoice.paidAt !== null && invoice.paidAt <= invoice.dueDate;
}

/** Whole calendar months from `since` to `now`, counted in UTC. */
export function wholeMonthsBetween(since: Date, now: Date): number {
  const months =
    (now.getUTCFullYear() - since.getUTCFullYear()) * 12 + now.getUTCMonth() - since.getUTCMonth();
  return now.getUTCDate() < since.getUTCDate() ? months - 1 : months;
}

/** Computes the streak from paid invoices given newest first; an overdue unpaid invoice breaks it. */
export function streakOf(paidNewestFirst: PaidInvoice[], hasOverdue: boolean, now: Date): OnTimeStreak {
  if (hasOverdue) return { months: 0, since: null };
  let since: Date | null = null;
  for (const invoice of paidNewestFirst) {
    if (!paidOnTime(invoice) || invoice.createdAt === null) break;
    since = invoice.createdAt;
  }
  return since ? { months: Math.max(0, wholeMonthsBetween(since, now)), since } : { months: 0, since: null };
}

export async function onTimeStreak(
  db: Db,
  tenantId: string,
  customerId: string,
  now: Date,
): Promise<OnTimeStreak> {
  const paid = await db
    .selectFrom('invoices')
    .select(['invoice_created_at', 'paid_at', 'due_date', 'attempt_count'])
    .where('tenant_id', '=', tenantId)
    .where('customer_id', '=', customerId)
    .where('status', '=', 'paid')
    .orderBy('invoice_created_at', (ob) => ob.desc().nullsLast())
    .limit(maxInvoicesRead)
    .execute();
  const overdue = await db
    .selectFrom('invoices')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('customer_id', '=', customerId)
    .where('status', 'in', ['open', 'uncollectible'])
    .where('amount_remaining', '>', '0')
    .where((eb) => eb(eb.fn.coalesce('due_date', 'invoice_created_at'), '<', now))
    .executeTakeFirst();
  const invoices = paid.map((row) => ({
    createdAt: row.invoice_created_at,
    paidAt: row.paid_at,
    dueDate: row.due_date,
    attemptCount: row.attempt_count,
  }));
  return streakOf(invoices, overdue !== undefined, now);
}
