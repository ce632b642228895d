/** `GET` and `PUT /api/v1/alerts/settings`: a tenant's Slack alert settings, behind its API key. */
import express, { Router } from 'express';
import type { Db } from '../db/database';
import { requireApiKey } from '../http/api-key';
import { tenantHasSlack } from '../tenants/tenants';
import { AlertSettingsError } from './settings';
import { readAlertSettings, writeAlertSettings } from './settings-store';

export interface AlertSettingsRouteDeps {
  db: Db;
  now?: () => Date;
}

export function alertSettingsRouter(deps: AlertSettingsRouteDeps): Router {
  const now = deps.now ?? (() => new Date());
  const router = Router();
  router.use('/api/v1/alerts/settings', express.json({ limit: '100kb' }), requireApiKey(deps.db));

  router.get('/api/v1/alerts/settings', async (_req, res) => {
    res.json({ settings: await readAlertSettings(deps.db, res.locals.tenantId as string) });
  });

  router.put('/api/v1/alerts/settings', async (req, res) => {
    try {
      const tenantId = res.locals.tenantId as string;
      if (!req.is('application/json')) {
        res.status(415).json({
          error: {
            code: 'unsupported_media_type',
            message: 'Send the settings as JSON with Content-Type: application/json',
          },
        });
        return;
      }
      const settings = await writeAlertSettings(deps.db, tenantId, req.body, now());
      // Saved either way, but an admin should know nothing will be posted yet.
      const warnings = (await tenantHasSlack(deps.db, tenantId))
        ? []
        : [
            'No Slack workspace is connected to this tenant, so no alert is posted until one is (see Add to Slack)',
          ];
      res.json({ settings, warnings });
    } catch (error) {
      if (!(error instanceof AlertSettingsError)) throw error;
      res.status(400).json({ error: { code: error.code, message: error.message, issues: error.issues } });
    }
  });

  return router;
}
