import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import nock from 'nock';
import pino from 'pino';
import { HubSpotActivityLog } from '../../integrations/hubspot/activities';
import { planActivitiesForEvent, recordActionActivity } from '../../src/activity/plan';
import { relayPendingActivities } from '../../src/activity/relay';
import { writeCrmActivity, type WriteActivityDeps } from '../../src/activity/write-activity';
import type { InvoiceChange, LedgerChange } from '../../src/ledger/changes';
import { createTestDatabase, type TestDatabase } from '../support/database';

const base = 'http://hubspot-activities.test';
const now = new Date('2026-06-03T15:30:00.000Z');
const prefix = `crm-activities-test-${randomBytes(4).toString('hex')}`;
const log = pino({ level: 'silent' });

interface CreateBody {
  properties: Record<string, string>;
  associations: Array<{
    to: { id: string };
    types: Array<{ associationCategory: string; associationTypeId: number }>;
  }>;
}

function created(id: string) {
  return { id, properties: {}, createdAt: now.toISOString(), updatedAt: now.toISOString(), archived: false };
}

function invoiceChange(overrides: Partial<InvoiceChange> = {}): InvoiceChange {
  return {
    kind: 'invoice',
    paymentRefs: [],
    stripeInvoiceId: 'in_1',
    stripeCustomerId: 'cus_1',
    stripeSubscriptionId: null,
    number: 'INV-0001',
    status: 'open',
    currency: 'usd',
    amountDue: 12000,
    amountPaid: 0,
    amountRemaining: 12000,
    attemptCount: 1,
    createdAt: null,
    dueDate: null,
    paidAt: null,
    nextPaymentAttempt: null,
    hostedInvoiceUrl: null,
    collectionMethod: 'charge_automatically',
    ...overrides,
  };
}

describe('CRM activities', () => {
  let database: TestDatabase;
  let redis: Redis;
  let unmatched: string[];
  let tenantId: string;
  let customerId: string;
  let connectionId: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    const db = database.db;
    const tenant = await db
      .insertInto('tenants')
      .values({ name: 'Tenant' })
      .returning('id')
      .executeTakeFirstOrThrow();
    tenantId = tenant.id;
    connectionId = (
      await db
        .insertInto('crm_connections')
        .values({
          tenant_id: tenantId,
          provider: 'hubspot',
          account_id: 'portal-1',
          access_token_sealed: 'sealed',
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    customerId = (
      await db
        .insertInto('customers')
        .values({ tenant_id: tenantId, stripe_customer_id: 'cus_1', name: 'Acme Ltd' })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    await db
      .insertInto('crm_links')
      .values({
        tenant_id: tenantId,
        customer_id: customerId,
        provider: 'hubspot',
        record_id: 'company-1',
        matched_by: 'manual',
      })
      .execute();
  });
  beforeEach(() => {
    unmatched = [];
    nock.emitter.on('no match', (request: { method?: string; path?: string }) => {
      unmatched.push(`${request.method} ${request.path}`);
    });
  });
  afterEach(async () => {
    nock.emitter.removeAllListeners('no match');
    const pending = nock.pendingMocks();
    nock.cleanAll();
    await database.db
      .updateTable('crm_connections')
      .set({ status: 'active' })
      .where('id', '=', connectionId)
      .execute();
    // Checked after the cleanup, so one failing test does not fail the next ones too.
    expect(unmatched).toEqual([]);
    expect(pending).toEqual([]);
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await database.drop();
  });

  function deps(): WriteActivityDeps {
    return {
      db: database.db,
      log,
      now: () => now,
      async openConnection(tenant) {
        const row = await database.db
          .selectFrom('crm_connections')
          .select(['id', 'status'])
          .where('tenant_id', '=', tenant)
          .executeTakeFirst();
        return row?.status === 'active'
          ? { id: row.id, accessToken: 'pat-test', portalId: 'portal-1' }
          : null;
      },
      activityLogFor: (connection) =>
        new HubSpotActivityLog({
          accessToken: connection.accessToken,
          portalId: connection.portalId,
          basePath: base,
          redis,
          rateLimit: { points: 10_000, windowSeconds: 10 },
          retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 1000 },
          log,
          rateLimitKeyPrefix: prefix,
        }),
    };
  }

  interface ActivityValues {
    kind?: 'note' | 'task';
    attempts?: number;
    customer?: string;
  }

  async function insertActivity(sourceKey: string, values: ActivityValues = {}) {
    const row = await database.db
      .insertInto('crm_activities')
      .values({
        tenant_id: tenantId,
        customer_id: values.customer ?? customerId,
        provider: 'hubspot',
        kind: values.kind ?? 'note',
        source_key: sourceKey,
        title: 'Payment failed: $120.00 on invoice INV-0001',
        body: 'Amount: $120.00',
        due_at: values.kind === 'task' ? new Date('2026-06-04T09:00:00.000Z') : null,
        attempts: values.attempts ?? 0,
        created_at: new Date('2026-06-03T15:00:00.000Z'),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async function setConnectionStatus(status: 'active' | 'needs_reauth' | 'disconnected') {
    await database.db.updateTable('crm_connections').set({ status }).where('id', '=', connectionId).execute();
  }

  function readRow(id: string) {
    return database.db
      .selectFrom('crm_activities')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  }

  function plan(eventId: string, eventType: string, changes: LedgerChange[]) {
    return database.db.transaction().execute((trx) =>
      planActivitiesForEvent(trx, {
        tenantId,
        eventId,
        eventType,
        customerIds: [customerId],
        changes,
        now,
      }),
    );
  }

  describe('planActivitiesForEvent', () => {
    it('payment failed rows', async () => {
      const ids = await plan('evt_failed', 'invoice.payment_failed', [invoiceChange()]);
      const rows = await database.db
        .selectFrom('crm_activities')
        .select(['kind', 'title', 'source_key', 'due_at', 'status'])
        .where('id', 'in', ids)
        .orderBy('kind')
        .execute();
      expect(rows.map((row) => [row.kind, row.title, row.source_key])).toEqual([
        ['note', 'Payment failed: $120.00 on invoice INV-0001', 'stripe:evt_failed:payment_failed'],
        ['task', 'Contact Acme Ltd about a failed payment', 'stripe:evt_failed:payment_failed'],
      ]);
      expect(rows[1]?.due_at).toEqual(new Date('2026-06-04T09:00:00.000Z'));
      expect(rows.map((row) => row.status)).toEqual(['pending', 'pending']);
    });

    it('reads decline from ledger', async () => {
      await database.db
        .insertInto('payment_attempts')
        .values({
          tenant_id: tenantId,
          customer_id: customerId,
          attempt_key: 'ch_decline',
          stripe_invoice_id: 'in_decline',
          status: 'failed',
          amount: 12000,
          currency: 'usd',
          decline_code: 'insufficient_funds',
          attempted_at: now,
        })
        .execute();
      const changes = [invoiceChange({ stripeInvoiceId: 'in_decline' })];
      const [noteId] = await plan('evt_decline', 'invoice.payment_failed', changes);
      expect(noteId).toBeDefined();
      expect((await readRow(noteId as string)).body).toContain('Decline reason: Insufficient funds');
    });

    it('replay inserts nothing', async () => {
      const changes = [invoiceChange({ status: 'uncollectible' })];
      const first = await plan('evt_replay', 'invoice.marked_uncollectible', changes);
      const second = await plan('evt_replay', 'invoice.marked_uncollectible', changes);
      const count = await database.db
        .selectFrom('crm_activities')
        .select((eb) => eb.fn.countAll<string>().as('count'))
        .where('source_key', '=', 'stripe:evt_replay:dunning_exhausted')
        .executeTakeFirstOrThrow();
      expect(first).toHaveLength(2);
      expect(second).toEqual([]);
      expect(Number(count.count)).toBe(2);
    });

    it('non-significant event none', async () => {
      expect(await plan('evt_created', 'invoice.created', [invoiceChange()])).toEqual([]);
    });

    it('inactive connection none', async () => {
      await setConnectionStatus('needs_reauth');
      expect(await plan('evt_inactive', 'invoice.payment_failed', [invoiceChange()])).toEqual([]);
    });
  });

  describe('writeCrmActivity', () => {
    it('writes note with association', async () => {
      const id = await insertActivity('stripe:evt_w1:payment_failed');
      let body: CreateBody | undefined;
      nock(base, { reqheaders: { authorization: 'Bearer pat-test' } })
        .post('/crm/v3/objects/notes', (sent: CreateBody) => {
          body = sent;
          return true;
        })
        .reply(201, created('note-1'));
      expect(await writeCrmActivity(deps(), id)).toBe('written');
      expect(body?.associations).toEqual([
        {
          to: { id: 'company-1' },
          types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 190 }],
        },
      ]);
      expect(body?.properties.hs_timestamp).toBe('2026-06-03T15:00:00.000Z');
      expect(body?.properties.hs_note_body).toBe(
        '<p><strong>Payment failed: $120.00 on invoice INV-0001</strong></p><p>Amount: $120.00</p>' +
          '<p>Reference: stripe:evt_w1:payment_failed</p>',
      );
      const row = await readRow(id);
      expect(row.status).toBe('written');
      expect(row.crm_record_id).toBe('note-1');
      expect(row.written_at).toEqual(now);
    });

    it('names the customer known by write time', async () => {
      const id = await insertActivity('stripe:evt_name1:payment_failed');
      const customer = await database.db
        .selectFrom('customers')
        .select('stripe_customer_id')
        .where('id', '=', customerId)
        .executeTakeFirstOrThrow();
      await database.db
        .updateTable('crm_activities')
        .set({ title: `Contact ${customer.stripe_customer_id} about a failed payment` })
        .where('id', '=', id)
        .execute();
      await database.db
        .updateTable('customers')
        .set({ name: 'Globex Corporation' })
        .where('id', '=', customerId)
        .execute();
      let body: CreateBody | undefined;
      nock(base)
        .post('/crm/v3/objects/notes', (sent: CreateBody) => {
          body = sent;
          return true;
        })
        .reply(201, created('note-named'));
      expect(await writeCrmActivity(deps(), id)).toBe('written');
      expect(body?.properties.hs_note_body).toContain('Contact Globex Corporation about a failed payment');
    });

    it('second run sends nothing', async () => {
      const id = await insertActivity('stripe:evt_w2:payment_failed');
      nock(base).post('/crm/v3/objects/notes').reply(201, created('note-2'));
      await writeCrmActivity(deps(), id);
      expect(await writeCrmActivity(deps(), id)).toBe('already_done');
      expect((await readRow(id)).crm_record_id).toBe('note-2');
    });

    it('writes task', async () => {
      const id = await insertActivity('stripe:evt_t1:payment_failed', { kind: 'task' });
      let body: CreateBody | undefined;
      nock(base)
        .post('/crm/v3/objects/tasks', (sent: CreateBody) => {
          body = sent;
          return true;
        })
        .reply(201, created('task-1'));
      expect(await writeCrmActivity(deps(), id)).toBe('written');
      expect(body?.properties.hs_timestamp).toBe('2026-06-04T09:00:00.000Z');
      expect(body?.properties.hs_task_subject).toBe('Payment failed: $120.00 on invoice INV-0001');
      expect(body?.properties.hs_task_status).toBe('NOT_STARTED');
      expect(body?.properties.hs_task_priority).toBe('HIGH');
      expect(body?.associations[0]?.types[0]?.associationTypeId).toBe(192);
      expect((await readRow(id)).crm_record_id).toBe('task-1');
    });

    it('crash window finds earlier note', async () => {
      const sourceKey = 'stripe:evt_c1:payment_failed';
      const id = await insertActivity(sourceKey, { attempts: 1 });
      let search:
        { filterGroups: Array<{ filters: Array<{ propertyName: string; value: string }> }> } | undefined;
      nock(base)
        .post('/crm/v3/objects/notes/search', (sent: typeof search) => {
          search = sent;
          return true;
        })
        .reply(200, {
          total: 2,
          results: [
            { ...created('note-other'), properties: { hs_note_body: `<p>Reference: ${sourceKey}_x</p>` } },
            { ...created('note-earlier'), properties: { hs_note_body: `<p>Reference: ${sourceKey}</p>` } },
          ],
        });
      expect(await writeCrmActivity(deps(), id)).toBe('written');
      expect(search?.filterGroups[0]?.filters).toEqual([
        { propertyName: 'associations.company', operator: 'EQ', value: 'company-1' },
        {
          propertyName: 'hs_timestamp',
          operator: 'EQ',
          value: String(Date.parse('2026-06-03T15:00:00.000Z')),
        },
      ]);
      expect((await readRow(id)).crm_record_id).toBe('note-earlier');
    });

    it('crash window creates when absent', async () => {
      const id = await insertActivity('stripe:evt_c2:payment_failed', { attempts: 1 });
      nock(base)
        .post('/crm/v3/objects/notes/search')
        .reply(200, { total: 0, results: [] })
        .post('/crm/v3/objects/notes')
        .reply(201, created('note-new'));
      expect(await writeCrmActivity(deps(), id)).toBe('written');
      expect((await readRow(id)).crm_record_id).toBe('note-new');
    });

    it('retries 429', async () => {
      const id = await insertActivity('stripe:evt_r1:payment_failed');
      nock(base)
        .post('/crm/v3/objects/notes')
        .reply(429, { status: 'error', message: 'limit' }, { 'Retry-After': '0' })
        .post('/crm/v3/objects/notes')
        .reply(201, created('note-r1'));
      expect(await writeCrmActivity(deps(), id)).toBe('written');
      expect((await readRow(id)).crm_record_id).toBe('note-r1');
    });

    it('unavailable rethrows and stays pending', async () => {
      const id = await insertActivity('stripe:evt_r2:payment_failed');
      nock(base).post('/crm/v3/objects/notes').times(3).reply(503, { status: 'error', message: 'down' });
      const expected = { code: 'hubspot_unavailable', retryable: true };
      await expect(writeCrmActivity(deps(), id)).rejects.toMatchObject(expected);
      const row = await readRow(id);
      expect(row.status).toBe('pending');
      expect(row.attempts).toBe(1);
      expect(row.last_error).toContain('hubspot_unavailable');
    });

    it('bad request marks failed', async () => {
      const id = await insertActivity('stripe:evt_b1:payment_failed');
      const rejection = { status: 'error', message: 'invalid association', category: 'VALIDATION_ERROR' };
      nock(base).post('/crm/v3/objects/notes').reply(400, rejection);
      expect(await writeCrmActivity(deps(), id)).toBe('failed');
      const row = await readRow(id);
      expect(row.status).toBe('failed');
      expect(row.last_error).toContain('hubspot_bad_request');
    });

    it('unlinked company waits, then skipped', async () => {
      const other = await database.db
        .insertInto('customers')
        .values({ tenant_id: tenantId, stripe_customer_id: 'cus_unlinked' })
        .returning('id')
        .executeTakeFirstOrThrow();
      const id = await insertActivity('stripe:evt_s1:payment_failed', { customer: other.id });
      expect(await writeCrmActivity(deps(), id)).toBe('waiting_for_match');
      expect((await readRow(id)).status).toBe('pending');

      await database.db
        .insertInto('crm_sync_state')
        .values({
          tenant_id: tenantId,
          customer_id: other.id,
          provider: 'hubspot',
          match_status: 'unmatched',
        })
        .execute();
      expect(await writeCrmActivity(deps(), id)).toBe('skipped');
      expect((await readRow(id)).status).toBe('skipped');
    });

    it('inactive connection stays pending', async () => {
      const id = await insertActivity('stripe:evt_p1:payment_failed');
      await setConnectionStatus('needs_reauth');
      expect(await writeCrmActivity(deps(), id)).toBe('waiting_for_connection');
      const row = await readRow(id);
      expect(row.status).toBe('pending');
      expect(row.attempts).toBe(0);
    });

    it('unauthorized marks connection', async () => {
      const id = await insertActivity('stripe:evt_u1:payment_failed');
      nock(base).post('/crm/v3/objects/notes').reply(401, { status: 'error', message: 'expired' });
      await expect(writeCrmActivity(deps(), id)).rejects.toThrow('HTTP 401');
      const connection = await database.db
        .selectFrom('crm_connections')
        .select('status')
        .where('id', '=', connectionId)
        .executeTakeFirstOrThrow();
      expect(connection.status).toBe('needs_reauth');
      expect((await readRow(id)).status).toBe('pending');
    });
  });

  describe('recordActionActivity', () => {
    it('one row per key', async () => {
      const activity = {
        tenantId,
        customerId,
        sourceKey: 'card_action:1:succeeded',
        title: 'Payment retried',
        body: 'By CSM',
      };
      const first = await recordActionActivity(database.db, activity);
      const second = await recordActionActivity(database.db, activity);
      expect(first).not.toBeNull();
      expect(second).toBe(first);
      expect((await readRow(first as string)).kind).toBe('note');
    });
  });

  describe('relayPendingActivities', () => {
    it('enqueues old pending rows', async () => {
      await database.db
        .updateTable('crm_activities')
        .set({ status: 'written' })
        .where('status', '=', 'pending')
        .execute();
      const old = await insertActivity('stripe:evt_relay_old:payment_failed');
      const fresh = await database.db
        .insertInto('crm_activities')
        .values({
          tenant_id: tenantId,
          customer_id: customerId,
          provider: 'hubspot',
          kind: 'note',
          source_key: 'stripe:evt_relay_new:payment_failed',
          title: 't',
          body: 'b',
          created_at: new Date(now.getTime() - 10_000),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const enqueued: string[] = [];
      const queues = { enqueueCrmActivity: async (id: string) => void enqueued.push(id) };
      const count = await relayPendingActivities(database.db, queues, now);
      expect(count).toBe(1);
      expect(enqueued).toEqual([old]);
      expect(enqueued).not.toContain(fresh.id);
    });

    it('skips inactive connections', async () => {
      await setConnectionStatus('disconnected');
      const enqueued: string[] = [];
      const queues = { enqueueCrmActivity: async (id: string) => void enqueued.push(id) };
      await relayPendingActivities(database.db, queues, now);
      expect(enqueued).toEqual([]);
    });
  });
});
