/**
 * Alert episodes in `slack_alerts`: one row per tenant, rule, customer and episode. A new episode
 * inserts a row; the same episode seen again updates `content` and bumps `version` only when the
 * content changed, so duplicate events and concurrent workers leave one row and no extra post.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { Logger } from '../logger';
import type { LedgerChange } from '../ledger/changes';
import { closingDecisions, decideAlerts } from './rules';
import { routeAlert } from './routing';
import { readAlertSettings } from './settings-store';
import { invoiceIdsOf, loadAlertFacts, loadHealthChange, loadOpenAlerts } from './facts';
import type { AlertDecision, HealthPoint } from './types';

/** A decision with the channel routing chose for it. */
export interface RoutedDecision extends AlertDecision {
  channelId: string;
}

export interface RecordOptions {
  /** Store rows for the daily digest (status `digest`) instead of posting them one by one. */
  digest?: boolean;
}

async function insertAlert(
  trx: Db,
  tenantId: string,
  customerId: string,
  decision: RoutedDecision,
  now: Date,
  digest: boolean,
) {
  return trx
    .insertInto('slack_alerts')
    .values({
      tenant_id: tenantId,
      customer_id: customerId,
      rule: decision.rule,
      episode_key: decision.episodeKey,
      channel_id: decision.channelId,
      content: JSON.stringify(decision.content),
      status: digest ? 'digest' : 'pending',
      created_at: now,
      updated_at: now,
    })
    .onConflict((conflict) =>
      conflict.columns(['tenant_id', 'rule', 'customer_id', 'episode_key']).doNothing(),
    )
    .returning(['id', 'status'])
    .executeTakeFirst();
}

/**
 * Replaces the content of an existing episode, keeping the actions already recorded on it, and
 * bumps the version only when the merged content differs (jsonb equality ignores key order).
 */
async function updateAlert(
  trx: Db,
  tenantId: string,
  customerId: string,
  decision: AlertDecision,
  now: Date,
) {
  const { actions: _ignored, ...ruleContent } = decision.content;
  const merged = sql`(${JSON.stringify(ruleContent)}::jsonb
    || jsonb_strip_nulls(jsonb_build_object('actions', slack_alerts.content -> 'actions')))`;
  return trx
    .updateTable('slack_alerts')
    .set({ content: merged as never, version: sql`version + 1`, updated_at: now })
    .where('tenant_id', '=', tenantId)
    .where('customer_id', '=', customerId)
    .where('rule', '=', decision.rule)
    .where('episode_key', '=', decision.episodeKey)
    .where(sql<boolean>`content IS DISTINCT FROM ${merged}`)
    .returning(['id', 'status'])
    .executeTakeFirst();
}

/**
 * Upserts one row per decision and returns the ids of alerts whose version moved and that are
 * posted one by one (not digest rows). Enqueue them after the transaction commits with
 * `queues.enqueueSlackPost(id, debounceMs)`.
 */
export async function recordAlerts(
  trx: Db,
  tenantId: string,
  customerId: string,
  decisions: RoutedDecision[],
  now: Date,
  options: RecordOptions = {},
): Promise<string[]> {
  const moved: string[] = [];
  for (const decision of decisions) {
    const inserted = await insertAlert(trx, tenantId, customerId, decision, now, options.digest ?? false);
    const row = inserted ?? (await updateAlert(trx, tenantId, customerId, decision, now));
    if (row && row.status !== 'digest') moved.push(row.id);
  }
  return moved;
}

export interface PlanAlertsInput {
  tenantId: string;
  customerIds: string[];
  /** Stripe event type, e.g. `invoice.payment_failed`. */
  eventType: string;
  /** The event's ledger changes. NOTE: the rules read the stored ledger, not these changes. */
  changes: LedgerChange[];
  /** Health around the event per customer id; read from health snapshots when left out. */
  healthBefore?: Record<string, HealthPoint | null>;
  healthAfter?: Record<string, HealthPoint | null>;
  now: Date;
  log?: Logger;
}

export interface UnroutedAlert {
  customerId: string;
  rule: string;
  episodeKey: string;
  reason: 'no_channel';
}

export interface PlannedAlerts {
  /** Alerts to enqueue for posting after the transaction commits. */
  alertIds: string[];
  /** Alerts dropped because no channel route matched and no default channel is set. */
  unrouted: UnroutedAlert[];
}

/** Open decisions win over closing ones for the same episode, so a problem seen again reopens it. */
function mergeDecisions(open: AlertDecision[], closing: AlertDecision[]): AlertDecision[] {
  const keys = new Set(open.map((decision) => `${decision.rule}|${decision.episodeKey}`));
  return [...open, ...closing.filter((decision) => !keys.has(`${decision.rule}|${decision.episodeKey}`))];
}

async function planForCustomer(trx: Db, input: PlanAlertsInput, customerId: string, planned: PlannedAlerts) {
  const { tenantId, now } = input;
  const settings = await readAlertSettings(trx, tenantId);
  const openAlerts = await loadOpenAlerts(trx, tenantId, customerId);
  const facts = await loadAlertFacts(trx, tenantId, customerId, now, invoiceIdsOf(openAlerts));
  const health = await loadHealthChange(trx, tenantId, customerId, now, {
    before: input.healthBefore,
    after: input.healthAfter,
  });

  const event = { type: input.eventType };
  const opened = decideAlerts({ settings, event, ...health, facts, now });
  const closed = closingDecisions({ openAlerts, facts, healthAfter: health.healthAfter, now });
  const existingChannels = new Map(
    openAlerts.map((alert) => [`${alert.rule}|${alert.episodeKey}`, alert.channelId]),
  );

  const target = { crmOwnerId: facts.account.crmOwnerId, currency: facts.currency, mrrMinor: facts.mrrMinor };
  const route = routeAlert(settings, target);

  const routed: RoutedDecision[] = [];
  for (const decision of mergeDecisions(opened, closed)) {
    // An episode stays in the channel where its message was posted, even if routing changed since.
    const channelId = existingChannels.get(`${decision.rule}|${decision.episodeKey}`) ?? route.channel;
    if (channelId) {
      routed.push({ ...decision, channelId });
    } else {
      planned.unrouted.push({
        customerId,
        rule: decision.rule,
        episodeKey: decision.episodeKey,
        reason: 'no_channel',
      });
    }
  }
  const digest = settings.digest.enabled;
  planned.alertIds.push(...(await recordAlerts(trx, tenantId, customerId, routed, now, { digest })));
}

/**
 * Loads what the alert rules need for each customer an event touched, decides alerts and
 * recoveries, routes them and records the episodes. Call it inside the event's transaction after
 * `recordHealth`, and enqueue the returned ids once the transaction commits.
 */
export async function planAlertsForEvent(trx: Db, input: PlanAlertsInput): Promise<PlannedAlerts> {
  const planned: PlannedAlerts = { alertIds: [], unrouted: [] };
  for (const customerId of input.customerIds) await planForCustomer(trx, input, customerId, planned);
  if (planned.unrouted.length > 0) {
    input.log?.info(
      { tenantId: input.tenantId, unrouted: planned.unrouted.length, eventType: input.eventType },
      'alerts dropped: no Slack channel route matched and no default channel is set',
    );
  }
  return planned;
}
