import pino from 'pino';
import { WebClient } from '@slack/web-api';
import { createSlackMessaging, SlackApiError, type SlackMessaging } from '../../integrations/slack/web-api';
import { startSlackEmulator, type SlackEmulator } from '../../scripts/emulators/slack';

const log = pino({ level: 'silent' });
const token = 'xoxb-test-emulator';
let emulator: SlackEmulator;
let slack: SlackMessaging;

beforeAll(async () => {
  emulator = await startSlackEmulator({
    usergroups: { S0CSMS: ['U1', 'U2'] },
    channelsWithoutBot: ['C0NOBOT'],
  });
  slack = createSlackMessaging(token, { slackApiUrl: emulator.url, timeoutMs: 2000, retries: 0 }, log);
});

afterAll(async () => {
  await emulator.close();
});

async function errorOf(promise: Promise<unknown>): Promise<SlackApiError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof SlackApiError)) throw new Error(`expected a SlackApiError, got ${String(error)}`);
  return error;
}

const blocks = [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: '*Payment failed*' } }];

test('emulator post then update keeps one message', async () => {
  const posted = await slack.postMessage({ channel: 'C0POSTUPD', text: 'Payment failed', blocks });
  await slack.updateMessage({ channel: 'C0POSTUPD', ts: posted.ts, text: 'Payment recovered', blocks: [] });
  const messages = emulator.messages().filter((message) => message.channel === 'C0POSTUPD');
  expect(messages).toHaveLength(1);
  expect(messages[0]?.ts).toBe(posted.ts);
  expect(messages[0]?.text).toBe('Payment recovered');
  expect(messages[0]?.updates).toBe(1);
});

test('emulator stores blocks sent by the adapter', async () => {
  await slack.postMessage({ channel: 'C0BLOCKS', text: 'Payment failed', blocks });
  const message = emulator.messages().find((candidate) => candidate.channel === 'C0BLOCKS');
  expect(message?.blocks).toEqual(blocks);
});

test('emulator second post in one second is 429', async () => {
  await slack.postMessage({ channel: 'C0RATE', text: 'first', blocks });
  const error = await errorOf(slack.postMessage({ channel: 'C0RATE', text: 'second', blocks }));
  expect(error.code).toBe('slack_rate_limited');
  expect(error.retryAfterMs).toBe(1000);
  expect(error.retryable).toBe(true);
});

test('emulator channel without bot is not_in_channel', async () => {
  const error = await errorOf(slack.postMessage({ channel: 'C0NOBOT', text: 'hello', blocks }));
  expect(error.code).toBe('slack_not_in_channel');
  expect(error.retryable).toBe(false);
});

test('emulator malformed channel is channel_not_found', async () => {
  const error = await errorOf(slack.postMessage({ channel: 'general', text: 'hello', blocks }));
  expect(error.code).toBe('slack_channel_not_found');
});

test('emulator update of unknown ts is message_not_found', async () => {
  const error = await errorOf(slack.updateMessage({ channel: 'C0UPD', ts: '1.000001', text: 'x', blocks }));
  expect(error.code).toBe('slack_message_not_found');
});

test('emulator revoked token is token_revoked', async () => {
  const revokedToken = 'xoxb-test-revoked';
  emulator.revokeToken(revokedToken);
  const revoked = createSlackMessaging(revokedToken, { slackApiUrl: emulator.url, timeoutMs: 2000 }, log);
  const error = await errorOf(revoked.postMessage({ channel: 'C0REVOKED', text: 'hello', blocks }));
  expect(error.code).toBe('slack_token_revoked');
});

test('emulator ephemeral and user group members', async () => {
  const ephemeral = await slack.postEphemeral({
    channel: 'C0EPH',
    user: 'U1',
    text: 'Only you can see this',
  });
  expect(ephemeral.messageTs).toMatch(/^\d+\.\d{6}$/);
  expect(emulator.ephemerals()).toContainEqual(expect.objectContaining({ channel: 'C0EPH', user: 'U1' }));
  await expect(slack.usergroupMembers('S0CSMS')).resolves.toEqual(['U1', 'U2']);
});

test('emulator oauth.v2.access returns a bot token', async () => {
  const client = new WebClient(undefined, { slackApiUrl: emulator.url, retryConfig: { retries: 0 } });
  const result = await client.oauth.v2.access({
    client_id: 'client',
    client_secret: 'secret',
    code: 'code-1',
  });
  expect(result.access_token).toMatch(/^xoxb-emulated-/);
  expect(result.team?.id).toBe('T0EMULATED');
});

test('emulator counts every request', async () => {
  const before = emulator.requestCount();
  await slack.usergroupMembers('S0CSMS');
  expect(emulator.requestCount()).toBe(before + 1);
});
