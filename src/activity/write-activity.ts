import { UnrecoverableError } from 'bullmq';
import type { Logger } from 'pino';
import { HubSpotError } from '../../integrations/hubspot/errors';
import type { Db } from '../db/database';
import type { CrmActivityLog } from './activity-log';

/** An active CRM connection, opened for one job. */
export interface OpenConnection {
  id: string;
  accessToken: string;
  /** The HubSpot account id, which keys the shared rate limit. */
  portalId: string;
}

export interface WriteActivityDeps {
  db: Db;
  log: Logger;
  now: () => Date;
  /** Returns the connection's tokens unsealed, or null when the tenant has no active connection. */
  openConnection: (tenantId: string, provider: string) => Promise<OpenConnection | null>;
  activityLogFor: (connection: OpenConnection) => CrmActivityLog;
}

export type WriteOutcome =
  | 'written'
  | 'already_done'
  | 'not_found'
  | 'waiting_for_connection'
  | 'skipped'
  | 'waiting_for_match'
  | 'failed';

type ActivityRow = Awaited<ReturnType<typeof loadActivity>>;

function loadActivity(db: Db, id: string) {
  return db.selectFrom('crm_activities').selectAll().where('id', '=', id).executeTakeFirst();
}

async function findCompanyId(db: Db, row: NonNullable<ActivityRow>): Promise<string | null> {
  const link = await db
    .selectFrom('crm_links')
    .select('record_id')
    .where('tenant_id', '=', row.tenant_id)
    .where('provider', '=', row.provider as 'hubspot')
    .where('customer_id', '=', row.customer_id)
    .executeTakeFirst();
  return link?.record_id ?? null;
}

/** True while the CRM sync has not yet decided which company, if any, the customer belongs to. */
async function matchPending(db: Db, row: NonNullable<ActivityRow>): Promise<boolean> {
  const state = await db
    .selectFrom('crm_sync_state')
    .select(['match_status', 'dirty_since'])
    .where('tenant_id', '=', row.tenant_id)
    .where('provider', '=', row.provider as 'hubspot')
    .where('customer_id', '=', row.customer_id)
    .executeTakeFirst();
  return !state || state.match_status === 'pending' || state.dirty_since !== null;
}

/** Counts the attempt before any request, so a crash after HubSpot's create still leaves a trace. */
async function countAttempt(db: Db, id: string): Promise<void> {
  await db
    .updateTable('crm_activities')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', id)
    .execute();
}

interface FinalState {
  status: 'written' | 'failed' | 'skipped';
  crm_record_id?: string;
  last_error?: string | null;
  written_at?: Date;
}

/** Moves a pending row to its final state; a row finished meanwhile is left as it is. */
async function finish(db: Db, id: string, update: FinalState): Promise<void> {
  await db
    .updateTable('crm_activities')
    .set(update)
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .execute();
}

/**
 * Replaces the Stripe customer id in the title and body with the customer's name when the name arrived
 * after the activity was planned (a failure can be projected before `customer.created`).
 */
async function withCustomerName(db: Db, row: NonNullable<ActivityRow>): Promise<NonNullable<ActivityRow>> {
  const customer = await db
    .selectFrom('customers')
    .select(['stripe_customer_id', 'name'])
    .where('id', '=', row.customer_id)
    .executeTakeFirst();
  if (!customer?.name) return row;
  const rename = (text: string) => text.split(customer.stripe_customer_id).join(customer.name!);
  return { ...row, title: rename(row.title), body: rename(row.body) };
}

async function createOrFind(
  activityLog: CrmActivityLog,
  row: NonNullable<ActivityRow>,
  recordId: string,
): Promise<string> {
  const timestamp = row.kind === 'task' ? (row.due_at ?? row.created_at) : row.created_at;
  // A row attempted before may have been created at HubSpot just before a crash, so look for it first.
  if (row.attempts > 0) {
    const lookup = { kind: row.kind, recordId, sourceKey: row.source_key, timestamp };
    const existing = await activityLog.findActivity(lookup);
    if (existing) return existing;
  }
  const content = { recordId, title: row.title, body: row.body, sourceKey: row.source_key };
  if (row.kind === 'task') return activityLog.writeTask({ ...content, dueAt: timestamp });
  return activityLog.writeNote({ ...content, occurredAt: timestamp });
}

/**
 * Writes one pending crm_activities row to the CRM and stores the CRM record id. A row that is no
 * longer pending is left alone, so a repeated job sends nothing. Retryable HubSpot errors are rethrown
 * for BullMQ to retry; other HubSpot errors mark the row `failed`. A customer without a linked company
 * marks it `skipped` once the CRM sync has settled its match. Until then, and for a tenant without an
 * active connection, the row stays pending.
 */
export async function writeCrmActivity(
  deps: WriteActivityDeps,
  crmActivityId: string,
): Promise<WriteOutcome> {
  const row = await loadActivity(deps.db, crmActivityId);
  if (!row) return 'not_found';
  if (row.status !== 'pending') return 'already_done';
  const log = deps.log.child({
    module: 'crm-activities',
    tenantId: row.tenant_id,
    crmActivityId,
    kind: row.kind,
  });

  const connection = await deps.openConnection(row.tenant_id, row.provider);
  if (!connection) {
    log.info('no active CRM connection; activity stays pending');
    return 'waiting_for_connection';
  }
  const recordId = await findCompanyId(deps.db, row);
  if (!recordId && (await matchPending(deps.db, row))) {
    // The next CRM flush decides the company; it enqueues this row again afterwards.
    log.info('company match not settled yet; activity stays pending');
    return 'waiting_for_match';
  }
  if (!recordId) {
    const reason = `customer ${row.customer_id} is not linked to a CRM company`;
    await finish(deps.db, row.id, { status: 'skipped', last_error: reason });
    log.info({ outcome: 'skipped' }, 'customer not linked to a company; activity skipped');
    return 'skipped';
  }

  await countAttempt(deps.db, row.id);
  try {
    const named = await withCustomerName(deps.db, row);
    const crmRecordId = await createOrFind(deps.activityLogFor(connection), named, recordId);
    await finish(deps.db, row.id, {
      status: 'written',
      crm_record_id: crmRecordId,
      last_error: null,
      written_at: deps.now(),
    });
    log.info({ outcome: 'written', crmRecordId }, 'CRM activity written');
    return 'written';
  } catch (error) {
    return handleFailure(deps, row.id, connection, log, error);
  }
}

async function handleFailure(
  deps: WriteActivityDeps,
  id: string,
  connection: OpenConnection,
  log: Logger,
  error: unknown,
): Promise<WriteOutcome> {
  if (!(error instanceof HubSpotError)) throw error;
  const lastError = `${error.code}: ${error.message}`;
  if (error.retryable) {
    await deps.db.updateTable('crm_activities').set({ last_error: lastError }).where('id', '=', id).execute();
    log.warn({ code: error.code }, 'CRM activity write failed; the job will retry');
    throw error;
  }
  if (error.code === 'hubspot_unauthorized') {
    // The row stays pending, so it is written once an admin re-authorizes the app.
    await deps.db
      .updateTable('crm_connections')
      .set({ status: 'needs_reauth', updated_at: deps.now() })
      .where('id', '=', connection.id)
      .execute();
    log.error({ code: error.code }, 'HubSpot rejected the token; connection needs re-authorization');
    throw new UnrecoverableError(error.message);
  }
  await finish(deps.db, id, { status: 'failed', last_error: lastError });
  log.error({ code: error.code, status: error.status }, 'CRM activity rejected by HubSpot; marked failed');
  return 'failed';
}
