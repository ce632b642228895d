import { Router, type RequestHandler } from 'express';
import type { Db } from '../db/database';
import { AppError } from '../errors';
import { requireApiKey } from '../http/api-key';
import { loadCardView } from './load-card-view';
import { renderCardPage } from './preview-page';

export interface CardPreviewRouteDeps {
  db: Db;
  now: () => Date;
}

// The page has no scripts and no external assets, so the policy allows inline styles and nothing else.
export const cardPageContentSecurityPolicy =
  "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

/** Serves the payment-health card of one Stripe customer as a standalone HTML page. */
export function cardPreviewRouter(deps: CardPreviewRouteDeps): Router {
  const router = Router();
  router.use('/cards/preview', requireApiKey(deps.db));
  router.get('/cards/preview/:stripeCustomerId', async (req, res) => {
    const tenantId = res.locals.tenantId as string;
    const stripeCustomerId = req.params.stripeCustomerId;
    const view = await loadCardView(deps.db, tenantId, stripeCustomerId, deps.now());
    if (!view) {
      throw new AppError(
        'customer_not_found',
        `No customer "${stripeCustomerId}" in this tenant's ledger; check the Stripe customer id (cus_...)`,
        { status: 404 },
      );
    }
    const title = `Payment health: ${view.customer.name ?? view.customer.stripeCustomerId}`;
    res
      .status(200)
      .set('Content-Security-Policy', cardPageContentSecurityPolicy)
      .set('X-Content-Type-Options', 'nosniff')
      .set('Cache-Control', 'no-store')
      .type('html')
      .send(renderCardPage(view, { title }));
  });
  return router;
}
