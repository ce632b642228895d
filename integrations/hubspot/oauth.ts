/**
 * HubSpot OAuth on the v3 endpoints ("Manage OAuth access tokens using the v3 APIs",
 * developers.hubspot.com/docs/api-reference/legacy/authentication/manage-oauth-tokens). The SDK's
 * v1 token API is deprecated, so this module posts the form itself. Secrets travel only in
 * request bodies and never appear in errors.
 */
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../../src/errors';

export interface PkcePair {
  codeVerifier: string;
  codeChallenge: string;
}

/** RFC 7636 S256: a 43-character verifier from 32 random bytes and its SHA-256 challenge. */
export function createPkcePair(): PkcePair {
  const codeVerifier = randomBytes(32).toString('base64url');
  const codeChallenge = createHash('sha256').update(codeVerifier).digest('base64url');
  return { codeVerifier, codeChallenge };
}

export interface AuthorizeRequest {
  clientId: string;
  redirectUri: string;
  scopes: string[];
  optionalScopes: string[];
  state: string;
  codeChallenge: string;
}

/** Builds the consent-page URL. HubSpot takes scopes space-separated in `scope`. */
export function authorizeUrl(appBaseUrl: string, request: AuthorizeRequest): string {
  const url = new URL('/oauth/authorize', appBaseUrl);
  url.searchParams.set('client_id', request.clientId);
  url.searchParams.set('redirect_uri', request.redirectUri);
  url.searchParams.set('scope', request.scopes.join(' '));
  if (request.optionalScopes.length > 0)
    url.searchParams.set('optional_scope', request.optionalScopes.join(' '));
  url.searchParams.set('state', request.state);
  url.searchParams.set('code_challenge', request.codeChallenge);
  url.searchParams.set('code_challenge_method', 'S256');
  return url.toString();
}

const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: z.number().int().positive(),
  token_type: z.string().optional(),
  hub_id: z.number().int().positive().optional(),
  scopes: z.array(z.string()).optional(),
});

export interface OAuthTokens {
  accessToken: string;
  refreshToken: string;
  /** Access-token lifetime in seconds; HubSpot issues 1800 (30 minutes). */
  expiresIn: number;
  /** Portal (account) id, when HubSpot includes `hub_id` in the response. */
  portalId: string | null;
  scopes: string[];
}

export type HubSpotOAuthErrorCode =
  | 'hubspot_oauth_invalid_grant'
  | 'hubspot_oauth_rejected'
  | 'hubspot_oauth_unavailable'
  | 'hubspot_oauth_unexpected_response';

/** invalid_grant means the code or refresh token is dead: retrying never helps, re-installing does. */
export class HubSpotOAuthError extends AppError {
  constructor(
    override readonly code: HubSpotOAuthErrorCode,
    message: string,
    options: { status?: number; cause?: unknown } = {},
  ) {
    super(code, message, {
      status: 502,
      retryable: code === 'hubspot_oauth_unavailable',
      cause: options.cause,
    });
  }
}

export interface HubSpotOAuthClientOptions {
  /** Origin of the token endpoint, normally https://api.hubapi.com. */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  timeoutMs?: number;
}

export class HubSpotOAuthClient {
  constructor(private readonly options: HubSpotOAuthClientOptions) {}

  /** Exchanges the authorization code from the redirect, with the PKCE verifier that produced its challenge. */
  async exchangeCode(input: {
    code: string;
    redirectUri: string;
    codeVerifier: string;
  }): Promise<OAuthTokens> {
    return this.requestTokens('exchange authorization code', {
      grant_type: 'authorization_code',
      code: input.code,
      redirect_uri: input.redirectUri,
      code_verifier: input.codeVerifier,
    });
  }

  async refresh(refreshToken: string): Promise<OAuthTokens> {
    return this.requestTokens('refresh access token', {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
    });
  }

  private async requestTokens(operation: string, fields: Record<string, string>): Promise<OAuthTokens> {
    const body = new URLSearchParams({
      ...fields,
      client_id: this.options.clientId,
      client_secret: this.options.clientSecret,
    });
    const response = await this.post('/oauth/v3/token', body, operation);
    const parsed = tokenResponseSchema.safeParse(await readJson(response, operation));
    if (!parsed.success) {
      throw new HubSpotOAuthError(
        'hubspot_oauth_unexpected_response',
        `HubSpot ${operation} returned a body without access_token, refresh_token or expires_in`,
        { status: response.status },
      );
    }
    const tokens = parsed.data;
    return {
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token,
      expiresIn: tokens.expires_in,
      portalId: tokens.hub_id === undefined ? null : String(tokens.hub_id),
      scopes: tokens.scopes ?? [],
    };
  }

  /** Looks up the portal of an access token (POST /oauth/v3/token/introspect), for responses without hub_id. */
  async portalIdFor(accessToken: string): Promise<string> {
    const body = new URLSearchParams({
      client_id: this.options.clientId,
      client_secret: this.options.clientSecret,
      token_type_hint: 'access_token',
      access_token: accessToken,
    });
    const response = await this.post('/oauth/v3/token/introspect', body, 'introspect access token');
    const parsed = z
      .object({ hub_id: z.number().int().positive() })
      .safeParse(await readJson(response, 'introspect'));
    if (!parsed.success) {
      throw new HubSpotOAuthError(
        'hubspot_oauth_unexpected_response',
        'HubSpot token introspection returned no hub_id',
      );
    }
    return String(parsed.data.hub_id);
  }

  private async post(pathname: string, body: URLSearchParams, operation: string): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(new URL(pathname, this.options.baseUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new HubSpotOAuthError(
        'hubspot_oauth_unavailable',
        `HubSpot ${operation} failed before a response: ${reason}`,
        {
          cause: error,
        },
      );
    }
    if (response.ok) return response;
    throw await oauthFailure(response, operation);
  }
}

async function readJson(response: Response, operation: string): Promise<unknown> {
  try {
    return await response.json();
  } catch (error) {
    throw new HubSpotOAuthError(
      'hubspot_oauth_unexpected_response',
      `HubSpot ${operation} returned invalid JSON`,
      {
        status: response.status,
        cause: error,
      },
    );
  }
}

/** Maps an error response: `{ error, error_description, status }` per RFC 6749, plus HubSpot's own `status`. */
async function oauthFailure(response: Response, operation: string): Promise<HubSpotOAuthError> {
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  const error = typeof body.error === 'string' ? body.error : null;
  const detail =
    typeof body.error_description === 'string' ? body.error_description : `HTTP ${response.status}`;
  const status = response.status;
  if (status >= 500 || status === 429) {
    return new HubSpotOAuthError(
      'hubspot_oauth_unavailable',
      `HubSpot ${operation} failed with HTTP ${status}`,
      { status },
    );
  }
  if (error === 'invalid_grant' || body.status === 'BAD_REFRESH_TOKEN' || body.status === 'BAD_AUTH_CODE') {
    return new HubSpotOAuthError(
      'hubspot_oauth_invalid_grant',
      `HubSpot rejected the grant in ${operation}: ${detail}`,
      {
        status,
      },
    );
  }
  return new HubSpotOAuthError(
    'hubspot_oauth_rejected',
    `HubSpot ${operation} failed (${error ?? status}): ${detail}`,
    {
      status,
    },
  );
}
