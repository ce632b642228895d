/**
 * Access tokens for HubSpot connections. OAuth access tokens live 30 minutes (HubSpot's v3 OAuth
 * guide), so they are refreshed ahead of expiry, once per portal across all workers: a Redis lock
 * (SET NX PX) elects one refresher, and everyone re-reads the row afterwards. A private-app token
 * (no refresh token, no expiry) is returned as stored.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { SecretBox } from '../../src/db/crypto';
import type { Db } from '../../src/db/database';
import type { CrmConnectionsTable } from '../../src/db/schema';
import { AppError } from '../../src/errors';
import type { Selectable } from 'kysely';
import { HubSpotOAuthError, type HubSpotOAuthClient } from './oauth';

export type HubSpotConnection = Selectable<CrmConnectionsTable>;

export type HubSpotTokenErrorCode =
  | 'hubspot_reauth_required'
  | 'hubspot_connection_inactive'
  | 'hubspot_oauth_not_configured'
  | 'hubspot_token_refresh_timeout';

export class HubSpotTokenError extends AppError {
  constructor(
    override readonly code: HubSpotTokenErrorCode,
    message: string,
    options: { retryable?: boolean; cause?: unknown } = {},
  ) {
    super(code, message, { status: 409, retryable: options.retryable ?? false, cause: options.cause });
  }
}

export interface HubSpotTokenProviderOptions {
  db: Db;
  box: SecretBox;
  redis: Redis;
  /** Null when HUBSPOT_CLIENT_ID/SECRET are missing: private-app tokens still work, OAuth refreshes fail. */
  oauth: HubSpotOAuthClient | null;
  log: Logger;
  now: () => Date;
  /** Redis key prefix for the per-portal refresh lock. */
  keyPrefix: string;
  refreshAheadMs?: number;
  lockTtlMs?: number;
  waitTimeoutMs?: number;
  pollIntervalMs?: number;
}

// Deletes the lock only if this process still owns it, so a lock that expired and was taken by
// another worker is not released by mistake.
const releaseLockScript = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/** True when an OAuth token expires within `aheadMs` (or its expiry is unknown). */
export function tokenNeedsRefresh(connection: HubSpotConnection, now: Date, aheadMs: number): boolean {
  if (!connection.refresh_token_sealed) return false;
  if (!connection.access_token_expires_at) return true;
  return connection.access_token_expires_at.getTime() - now.getTime() <= aheadMs;
}

export class HubSpotTokenProvider {
  private readonly refreshAheadMs: number;
  private readonly lockTtlMs: number;
  private readonly waitTimeoutMs: number;
  private readonly pollIntervalMs: number;

  constructor(private readonly options: HubSpotTokenProviderOptions) {
    this.refreshAheadMs = options.refreshAheadMs ?? 5 * 60_000;
    this.lockTtlMs = options.lockTtlMs ?? 15_000;
    this.waitTimeoutMs = options.waitTimeoutMs ?? 20_000;
    this.pollIntervalMs = options.pollIntervalMs ?? 100;
  }

  /** Returns a usable access token, refreshing it first when it is about to expire. */
  async accessTokenFor(connection: HubSpotConnection): Promise<string> {
    assertActive(connection);
    if (!tokenNeedsRefresh(connection, this.options.now(), this.refreshAheadMs)) {
      return this.options.box.open(connection.access_token_sealed);
    }
    return this.refreshOnce(connection);
  }

  private lockKey(connection: HubSpotConnection): string {
    return `${this.options.keyPrefix}:hubspot-token-refresh:${connection.account_id ?? connection.id}`;
  }

  private async refreshOnce(connection: HubSpotConnection): Promise<string> {
    const key = this.lockKey(connection);
    const owner = randomBytes(12).toString('hex');
    const giveUpAt = Date.now() + this.waitTimeoutMs;
    for (;;) {
      const acquired = await this.options.redis.set(key, owner, 'PX', this.lockTtlMs, 'NX');
      if (acquired === 'OK') {
        try {
          return await this.refreshIfStillStale(connection.id);
        } finally {
          await this.options.redis.eval(releaseLockScript, 1, key, owner);
        }
      }
      // Another worker is refreshing: wait for its result instead of spending the refresh token twice.
      await new Promise((resolve) => setTimeout(resolve, this.pollIntervalMs));
      const current = await this.reload(connection.id);
      if (!tokenNeedsRefresh(current, this.options.now(), this.refreshAheadMs)) {
        return this.options.box.open(current.access_token_sealed);
      }
      if (Date.now() > giveUpAt) {
        throw new HubSpotTokenError(
          'hubspot_token_refresh_timeout',
          `Timed out after ${this.waitTimeoutMs} ms waiting for another worker to refresh the HubSpot token of portal ${connection.account_id}`,
          { retryable: true },
        );
      }
    }
  }

  private async reload(connectionId: string): Promise<HubSpotConnection> {
    const row = await this.options.db
      .selectFrom('crm_connections')
      .selectAll()
      .where('id', '=', connectionId)
      .executeTakeFirst();
    if (!row)
      throw new HubSpotTokenError(
        'hubspot_connection_inactive',
        `HubSpot connection ${connectionId} no longer exists`,
      );
    assertActive(row);
    return row;
  }

  /** Runs under the lock: another worker may have refreshed while this one waited for it. */
  private async refreshIfStillStale(connectionId: string): Promise<string> {
    const current = await this.reload(connectionId);
    if (!tokenNeedsRefresh(current, this.options.now(), this.refreshAheadMs)) {
      return this.options.box.open(current.access_token_sealed);
    }
    const { oauth, box, db, log } = this.options;
    if (!oauth) {
      throw new HubSpotTokenError(
        'hubspot_oauth_not_configured',
        'Cannot refresh the HubSpot token: set HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET',
      );
    }
    try {
      const tokens = await oauth.refresh(box.open(current.refresh_token_sealed!));
      const now = this.options.now();
      await db
        .updateTable('crm_connections')
        .set({
          access_token_sealed: box.seal(tokens.accessToken),
          refresh_token_sealed: box.seal(tokens.refreshToken),
          access_token_expires_at: new Date(now.getTime() + tokens.expiresIn * 1000),
          updated_at: now,
        })
        .where('id', '=', current.id)
        .execute();
      log.info(
        { tenantId: current.tenant_id, portalId: current.account_id },
        'HubSpot access token refreshed',
      );
      return tokens.accessToken;
    } catch (error) {
      if (error instanceof HubSpotOAuthError && error.code === 'hubspot_oauth_invalid_grant') {
        await markNeedsReauth(db, current, error.message, this.options.now());
        log.error(
          { tenantId: current.tenant_id, portalId: current.account_id },
          'HubSpot refresh token rejected; needs re-install',
        );
        throw new HubSpotTokenError('hubspot_reauth_required', error.message, { cause: error });
      }
      throw error;
    }
  }
}

function assertActive(connection: HubSpotConnection): void {
  if (connection.status !== 'active') {
    throw new HubSpotTokenError(
      connection.status === 'needs_reauth' ? 'hubspot_reauth_required' : 'hubspot_connection_inactive',
      `HubSpot connection for portal ${connection.account_id} is ${connection.status}`,
    );
  }
}

export const NEEDS_REAUTH_ACTION = 'hubspot.needs_reauth';

/**
 * Marks the connection `needs_reauth` and records why in audit_log. Sync rows stay dirty, and
 * runCrmFlush skips connections that are not active, so nothing is lost until the admin reinstalls.
 */
export async function markNeedsReauth(
  db: Db,
  connection: HubSpotConnection,
  reason: string,
  now: Date,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('crm_connections')
      .set({ status: 'needs_reauth', updated_at: now })
      .where('id', '=', connection.id)
      .where('status', '=', 'active')
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) return;
    await trx
      .insertInto('audit_log')
      .values({
        tenant_id: connection.tenant_id,
        actor: 'system',
        action: NEEDS_REAUTH_ACTION,
        subject: connection.account_id,
        details: JSON.stringify({ reason }),
        created_at: now,
      })
      .execute();
  });
}
