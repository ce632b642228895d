import express, { Router } from 'express';
import { requireApiKey } from './api-key';
import type { Db } from '../db/database';
import { AppError } from '../errors';
import { latestHealth } from '../health/snapshots';
import { readCustomerLedger } from '../ledger/read';
import { listUnmatchedCustomers } from '../sync/unmatched';
import { listDeadLetters } from '../ingestion/dead-letters';

export interface ApiRouteDeps {
  db: Db;
  now: () => Date;
}

function limitParameter(value: unknown, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const parsed = typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > max) {
    throw new AppError(
      'invalid_limit',
      `limit must be a whole number from 1 to ${max}, got "${String(value)}"`,
      {
        status: 400,
      },
    );
  }
  return parsed;
}

export function apiRouter(deps: ApiRouteDeps): Router {
  const router = Router();
  router.use('/api/v1', express.json({ limit: '100kb' }), requireApiKey(deps.db));

  router.get('/api/v1/customers/:stripeCustomerId', async (req, res) => {
    const tenantId = res.locals.tenantId as string;
    const ledger = await readCustomerLedger(deps.db, tenantId, req.params.stripeCustomerId, deps.now());
    if (!ledger) {
      throw new AppError(
        'customer_not_found',
        `No customer "${req.params.stripeCustomerId}" in this tenant's ledger`,
        {
          status: 404,
        },
      );
    }
    const health = await latestHealth(deps.db, tenantId, ledger.customer.id);
    res.json({ ...ledger, health });
  });

  router.get('/api/v1/dead-letters', async (req, res) => {
    const limit = limitParameter(req.query.limit, 50, 500);
    res.json({ deadLetters: await listDeadLetters(deps.db, res.locals.tenantId as string, limit) });
  });

  router.get('/api/v1/crm/hubspot/unmatched', async (_req, res) => {
    res.json({ unmatched: await listUnmatchedCustomers(deps.db, res.locals.tenantId as string) });
  });

  return router;
}
