import { Queue, type ConnectionOptions, type JobsOptions, type RedisOptions } from 'bullmq';
import { Redis } from 'ioredis';

export const stripeEventsQueueName = 'stripe-events';
export const crmSyncQueueName = 'crm-sync';
export const cardActionsQueueName = 'card-actions';
export const crmActivitiesQueueName = 'crm-activities';
export const slackPostsQueueName = 'slack-posts';

export interface StripeEventJob {
  eventRowId: string;
}

export interface CrmSyncJob {
  tenantId: string;
  provider: 'hubspot';
}

/** A CSM action (retry payment, card-update link, pause dunning) recorded in the card_actions table. */
export interface CardActionJob {
  cardActionId: string;
}

/** A note or task waiting in the crm_activities table. */
export interface CrmActivityJob {
  crmActivityId: string;
}

/** A Slack alert whose latest content (slack_alerts.version) is not yet what Slack shows. */
export interface SlackPostJob {
  slackAlertId: string;
}

/**
 * Builds connection settings for a role. Producers (the API server) fail fast while Redis is down, because
 * the event is already committed and the outbox relay enqueues it later. Workers wait for Redis instead.
 */
export function redisOptions(redisUrl: string, role: 'producer' | 'worker'): RedisOptions {
  const url = new URL(redisUrl);
  const base: RedisOptions = {
    host: url.hostname,
    port: Number(url.port || 6379),
    username: url.username || undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
    connectTimeout: 2000,
  };
  if (role === 'producer') {
    return {
      ...base,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      retryStrategy: (times) => Math.min(times * 200, 2000),
    };
  }
  // BullMQ requires maxRetriesPerRequest: null for blocking worker connections.
  return { ...base, maxRetriesPerRequest: null, retryStrategy: (times) => Math.min(times * 200, 5000) };
}

export function createRedis(redisUrl: string, role: 'producer' | 'worker'): Redis {
  const { host, port, ...rest } = redisOptions(redisUrl, role);
  return new Redis({ host, port, ...rest });
}

/** Resolves once the client is connected; commands fail at once before that, as the offline queue is off. */
export async function waitForRedis(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return;
  let lastError = 'no answer';
  const onError = (error: Error) => {
    lastError = error.message || (error as { code?: string }).code || 'connection failed';
  };
  redis.on('error', onError);
  let timer: NodeJS.Timeout | undefined;
  let onReady: (() => void) | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`not ready after ${timeoutMs} ms (${lastError})`)),
        timeoutMs,
      );
      onReady = resolve;
      redis.once('ready', onReady);
    });
  } finally {
    clearTimeout(timer);
    if (onReady) redis.off('ready', onReady);
    redis.off('error', onError);
  }
}

/**
 * Builds options for a job whose record of work is a PostgreSQL row, so finished jobs need not stay in
 * Redis. Removing them lets a relay enqueue the same row again if it is still unfinished.
 */
function retriedJob(jobId: string, attempts: number, firstDelayMs: number): JobsOptions {
  return {
    jobId,
    attempts,
    backoff: { type: 'exponential', delay: firstDelayMs },
    removeOnComplete: true,
    removeOnFail: true,
  };
}

export class Queues {
  readonly stripeEvents: Queue<StripeEventJob>;
  readonly crmSync: Queue<CrmSyncJob>;
  readonly cardActions: Queue<CardActionJob>;
  readonly crmActivities: Queue<CrmActivityJob>;
  readonly slackPosts: Queue<SlackPostJob>;

  constructor(connection: ConnectionOptions, prefix: string) {
    this.stripeEvents = new Queue<StripeEventJob>(stripeEventsQueueName, { connection, prefix });
    this.crmSync = new Queue<CrmSyncJob>(crmSyncQueueName, { connection, prefix });
    this.cardActions = new Queue<CardActionJob>(cardActionsQueueName, { connection, prefix });
    this.crmActivities = new Queue<CrmActivityJob>(crmActivitiesQueueName, { connection, prefix });
    this.slackPosts = new Queue<SlackPostJob>(slackPostsQueueName, { connection, prefix });
    // Errors surface through the rejected add() calls; without a listener they would crash the process.
    for (const queue of this.all()) queue.on('error', () => undefined);
  }

  private all(): Queue[] {
    return [
      this.stripeEvents,
      this.crmSync,
      this.cardActions,
      this.crmActivities,
      this.slackPosts,
    ] as Queue[];
  }

  /**
   * Adds one projection job per event row. BullMQ waits for a connection rather than failing, so the
   * request path gives up after `timeoutMs` and leaves the event to the outbox relay.
   */
  async enqueueStripeEvents(eventRowIds: string[], timeoutMs = 2000): Promise<void> {
    const adding = this.stripeEvents.addBulk(
      eventRowIds.map((eventRowId) => ({
        name: 'project',
        data: { eventRowId },
        opts: retriedJob(`event-${eventRowId}`, 8, 1000),
      })),
    );
    // A late add after the timeout is harmless: the job id is the event row id, and projection is idempotent.
    adding.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Redis did not accept the job within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([adding, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Schedules the tenant's CRM flush. Adding while one waits is a no-op, which coalesces bursts. */
  async scheduleCrmFlush(tenantId: string, delayMs: number): Promise<void> {
    await this.crmSync.add(
      'flush',
      { tenantId, provider: 'hubspot' },
      { ...retriedJob(`hubspot-flush-${tenantId}`, 10, 2000), delay: delayMs },
    );
  }

  /** Queues a recorded card action. The job id is the row id, so a second add is a no-op. */
  async enqueueCardAction(cardActionId: string): Promise<void> {
    await this.cardActions.add('run', { cardActionId }, retriedJob(`card-action-${cardActionId}`, 5, 1000));
  }

  async enqueueCrmActivity(crmActivityId: string): Promise<void> {
    await this.crmActivities.add(
      'write',
      { crmActivityId },
      retriedJob(`crm-activity-${crmActivityId}`, 8, 2000),
    );
  }

  /**
   * Schedules posting or updating a Slack alert after `delayMs`. Adding while one waits is a no-op, so a
   * burst of changes to one alert becomes one Slack call with the latest content.
   */
  async enqueueSlackPost(slackAlertId: string, delayMs: number): Promise<void> {
    await this.slackPosts.add(
      'post',
      { slackAlertId },
      { ...retriedJob(`slack-alert-${slackAlertId}`, 8, 1000), delay: delayMs },
    );
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.all().map((queue) => queue.close()));
  }
}
