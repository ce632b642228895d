import express, { Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { readEventEnvelope, verifyStripeWebhook } from '../../integrations/stripe/webhook';
import type { SecretBox } from '../db/crypto';
import type { Db } from '../db/database';
import { AppError } from '../errors';
import type { Metrics } from '../metrics';
import type { Queues } from '../queues/queues';
import { activeWebhookSecrets, findTenant } from '../tenants/tenants';
import { markEnqueued, storeStripeEvent } from './event-store';

export interface WebhookRouteDeps {
  db: Db;
  box: SecretBox;
  queues: Queues;
  metrics: Metrics;
  log: Logger;
  toleranceSeconds: number;
  now: () => Date;
}

const tenantIdSchema = z.uuid();

/**
 * `POST /webhooks/stripe/:tenantId`. The raw body parser runs here only, because the signature covers the
 * exact bytes Stripe sent. The event is committed before the 2xx. Handing it to the queue is best effort,
 * because the outbox relay covers a Redis outage or a crash between the commit and the enqueue.
 */
export function stripeWebhookRouter(deps: WebhookRouteDeps): Router {
  const router = Router();
  const log = deps.log.child({ module: 'stripe-webhook' });
  router.post(
    '/webhooks/stripe/:tenantId',
    express.raw({ type: () => true, limit: '1mb' }),
    async (req, res) => {
      const tenantId = req.params.tenantId;
      if (!tenantIdSchema.safeParse(tenantId).success || !(await findTenant(deps.db, tenantId))) {
        deps.metrics.webhookRequests.inc({ outcome: 'rejected' });
        throw new AppError(
          'unknown_tenant',
          `No tenant "${tenantId}"; check the webhook URL in the Stripe dashboard`,
          {
            status: 404,
          },
        );
      }
      const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const secrets = await activeWebhookSecrets(deps.db, deps.box, tenantId, deps.now());
      let envelope;
      try {
        const event = verifyStripeWebhook(rawBody, req.header('stripe-signature'), secrets, {
          toleranceSeconds: deps.toleranceSeconds,
          now: deps.now(),
        });
        envelope = readEventEnvelope(event);
      } catch (error) {
        deps.metrics.webhookRequests.inc({ outcome: 'rejected' });
        log.warn({ tenantId, code: (error as AppError).code }, 'webhook rejected');
        throw error;
      }

      const stored = await storeStripeEvent(deps.db, tenantId, envelope, rawBody);
      if (stored.status === 'duplicate') {
        deps.metrics.webhookRequests.inc({ outcome: 'duplicate' });
        log.info({ tenantId, eventId: envelope.id, type: envelope.type }, 'duplicate event ignored');
        res.status(200).json({ received: true, duplicate: true });
        return;
      }
      deps.metrics.webhookRequests.inc({ outcome: 'accepted' });
      try {
        await deps.queues.enqueueStripeEvents([stored.eventRowId]);
        await markEnqueued(deps.db, [stored.eventRowId], deps.now());
      } catch (error) {
        log.warn(
          { tenantId, eventId: envelope.id, err: (error as Error).message },
          'enqueue failed; the outbox relay will retry',
        );
      }
      log.info({ tenantId, eventId: envelope.id, type: envelope.type }, 'event accepted');
      res.status(200).json({ received: true, duplicate: false });
    },
  );
  return router;
}
