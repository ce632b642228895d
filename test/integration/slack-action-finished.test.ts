import nock from 'nock';
import { Queues, redisOptions } from '../../src/queues/queues';
import { encodeAlertButtonValue } from '../../src/slack/actions/button-value';
import { onCardActionFinished } from '../../src/slack/actions/finished';
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

const portalUrl = 'https://billing.stripe.com/p/session/test_link_1';

describe('onCardActionFinished', () => {
  const config = testConfig();
  let database: TestDatabase;
  let queues: Queues;
  let tenantId: string;

  /** Stands in for runCardAction, which needs Stripe: stores the outcome the way finishCardAction does. */
  async function finishAction(id: string, result: Record<string, unknown>) {
    await database.db
      .updateTable('card_actions')
      .set({
        status: 'succeeded',
        result: JSON.stringify(result),
        finished_at: new Date('2026-03-02T10:00:05Z'),
      })
      .where('id', '=', id)
      .execute();
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    queues = new Queues(redisOptions(config.REDIS_URL, 'producer'), config.QUEUE_PREFIX);
    tenantId = await seedTenant(database.db, 'A', 'T_A');
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

  it('card-update link sent and history updated', async () => {
    const deps = actionDeps(database.db, queues);
    const server = slackActionServer(deps);
    const seeded = await seedAlert(database.db, tenantId);
    const value = encodeAlertButtonValue({ alertId: seeded.alertId });
    await sendClick(server, clickPayload('send_card_update_link', value, { user: 'U_CSM3' }));
    await waitFor(
      async () => (await readAlert(database.db, seeded.alertId)).version === 2,
      'the requested entry',
    );
    const [row] = await cardActionsOf(database.db, seeded.customerId);
    await finishAction(row!.id, { requested: {}, url: portalUrl, linkKind: 'portal', expiresAt: null });
    await queues.slackPosts.obliterate({ force: true });
    const ephemerals: Array<Record<string, unknown>> = [];
    nock('https://slack.com')
      .post('/api/chat.postEphemeral', (body) => {
        ephemerals.push(body);
        return true;
      })
      .reply(200, { ok: true, message_ts: '1700000002.000300' });

    const report = await onCardActionFinished(deps, row!.id);

    expect(report).toEqual({ slackAlertId: seeded.alertId, notified: true });
    expect(ephemerals).toHaveLength(1);
    expect(ephemerals[0]!.channel).toBe('C_A');
    expect(ephemerals[0]!.user).toBe('U_CSM3');
    expect(ephemerals[0]!.text).toContain(portalUrl);
    const alert = await readAlert(database.db, seeded.alertId);
    expect(alert.version).toBe(3);
    expect(alert.content.actions).toEqual([
      {
        action: 'send_card_update_link',
        userId: 'U_CSM3',
        at: '2026-03-02T10:00:00.000Z',
        outcome: 'succeeded',
        detail: 'link sent to the requester',
        cardActionId: row!.id,
        finishedAt: '2026-03-02T10:00:05.000Z',
      },
    ]);
    expect(JSON.stringify(alert.content)).not.toContain(portalUrl);
    expect(await queues.slackPosts.getJob(`slack-alert-${seeded.alertId}`)).toBeDefined();
  });

  it('repeated call changes nothing', async () => {
    const deps = actionDeps(database.db, queues);
    const server = slackActionServer(deps);
    const seeded = await seedAlert(database.db, tenantId);
    const value = encodeAlertButtonValue({ alertId: seeded.alertId });
    await sendClick(server, clickPayload('pause_dunning_7d', value));
    await waitFor(
      async () => (await readAlert(database.db, seeded.alertId)).version === 2,
      'the requested entry',
    );
    const [row] = await cardActionsOf(database.db, seeded.customerId);
    await finishAction(row!.id, { requested: { pauseDays: 7 }, pausedUntil: '2026-03-09T10:00:05.000Z' });
    nock('https://slack.com').post('/api/chat.postEphemeral').reply(200, { ok: true, message_ts: '1.2' });

    const first = await onCardActionFinished(deps, row!.id);
    const second = await onCardActionFinished(deps, row!.id);

    expect(first.notified).toBe(true);
    expect(second).toEqual({ slackAlertId: seeded.alertId, notified: false });
    const alert = await readAlert(database.db, seeded.alertId);
    expect(alert.version).toBe(3);
    expect(alert.content.actions).toEqual([
      expect.objectContaining({
        action: 'pause_dunning_7d',
        outcome: 'succeeded',
        detail: 'paused until 2026-03-09 10:00 UTC',
      }),
    ]);
  });

  it('unfinished action skipped', async () => {
    const deps = actionDeps(database.db, queues);
    const server = slackActionServer(deps);
    const seeded = await seedAlert(database.db, tenantId);
    const value = encodeAlertButtonValue({ alertId: seeded.alertId, invoiceId: seeded.invoiceId });
    await sendClick(server, clickPayload('retry_payment', value));
    const [row] = await cardActionsOf(database.db, seeded.customerId);

    const report = await onCardActionFinished(deps, row!.id);

    expect(report).toEqual({ slackAlertId: null, notified: false });
  });
});
