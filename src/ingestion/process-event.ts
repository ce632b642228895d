import type { Logger } from 'pino';
import { normalizeStripeEvent } from '../../integrations/stripe/normalize';
import type { Db } from '../db/database';
import type { EventOutcome } from '../db/schema';
import { planActivitiesForEvent } from '../activity/plan';
import { planAlertsForEvent } from '../alerts/record';
import { recordHealth } from '../health/snapshots';
import { applyLedgerChanges } from '../ledger/project';
import { markCrmDirty } from '../sync/hubspot-sync';
import { tenantHasActiveCrm, tenantHasSlack } from '../tenants/tenants';

/**
 * Events older than this update the ledger without alerting: a backfill or a late replay of months of
 * history should not page CSMs about problems that are long settled.
 */
const alertWindowMs = 7 * 24 * 3_600_000;

export interface ProcessEventResult {
  outcome: EventOutcome | 'already_processed' | 'not_found';
  tenantId?: string;
  customerIds: string[];
  /** True when a CRM sync for the tenant should be scheduled. */
  crmDirty: boolean;
  /** Notes and tasks planned for CRM records, to enqueue after the commit. */
  activityIds: string[];
  /** Slack alerts whose content changed, to post or update after the commit. */
  slackAlertIds: string[];
}

/**
 * Projects one stored event into the ledger, rescoring and marking CRM sync for each customer it touched,
 * all in one transaction: a crash at any point leaves the event unprocessed, and the relay runs it again.
 * The row lock makes two workers that receive the same job run it once.
 */
export async function processStripeEvent(
  db: Db,
  eventRowId: string,
  options: { now: () => Date; log: Logger },
): Promise<ProcessEventResult> {
  return db.transaction().execute(async (trx) => {
    const event = await trx
      .selectFrom('stripe_events')
      .select(['id', 'tenant_id', 'event_id', 'type', 'event_created_at', 'payload', 'processed_at'])
      .where('id', '=', eventRowId)
      .forUpdate()
      .executeTakeFirst();
    if (!event)
      return { outcome: 'not_found', customerIds: [], crmDirty: false, activityIds: [], slackAlertIds: [] };
    const base = { tenantId: event.tenant_id };
    if (event.processed_at) {
      return {
        ...base,
        outcome: 'already_processed',
        customerIds: [],
        crmDirty: false,
        activityIds: [],
        slackAlertIds: [],
      };
    }

    const now = options.now();
    const log = options.log.child({ tenantId: event.tenant_id, eventId: event.event_id, type: event.type });
    const normalized = normalizeStripeEvent(event.payload);
    let outcome: EventOutcome;
    let customerIds: string[] = [];
    let activityIds: string[] = [];
    if (normalized.status === 'changes') {
      const source = {
        eventId: event.event_id,
        createdSeconds: Math.floor(event.event_created_at.getTime() / 1000),
      };
      ({ customerIds } = await applyLedgerChanges(trx, event.tenant_id, source, normalized.changes));
      activityIds = await planActivitiesForEvent(trx, {
        tenantId: event.tenant_id,
        eventId: event.event_id,
        eventType: event.type,
        customerIds,
        changes: normalized.changes,
        now,
      });
      outcome = 'applied';
    } else if (normalized.status === 'ignored') {
      outcome = 'ignored';
      log.debug({ reason: normalized.reason }, 'event ignored');
    } else {
      outcome = 'dead_lettered';
      await trx
        .insertInto('dead_letters')
        .values({
          tenant_id: event.tenant_id,
          stripe_event_id: event.id,
          event_id: event.event_id,
          event_type: event.type,
          reason: normalized.reason,
          issues: JSON.stringify(normalized.issues),
        })
        .onConflict((conflict) => conflict.column('stripe_event_id').doNothing())
        .execute();
      // The issues quote payload values (possibly emails), so the log carries only their count.
      log.warn({ reason: normalized.reason, issueCount: normalized.issues.length }, 'event dead-lettered');
    }

    for (const customerId of customerIds) await recordHealth(trx, event.tenant_id, customerId, now);
    let slackAlertIds: string[] = [];
    const recent = now.getTime() - event.event_created_at.getTime() <= alertWindowMs;
    if (recent && customerIds.length > 0 && (await tenantHasSlack(trx, event.tenant_id))) {
      const planned = await planAlertsForEvent(trx, {
        tenantId: event.tenant_id,
        customerIds,
        eventType: event.type,
        changes: normalized.status === 'changes' ? normalized.changes : [],
        now,
        log,
      });
      slackAlertIds = planned.alertIds;
    }
    const crmDirty = customerIds.length > 0 && (await tenantHasActiveCrm(trx, event.tenant_id, 'hubspot'));
    if (crmDirty) await markCrmDirty(trx, event.tenant_id, customerIds, 'hubspot', now);

    await trx
      .updateTable('stripe_events')
      .set((eb) => ({ processed_at: now, outcome, attempts: eb('attempts', '+', 1) }))
      .where('id', '=', event.id)
      .execute();
    return { ...base, outcome, customerIds, crmDirty, activityIds, slackAlertIds };
  });
}
