import request from 'supertest';
import type { Express } from 'express';
import { hasPendingWork } from '../../src/worker/relay';
import type { Db } from '../../src/db/database';
import type { Queues } from '../../src/queues/queues';
import { stripeSignature } from './stripe';

/** Posts each event as Stripe would: its own bytes, signed with the current time. */
export async function deliverEvents(app: Express, tenantId: string, secret: string, events: object[]): Promise<number[]> {
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

/** Waits until every stored event is projected and no CRM write is pending or queued. */
export async function waitForIdle(db: Db, queues: Queues, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await queues.crmSync.getJobCounts('waiting', 'delayed', 'active');
    const queued = Object.values(counts).reduce((sum, count) => sum + count, 0);
    if (!(await hasPendingWork(db)) && queued === 0) return;
    if (Date.now() > deadline) {
      const pending = {
        events: await db.selectFrom('stripe_events').select('id').where('processed_at', 'is', null).execute(),
        dirty: await db.selectFrom('crm_sync_state').selectAll().where('dirty_since', 'is not', null).execute(),
        activities: await db.selectFrom('crm_activities').selectAll().where('status', '=', 'pending').execute(),
      };
      throw new Error(`pipeline still busy after ${timeoutMs} ms: ${JSON.stringify({ counts, pending })}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
