import { randomBytes } from 'node:crypto';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import pino from 'pino';
import { createChannelRateLimiter, type ChannelRateLimiter } from '../../integrations/slack/rate-limit';
import { SlackApiError, type SlackMessaging } from '../../integrations/slack/web-api';
import { SecretBox } from '../../src/db/crypto';
import { createRedis, Queues, redisOptions, slackPostsQueueName } from '../../src/queues/queues';
import { postSlackAlert, type SlackPostDeps } from '../../src/slack/post-alert';
import {
  createMessagingFor,
  createSlackPostProcessor,
  listUnpostedAlertIds,
} from '../../src/slack/post-worker';
import { startSlackEmulator, type SlackEmulator } from '../../scripts/emulators/slack';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testConfig } from '../support/config';
import {
  alertContent,
  alertRow,
  changeAlert,
  insertAlert,
  recordingLimiter,
  seedSlackTenant,
  unlimited,
} from './slack-post-fixtures';

const config = testConfig();
const box = new SecretBox(config.TOKEN_ENCRYPTION_KEYS, config.TOKEN_ENCRYPTION_KEY_ID);
const log = pino({ level: 'silent' });
const keyPrefix = `slack-post-test-${randomBytes(4).toString('hex')}`;
let database: TestDatabase;
let redis: Redis;
let emulator: SlackEmulator;
let limiter: ChannelRateLimiter;
let ids: { tenantId: string; customerId: string; teamId: string };

beforeAll(async () => {
  database = await createTestDatabase();
  redis = createRedis(config.REDIS_URL, 'worker');
  emulator = await startSlackEmulator({ channelsWithoutBot: ['C0NOBOT'] });
  limiter = createChannelRateLimiter({ redis, keyPrefix });
  ids = await seedSlackTenant(database.db, box, 'xoxb-post-test');
});

afterAll(async () => {
  const keys = await redis.keys(`${keyPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  await emulator.close();
  await database.drop();
});

function deps(overrides: Partial<SlackPostDeps> = {}): SlackPostDeps {
  const settings = { slackApiUrl: emulator.url, timeoutMs: 2000, retries: 0 };
  return {
    db: database.db,
    messagingFor: createMessagingFor({ db: database.db, box, settings, log }),
    limiter,
    log,
    now: () => new Date(),
    ...overrides,
  };
}

/** Wraps the tenant's messaging so a test can act while chat.postMessage is in flight. */
function interceptPost(base: SlackPostDeps, beforePost: () => Promise<void>): SlackPostDeps['messagingFor'] {
  return async (tenantId) => {
    const messaging = await base.messagingFor(tenantId);
    if (!messaging) return null;
    const wrapped: SlackMessaging = {
      ...messaging,
      postMessage: async (message) => {
        await beforePost();
        return messaging.postMessage(message);
      },
    };
    return wrapped;
  };
}

function inChannel(channel: string) {
  return emulator.messages().filter((message) => message.channel === channel);
}

test('postSlackAlert posts then updates one message', async () => {
  const id = await insertAlert(database.db, ids, { channel: 'C0UPDATE' });
  const first = await postSlackAlert(deps(), id);
  await changeAlert(database.db, id, 2);
  const second = await postSlackAlert(deps(), id);
  const third = await postSlackAlert(deps(), id);
  const row = await alertRow(database.db, id);
  expect(first.outcome).toBe('posted');
  expect(second.outcome).toBe('updated');
  expect(third.outcome).toBe('already_posted');
  expect(inChannel('C0UPDATE')).toHaveLength(1);
  expect(inChannel('C0UPDATE')[0]?.updates).toBe(1);
  expect(row.message_ts).toBe(first.messageTs);
  expect(row.posted_version).toBe(2);
  expect(row.status).toBe('posted');
  expect(row.claimed_by).toBeNull();
});

test('postSlackAlert shows changes made during the post', async () => {
  const id = await insertAlert(database.db, ids, { channel: 'C0DURING' });
  const base = deps();
  let changed = false;
  const messagingFor = interceptPost(base, async () => {
    if (changed) return;
    changed = true;
    for (let step = 2; step <= 10; step += 1) await changeAlert(database.db, id, step);
  });
  const result = await postSlackAlert({ ...base, messagingFor }, id);
  const row = await alertRow(database.db, id);
  expect(result.outcome).toBe('updated');
  expect(inChannel('C0DURING')).toHaveLength(1);
  expect(inChannel('C0DURING')[0]?.updates).toBe(1);
  expect(row.posted_version).toBe(10);
  expect(row.status).toBe('posted');
});

test('slack-posts queue coalesces a burst into one post', async () => {
  const queues = new Queues(redisOptions(config.REDIS_URL, 'producer'), config.QUEUE_PREFIX);
  const worker = new Worker(slackPostsQueueName, createSlackPostProcessor(deps()), {
    connection: redisOptions(config.REDIS_URL, 'worker'),
    prefix: config.QUEUE_PREFIX,
  });
  try {
    const id = await insertAlert(database.db, ids, { channel: 'C0BURST' });
    await queues.enqueueSlackPost(id, 300);
    for (let step = 2; step <= 10; step += 1) {
      await changeAlert(database.db, id, step);
      await queues.enqueueSlackPost(id, 300);
    }
    const completed = new Promise((resolve) => worker.once('completed', resolve));
    await completed;
    const row = await alertRow(database.db, id);
    expect(inChannel('C0BURST')).toHaveLength(1);
    expect(inChannel('C0BURST')[0]?.updates).toBeLessThanOrEqual(1);
    expect(row.posted_version).toBe(10);
  } finally {
    await worker.close();
    await queues.slackPosts.obliterate({ force: true });
    await queues.close();
  }
});

test('two workers racing post one message', async () => {
  const id = await insertAlert(database.db, ids, { channel: 'C0RACE' });
  const base = deps();
  const messagingFor = interceptPost(base, () => new Promise((resolve) => setTimeout(resolve, 200)));
  const results = await Promise.all([
    postSlackAlert({ ...base, messagingFor, workerId: 'worker-a' }, id),
    postSlackAlert({ ...base, messagingFor, workerId: 'worker-b' }, id),
  ]);
  const outcomes = results.map((result) => result.outcome).sort();
  expect(outcomes).toEqual(['busy', 'posted']);
  expect(inChannel('C0RACE')).toHaveLength(1);
});

test('slack-posts processor retries a busy alert', async () => {
  const id = await insertAlert(database.db, ids, { channel: 'C0BUSY' });
  const base = deps();
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const holder = postSlackAlert({ ...base, messagingFor: interceptPost(base, () => gate) }, id);
  await new Promise((resolve) => setTimeout(resolve, 100));
  const processor = createSlackPostProcessor(base);
  const job = { data: { slackAlertId: id } } as Parameters<typeof processor>[0];
  await expect(processor(job)).rejects.toMatchObject({ code: 'slack_alert_busy', retryable: true });
  release();
  await expect(holder).resolves.toMatchObject({ outcome: 'posted' });
});

test('limiter spaces five alerts to one channel', async () => {
  const recording = recordingLimiter(limiter);
  const alertIds = [];
  for (let index = 0; index < 5; index += 1) {
    alertIds.push(await insertAlert(database.db, ids, { channel: 'C0SPACED' }));
  }
  const before = emulator.requestCount();
  const results = await Promise.all(
    alertIds.map((id) => postSlackAlert(deps({ limiter: recording.limiter }), id)),
  );
  expect(results.map((result) => result.outcome)).toEqual(['posted', 'posted', 'posted', 'posted', 'posted']);
  expect(recording.waits).toHaveLength(5);
  expect(recording.waits.filter((waits) => waits === 0)).toHaveLength(1);
  expect(emulator.requestCount() - before).toBe(5);
  expect(inChannel('C0SPACED')).toHaveLength(5);
}, 15_000);

test('postSlackAlert 429 rethrows and pauses channel', async () => {
  const recording = recordingLimiter(unlimited);
  const first = await insertAlert(database.db, ids, { channel: 'C0LIMITED' });
  const second = await insertAlert(database.db, ids, { channel: 'C0LIMITED' });
  await postSlackAlert(deps({ limiter: recording.limiter }), first);
  const started = Date.now();
  const error = await postSlackAlert(deps({ limiter: recording.limiter }), second).catch(
    (caught: unknown) => caught,
  );
  const row = await alertRow(database.db, second);
  expect(Date.now() - started).toBeLessThan(2000);
  expect(error).toBeInstanceOf(SlackApiError);
  expect((error as SlackApiError).code).toBe('slack_rate_limited');
  expect((error as SlackApiError).retryable).toBe(true);
  expect(recording.pauses).toEqual([{ channel: 'C0LIMITED', ms: 1000 }]);
  expect(row.posted_version).toBe(0);
  expect(row.attempts).toBe(1);
  expect(row.content).toEqual(alertContent(1));
});

test('not_in_channel fails with an invite hint', async () => {
  const id = await insertAlert(database.db, ids, { channel: 'C0NOBOT' });
  const result = await postSlackAlert(deps(), id);
  const row = await alertRow(database.db, id);
  expect(result.outcome).toBe('failed');
  expect(row.status).toBe('failed');
  expect(row.last_error).toContain('invite');
  expect(row.last_error).toContain('C0NOBOT');
  expect(row.version).toBe(1);
});

test('revoked token revokes the installation', async () => {
  const revokedIds = await seedSlackTenant(database.db, box, 'xoxb-revoked-test');
  emulator.revokeToken('xoxb-revoked-test');
  const id = await insertAlert(database.db, revokedIds, { channel: 'C0REVOKED' });
  const result = await postSlackAlert(deps(), id);
  const row = await alertRow(database.db, id);
  const installation = await database.db
    .selectFrom('slack_installations')
    .select('status')
    .where('tenant_id', '=', revokedIds.tenantId)
    .executeTakeFirstOrThrow();
  expect(result.outcome).toBe('revoked');
  expect(installation.status).toBe('revoked');
  expect(row.status).toBe('pending');
  expect(row.posted_version).toBe(0);
  expect(row.last_error).toContain('reinstall');
  await expect(postSlackAlert(deps(), id)).resolves.toEqual({ outcome: 'not_installed' });
});

test('listUnpostedAlertIds skips posted and uninstalled', async () => {
  const waiting = await insertAlert(database.db, ids, { channel: 'C0SWEEP' });
  const posted = await insertAlert(database.db, ids, { channel: 'C0SWEEP2' });
  await postSlackAlert(deps(), posted);
  const uninstalled = await seedSlackTenant(database.db, box, 'xoxb-sweep');
  await database.db
    .updateTable('slack_installations')
    .set({ status: 'revoked' })
    .where('tenant_id', '=', uninstalled.tenantId)
    .execute();
  const orphan = await insertAlert(database.db, uninstalled, { channel: 'C0SWEEP3' });
  const listed = await listUnpostedAlertIds(database.db, {
    updatedBefore: new Date(Date.now() + 1000),
    limit: 100,
  });
  expect(listed).toContain(waiting);
  expect(listed).not.toContain(posted);
  expect(listed).not.toContain(orphan);
});
