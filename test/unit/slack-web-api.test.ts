import nock from 'nock';
import pino from 'pino';
import { WebAPIPlatformError, WebAPIRateLimitedError } from '@slack/web-api';
import {
  createSlackMessaging,
  SlackApiError,
  toSlackApiError,
  webClientOptions,
} from '../../integrations/slack/web-api';

const log = pino({ level: 'silent' });
const slackApi = 'https://slack.com';
const settings = { slackApiUrl: 'https://slack.com/api/', timeoutMs: 2000 };
const blocks = [{ type: 'divider' as const }];

afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

async function errorOf(promise: Promise<unknown>): Promise<SlackApiError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof SlackApiError)) throw new Error(`expected a SlackApiError, got ${String(error)}`);
  return error;
}

test('webClientOptions rejects 429 and retries briefly', () => {
  const options = webClientOptions(settings, log);
  expect(options.rejectRateLimitedCalls).toBe(true);
  expect(options.retryConfig.retries).toBe(2);
  expect(options.retryConfig.maxTimeout).toBeLessThanOrEqual(5000);
  expect(options.timeout).toBe(2000);
});

test('postMessage returns channel and ts', async () => {
  nock(slackApi)
    .post(
      '/api/chat.postMessage',
      (body) => body.channel === 'C0ALERTS' && JSON.parse(body.blocks).length === 1,
    )
    .matchHeader('authorization', 'Bearer xoxb-unit')
    .reply(200, { ok: true, channel: 'C0ALERTS', ts: '1700000000.000100' });
  const slack = createSlackMessaging('xoxb-unit', settings, log);
  const posted = await slack.postMessage({ channel: 'C0ALERTS', text: 'Payment failed', blocks });
  expect(posted).toEqual({ channel: 'C0ALERTS', ts: '1700000000.000100' });
});

test('postMessage 429 returns at once with Retry-After', async () => {
  nock(slackApi)
    .post('/api/chat.postMessage')
    .once()
    .reply(429, { ok: false, error: 'ratelimited' }, { 'Retry-After': '30' });
  const slack = createSlackMessaging('xoxb-unit', settings, log);
  const started = Date.now();
  const error = await errorOf(slack.postMessage({ channel: 'C0ALERTS', text: 'x', blocks }));
  expect(Date.now() - started).toBeLessThan(2000);
  expect(error.code).toBe('slack_rate_limited');
  expect(error.retryAfterMs).toBe(30_000);
  expect(error.retryable).toBe(true);
});

test('postMessage retries HTTP 503 twice then fails', async () => {
  nock(slackApi).post('/api/chat.postMessage').times(3).reply(503, 'unavailable');
  const slack = createSlackMessaging('xoxb-unit', settings, log);
  const error = await errorOf(slack.postMessage({ channel: 'C0ALERTS', text: 'x', blocks }));
  expect(error.code).toBe('slack_unavailable');
  expect(error.retryable).toBe(true);
});

test('postMessage recovers after one HTTP 500', async () => {
  nock(slackApi)
    .post('/api/chat.postMessage')
    .reply(500, 'oops')
    .post('/api/chat.postMessage')
    .reply(200, { ok: true, channel: 'C0ALERTS', ts: '1.000002' });
  const slack = createSlackMessaging('xoxb-unit', settings, log);
  const posted = await slack.postMessage({ channel: 'C0ALERTS', text: 'x', blocks });
  expect(posted.ts).toBe('1.000002');
});

test('platform error is not retried', async () => {
  nock(slackApi).post('/api/chat.update').once().reply(200, { ok: false, error: 'channel_not_found' });
  const slack = createSlackMessaging('xoxb-unit', settings, log);
  const error = await errorOf(slack.updateMessage({ channel: 'C0GONE', ts: '1.1', text: 'x', blocks }));
  expect(error.code).toBe('slack_channel_not_found');
  expect(error.slackError).toBe('channel_not_found');
  expect(error.retryable).toBe(false);
});

test('error message leaves out the token', async () => {
  nock(slackApi).post('/api/usergroups.users.list').reply(200, { ok: false, error: 'invalid_auth' });
  const slack = createSlackMessaging('xoxb-secret-token', settings, log);
  const error = await errorOf(slack.usergroupMembers('S0CSMS'));
  expect(error.code).toBe('slack_invalid_auth');
  expect(error.message).not.toContain('xoxb-secret-token');
});

describe('toSlackApiError', () => {
  const platformCases: [string, string, boolean][] = [
    ['not_in_channel', 'slack_not_in_channel', false],
    ['channel_not_found', 'slack_channel_not_found', false],
    ['is_archived', 'slack_channel_archived', false],
    ['token_revoked', 'slack_token_revoked', false],
    ['account_inactive', 'slack_token_revoked', false],
    ['invalid_auth', 'slack_invalid_auth', false],
    ['message_not_found', 'slack_message_not_found', false],
    ['invalid_blocks', 'slack_invalid_request', false],
    ['internal_error', 'slack_unavailable', true],
    ['ratelimited', 'slack_rate_limited', true],
    ['something_new', 'slack_request_failed', false],
  ];

  test.each(platformCases)('platform %s', (slackError, code, retryable) => {
    const error = toSlackApiError(
      new WebAPIPlatformError({ ok: false, error: slackError }),
      'chat.postMessage',
    );
    expect(error.code).toBe(code);
    expect(error.retryable).toBe(retryable);
  });

  test('rate limited error carries milliseconds', () => {
    const error = toSlackApiError(new WebAPIRateLimitedError(7), 'chat.update');
    expect(error.retryAfterMs).toBe(7000);
  });

  test('unknown error is unavailable', () => {
    const error = toSlackApiError(new Error('socket hang up'), 'chat.update');
    expect(error.code).toBe('slack_unavailable');
    expect(error.retryable).toBe(true);
  });
});
