import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Slack's v0 request signature: HMAC-SHA256 of `v0:<timestamp>:<raw body>` with the signing secret. */
export function slackSignature(secret: string, timestampSeconds: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestampSeconds}:${body}`).digest('hex')}`;
}

export interface ButtonClick {
  teamId: string;
  userId: string;
  channelId: string;
  messageTs: string;
  actionId: string;
  value: string;
  /** Where the product sends its ephemeral reply to the click. */
  responseUrl: string;
}

/** Builds a `block_actions` payload for one button click on a channel message. */
export function blockActionsPayload(click: ButtonClick) {
  return {
    type: 'block_actions',
    team: { id: click.teamId, domain: 'acme' },
    user: { id: click.userId, username: 'csm', team_id: click.teamId },
    api_app_id: 'A0LOOPAPP',
    token: 'unused-verification-token',
    trigger_id: '1.2.3',
    response_url: click.responseUrl,
    container: {
      type: 'message',
      message_ts: click.messageTs,
      channel_id: click.channelId,
      is_ephemeral: false,
    },
    channel: { id: click.channelId, name: 'payment-alerts' },
    message: { type: 'message', ts: click.messageTs, text: 'Payment failed' },
    actions: [
      {
        type: 'button',
        action_id: click.actionId,
        block_id: 'alert-actions',
        value: click.value,
        text: { type: 'plain_text', text: click.actionId },
        action_ts: `${Math.floor(Date.now() / 1000)}.000100`,
      },
    ],
  };
}

/** Posts an interactivity payload to `url` as Slack does: form-encoded and signed over the raw body. */
export async function postSignedSlackPayload(url: string, secret: string, payload: unknown): Promise<number> {
  const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const timestamp = Math.floor(Date.now() / 1000);
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': slackSignature(secret, timestamp, body),
    },
    body,
  });
  await response.arrayBuffer();
  return response.status;
}

export interface LocalServer {
  url: string;
  close(): Promise<void>;
}

/** Serves an express app or a plain handler on a free 127.0.0.1 port, so emulators can post webhooks to it. */
export async function listenLocally(handler: http.RequestListener): Promise<LocalServer> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

export interface ResponseUrlCatcher extends LocalServer {
  /** JSON bodies posted to the catcher, in arrival order. */
  replies(): Record<string, unknown>[];
}

/** Starts a stand-in for Slack's `response_url` endpoint that stores every JSON body posted to it. */
export async function startResponseUrlCatcher(): Promise<ResponseUrlCatcher> {
  const replies: Record<string, unknown>[] = [];
  const server = await listenLocally((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      replies.push(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>);
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":true}');
    });
  });
  return { ...server, replies: () => [...replies] };
}

/** Polls `check` until it returns a value other than undefined or false, or fails after `timeoutMs`. */
export async function pollUntil<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await check();
    if (result !== undefined && result !== false) return result;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
