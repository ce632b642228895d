import request from 'supertest';
import { startHubSpotEmulator, type HubSpotEmulator } from '../../scripts/emulators/hubspot';
import {
  startSlackEmulator,
  type EmulatedSlackMessage,
  type SlackEmulator,
} from '../../scripts/emulators/slack';
import { startStripeEmulator, type StripeEmulator } from '../../scripts/emulators/stripe';
import { setStripeApiKey } from '../../src/actions/stripe-key';
import { writeAlertSettings } from '../../src/alerts/settings-store';
import type { ButtonElement } from '../../src/alerts/message';
import { createApp } from '../../src/http/app';
import type { LedgerInvoice } from '../../src/ledger/read';
import { createRuntime, type Runtime } from '../../src/runtime';
import { registerSlackListeners } from '../../src/slack/runtime';
import { createTenant } from '../../src/tenants/tenants';
import { startWorker, type WorkerHandle } from '../../src/worker/worker';
import {
  customerHistory,
  historyCustomerId,
  historySubscriptionId,
} from '../fixtures/stripe/customer-history';
import { testConfig } from '../support/config';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { deliverEvents, waitForIdle } from '../support/pipeline';
import {
  blockActionsPayload,
  listenLocally,
  pollUntil,
  postSignedSlackPayload,
  startResponseUrlCatcher,
  type LocalServer,
  type ResponseUrlCatcher,
} from '../support/slack';

/**
 * The Slack loop with real components: Stripe webhooks → ledger → alert in the Slack emulator → Retry
 * click → card action against the Stripe emulator → CRM note and message update. The Stripe emulator's
 * own `invoice.paid` webhook then turns the alert into a recovery.
 */
describe('Slack alert loop', () => {
  const stripeSecret = 'whsec_slack_loop_secret';
  const signingSecret = 'slack-signing-secret-end-to-end';
  const teamId = 'T0LOOPTEAM';
  const botToken = 'xoxb-loop-bot-token';
  const channel = 'C0ALERTS';
  const invoiceId = 'in_Globex0003';
  // The history's failed renewal happened 3010 s after its start; the worker's clock is set just after it.
  const historyStart = 1_717_200_000;
  const now = new Date((historyStart + 3020) * 1000);
  const history = customerHistory().slice(0, 16);
  let database: TestDatabase;
  let hubspot: HubSpotEmulator;
  let slack: SlackEmulator;
  let stripe: StripeEmulator;
  let catcher: ResponseUrlCatcher;
  let runtime: Runtime;
  let worker: WorkerHandle;
  let server: LocalServer;
  let tenantId: string;
  let apiKey: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    hubspot = await startHubSpotEmulator({
      companies: [{ name: 'Globex Corporation', domain: 'globex.example' }],
    });
    slack = await startSlackEmulator();
    catcher = await startResponseUrlCatcher();
    stripe = await startStripeEmulator({
      invoices: [
        {
          id: invoiceId,
          customer: historyCustomerId,
          currency: 'usd',
          amountDue: 10000,
          attemptCount: 1,
          subscription: historySubscriptionId,
          card: { brand: 'visa', last4: '4242' },
          number: 'GLOBEX-0003',
          created: historyStart + 3000,
        },
      ],
    });
    const config = testConfig({
      DATABASE_URL: database.url,
      HUBSPOT_API_BASE_URL: hubspot.url,
      SLACK_API_URL: slack.url,
      STRIPE_API_BASE_URL: stripe.url,
      SLACK_CLIENT_ID: '111.222',
      SLACK_CLIENT_SECRET: 'slack-client-secret',
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_STATE_SECRET: 'slack-state-secret-of-at-least-32-characters',
      CRM_SYNC_DEBOUNCE_MS: '50',
      OUTBOX_POLL_MS: '100',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    });
    runtime = createRuntime(config, 'worker');
    const app = createApp({
      ...runtime,
      stripeToleranceSeconds: config.STRIPE_WEBHOOK_TOLERANCE_SECONDS,
      onSlackApp: registerSlackListeners(runtime),
    });
    server = await listenLocally(app);
    ({ tenantId, apiKey } = await createTenant(database.db, runtime.box, config.PUBLIC_BASE_URL, {
      name: 'Acme Software',
      stripeWebhookSecret: stripeSecret,
      hubspot: { portalId: '4242', accessToken: 'emulator-token' },
    }));
    stripe.setWebhook({ url: `${server.url}/webhooks/stripe/${tenantId}`, secret: stripeSecret });
    await installSlack(tenantId, teamId, botToken);
    await writeAlertSettings(database.db, tenantId, { defaultChannel: channel }, now);
    await setStripeApiKey(database.db, runtime.box, tenantId, 'rk_test_slackloop123');
    worker = startWorker(runtime, { now: () => now });
  });

  afterAll(async () => {
    await worker.stop();
    await stripe.close();
    await server.close();
    const { stripeEvents, crmSync, cardActions, crmActivities, slackPosts } = runtime.queues;
    for (const queue of [stripeEvents, crmSync, cardActions, crmActivities, slackPosts]) {
      await queue.obliterate({ force: true });
    }
    await runtime.close();
    await Promise.all([hubspot.close(), slack.close(), catcher.close()]);
    await database.drop();
  });

  async function installSlack(tenant: string, team: string, token: string) {
    await database.db
      .insertInto('slack_installations')
      .values({
        tenant_id: tenant,
        team_id: team,
        bot_user_id: 'U0LOOPBOT',
        bot_token_sealed: runtime.box.seal(token),
      })
      .execute();
  }

  async function customerView() {
    const response = await request(server.url)
      .get(`/api/v1/customers/${historyCustomerId}`)
      .set('authorization', `Bearer ${apiKey}`);
    expect(response.status).toBe(200);
    return response.body as { openInvoices: LedgerInvoice[]; recentPaymentAttempts: { status: string }[] };
  }

  function alertMessages(): EmulatedSlackMessage[] {
    return slack.messages().filter((message) => message.channel === channel);
  }

  function retryButton(message: EmulatedSlackMessage): ButtonElement | undefined {
    const actions = message.blocks.filter((block) => (block as { type: string }).type === 'actions');
    const buttons = actions.flatMap((block) => (block as { elements: ButtonElement[] }).elements);
    return buttons.find((button) => button.action_id === 'retry_payment');
  }

  function contextText(message: EmulatedSlackMessage): string {
    const contexts = message.blocks.filter((block) => (block as { type: string }).type === 'context');
    return JSON.stringify(contexts);
  }

  function click(message: EmulatedSlackMessage, overrides: { teamId?: string; secret?: string } = {}) {
    const payload = blockActionsPayload({
      teamId: overrides.teamId ?? teamId,
      userId: 'U0CSM',
      channelId: channel,
      messageTs: message.ts,
      actionId: 'retry_payment',
      value: retryButton(message)!.value!,
      responseUrl: `${catcher.url}/actions/response`,
    });
    return postSignedSlackPayload(`${server.url}/slack/actions`, overrides.secret ?? signingSecret, payload);
  }

  async function cardActions() {
    return database.db.selectFrom('card_actions').selectAll().where('tenant_id', '=', tenantId).execute();
  }

  it('posts one alert for the failed payment', async () => {
    await deliverEvents(server.url, tenantId, stripeSecret, history);
    await waitForIdle(database.db, runtime.queues, { slackPosts: true });

    const messages = alertMessages();
    expect(messages).toHaveLength(1);
    // The name is not checked: the worker projects events in parallel, so customer.created may come later.
    expect(messages[0]!.text).toMatch(/^Payment failed/);
    const button = retryButton(messages[0]!);
    expect(button?.confirm?.text.text).toContain('$100.00');
    expect(button?.confirm?.text.text).toContain('4242');
    expect(JSON.parse(button!.value!).invoiceId).toBe(invoiceId);

    const failure = history.find((event) => event.type === 'invoice.payment_failed')!;
    await deliverEvents(server.url, tenantId, stripeSecret, [failure]);
    await waitForIdle(database.db, runtime.queues, { slackPosts: true });
    expect(alertMessages()).toHaveLength(1);
  });

  it('rejects a click signed with another secret', async () => {
    const status = await click(alertMessages()[0]!, { secret: 'not-the-signing-secret' });
    expect(status).toBe(401);
    expect(await cardActions()).toHaveLength(0);
  });

  it('rejects a click from an uninstalled workspace', async () => {
    // Bolt finds no installation for the team, so it responds with 401 before any listener runs.
    const status = await click(alertMessages()[0]!, { teamId: 'T0UNKNOWN' });
    expect(status).toBe(401);
    expect(catcher.replies()).toHaveLength(0);
    expect(await cardActions()).toHaveLength(0);
  });

  it("rejects a click from another tenant's workspace", async () => {
    const other = await createTenant(database.db, runtime.box, 'http://127.0.0.1:3000', {
      name: 'Other Co',
      stripeWebhookSecret: 'whsec_other_tenant_secret',
    });
    const otherTeam = 'T0OTHERTEAM';
    await installSlack(other.tenantId, otherTeam, 'xoxb-other-bot-token');

    const status = await click(alertMessages()[0]!, { teamId: otherTeam });
    expect(status).toBe(200);
    const reply = await pollUntil(() => catcher.replies()[0], 'the ephemeral refusal');
    expect(reply.response_type).toBe('ephemeral');
    expect(String(reply.text)).toMatch(/another Slack workspace/);
    expect(await cardActions()).toHaveLength(0);
    expect(stripe.chargeAttempts()).toBe(0);
  });

  it('retries the payment once on a double click', async () => {
    const message = alertMessages()[0]!;
    const ledger = await customerView();
    const open = ledger.openInvoices.find((invoice) => invoice.stripeInvoiceId === invoiceId);
    expect(open?.amountRemaining).toBe(stripe.invoice(invoiceId)?.amount_remaining);

    expect(await click(message)).toBe(200);
    expect(await click(message)).toBe(200);

    const finished = await pollUntil(async () => {
      const rows = await cardActions();
      return rows.some((row) => row.status === 'succeeded') ? rows : undefined;
    }, 'the card action to succeed');
    expect(finished).toHaveLength(1);
    expect(finished[0]!.action).toBe('retry_payment');
    expect(finished[0]!.source).toBe('slack');
    expect(stripe.chargeAttempts()).toBe(1);
    expect(stripe.invoice(invoiceId)?.status).toBe('paid');
    const duplicateReply = await pollUntil(() => catcher.replies()[1], 'the reply to the second click');
    expect(String(duplicateReply.text)).toMatch(/already/);
  });

  it('records the retry in Slack, the audit log and the CRM', async () => {
    const message = await pollUntil(
      () => alertMessages().find((candidate) => contextText(candidate).includes('succeeded')),
      'the message to show the finished retry',
    );
    await waitForIdle(database.db, runtime.queues, { slackPosts: true });
    const [action] = await cardActions();

    expect(alertMessages()).toHaveLength(1);
    expect(message.updates).toBeGreaterThan(0);
    expect(contextText(message)).toMatch(/by <@U0CSM> at .* — succeeded: collected \$100\.00/);
    const results = slack.ephemerals().filter((ephemeral) => ephemeral.user === 'U0CSM');
    expect(results).toHaveLength(1);
    expect(results[0]!.text).toContain(`Payment retry of invoice ${invoiceId} succeeded`);

    const audit = await database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('action', '=', 'card_action.retry_payment')
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.subject).toBe(invoiceId);
    expect((audit[0]!.details as { cardActionId?: string }).cardActionId).toBe(action!.id);
    expect((audit[0]!.details as { status?: string }).status).toBe('succeeded');

    const [company] = hubspot.companies();
    const notes = hubspot.engagements().filter((engagement) => engagement.type === 'notes');
    const retryNotes = notes.filter((note) => /Payment retry/.test(note.properties.hs_note_body ?? ''));
    expect(retryNotes).toHaveLength(1);
    expect(retryNotes[0]!.companyIds).toContain(company!.id);
  });

  it('marks the invoice paid from the webhooks', async () => {
    const deliveries = await pollUntil(
      () => (stripe.webhookDeliveries().length === 2 ? stripe.webhookDeliveries() : undefined),
      'the Stripe emulator webhooks',
    );
    expect(deliveries.map((delivery) => delivery.type)).toEqual(['charge.succeeded', 'invoice.paid']);
    expect(deliveries.map((delivery) => delivery.status)).toEqual([200, 200]);
    await waitForIdle(database.db, runtime.queues, { slackPosts: true });
    const stored = await database.db
      .selectFrom('stripe_events')
      .select(['event_id', 'processed_at'])
      .where(
        'event_id',
        'in',
        deliveries.map((delivery) => delivery.eventId),
      )
      .execute();
    expect(stored).toHaveLength(2);
    expect(stored.every((event) => event.processed_at !== null)).toBe(true);

    const ledger = await customerView();
    const stillOpen = ledger.openInvoices.map((invoice) => invoice.stripeInvoiceId);
    expect(stillOpen).not.toContain(invoiceId);
    expect(ledger.recentPaymentAttempts[0]?.status).toBe('succeeded');

    const message = await pollUntil(
      () => alertMessages().find((candidate) => candidate.text.startsWith('Recovered')),
      'the recovered alert',
    );
    expect(message.text).toContain('Globex Corporation');
    expect(retryButton(message)).toBeUndefined();
    expect(alertMessages()).toHaveLength(1);
  });
});
