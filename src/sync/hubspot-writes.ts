/** Sends planned company writes and turns HubSpot's per-input results into row outcomes. */
import type { Logger } from 'pino';
import { HUBSPOT_BATCH_LIMIT, type BatchInputError, type HubSpotCrm } from '../../integrations/hubspot/crm';
import { HubSpotError } from '../../integrations/hubspot/errors';
import { chunk, storeCrmLinks } from '../../integrations/hubspot/match';
import { BILLING_CUSTOMER_ID_PROPERTY } from '../../migrations/crm/hubspot-company-properties';
import type { Db } from '../db/database';
import type { PlannedCreation, PlannedUpdate } from './hubspot-plan';
import type { RowOutcome } from './sync-state';

export interface WriteCounts {
  written: number;
  created: number;
  failed: number;
}

/** Returns the error that names `id`, else the first error that names no input. */
export function errorFor(id: string, errors: BatchInputError[]): BatchInputError | undefined {
  return errors.find((error) => error.ids.includes(id)) ?? errors.find((error) => error.ids.length === 0);
}

function describe(error: BatchInputError | undefined): string {
  return error ? `${error.category}: ${error.message}` : 'HubSpot returned no result for this input';
}

/**
 * Sends batch updates. A batch that HubSpot rejects whole with 400 is split in halves until the
 * invalid input is alone in its call, so one bad record does not block the other 99.
 */
export async function sendUpdates(
  crm: HubSpotCrm,
  updates: PlannedUpdate[],
  outcomes: Map<string, RowOutcome>,
  log: Logger,
): Promise<WriteCounts> {
  const counts: WriteCounts = { written: 0, created: 0, failed: 0 };
  for (const part of chunk(updates, HUBSPOT_BATCH_LIMIT))
    await sendUpdateBatch(crm, part, outcomes, counts, log);
  return counts;
}

async function sendUpdateBatch(
  crm: HubSpotCrm,
  updates: PlannedUpdate[],
  outcomes: Map<string, RowOutcome>,
  counts: WriteCounts,
  log: Logger,
): Promise<void> {
  let answer;
  try {
    answer = await crm.batchUpdateCompanies(
      updates.map((update) => ({ id: update.companyId, properties: update.properties })),
    );
  } catch (error) {
    if (!(error instanceof HubSpotError) || error.code !== 'hubspot_bad_request') throw error;
    if (updates.length === 1) {
      const [update] = updates as [PlannedUpdate];
      recordFailure(update.customerId, update.companyId, error.message, outcomes, counts, log);
      return;
    }
    const half = Math.ceil(updates.length / 2);
    await sendUpdateBatch(crm, updates.slice(0, half), outcomes, counts, log);
    await sendUpdateBatch(crm, updates.slice(half), outcomes, counts, log);
    return;
  }
  const stored = new Set(answer.results.map((company) => company.id));
  for (const update of updates) {
    if (stored.has(update.companyId)) {
      outcomes.set(update.customerId, { matchStatus: 'matched', properties: update.properties });
      counts.written += 1;
    } else {
      const message = describe(errorFor(update.companyId, answer.errors));
      recordFailure(update.customerId, update.companyId, message, outcomes, counts, log);
    }
  }
}

function recordFailure(
  customerId: string,
  companyId: string | null,
  message: string,
  outcomes: Map<string, RowOutcome>,
  counts: WriteCounts,
  log: Logger,
): void {
  outcomes.set(customerId, { matchStatus: companyId ? 'matched' : 'pending', error: message });
  counts.failed += 1;
  log.warn({ customerId, companyId, err: message }, 'HubSpot rejected a company write');
}

/**
 * Creates companies with a batch upsert keyed on the unique billing customer id, so a retried
 * flush updates the company it created before instead of creating a second one, and links them.
 */
export async function sendCreations(
  db: Db,
  crm: HubSpotCrm,
  tenantId: string,
  creations: PlannedCreation[],
  outcomes: Map<string, RowOutcome>,
  log: Logger,
): Promise<WriteCounts> {
  const counts: WriteCounts = { written: 0, created: 0, failed: 0 };
  for (const part of chunk(creations, HUBSPOT_BATCH_LIMIT)) {
    const inputs = part.map((creation) => ({
      id: creation.billingCustomerId,
      properties: creation.properties,
    }));
    const answer = await crm.batchUpsertCompanies(BILLING_CUSTOMER_ID_PROPERTY, inputs);
    const byBillingId = new Map(
      answer.results.map((company) => [company.properties[BILLING_CUSTOMER_ID_PROPERTY], company]),
    );
    const links = [];
    for (const creation of part) {
      const company = byBillingId.get(creation.billingCustomerId);
      if (!company) {
        const message = describe(errorFor(creation.billingCustomerId, answer.errors));
        recordFailure(creation.customerId, null, message, outcomes, counts, log);
        continue;
      }
      links.push({
        customerId: creation.customerId,
        companyId: company.id,
        matchedBy: 'created' as const,
        stored: false,
      });
      outcomes.set(creation.customerId, { matchStatus: 'matched', properties: creation.properties });
      if (company.created) counts.created += 1;
      else counts.written += 1;
    }
    await storeCrmLinks(db, tenantId, links);
  }
  return counts;
}
