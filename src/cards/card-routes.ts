/**
 * Endpoints the HubSpot payment-health card calls with `hubspot.fetch`. Every request must carry a
 * valid `X-HubSpot-Signature-v3`. The signed `portalId` query parameter selects the tenant, so a
 * request signed for one portal cannot read or change another tenant's customers.
 */
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { SecretBox } from '../db/crypto';
import type { Db } from '../db/database';
import { AppError } from '../errors';
import type { Queues } from '../queues/queues';
import { actionBodySchema, cardQuerySchema, linkBodySchema, sendInvalidRequest } from './card-requests';
import { customerForCompany, linkCompanyToCustomer, tenantForPortal } from './company-links';
import { HubSpotSignatureError, publicRequestUrl, verifyHubSpotSignatureV3 } from './hubspot-signature';
import { loadCardView } from './load-card-view';
import { recordCardAction } from './record-card-action';

export interface HubSpotCardRouteDeps {
  db: Db;
  /** Not used yet: card requests need no sealed secret. Kept so the app wires every card router alike. */
  box: SecretBox;
  queues: Queues;
  log: Logger;
  now: () => Date;
  /** PUBLIC_BASE_URL: the scheme, host and any path prefix HubSpot called. */
  publicBaseUrl: string;
  /** The HubSpot app's client secret, which keys the v3 signature. */
  clientSecret: string;
}

interface CardContext {
  tenantId: string;
  /** `hubspot-user:<id>` from the signed userId parameter; the user's email is never stored. */
  actor: string;
  query: ReturnType<typeof cardQuerySchema.parse>;
}

function rawBody(req: Request): Buffer {
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}

function parseJsonBody(req: Request): unknown {
  const body = rawBody(req);
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new AppError('invalid_json', 'Request body is not valid JSON', { status: 400 });
  }
}

function context(res: Response): CardContext {
  return res.locals.card as CardContext;
}

export function hubspotCardRouter(deps: HubSpotCardRouteDeps): Router {
  const router = Router();
  const log = deps.log.child({ module: 'hubspot-card' });

  const verifySignature = (req: Request, _res: Response, next: NextFunction) => {
    try {
      verifyHubSpotSignatureV3(
        {
          method: req.method,
          url: publicRequestUrl(deps.publicBaseUrl, req.originalUrl),
          body: rawBody(req),
          signature: req.header('x-hubspot-signature-v3'),
          timestamp: req.header('x-hubspot-request-timestamp'),
        },
        deps.clientSecret,
        deps.now(),
      );
    } catch (error) {
      if (error instanceof HubSpotSignatureError)
        log.warn({ code: error.code, path: req.path }, 'card request rejected');
      throw error;
    }
    next();
  };

  const resolvePortal = async (req: Request, res: Response, next: NextFunction) => {
    const query = cardQuerySchema.safeParse(req.query);
    if (!query.success) {
      sendInvalidRequest(res, query.error.issues);
      return;
    }
    const tenantId = await tenantForPortal(deps.db, query.data.portalId);
    if (!tenantId) {
      throw new AppError(
        'portal_not_connected',
        `HubSpot portal ${query.data.portalId} is not connected; install the app again from the marketplace`,
        { status: 403 },
      );
    }
    const actor = `hubspot-user:${query.data.userId ?? 'unknown'}`;
    res.locals.card = { tenantId, actor, query: query.data } satisfies CardContext;
    next();
  };

  router.use(
    '/cards/hubspot',
    express.raw({ type: () => true, limit: '1mb' }),
    verifySignature,
    resolvePortal,
  );

  router.get('/cards/hubspot/payment-health', async (_req, res) => {
    const { tenantId, query } = context(res);
    const companyId = query.companyId ?? query.associatedObjectId;
    if (!companyId) {
      sendInvalidRequest(res, [
        { code: 'custom', path: ['companyId'], message: 'is required', input: undefined },
      ]);
      return;
    }
    const linked = await customerForCompany(deps.db, tenantId, companyId);
    const view = linked ? await loadCardView(deps.db, tenantId, linked.stripeCustomerId, deps.now()) : null;
    res.json(view ?? { state: 'not_linked', companyId });
  });

  router.post('/cards/hubspot/link', async (req, res) => {
    const body = linkBodySchema.safeParse(parseJsonBody(req));
    if (!body.success) {
      sendInvalidRequest(res, body.error.issues);
      return;
    }
    const { tenantId, actor } = context(res);
    const linked = await linkCompanyToCustomer(deps.db, { tenantId, actor, now: deps.now(), ...body.data });
    log.info({ tenantId, companyId: body.data.companyId, created: linked.created }, 'company linked');
    res.status(linked.created ? 201 : 200).json({
      state: 'linked',
      companyId: body.data.companyId,
      stripeCustomerId: linked.stripeCustomerId,
      created: linked.created,
    });
  });

  router.post('/cards/hubspot/actions', async (req, res) => {
    const body = actionBodySchema.safeParse(parseJsonBody(req));
    if (!body.success) {
      sendInvalidRequest(res, body.error.issues);
      return;
    }
    const { tenantId, actor } = context(res);
    const linked = await customerForCompany(deps.db, tenantId, body.data.companyId);
    if (!linked) {
      throw new AppError(
        'company_not_linked',
        `HubSpot company ${body.data.companyId} is not linked to a Stripe customer; link one first`,
        { status: 404 },
      );
    }
    const recorded = await recordCardAction(
      { db: deps.db, queues: deps.queues, log: deps.log, now: deps.now() },
      {
        tenantId,
        stripeCustomerId: linked.stripeCustomerId,
        action: body.data.action,
        stripeInvoiceId: body.data.stripeInvoiceId,
        pauseDays: body.data.pauseDays,
        requestedBy: actor,
        source: 'hubspot_card',
      },
    );
    res.status(202).json(recorded);
  });

  return router;
}
