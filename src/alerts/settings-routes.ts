/** `GET` and `PUT /api/v1/alerts/settings`: a tenant's Slack alert settings, behind its API key. */
import express, { Router } from 'express';
import type { Db } from '../db/database';
import { requireApiKey } from '../http/api-key';
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
      const settings = await writeAlertSettings(deps.db, res.locals.tenantId as string, req.body, now());
      res.json({ settings });
    } catch (error) {
      if (!(error instanceof AlertSettingsError)) throw error;
      res.status(400).json({ error: { code: error.code, message: error.message, issues: error.issues } });
    }
  });

  return router;
}
