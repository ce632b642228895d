import nock from 'nock';
import { Queues, redisOptions } from '../../src/queues/queues';
import { encodeAlertButtonValue } from '../../src/slack/actions/button-value';
import { testConfig } from '../support/config';
import { createTestDatabase, type TestDatabase } from '../support/database';
import {
  actionDeps,
  cardActionsOf,
  clickPayload,
  readAlert,
  seedAlert,
  seedTenant,
  sendClick,
  slackActionServer,
  waitFor,
} from './slack-action-support';

describe('Slack alert button clicks', () => {
  const config = testConfig();
  let database: TestDatabase;
  let queues: Queues;
  let server: ReturnType<typeof slackActionServer>;
  let tenantA: string;

  async function waitingCardActionJobs(cardActionId: string): Promise<number> {
    const jobs = await queues.cardActions.getJobs(['waiting', 'delayed', 'active', 'prioritized']);
    return jobs.filter((job) => job.data.cardActionId === cardActionId).length;
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    queues = new Queues(redisOptions(config.REDIS_URL, 'producer'), config.QUEUE_PREFIX);
    server = slackActionServer(actionDeps(database.db, queues));
    tenantA = await seedTenant(database.db, 'A', 'T_A');
    await seedTenant(database.db, 'B', 'T_B');
  });

  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    expect(pending).toEqual([]);
  });

  afterAll(async () => {
    await queues.cardActions.obliterate({ force: true });
    await queues.slackPosts.obliterate({ force: true });
    await queues.close();
    await database.drop();
  });

  it('retry click acked and recorded', async () => {
    const seeded = await seedAlert(database.db, tenantA);
    const value = encodeAlertButtonValue({ alertId: seeded.alertId, invoiceId: seeded.invoiceId });

    const response = await sendClick(server, clickPayload('retry_payment', value));

    expect(response.status).toBe(200);
    const rows = await cardActionsOf(database.db, seeded.customerId);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.source).toBe('slack');
    expect(rows[0]!.requested_by).toBe('slack-user:T_A:U_CSM1');
    expect(rows[0]!.stripe_invoice_id).toBe(seeded.invoiceId);
    expect(await waitingCardActionJobs(rows[0]!.id)).toBe(1);
    await waitFor(
      async () => (await readAlert(database.db, seeded.alertId)).version === 2,
      'the requested entry',
    );
    const alert = await readAlert(database.db, seeded.alertId);
    expect(alert.content.actions).toEqual([
      expect.objectContaining({
        action: 'retry_payment',
        userId: 'U_CSM1',
        outcome: 'requested',
        cardActionId: rows[0]!.id,
      }),
    ]);
    expect(await queues.slackPosts.getJob(`slack-alert-${seeded.alertId}`)).toBeDefined();
  });

  it('bad signature rejected', async () => {
    const seeded = await seedAlert(database.db, tenantA);
    const value = encodeAlertButtonValue({ alertId: seeded.alertId });

    const response = await sendClick(server, clickPayload('claim', value), { secret: 'wrong-secret' });

    expect(response.status).toBe(401);
    expect((await readAlert(database.db, seeded.alertId)).version).toBe(1);
  });

  it('stale timestamp rejected', async () => {
    const seeded = await seedAlert(database.db, tenantA);
    const value = encodeAlertButtonValue({ alertId: seeded.alertId });
    const tenMinutesAgo = Math.floor(Date.now() / 1000) - 600;

    const response = await sendClick(server, clickPayload('claim', value), { timestamp: tenMinutesAgo });

    expect(response.status).toBe(401);
    expect((await readAlert(database.db, seeded.alertId)).version).toBe(1);
  });

  it('click from another workspace rejected', async () => {
    const seeded = await seedAlert(database.db, tenantA);
    const value = encodeAlertButtonValue({ alertId: seeded.alertId, invoiceId: seeded.invoiceId });
    const replies: Array<Record<string, unknown>> = [];
    nock('https://hooks.slack.com')
      .post('/actions/T_B/U_OTHER/secret', (body) => {
        replies.push(body);
        return true;
      })
      .reply(200, 'ok');

    const response = await sendClick(
      server,
      clickPayload('retry_payment', value, { team: 'T_B', user: 'U_OTHER' }),
    );

    expect(response.status).toBe(200);
    await waitFor(() => replies.length === 1, 'the ephemeral reply');
    expect(replies[0]!.response_type).toBe('ephemeral');
    expect(replies[0]!.text).toBe(
      "You can't act on this alert: it belongs to an account installed in another Slack workspace.",
    );
    expect(await cardActionsOf(database.db, seeded.customerId)).toHaveLength(0);
  });

  it('invalid button value rejected', async () => {
    const replies: Array<Record<string, unknown>> = [];
    nock('https://hooks.slack.com')
      .post('/actions/T_A/U_CSM1/secret', (body) => {
        replies.push(body);
        return true;
      })
      .reply(200, 'ok');

    const response = await sendClick(server, clickPayload('claim', '{"alertId":"1","extra":true}'));

    expect(response.status).toBe(200);
    await waitFor(() => replies.length === 1, 'the ephemeral reply');
    expect(replies[0]!.text).toBe("You can't act on this alert: the button does not name a valid alert.");
  });

  it('double click records one action', async () => {
    const seeded = await seedAlert(database.db, tenantA);
    const value = encodeAlertButtonValue({ alertId: seeded.alertId, invoiceId: seeded.invoiceId });
    const replies: Array<Record<string, unknown>> = [];
    nock('https://hooks.slack.com')
      .post('/actions/T_A/U_CSM1/secret', (body) => {
        replies.push(body);
        return true;
      })
      .reply(200, 'ok');

    const first = await sendClick(server, clickPayload('retry_payment', value));
    const second = await sendClick(server, clickPayload('retry_payment', value));

    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    const rows = await cardActionsOf(database.db, seeded.customerId);
    expect(rows).toHaveLength(1);
    expect(await waitingCardActionJobs(rows[0]!.id)).toBe(1);
    await waitFor(() => replies.length === 1, 'the duplicate reply');
    expect(replies[0]!.text).toContain('already requested');
  });

  it('concurrent retries by two users record one action', async () => {
    const seeded = await seedAlert(database.db, tenantA);
    const value = encodeAlertButtonValue({ alertId: seeded.alertId, invoiceId: seeded.invoiceId });
    const replies: Array<Record<string, unknown>> = [];
    nock('https://hooks.slack.com')
      .post(/^\/actions\/T_A\/U_CSM[12]\/secret$/, (body) => {
        replies.push(body);
        return true;
      })
      .reply(200, 'ok');

    const responses = await Promise.all([
      sendClick(server, clickPayload('retry_payment', value, { user: 'U_CSM1' })),
      sendClick(server, clickPayload('retry_payment', value, { user: 'U_CSM2' })),
    ]);

    expect(responses.map((response) => response.status)).toEqual([200, 200]);
    const rows = await cardActionsOf(database.db, seeded.customerId);
    expect(rows).toHaveLength(1);
    expect(await waitingCardActionJobs(rows[0]!.id)).toBe(1);
    await waitFor(() => replies.length === 1, 'the reply to the second user');
  });

  it('claim assigns the alert', async () => {
    const seeded = await seedAlert(database.db, tenantA);
    const value = encodeAlertButtonValue({ alertId: seeded.alertId });

    const response = await sendClick(server, clickPayload('claim', value, { user: 'U_CSM2' }));

    expect(response.status).toBe(200);
    const alert = await readAlert(database.db, seeded.alertId);
    expect(alert.version).toBe(2);
    expect(alert.content.claimedBy).toEqual({
      userId: 'U_CSM2',
      teamId: 'T_A',
      at: '2026-03-02T10:00:00.000Z',
    });
    expect(alert.content.actions).toEqual([
      { action: 'claim', userId: 'U_CSM2', at: '2026-03-02T10:00:00.000Z', outcome: 'succeeded' },
    ]);
    const audit = await database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('subject', '=', `slack-alert:${seeded.alertId}`)
      .execute();
    expect(audit.map((row) => [row.action, row.actor])).toEqual([
      ['slack_alert.claim', 'slack-user:T_A:U_CSM2'],
    ]);
    const updateJob = async () => Boolean(await queues.slackPosts.getJob(`slack-alert-${seeded.alertId}`));
    await waitFor(updateJob, 'the update job');
  });

  it('pause click records seven days', async () => {
    const seeded = await seedAlert(database.db, tenantA);
    const value = encodeAlertButtonValue({ alertId: seeded.alertId });

    const response = await sendClick(server, clickPayload('pause_dunning_7d', value));

    expect(response.status).toBe(200);
    const rows = await cardActionsOf(database.db, seeded.customerId);
    expect(rows.map((row) => row.action)).toEqual(['pause_dunning']);
    expect(rows[0]!.result).toEqual({ requested: { pauseDays: 7 } });
  });

  it('open in HubSpot only acked', async () => {
    const response = await sendClick(server, clickPayload('open_in_hubspot', ''));

    expect(response.status).toBe(200);
  });

  it('unknown action id acked', async () => {
    const before = await database.db.selectFrom('card_actions').select('id').execute();
    const response = await sendClick(server, clickPayload('someone_elses_button', '{}'));

    expect(response.status).toBe(200);
    const after = await database.db.selectFrom('card_actions').select('id').execute();
    expect(after).toHaveLength(before.length);
  });
});

describe('Slack alert user group restriction', () => {
  const config = testConfig();
  let database: TestDatabase;
  let queues: Queues;
  let server: ReturnType<typeof slackActionServer>;
  let tenantId: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    queues = new Queues(redisOptions(config.REDIS_URL, 'producer'), config.QUEUE_PREFIX);
    server = slackActionServer(actionDeps(database.db, queues));
    tenantId = await seedTenant(database.db, 'C', 'T_C', { allowedUserGroup: 'S_BILLING' });
  });

  afterAll(async () => {
    nock.cleanAll();
    await queues.cardActions.obliterate({ force: true });
    await queues.slackPosts.obliterate({ force: true });
    await queues.close();
    await database.drop();
  });

  it('member allowed, non-member rejected', async () => {
    const seeded = await seedAlert(database.db, tenantId, 'C_C');
    const value = encodeAlertButtonValue({ alertId: seeded.alertId, invoiceId: seeded.invoiceId });
    const groupLookup = nock('https://slack.com')
      .post('/api/usergroups.users.list', (body) => body.usergroup === 'S_BILLING')
      .reply(200, { ok: true, users: ['U_MEMBER'] });
    const replies: Array<Record<string, unknown>> = [];
    const hook = nock('https://hooks.slack.com')
      .post('/actions/T_C/U_OUTSIDER/secret', (body) => {
        replies.push(body);
        return true;
      })
      .reply(200, 'ok');

    const member = await sendClick(
      server,
      clickPayload('retry_payment', value, { team: 'T_C', user: 'U_MEMBER' }),
    );
    const outsider = await sendClick(
      server,
      clickPayload('claim', value, { team: 'T_C', user: 'U_OUTSIDER' }),
    );

    expect(member.status).toBe(200);
    expect(outsider.status).toBe(200);
    const rows = await cardActionsOf(database.db, seeded.customerId);
    expect(rows.map((row) => row.requested_by)).toEqual(['slack-user:T_C:U_MEMBER']);
    await waitFor(() => replies.length === 1, 'the ephemeral reply');
    expect(replies[0]!.text).toBe(
      "You can't act on this alert: only members of the user group <!subteam^S_BILLING> can act on alerts.",
    );
    expect(groupLookup.isDone()).toBe(true);
    expect(hook.isDone()).toBe(true);
    expect((await readAlert(database.db, seeded.alertId)).content.claimedBy).toBeUndefined();
  });
});
