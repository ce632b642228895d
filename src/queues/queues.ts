import { Queue, type ConnectionOptions, type JobsOptions, type RedisOptions } from 'bullmq';
import { Redis } from 'ioredis';

export const stripeEventsQueueName = 'stripe-events';
export const crmSyncQueueName = 'crm-sync';
export const cardActionsQueueName = 'card-actions';
export const crmActivitiesQueueName = 'crm-activities';

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
    return { ...base, enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: (times) => Math.min(times * 200, 2000) };
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
      timer = setTimeout(() => reject(new Error(`not ready after ${timeoutMs} ms (${lastError})`)), timeoutMs);
      onReady = resolve;
      redis.once('ready', onReady);
    });
  } finally {
    clearTimeout(timer);
    if (onReady) redis.off('ready', onReady);
    redis.off('error', onError);
  }
}

const stripeEventJobOptions: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 1000 },
  // The event row in PostgreSQL is the record of work, so finished jobs need not stay in Redis. Removing
  // them lets the outbox relay enqueue the same event id again if it is still unprocessed.
  removeOnComplete: true,
  removeOnFail: true,
};

export class Queues {
  readonly stripeEvents: Queue<StripeEventJob>;
  readonly crmSync: Queue<CrmSyncJob>;
  readonly cardActions: Queue<CardActionJob>;
  readonly crmActivities: Queue<CrmActivityJob>;

  constructor(connection: ConnectionOptions, prefix: string) {
    this.stripeEvents = new Queue<StripeEventJob>(stripeEventsQueueName, { connection, prefix });
    this.crmSync = new Queue<CrmSyncJob>(crmSyncQueueName, { connection, prefix });
    this.cardActions = new Queue<CardActionJob>(cardActionsQueueName, { connection, prefix });
    this.crmActivities = new Queue<CrmActivityJob>(crmActivitiesQueueName, { connection, prefix });
    // Errors surface through the rejected add() calls; without a listener they would crash the process.
    for (const queue of this.all()) queue.on('error', () => undefined);
  }

  private all(): Queue[] {
    return [this.stripeEvents, this.crmSync, this.cardActions, this.crmActivities] as Queue[];
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
        opts: { ...stripeEventJobOptions, jobId: `event-${eventRowId}` },
      })),
    );
    // A late add after the timeout is harmless: the job id is the event row id, and projection is idempotent.
    adding.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not accept the job within ${timeoutMs} ms`)), timeoutMs);
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
      {
        jobId: `hubspot-flush-${tenantId}`,
        delay: delayMs,
        attempts: 10,
        backoff: { type: 'exponential', delay: 2000 },
        removeOnComplete: true,
        removeOnFail: true,
      },
    );
  }

  /** Queues a recorded card action; the job id is the row id, so a second add is a no-op. */
  async enqueueCardAction(cardActionId: string): Promise<void> {
    await this.cardActions.add(
      'run',
      { cardActionId },
      {
        jobId: `card-action-${cardActionId}`,
        attempts: 5,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: true,
        removeOnFail: true,
      },
    );
  }

  async enqueueCrmActivity(crmActivityId: string): Promise<void> {
    await this.crmActivities.add(
      'write',
      { crmActivityId },
      {
        jobId: `crm-activity-${crmActivityId}`,
        attempts: 8,
        backoff: { type: 'exponential', delay: 2000 },
        removeOnComplete: true,
        removeOnFail: true,
      },
    );
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.all().map((queue) => queue.close()));
  }
}
