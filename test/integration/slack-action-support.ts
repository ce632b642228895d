import { createHmac } from 'node:crypto';
import { App, ExpressReceiver, LogLevel } from '@slack/bolt';
import express from 'express';
import pino from 'pino';
import request from 'supertest';
import { createSlackMessaging } from '../../integrations/slack/web-api';
import type { Db } from '../../src/db/database';
import type { Queues } from '../../src/queues/queues';
import { registerAlertActions } from '../../src/slack/actions/register';
import type { AlertActionDeps } from '../../src/slack/actions/types';
import { UserGroupCache } from '../../src/slack/actions/user-groups';

export const signingSecret = 'slack-signing-secret-for-tests';
export const alertMessageTs = '1700000000.000100';
export const fixedNow = new Date('2026-03-02T10:00:00Z');

export function actionDeps(db: Db, queues: Queues): AlertActionDeps {
  const log = pino({ level: 'silent' });
  const settings = { slackApiUrl: 'https://slack.com/api/', timeoutMs: 2000, retries: 0 };
  const messaging = createSlackMessaging('xoxb-test', settings, log);
  return {
    db,
    queues,
    log,
    now: () => fixedNow,
    messagingFor: async () => messaging,
    userGroups: new UserGroupCache(),
  };
}

/** Builds a Bolt app with the alert actions, behind an ExpressReceiver, as the product mounts it. */
export function slackActionServer(deps: AlertActionDeps): express.Express {
  const receiver = new ExpressReceiver({ signingSecret, logLevel: LogLevel.ERROR });
  const app = new App({
    receiver,
    logLevel: LogLevel.ERROR,
    authorize: async () => ({ botToken: 'xoxb-test', botId: 'B_BOT', botUserId: 'U_BOT' }),
  });
  registerAlertActions(app, deps);
  const server = express();
  server.use(receiver.router);
  return server;
}

export interface ClickOptions {
  team?: string;
  enterprise?: string;
  user?: string;
  channel?: string;
}

export function responseUrl(team: string, user: string): string {
  return `https://hooks.slack.com/actions/${team}/${user}/secret`;
}

export function clickPayload(actionId: string, value: string, options: ClickOptions = {}) {
  const team = options.team ?? 'T_A';
  const user = options.user ?? 'U_CSM1';
  const channel = options.channel ?? 'C_A';
  return {
    type: 'block_actions',
    team: { id: team, domain: 'acme', ...(options.enterprise ? { enterprise_id: options.enterprise } : {}) },
    ...(options.enterprise ? { enterprise: { id: options.enterprise, name: 'Grid' } } : {}),
    user: { id: user, username: 'csm', team_id: team },
    api_app_id: 'A_APP',
    token: 'legacy-verification-token',
    trigger_id: '1.2.3',
    response_url: responseUrl(team, user),
    container: { type: 'message', message_ts: alertMessageTs, channel_id: channel, is_ephemeral: false },
    channel: { id: channel, name: 'payment-alerts' },
    message: { type: 'message', ts: alertMessageTs, text: 'Payment failed' },
    actions: [
      {
        type: 'button',
        action_id: actionId,
        block_id: 'alert-actions',
        value,
        text: { type: 'plain_text', text: 'Act' },
        action_ts: '1700000001.000200',
      },
    ],
  };
}

export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** Posts a block_actions payload signed with a real v0 HMAC over the raw body. */
export function sendClick(
  server: express.Express,
  payload: unknown,
  signing: { secret?: string; timestamp?: number } = {},
) {
  const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const timestamp = signing.timestamp ?? Math.floor(Date.now() / 1000);
  return request(server)
    .post('/slack/events')
    .set('Content-Type', 'application/x-www-form-urlencoded')
    .set('X-Slack-Request-Timestamp', String(timestamp))
    .set('X-Slack-Signature', slackSignature(signing.secret ?? signingSecret, timestamp, body))
    .send(body);
}

/** Polls `check` until it returns true; the handler keeps working after the ack. */
export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 3000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

export async function seedTenant(db: Db, name: string, teamId: string, settings?: Record<string, unknown>) {
  const tenant = await db.insertInto('tenants').values({ name }).returning('id').executeTakeFirstOrThrow();
  await db
    .insertInto('slack_installations')
    .values({
      tenant_id: tenant.id,
      team_id: teamId,
      bot_user_id: 'U_BOT',
      bot_token_sealed: 'sealed-not-used',
    })
    .execute();
  if (settings) {
    await db
      .insertInto('alert_settings')
      .values({ tenant_id: tenant.id, settings: JSON.stringify(settings) })
      .execute();
  }
  return tenant.id;
}

let customerCounter = 0;

/** Seeds a customer with one open invoice (`in_<n>`) and a posted payment-failed alert about it. */
export async function seedAlert(db: Db, tenantId: string, channelId = 'C_A') {
  customerCounter += 1;
  const customer = await db
    .insertInto('customers')
    .values({
      tenant_id: tenantId,
      stripe_customer_id: `cus_${customerCounter}`,
      name: 'Acme',
      currency: 'usd',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const invoiceId = `in_${customerCounter}`;
  await db
    .insertInto('invoices')
    .values({
      tenant_id: tenantId,
      customer_id: customer.id,
      stripe_invoice_id: invoiceId,
      status: 'open',
      currency: 'usd',
      amount_due: 4900,
      amount_remaining: 4900,
      attempt_count: 1,
      next_payment_attempt: new Date('2026-03-05T00:00:00Z'),
    })
    .execute();
  const alert = await db
    .insertInto('slack_alerts')
    .values({
      tenant_id: tenantId,
      customer_id: customer.id,
      rule: 'paymentFailed',
      episode_key: invoiceId,
      channel_id: channelId,
      message_ts: alertMessageTs,
      content: JSON.stringify({ rule: 'paymentFailed', state: 'open' }),
      version: 1,
      posted_version: 1,
      status: 'posted',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { customerId: customer.id, invoiceId, alertId: alert.id };
}

export async function readAlert(db: Db, alertId: string) {
  return db.selectFrom('slack_alerts').selectAll().where('id', '=', alertId).executeTakeFirstOrThrow();
}

export async function cardActionsOf(db: Db, customerId: string) {
  return db.selectFrom('card_actions').selectAll().where('customer_id', '=', customerId).execute();
}
