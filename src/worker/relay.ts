import { sql } from 'kysely';
import type { Logger } from 'pino';
import { relayPendingActivities } from '../activity/relay';
import { relayQueuedCardActions } from '../cards/record-card-action';
import type { Db } from '../db/database';
import { sendDueDigests, type DigestDeps } from '../slack/digest';
import { listUnpostedAlertIds } from '../slack/post-worker';
import { countUnprocessedEvents, findEventsToRelay, markEnqueued } from '../ingestion/event-store';
import type { Metrics } from '../metrics';
import type { Queues } from '../queues/queues';

export interface RelayDeps {
  db: Db;
  queues: Queues;
  metrics: Metrics;
  log: Logger;
  now: () => Date;
  /** An enqueued event still unprocessed after this long gets a new job. */
  staleAfterMs: number;
  crmDebounceMs: number;
  /** Slack clients for digests and unposted alerts; without them the relay skips Slack. */
  slack?: Pick<DigestDeps, 'messagingFor' | 'limiter'>;
}

const relayBatchSize = 500;

/**
 * Runs one pass of the outbox relay. It enqueues committed events that have no live job, and schedules CRM
 * flushes for tenants whose dirty rows waited past the debounce (their flush job may have been lost).
 * Returns how many events it enqueued.
 */
export async function relayOnce(deps: RelayDeps): Promise<number> {
  const now = deps.now();
  const eventRowIds = await findEventsToRelay(deps.db, now, deps.staleAfterMs, relayBatchSize);
  if (eventRowIds.length > 0) {
    await deps.queues.enqueueStripeEvents(eventRowIds);
    await markEnqueued(deps.db, eventRowIds, now);
    deps.metrics.eventsRelayed.inc(eventRowIds.length);
    deps.log.info({ count: eventRowIds.length }, 'relayed committed events to the queue');
  }
  const waitingSince = new Date(now.getTime() - Math.max(deps.crmDebounceMs * 5, 10_000));
  const tenants = await deps.db
    .selectFrom('crm_sync_state')
    .select('tenant_id')
    .distinct()
    .where('dirty_since', '<', waitingSince)
    .execute();
  for (const { tenant_id } of tenants) await deps.queues.scheduleCrmFlush(tenant_id, 0);
  await relayQueuedCardActions(deps.db, deps.queues, now);
  await relayPendingActivities(deps.db, deps.queues, now);
  if (deps.slack) await relaySlack(deps, deps.slack, now);
  deps.metrics.unprocessedEvents.set(await countUnprocessedEvents(deps.db));
  return eventRowIds.length;
}

/**
 * Posts due daily digests and re-enqueues alerts whose latest content Slack does not show yet: a change
 * that arrives while the alert's job runs is not queued again, because the job id already exists.
 */
async function relaySlack(deps: RelayDeps, slack: NonNullable<RelayDeps['slack']>, now: Date): Promise<void> {
  await sendDueDigests({ db: deps.db, log: deps.log, ...slack }, now);
  const unposted = await listUnpostedAlertIds(deps.db, {
    updatedBefore: new Date(now.getTime() - 30_000),
    limit: 100,
  });
  for (const id of unposted) await deps.queues.enqueueSlackPost(id, 0);
}

/** Runs relayOnce every `intervalMs` until stopped; a failed pass (Redis down) is logged and retried. */
export function startRelayLoop(deps: RelayDeps, intervalMs: number): { stop(): Promise<void> } {
  let stopped = false;
  let current: Promise<unknown> = Promise.resolve();
  let failures = 0;
  const tick = async () => {
    try {
      await relayOnce(deps);
      failures = 0;
    } catch (error) {
      failures += 1;
      // Log the first failure and then every 30th, so an outage does not flood the log.
      if (failures === 1 || failures % 30 === 0) {
        deps.log.warn({ err: (error as Error).message, failures }, 'outbox relay pass failed; will retry');
      }
    }
  };
  const timer = setInterval(() => {
    if (!stopped) current = current.then(tick);
  }, intervalMs);
  current = tick();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await current;
    },
  };
}

export async function hasPendingWork(db: Db): Promise<boolean> {
  const row = await db
    .selectNoFrom((eb) => [
      eb
        .exists(
          eb
            .selectFrom('stripe_events')
            .select(sql`1`.as('x'))
            .where('processed_at', 'is', null),
        )
        .as('events'),
      eb
        .exists(
          eb
            .selectFrom('crm_sync_state')
            .select(sql`1`.as('x'))
            .where('dirty_since', 'is not', null),
        )
        .as('crm'),
      eb
        .exists(
          eb
            .selectFrom('crm_activities')
            .select(sql`1`.as('x'))
            .where('status', '=', 'pending'),
        )
        .as('activities'),
    ])
    .executeTakeFirstOrThrow();
  return Boolean(row.events) || Boolean(row.crm) || Boolean(row.activities);
}
