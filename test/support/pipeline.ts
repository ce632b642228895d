import request from 'supertest';
import type { Express } from 'express';
import { hasPendingWork } from '../../src/worker/relay';
import type { Db } from '../../src/db/database';
import type { Queues } from '../../src/queues/queues';
import { stripeSignature } from './stripe';

/** Posts each event as Stripe would: its own bytes, signed with the current time. */
export async function deliverEvents(
  app: Express | string,
  tenantId: string,
  secret: string,
  events: object[],
): Promise<number[]> {
  const statuses: number[] = [];
  for (const event of events) {
    const body = JSON.stringify(event);
    const response = await request(app)
      .post(`/webhooks/stripe/${tenantId}`)
      .set('content-type', 'application/json')
      .set('stripe-signature', stripeSignature(body, secret, Math.floor(Date.now() / 1000)))
      .send(body);
    statuses.push(response.status);
  }
  return statuses;
}

export interface IdleOptions {
  timeoutMs?: number;
  /** Also waits for the slack-posts queue and for alerts whose latest version Slack does not show yet. */
  slackPosts?: boolean;
}

async function queuedJobs(queues: Queues, slackPosts: boolean): Promise<Record<string, number>> {
  const crm = await queues.crmSync.getJobCounts('waiting', 'delayed', 'active');
  if (!slackPosts) return crm;
  const slack = await queues.slackPosts.getJobCounts('waiting', 'delayed', 'active');
  return {
    ...crm,
    slackWaiting: slack.waiting ?? 0,
    slackDelayed: slack.delayed ?? 0,
    slackActive: slack.active ?? 0,
  };
}

async function unpostedAlerts(db: Db) {
  return db
    .selectFrom('slack_alerts')
    .select(['id', 'version', 'posted_version', 'status'])
    .where((eb) => eb('version', '>', eb.ref('posted_version')))
    .where('status', 'in', ['pending', 'posted'])
    .execute();
}

/**
 * Waits until every stored event is projected and no CRM write is pending or queued, and with
 * `slackPosts` until Slack shows every alert's latest version. A number is the timeout in ms.
 */
export async function waitForIdle(db: Db, queues: Queues, options: number | IdleOptions = {}): Promise<void> {
  const { timeoutMs = 15_000, slackPosts = false } =
    typeof options === 'number' ? { timeoutMs: options } : options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await queuedJobs(queues, slackPosts);
    const queued = Object.values(counts).reduce((sum, count) => sum + count, 0);
    const unposted = slackPosts ? await unpostedAlerts(db) : [];
    if (!(await hasPendingWork(db)) && queued === 0 && unposted.length === 0) return;
    if (Date.now() > deadline) {
      const pending = {
        events: await db.selectFrom('stripe_events').select('id').where('processed_at', 'is', null).execute(),
        dirty: await db
          .selectFrom('crm_sync_state')
          .selectAll()
          .where('dirty_since', 'is not', null)
          .execute(),
        activities: await db
          .selectFrom('crm_activities')
          .selectAll()
          .where('status', '=', 'pending')
          .execute(),
        unposted,
      };
      throw new Error(`pipeline still busy after ${timeoutMs} ms: ${JSON.stringify({ counts, pending })}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
