import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Install links bind a Slack install to one tenant. The link carries an install token: the tenant id and an
 * expiry, signed with HMAC-SHA256 under a key derived from SLACK_STATE_SECRET. Only the API key holder of a
 * tenant can create one, so a workspace cannot be attached to a tenant without that tenant's API key.
 * A link is a bearer credential until it expires.
 */
export const INSTALL_LINK_TTL_SECONDS = 3600;

/** Query parameter of the install path that carries the install token. */
export const INSTALL_TOKEN_PARAMETER = 'install_token';

export interface InstallTokenClaims {
  tenantId: string;
  /** Expiry in Unix seconds. */
  expiresAt: number;
}

export type InstallTokenFailure = 'malformed' | 'bad_signature' | 'expired';

function signingKey(stateSecret: string): Buffer {
  // A separate key, so an install token can never be confused with Bolt's OAuth state (signed with the secret itself).
  return createHmac('sha256', stateSecret).update('csm-payments slack install link v1').digest();
}

function sign(stateSecret: string, payload: string): string {
  return createHmac('sha256', signingKey(stateSecret)).update(payload).digest('base64url');
}

/** Creates an install token for a tenant, valid for `ttlSeconds` from `now`. */
export function createInstallToken(
  stateSecret: string,
  tenantId: string,
  now: Date,
  ttlSeconds = INSTALL_LINK_TTL_SECONDS,
): { token: string; expiresAt: Date } {
  const expiresAt = Math.floor(now.getTime() / 1000) + ttlSeconds;
  const payload = Buffer.from(
    JSON.stringify({ tenantId, expiresAt, nonce: randomBytes(9).toString('base64url') }),
  ).toString('base64url');
  return { token: `${payload}.${sign(stateSecret, payload)}`, expiresAt: new Date(expiresAt * 1000) };
}

/**
 * Verifies an install token. `graceSeconds` accepts a token that expired that long ago, so an install started
 * just before the expiry can finish on Slack's consent page.
 */
export function verifyInstallToken(
  stateSecret: string,
  token: string,
  now: Date,
  graceSeconds = 0,
): { ok: true; claims: InstallTokenClaims } | { ok: false; reason: InstallTokenFailure } {
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) return { ok: false, reason: 'malformed' };
  const expected = Buffer.from(sign(stateSecret, payload));
  const received = Buffer.from(signature);
  if (expected.length !== received.length || !timingSafeEqual(expected, received)) {
    return { ok: false, reason: 'bad_signature' };
  }
  const claims = parseClaims(payload);
  if (!claims) return { ok: false, reason: 'malformed' };
  if (claims.expiresAt + graceSeconds < now.getTime() / 1000) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}

function parseClaims(payload: string): InstallTokenClaims | null {
  try {
    const parsed = JSON.parse(
      Buffer.from(payload, 'base64url').toString('utf8'),
    ) as Partial<InstallTokenClaims>;
    if (typeof parsed.tenantId !== 'string' || typeof parsed.expiresAt !== 'number') return null;
    return { tenantId: parsed.tenantId, expiresAt: parsed.expiresAt };
  } catch {
    return null;
  }
}

/** Creates an install link for a tenant: the install URL with a fresh install token. */
export function createInstallLink(
  installUrl: string,
  stateSecret: string,
  tenantId: string,
  now: Date,
): { url: string; expiresAt: Date } {
  const { token, expiresAt } = createInstallToken(stateSecret, tenantId, now);
  const url = new URL(installUrl);
  url.searchParams.set(INSTALL_TOKEN_PARAMETER, token);
  return { url: url.toString(), expiresAt };
}
