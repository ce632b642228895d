import { Worker, type Job } from 'bullmq';
import { relayPendingActivities } from '../activity/relay';
import { activityDepsFromRuntime } from '../activity/runtime-deps';
import { writeCrmActivity } from '../activity/write-activity';
import { failExhaustedCardAction } from '../actions/card-action-store';
import { tenantStripeBilling } from '../actions/stripe-key';
import { runCardAction } from '../actions/run-card-action';
import { recordActionActivity } from '../activity/plan';
import { processStripeEvent } from '../ingestion/process-event';
import { onCardActionFinished } from '../slack/actions/finished';
import { createSlackPostProcessor } from '../slack/post-worker';
import { slackRuntime } from '../slack/runtime';
import {
  cardActionsQueueName,
  crmActivitiesQueueName,
  crmSyncQueueName,
  redisOptions,
  slackPostsQueueName,
  stripeEventsQueueName,
  type CardActionJob,
  type CrmActivityJob,
  type CrmSyncJob,
  type SlackPostJob,
  type StripeEventJob,
} from '../queues/queues';
import type { Runtime } from '../runtime';
import { startRelayLoop } from './relay';
import { runCrmFlush } from './crm-flush';

/** A burst of events for one account within this window becomes one Slack post. */
const slackAlertDebounceMs = 2000;

export interface WorkerHandle {
  stop(): Promise<void>;
}

/** Starts the queue consumers and the outbox relay. `now` is injectable for tests that replay history. */
export function startWorker(runtime: Runtime, options: { now?: () => Date } = {}): WorkerHandle {
  const { config, db, queues, metrics } = runtime;
  const now = options.now ?? (() => new Date());
  const log = runtime.log.child({ module: 'worker' });
  const connection = redisOptions(config.REDIS_URL, 'worker');

  const eventWorker = new Worker<StripeEventJob>(
    stripeEventsQueueName,
    async (job: Job<StripeEventJob>) => {
      const result = await processStripeEvent(db, job.data.eventRowId, { now, log });
      if (result.outcome !== 'already_processed' && result.outcome !== 'not_found') {
        metrics.eventsProcessed.inc({ outcome: result.outcome });
      }
      if (result.crmDirty && result.tenantId)
        await queues.scheduleCrmFlush(result.tenantId, config.CRM_SYNC_DEBOUNCE_MS);
      // If Redis fails here, the relay enqueues the still-pending activity rows later.
      for (const activityId of result.activityIds) await queues.enqueueCrmActivity(activityId);
      for (const alertId of result.slackAlertIds)
        await queues.enqueueSlackPost(alertId, slackAlertDebounceMs);
      return result.outcome;
    },
    { connection, prefix: config.QUEUE_PREFIX, concurrency: config.WORKER_CONCURRENCY },
  );
  eventWorker.on('failed', (job, error) => {
    metrics.eventsProcessed.inc({ outcome: 'failed' });
    log.error(
      { eventRowId: job?.data.eventRowId, attempt: job?.attemptsMade, err: error.message },
      'event projection failed',
    );
  });

  const crmWorker = new Worker<CrmSyncJob>(
    crmSyncQueueName,
    async (job: Job<CrmSyncJob>) => runCrmFlush(runtime, job.data.tenantId, now),
    // One flush at a time per process; each portal's rate limit is shared through Redis anyway.
    { connection, prefix: config.QUEUE_PREFIX, concurrency: 2 },
  );
  crmWorker.on('failed', (job, error) => {
    log.warn(
      { tenantId: job?.data.tenantId, attempt: job?.attemptsMade, err: error.message },
      'CRM flush failed',
    );
  });
  const activityDeps = activityDepsFromRuntime(runtime, now);
  const activityWorker = new Worker<CrmActivityJob>(
    crmActivitiesQueueName,
    async (job: Job<CrmActivityJob>) => writeCrmActivity(activityDeps, job.data.crmActivityId),
    { connection, prefix: config.QUEUE_PREFIX, concurrency: 2 },
  );
  activityWorker.on('failed', (job, error) => {
    log.warn(
      { crmActivityId: job?.data.crmActivityId, attempt: job?.attemptsMade, err: error.message },
      'CRM activity write failed',
    );
  });

  const slack = slackRuntime(runtime);
  const actionWorker = startCardActionWorker(runtime, now, connection, slack.messagingFor);
  const slackWorker = new Worker<SlackPostJob>(
    slackPostsQueueName,
    createSlackPostProcessor({ db, messagingFor: slack.messagingFor, limiter: slack.limiter, log, now }),
    { connection, prefix: config.QUEUE_PREFIX, concurrency: 4 },
  );
  slackWorker.on('failed', (job, error) => {
    log.warn(
      { slackAlertId: job?.data.slackAlertId, attempt: job?.attemptsMade, err: error.message },
      'Slack post failed',
    );
  });
  const workers = [eventWorker, crmWorker, activityWorker, actionWorker, slackWorker];
  for (const worker of workers) {
    worker.on('error', (error) => log.warn({ err: error.message }, 'queue connection error'));
  }

  const relay = startRelayLoop(
    {
      db,
      queues,
      metrics,
      log,
      now,
      staleAfterMs: 5 * 60_000,
      crmDebounceMs: config.CRM_SYNC_DEBOUNCE_MS,
      slack: { messagingFor: slack.messagingFor, limiter: slack.limiter },
    },
    config.OUTBOX_POLL_MS,
  );
  log.info({ concurrency: config.WORKER_CONCURRENCY }, 'worker started');

  return {
    async stop() {
      await relay.stop();
      // close() waits for running jobs to finish, so a deploy does not cut a projection in half.
      await Promise.all(workers.map((worker) => worker.close()));
      log.info('worker stopped');
    },
  };
}

/** Runs CSM actions (retry payment, card-update link, pause or resume dunning) and notes each on the CRM record. */
function startCardActionWorker(
  runtime: Runtime,
  now: () => Date,
  connection: ReturnType<typeof redisOptions>,
  messagingFor: ReturnType<typeof slackRuntime>['messagingFor'],
) {
  const { config, db, box, queues } = runtime;
  const log = runtime.log.child({ module: 'card-actions' });
  const deps = {
    db,
    box,
    log,
    now,
    billing: tenantStripeBilling(db, box, { baseUrl: config.STRIPE_API_BASE_URL }),
    onActivity: async (activity: Parameters<typeof recordActionActivity>[1]) => {
      const activityId = await recordActionActivity(db, activity);
      if (activityId) await queues.enqueueCrmActivity(activityId);
    },
  };
  const worker = new Worker<CardActionJob>(
    cardActionsQueueName,
    async (job: Job<CardActionJob>) => {
      const outcome = await runCardAction(deps, job.data.cardActionId);
      // Actions clicked in Slack update their alert message and tell the CSM the result; others are skipped.
      await onCardActionFinished({ db, queues, log, now, messagingFor }, job.data.cardActionId);
      return outcome;
    },
    { connection, prefix: config.QUEUE_PREFIX, concurrency: 2 },
  );
  worker.on('failed', (job, error) => {
    log.warn(
      { cardActionId: job?.data.cardActionId, attempt: job?.attemptsMade, err: error.message },
      'card action failed',
    );
    // Once BullMQ gives up, the row must not stay `running`.
    if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) {
      void failExhaustedCardAction(db, job.data.cardActionId, error.message, now()).catch((cause: Error) =>
        log.error(
          { cardActionId: job.data.cardActionId, err: cause.message },
          'could not mark exhausted card action',
        ),
      );
    }
  });
  return worker;
}
