import { Router } from 'express';
import type { Logger } from 'pino';
import type { Db } from '../../db/database';
import { requireApiKey } from '../../http/api-key';
import { createInstallLink } from './install-links';

export interface InstallLinkRouteDeps {
  db: Db;
  log: Logger;
  stateSecret: string;
  /** The public install URL, such as https://payments.example.com/slack/install. */
  installUrl: string;
  now: () => Date;
}

/** Path of the endpoint that creates an install link for the tenant of the bearer API key. */
export const INSTALL_LINKS_PATH = '/slack/install-links';

/**
 * POST /slack/install-links with `Authorization: Bearer <tenant API key>` returns `{ url, expiresAt }`: the link
 * that installs the Slack app into a workspace of that tenant. The request has no body.
 */
export function installLinkRouter(deps: InstallLinkRouteDeps): Router {
  const router = Router();
  router.post(INSTALL_LINKS_PATH, requireApiKey(deps.db), async (_req, res) => {
    const tenantId = res.locals.tenantId as string;
    const link = createInstallLink(deps.installUrl, deps.stateSecret, tenantId, deps.now());
    deps.log.info({ tenantId, expiresAt: link.expiresAt }, 'Slack install link created');
    res.status(201).json({ url: link.url, expiresAt: link.expiresAt.toISOString() });
  });
  return router;
}
