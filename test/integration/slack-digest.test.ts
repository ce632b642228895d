import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import pino from 'pino';
import { createChannelRateLimiter } from '../../integrations/slack/rate-limit';
import { SecretBox } from '../../src/db/crypto';
import { createRedis } from '../../src/queues/queues';
import { nextDigestAt, sendDueDigests, type DigestDeps } from '../../src/slack/digest';
import { createMessagingFor } from '../../src/slack/post-worker';
import { startSlackEmulator, type SlackEmulator } from '../../scripts/emulators/slack';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testConfig } from '../support/config';
import { alertRow, insertAlert, seedSlackTenant } from './slack-post-fixtures';

const config = testConfig();
const box = new SecretBox(config.TOKEN_ENCRYPTION_KEYS, config.TOKEN_ENCRYPTION_KEY_ID);
const log = pino({ level: 'silent' });
const keyPrefix = `slack-digest-test-${randomBytes(4).toString('hex')}`;
const dueAt = new Date('2026-03-02T09:00:00Z');
const now = new Date('2026-03-02T09:00:30Z');
let database: TestDatabase;
let redis: Redis;
let emulator: SlackEmulator;
let deps: DigestDeps;

beforeAll(async () => {
  database = await createTestDatabase();
  redis = createRedis(config.REDIS_URL, 'worker');
  emulator = await startSlackEmulator();
  const settings = { slackApiUrl: emulator.url, timeoutMs: 2000, retries: 0 };
  deps = {
    db: database.db,
    messagingFor: createMessagingFor({ db: database.db, box, settings, log }),
    limiter: createChannelRateLimiter({ redis, keyPrefix }),
    log,
  };
});

afterAll(async () => {
  const keys = await redis.keys(`${keyPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  await emulator.close();
  await database.drop();
});

async function seedDigestTenant(enabled = true) {
  const ids = await seedSlackTenant(database.db, box, `xoxb-digest-${randomBytes(3).toString('hex')}`);
  await database.db
    .insertInto('alert_settings')
    .values({
      tenant_id: ids.tenantId,
      settings: JSON.stringify({ digest: { enabled, hourUtc: 9 } }),
      next_digest_at: dueAt,
    })
    .execute();
  return ids;
}

async function nextDigest(tenantId: string) {
  const row = await database.db
    .selectFrom('alert_settings')
    .select('next_digest_at')
    .where('tenant_id', '=', tenantId)
    .executeTakeFirstOrThrow();
  return row.next_digest_at;
}

function inChannel(channel: string) {
  return emulator.messages().filter((message) => message.channel === channel);
}

test('nextDigestAt later today', () => {
  expect(nextDigestAt(new Date('2026-03-02T07:15:00Z'), 9)).toEqual(new Date('2026-03-02T09:00:00Z'));
});

test('nextDigestAt at the hour is tomorrow', () => {
  expect(nextDigestAt(new Date('2026-03-02T09:00:00Z'), 9)).toEqual(new Date('2026-03-03T09:00:00Z'));
});

test('nextDigestAt across month end', () => {
  expect(nextDigestAt(new Date('2026-03-31T23:00:00Z'), 0)).toEqual(new Date('2026-04-01T00:00:00Z'));
});

test('digest sends one message per channel', async () => {
  const ids = await seedDigestTenant();
  const earlier = new Date('2026-03-01T12:00:00Z');
  const first = await insertAlert(database.db, ids, {
    channel: 'C0DIGA',
    status: 'digest',
    createdAt: earlier,
  });
  const second = await insertAlert(database.db, ids, {
    channel: 'C0DIGA',
    status: 'digest',
    createdAt: earlier,
  });
  const third = await insertAlert(database.db, ids, {
    channel: 'C0DIGB',
    status: 'digest',
    createdAt: earlier,
  });
  const results = await sendDueDigests(deps, now);
  const mine = results.find((result) => result.tenantId === ids.tenantId);
  expect(mine?.outcome).toBe('sent');
  expect(mine?.alerts).toBe(3);
  expect(inChannel('C0DIGA')).toHaveLength(1);
  expect(inChannel('C0DIGB')).toHaveLength(1);
  expect(inChannel('C0DIGA')[0]?.text).toContain('2 open');
  for (const id of [first, second, third]) {
    const row = await alertRow(database.db, id);
    expect(row.status).toBe('posted');
    expect(row.posted_version).toBe(row.version);
  }
  expect(await nextDigest(ids.tenantId)).toEqual(new Date('2026-03-03T09:00:00Z'));
});

test('digest sends once per day', async () => {
  const ids = await seedDigestTenant();
  await insertAlert(database.db, ids, { channel: 'C0ONCE', status: 'digest', createdAt: dueAt });
  await Promise.all([sendDueDigests(deps, now), sendDueDigests(deps, now)]);
  await insertAlert(database.db, ids, { channel: 'C0ONCE', status: 'digest', createdAt: now });
  await sendDueDigests(deps, new Date('2026-03-02T15:00:00Z'));
  expect(inChannel('C0ONCE')).toHaveLength(1);
  await sendDueDigests(deps, new Date('2026-03-03T09:00:05Z'));
  expect(inChannel('C0ONCE')).toHaveLength(2);
  expect(await nextDigest(ids.tenantId)).toEqual(new Date('2026-03-04T09:00:00Z'));
});

test('disabled digest clears the schedule', async () => {
  const ids = await seedDigestTenant(false);
  await insertAlert(database.db, ids, { channel: 'C0OFF', status: 'digest', createdAt: dueAt });
  const results = await sendDueDigests(deps, now);
  expect(results.find((result) => result.tenantId === ids.tenantId)?.outcome).toBe('disabled');
  expect(inChannel('C0OFF')).toHaveLength(0);
  expect(await nextDigest(ids.tenantId)).toBeNull();
});
