/**
 * The CRM sync job: writes the latest state of every customer marked dirty to its HubSpot
 * company, in batches of at most 100, and records each customer's outcome in crm_sync_state.
 */
import type { Logger } from 'pino';
import { HUBSPOT_BATCH_LIMIT, type HubSpotCrm } from '../../integrations/hubspot/crm';
import { HubSpotError } from '../../integrations/hubspot/errors';
import {
  loadCompanyClaims,
  matchCompanies,
  storeCrmLinks,
  type MatchCandidate,
} from '../../integrations/hubspot/match';
import type { Db } from '../db/database';
import type { TenantSettings } from '../db/schema';
import { planHubSpotWrites, type CompanyConflict } from './hubspot-plan';
import { sendCreations, sendUpdates } from './hubspot-writes';
import { loadSyncViews } from './sync-views';
import { claimDirtyRows, finishRow, releaseRows, type ClaimedRow, type RowOutcome } from './sync-state';

export { markCrmDirty } from './sync-state';

export interface FlushDeps {
  db: Db;
  crm: HubSpotCrm;
  log: Logger;
  now: () => Date;
}

export interface FlushResult {
  written: number;
  created: number;
  unchanged: number;
  unmatched: number;
  failed: number;
  conflicts: CompanyConflict[];
  /** Calls made through HubSpotCrm. The adapter's own retries are not counted. */
  requests: number;
}

/** Counts calls through the HubSpotCrm interface. */
function countingCrm(crm: HubSpotCrm, result: FlushResult): HubSpotCrm {
  return new Proxy(crm, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        result.requests += 1;
        return value.apply(target, args);
      };
    },
  });
}

/**
 * Flushes every row marked before the flush started. Rows marked later wait for the next flush.
 * A retryable HubSpot failure puts the batch's unfinished rows back and rethrows, so the queue
 * retries the job. `hubspot_unauthorized` also puts them back and throws a non-retryable error.
 */
export async function flushHubSpotSync(
  deps: FlushDeps,
  tenant: { id: string; settings: TenantSettings },
): Promise<FlushResult> {
  const result: FlushResult = {
    written: 0,
    created: 0,
    unchanged: 0,
    unmatched: 0,
    failed: 0,
    conflicts: [],
    requests: 0,
  };
  const startedAt = deps.now();
  const log = deps.log.child({ tenantId: tenant.id, provider: 'hubspot' });
  const crm = countingCrm(deps.crm, result);
  for (;;) {
    const rows = await claimDirtyRows(deps.db, tenant.id, 'hubspot', startedAt, HUBSPOT_BATCH_LIMIT);
    if (rows.length === 0) break;
    await flushBatch({ ...deps, crm, log }, tenant, rows, result);
  }
  log.info({ ...result, conflicts: result.conflicts.length }, 'HubSpot sync flushed');
  return result;
}

async function flushBatch(
  deps: FlushDeps,
  tenant: { id: string; settings: TenantSettings },
  rows: ClaimedRow[],
  result: FlushResult,
): Promise<void> {
  const outcomes = new Map<string, RowOutcome>();
  try {
    await planAndSend(deps, tenant, rows, result, outcomes);
  } catch (error) {
    await finishRows(deps, rows, outcomes);
    const unfinished = rows.filter((row) => !outcomes.has(row.customerId));
    const message = error instanceof Error ? error.message : String(error);
    await releaseRows(deps.db, unfinished, message);
    deps.log.warn(
      { err: message, released: unfinished.length },
      'HubSpot sync batch failed, rows left dirty',
    );
    if (error instanceof HubSpotError && error.code === 'hubspot_unauthorized') {
      throw new HubSpotError('hubspot_unauthorized', `HubSpot rejected the access token: ${message}`, {
        status: error.status,
        correlationId: error.correlationId,
        retryable: false,
        cause: error,
      });
    }
    throw error;
  }
  await finishRows(deps, rows, outcomes);
}

async function planAndSend(
  deps: FlushDeps,
  tenant: { id: string; settings: TenantSettings },
  rows: ClaimedRow[],
  result: FlushResult,
  outcomes: Map<string, RowOutcome>,
): Promise<void> {
  const customerIds = rows.map((row) => row.customerId);
  const views = await loadSyncViews(deps.db, tenant.id, customerIds, deps.now());
  const found = new Set(views.map((view) => view.customerId));
  // A deleted or unknown customer has nothing to write.
  for (const id of customerIds.filter((id) => !found.has(id))) outcomes.set(id, { matchStatus: 'pending' });

  const candidates: MatchCandidate[] = views.map((view) => ({
    customerId: view.customerId,
    billingCustomerId: view.billingCustomerId,
    domain: view.emailDomain,
  }));
  const { matches, unmatched } = await matchCompanies(deps.db, deps.crm, tenant.id, candidates);
  const otherClaims = await loadCompanyClaims(
    deps.db,
    tenant.id,
    matches.map((m) => m.companyId),
    customerIds,
  );
  const plan = planHubSpotWrites({
    views,
    rows,
    matches,
    otherClaims,
    unmatched,
    createCompanies: tenant.settings.createCrmCompanies === true,
  });
  await storeCrmLinks(deps.db, tenant.id, plan.links);

  for (const update of plan.unchanged) outcomes.set(update.customerId, { matchStatus: 'matched' });
  for (const id of plan.unmatched) outcomes.set(id, { matchStatus: 'unmatched' });
  for (const conflict of plan.conflicts) {
    const error = `company ${conflict.companyId} is written for customer ${conflict.keptForCustomerId}`;
    outcomes.set(conflict.customerId, { matchStatus: 'pending', error });
  }
  result.unchanged += plan.unchanged.length;
  result.unmatched += plan.unmatched.length;
  result.conflicts.push(...plan.conflicts);

  const updated = await sendUpdates(deps.crm, plan.updates, outcomes, deps.log);
  const created = await sendCreations(deps.db, deps.crm, tenant.id, plan.creations, outcomes, deps.log);
  result.written += updated.written;
  result.created += created.created;
  result.written += created.written;
  result.failed += updated.failed + created.failed;
}

async function finishRows(
  deps: FlushDeps,
  rows: ClaimedRow[],
  outcomes: Map<string, RowOutcome>,
): Promise<void> {
  const now = deps.now();
  for (const row of rows) {
    const outcome = outcomes.get(row.customerId);
    if (outcome) await finishRow(deps.db, row, outcome, now);
  }
}
