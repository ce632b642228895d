/**
 * A local Slack Web API for the demo and tests: an express server on 127.0.0.1 that implements the
 * methods this product calls, with Slack's `{ ok, error }` bodies, a Bearer token check and a limit of
 * one chat.postMessage per second per channel, enforced with 429 and Retry-After.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';

export interface SlackEmulatorOptions {
  port?: number;
  /** Messages allowed per channel in any one second; Slack documents about 1 for chat.postMessage. */
  messagesPerSecondPerChannel?: number;
  /** User group id → member user ids, for usergroups.users.list. */
  usergroups?: Record<string, string[]>;
  /** Channels the bot has not joined: posting there fails with not_in_channel. */
  channelsWithoutBot?: string[];
}

export interface EmulatedSlackMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: unknown[];
  /** chat.update calls applied to this message. */
  updates: number;
}

export interface EmulatedEphemeral {
  channel: string;
  user: string;
  text: string;
  messageTs: string;
}

export interface SlackEmulator {
  /** Web API base URL, ending in `/api/`, for SLACK_API_URL or `WebClient`'s `slackApiUrl`. */
  url: string;
  close(): Promise<void>;
  messages(): EmulatedSlackMessage[];
  ephemerals(): EmulatedEphemeral[];
  /** Requests received, including those rejected with an error or 429. */
  requestCount(): number;
  /** Makes later calls with this token fail with token_revoked, as after an uninstall. */
  revokeToken(token: string): void;
}

export const emulatedTeam = { id: 'T0EMULATED', name: 'Emulated Workspace' };
export const emulatedBotUserId = 'U0EMULBOT';

class SlackMethodError extends Error {
  constructor(readonly slackError: string) {
    super(slackError);
  }
}

interface EmulatorState {
  messages: EmulatedSlackMessage[];
  ephemerals: EmulatedEphemeral[];
  revoked: Set<string>;
  postTimes: Map<string, number[]>;
  requests: number;
  tsCounter: number;
}

function field(req: Request, name: string): string | undefined {
  const value = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function required(req: Request, name: string): string {
  const value = field(req, name);
  if (value === undefined) throw new SlackMethodError(name === 'text' ? 'no_text' : 'invalid_arguments');
  return value;
}

/** Blocks arrive JSON-encoded in form bodies (as `WebClient` sends them) or as arrays in JSON bodies. */
function blocksOf(req: Request): unknown[] {
  const value = (req.body as Record<string, unknown> | undefined)?.blocks;
  if (value === undefined) return [];
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  if (!Array.isArray(parsed)) throw new SlackMethodError('invalid_blocks_format');
  return parsed;
}

function nextTs(state: EmulatorState): string {
  state.tsCounter += 1;
  return `${Math.floor(Date.now() / 1000)}.${String(state.tsCounter).padStart(6, '0')}`;
}

function tokenOf(req: Request): string | undefined {
  const header = /^Bearer (\S+)$/.exec(req.get('authorization') ?? '');
  return header?.[1] ?? field(req, 'token');
}

function checkChannel(channel: string, options: SlackEmulatorOptions): void {
  if (!/^[CGD][A-Z0-9]{2,}$/.test(channel)) throw new SlackMethodError('channel_not_found');
  if (options.channelsWithoutBot?.includes(channel)) throw new SlackMethodError('not_in_channel');
}

/**
 * Network jitter between a client's limiter and this server; Slack also tolerates short bursts, so a
 * message this much early in the next second is not refused.
 */
const jitterToleranceMs = 250;

/** Returns the seconds to wait when the channel has used its messages for the last second, else null. */
function takeMessage(state: EmulatorState, channel: string, perSecond: number): number | null {
  const now = Date.now();
  const times = (state.postTimes.get(channel) ?? []).filter((time) => time > now - 1000 + jitterToleranceMs);
  state.postTimes.set(channel, times);
  if (times.length >= perSecond) return 1;
  times.push(now);
  return null;
}

function chatRoutes(router: express.Router, state: EmulatorState, options: SlackEmulatorOptions): void {
  const perSecond = options.messagesPerSecondPerChannel ?? 1;
  router.post('/chat.postMessage', (req, res) => {
    const channel = required(req, 'channel');
    checkChannel(channel, options);
    const text = required(req, 'text');
    const blocks = blocksOf(req);
    const retryAfter = takeMessage(state, channel, perSecond);
    if (retryAfter !== null) {
      res.status(429).set('Retry-After', String(retryAfter)).json({ ok: false, error: 'ratelimited' });
      return;
    }
    const message = { channel, ts: nextTs(state), text, blocks, updates: 0 };
    state.messages.push(message);
    res.json({ ok: true, channel, ts: message.ts, message: { text, blocks, ts: message.ts } });
  });
  router.post('/chat.update', (req, res) => {
    const channel = required(req, 'channel');
    checkChannel(channel, options);
    const ts = required(req, 'ts');
    const message = state.messages.find((candidate) => candidate.channel === channel && candidate.ts === ts);
    if (!message) throw new SlackMethodError('message_not_found');
    message.text = required(req, 'text');
    message.blocks = blocksOf(req);
    message.updates += 1;
    res.json({ ok: true, channel, ts, text: message.text });
  });
  router.post('/chat.postEphemeral', (req, res) => {
    const channel = required(req, 'channel');
    checkChannel(channel, options);
    const ephemeral = {
      channel,
      user: required(req, 'user'),
      text: required(req, 'text'),
      messageTs: nextTs(state),
    };
    state.ephemerals.push(ephemeral);
    res.json({ ok: true, message_ts: ephemeral.messageTs });
  });
}

function workspaceRoutes(router: express.Router, options: SlackEmulatorOptions): void {
  router.post('/usergroups.users.list', (req, res) => {
    const users = options.usergroups?.[required(req, 'usergroup')];
    if (!users) throw new SlackMethodError('no_such_subteam');
    res.json({ ok: true, users });
  });
  router.post('/auth.test', (_req, res) => {
    res.json({
      ok: true,
      url: 'https://emulated.slack.com/',
      team: emulatedTeam.name,
      team_id: emulatedTeam.id,
      user: 'csm-payments',
      user_id: emulatedBotUserId,
      bot_id: 'B0EMULBOT',
      is_enterprise_install: false,
    });
  });
}

/** Exchanges any code for a new bot token; client credentials come as Basic auth or form fields. */
function oauthRoute(router: express.Router): void {
  router.post('/oauth.v2.access', (req, res) => {
    const basic = /^Basic \S+$/.test(req.get('authorization') ?? '');
    if (!basic && !field(req, 'client_id')) throw new SlackMethodError('invalid_client_id');
    required(req, 'code');
    res.json({
      ok: true,
      access_token: `xoxb-emulated-${randomBytes(12).toString('hex')}`,
      token_type: 'bot',
      scope: 'chat:write,usergroups:read',
      bot_user_id: emulatedBotUserId,
      app_id: 'A0EMULATED',
      team: emulatedTeam,
      enterprise: null,
      is_enterprise_install: false,
      authed_user: { id: 'U0INSTALLER' },
    });
  });
}

function tokenCheck(state: EmulatorState) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.path === '/oauth.v2.access') return next();
    const token = tokenOf(req);
    if (!token) return res.json({ ok: false, error: 'not_authed' });
    if (state.revoked.has(token)) return res.json({ ok: false, error: 'token_revoked' });
    if (!token.startsWith('xox')) return res.json({ ok: false, error: 'invalid_auth' });
    next();
  };
}

function buildApp(state: EmulatorState, options: SlackEmulatorOptions): express.Express {
  const router = express.Router();
  router.use(tokenCheck(state));
  chatRoutes(router, state, options);
  workspaceRoutes(router, options);
  oauthRoute(router);
  router.use((_req, res) => res.status(404).json({ ok: false, error: 'unknown_method' }));
  const app = express();
  app.use((_req, _res, next) => {
    state.requests += 1;
    next();
  });
  app.use(express.urlencoded({ extended: false, limit: '1mb' }), express.json({ limit: '1mb' }));
  app.use('/api', router);
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof SlackMethodError) res.json({ ok: false, error: error.slackError });
    else if (error instanceof SyntaxError) res.json({ ok: false, error: 'invalid_blocks_format' });
    else res.status(500).json({ ok: false, error: 'internal_error' });
  });
  return app;
}

export async function startSlackEmulator(options: SlackEmulatorOptions = {}): Promise<SlackEmulator> {
  const state: EmulatorState = {
    messages: [],
    ephemerals: [],
    revoked: new Set(),
    postTimes: new Map(),
    requests: 0,
    tsCounter: 0,
  };
  const server = buildApp(state, options).listen(options.port ?? 0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // fetch keeps connections alive, which would hold close() open.
        server.closeAllConnections();
      }),
    messages: () => state.messages.map((message) => ({ ...message })),
    ephemerals: () => state.ephemerals.map((ephemeral) => ({ ...ephemeral })),
    requestCount: () => state.requests,
    revokeToken: (token) => state.revoked.add(token),
  };
}
