/**
 * The Slack Web API calls this product makes, behind our own interface so the posting worker, the digest
 * and button handlers can run against a test double, and failures arrive as SlackApiError codes.
 */
import {
  LogLevel,
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
  WebClient,
  type Block,
  type KnownBlock,
  type Logger as SlackLogger,
} from '@slack/web-api';
import type { Logger } from 'pino';

export type SlackBlock = KnownBlock | Block;

export interface SlackMessageRef {
  channel: string;
  ts: string;
}

export interface SlackMessaging {
  /** Sends `chat.postMessage`; `text` is the notification and screen-reader fallback for the blocks. */
  postMessage(message: { channel: string; text: string; blocks: SlackBlock[] }): Promise<SlackMessageRef>;
  /** Sends `chat.update`, replacing the text and blocks of the message at `ts`. */
  updateMessage(message: SlackMessageRef & { text: string; blocks: SlackBlock[] }): Promise<SlackMessageRef>;
  /** Sends `chat.postEphemeral`, a message shown only to `user`; returns the ephemeral message's ts. */
  postEphemeral(message: {
    channel: string;
    user: string;
    text: string;
    blocks?: SlackBlock[];
  }): Promise<{ messageTs: string }>;
  /** Lists the user ids in a user group (`usergroups.users.list`). */
  usergroupMembers(usergroupId: string): Promise<string[]>;
}

export type SlackErrorCode =
  | 'slack_rate_limited'
  | 'slack_channel_not_found'
  | 'slack_not_in_channel'
  | 'slack_channel_archived'
  | 'slack_message_not_found'
  | 'slack_invalid_auth'
  | 'slack_token_revoked'
  | 'slack_missing_scope'
  | 'slack_invalid_request'
  | 'slack_unavailable'
  | 'slack_timeout'
  | 'slack_request_failed';

const retryableCodes: ReadonlySet<SlackErrorCode> = new Set([
  'slack_rate_limited',
  'slack_unavailable',
  'slack_timeout',
]);

export class SlackApiError extends Error {
  readonly retryable: boolean;
  /** Slack's own error string (`channel_not_found`, `ratelimited`, ...), or null when no body arrived. */
  readonly slackError: string | null;
  /** Milliseconds from Slack's Retry-After header, when Slack sent one. */
  readonly retryAfterMs: number | null;

  constructor(
    readonly code: SlackErrorCode,
    message: string,
    options: { slackError?: string | null; retryAfterMs?: number | null; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'SlackApiError';
    this.slackError = options.slackError ?? null;
    this.retryAfterMs = options.retryAfterMs ?? null;
    this.retryable = retryableCodes.has(code);
  }
}

/** Our codes for Slack's `error` strings; any string not listed becomes `slack_request_failed`. */
const platformCodes: Record<string, SlackErrorCode> = {
  ratelimited: 'slack_rate_limited',
  rate_limited: 'slack_rate_limited',
  channel_not_found: 'slack_channel_not_found',
  not_in_channel: 'slack_not_in_channel',
  is_archived: 'slack_channel_archived',
  message_not_found: 'slack_message_not_found',
  cant_update_message: 'slack_message_not_found',
  invalid_auth: 'slack_invalid_auth',
  not_authed: 'slack_invalid_auth',
  account_inactive: 'slack_token_revoked',
  token_revoked: 'slack_token_revoked',
  token_expired: 'slack_token_revoked',
  missing_scope: 'slack_missing_scope',
  invalid_blocks: 'slack_invalid_request',
  invalid_blocks_format: 'slack_invalid_request',
  msg_too_long: 'slack_invalid_request',
  no_text: 'slack_invalid_request',
  invalid_arguments: 'slack_invalid_request',
  user_not_in_channel: 'slack_invalid_request',
  no_such_subteam: 'slack_invalid_request',
  internal_error: 'slack_unavailable',
  fatal_error: 'slack_unavailable',
  service_unavailable: 'slack_unavailable',
  request_timeout: 'slack_timeout',
};

function isTimeout(error: Error): boolean {
  return error.name === 'TimeoutError' || error.name === 'AbortError';
}

/** Converts whatever `WebClient` threw for `method` into a SlackApiError. Messages never contain the token. */
export function toSlackApiError(error: unknown, method: string): SlackApiError {
  if (error instanceof SlackApiError) return error;
  if (error instanceof WebAPIRateLimitedError) {
    const message = `Slack ${method} was rate limited; retry after ${error.retryAfter} s`;
    return new SlackApiError('slack_rate_limited', message, {
      slackError: 'ratelimited',
      retryAfterMs: error.retryAfter * 1000,
      cause: error,
    });
  }
  if (error instanceof WebAPIPlatformError) {
    const slackError = error.data.error;
    const code = platformCodes[slackError] ?? 'slack_request_failed';
    return new SlackApiError(code, `Slack ${method} failed: ${slackError}`, { slackError, cause: error });
  }
  if (error instanceof WebAPIHTTPError) {
    const code = error.statusCode >= 500 ? 'slack_unavailable' : 'slack_request_failed';
    return new SlackApiError(code, `Slack ${method} failed with HTTP ${error.statusCode}`, { cause: error });
  }
  if (error instanceof WebAPIRequestError) {
    const code = isTimeout(error.original) ? 'slack_timeout' : 'slack_unavailable';
    const reason = error.original.message;
    return new SlackApiError(code, `Slack ${method} failed before a response: ${reason}`, { cause: error });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new SlackApiError('slack_unavailable', `Slack ${method} failed: ${reason}`, { cause: error });
}

export interface SlackClientSettings {
  /** Base URL of the Web API, ending in `/api/`; tests and the demo point it at the local emulator. */
  slackApiUrl: string;
  /** Per-request timeout in milliseconds. */
  timeoutMs: number;
  /** Retries of a failed request (network error, timeout, HTTP 5xx); 429 is never retried here. */
  retries?: number;
}

/** Passes `WebClient` warnings and errors to pino. Its debug lines print request bodies, so they are dropped. */
function slackLogger(log: Logger): SlackLogger {
  const child = log.child({ component: 'slack-web-api' });
  return {
    debug: () => undefined,
    info: (...msg: unknown[]) => child.debug(msg.map(String).join(' ')),
    warn: (...msg: unknown[]) => child.warn(msg.map(String).join(' ')),
    error: (...msg: unknown[]) => child.error(msg.map(String).join(' ')),
    setLevel: () => undefined,
    getLevel: () => LogLevel.WARN,
    setName: () => undefined,
  };
}

/** Builds the `WebClient` options: short retries and 429 rejected, because its defaults wait up to 30 minutes. */
export function webClientOptions(settings: SlackClientSettings, log: Logger) {
  return {
    slackApiUrl: settings.slackApiUrl,
    timeout: settings.timeoutMs,
    // Two retries 0.5-2 s apart keep a job well inside BullMQ's lock; BullMQ retries later attempts.
    retryConfig: { retries: settings.retries ?? 2, factor: 2, minTimeout: 500, maxTimeout: 2000 },
    rejectRateLimitedCalls: true,
    logger: slackLogger(log),
  };
}

async function callSlack<T>(method: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toSlackApiError(error, method);
  }
}

function requireString(value: string | undefined, method: string, field: string): string {
  if (typeof value === 'string' && value.length > 0) return value;
  throw new SlackApiError('slack_request_failed', `Slack ${method} returned ok without "${field}"`);
}

/** Creates the Web API adapter for one bot token. */
export function createSlackMessaging(
  botToken: string,
  settings: SlackClientSettings,
  log: Logger,
): SlackMessaging {
  const client = new WebClient(botToken, webClientOptions(settings, log));
  return {
    async postMessage({ channel, text, blocks }) {
      const result = await callSlack('chat.postMessage', () =>
        client.chat.postMessage({ channel, text, blocks }),
      );
      const ts = requireString(result.ts, 'chat.postMessage', 'ts');
      return { channel: result.channel ?? channel, ts };
    },
    async updateMessage({ channel, ts, text, blocks }) {
      const result = await callSlack('chat.update', () => client.chat.update({ channel, ts, text, blocks }));
      return { channel: result.channel ?? channel, ts: result.ts ?? ts };
    },
    async postEphemeral({ channel, user, text, blocks }) {
      const result = await callSlack('chat.postEphemeral', () =>
        client.chat.postEphemeral({ channel, user, text, ...(blocks ? { blocks } : {}) }),
      );
      return { messageTs: requireString(result.message_ts, 'chat.postEphemeral', 'message_ts') };
    },
    async usergroupMembers(usergroupId) {
      const result = await callSlack('usergroups.users.list', () =>
        client.usergroups.users.list({ usergroup: usergroupId }),
      );
      return result.users ?? [];
    },
  };
}
