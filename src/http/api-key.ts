import type { RequestHandler } from 'express';
import type { Db } from '../db/database';
import { AppError } from '../errors';
import { tenantForApiKey } from '../tenants/tenants';

const bearer = /^Bearer\s+(\S+)$/i;

/**
 * Resolves "Authorization: Bearer <API key>" to its tenant and stores the id in `res.locals.tenantId`.
 * A key in the query string is not accepted, and the key never appears in logs or errors.
 */
export function requireApiKey(db: Db): RequestHandler {
  return async (req, res, next) => {
    const key = bearer.exec(req.header('authorization') ?? '')?.[1];
    const tenantId = key ? await tenantForApiKey(db, key) : null;
    if (!key || !tenantId) {
      throw new AppError(
        'unauthorized',
        'Missing or invalid API key; send "Authorization: Bearer <key>" with the key from `csm-payments tenant create`',
        { status: 401 },
      );
    }
    res.locals.tenantId = tenantId;
    // The first characters identify the key in audit rows without revealing it.
    res.locals.apiKeyPrefix = key.slice(0, 9);
    next();
  };
}
