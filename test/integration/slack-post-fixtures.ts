import { randomBytes } from 'node:crypto';
import type { SecretBox } from '../../src/db/crypto';
import type { Db } from '../../src/db/database';
import type { AlertContent } from '../../src/alerts/types';
import type { ChannelRateLimiter } from '../../integrations/slack/rate-limit';

/** Seeds a tenant with one customer and an active Slack installation whose bot token is `botToken`. */
export async function seedSlackTenant(db: Db, box: SecretBox, botToken: string) {
  const tenant = await db
    .insertInto('tenants')
    .values({ name: 'Acme' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const customer = await db
    .insertInto('customers')
    .values({ tenant_id: tenant.id, stripe_customer_id: `cus_${randomBytes(4).toString('hex')}` })
    .returning('id')
    .executeTakeFirstOrThrow();
  const teamId = `T${randomBytes(4).toString('hex').toUpperCase()}`;
  await db
    .insertInto('slack_installations')
    .values({
      tenant_id: tenant.id,
      team_id: teamId,
      bot_user_id: 'U0BOT',
      bot_token_sealed: box.seal(botToken),
    })
    .execute();
  return { tenantId: tenant.id, customerId: customer.id, teamId };
}

/** Alert content of a failed payment; `attemptCount` distinguishes versions. */
export function alertContent(attemptCount: number): AlertContent {
  return {
    rule: 'paymentFailed',
    state: 'open',
    account: {
      customerId: '1',
      stripeCustomerId: 'cus_1',
      name: 'Globex',
      crmRecordId: null,
      crmPortalId: null,
      crmOwnerId: null,
    },
    mrrMinor: 49_00,
    currency: 'usd',
    invoice: {
      stripeInvoiceId: 'in_1',
      amountRemainingMinor: 49_00,
      currency: 'usd',
      attemptCount,
      nextPaymentAttempt: null,
    },
  };
}

export async function insertAlert(
  db: Db,
  ids: { tenantId: string; customerId: string },
  fields: { channel: string; status?: 'pending' | 'digest'; rule?: string; createdAt?: Date },
) {
  const row = await db
    .insertInto('slack_alerts')
    .values({
      tenant_id: ids.tenantId,
      customer_id: ids.customerId,
      rule: fields.rule ?? 'paymentFailed',
      episode_key: `in_${randomBytes(4).toString('hex')}`,
      channel_id: fields.channel,
      content: JSON.stringify(alertContent(1)),
      status: fields.status ?? 'pending',
      ...(fields.createdAt ? { created_at: fields.createdAt, updated_at: fields.createdAt } : {}),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Changes the alert's content and bumps its version, as the alert rules do. */
export async function changeAlert(db: Db, slackAlertId: string, step: number): Promise<void> {
  await db
    .updateTable('slack_alerts')
    .set((eb) => ({
      content: JSON.stringify(alertContent(step)),
      version: eb('version', '+', 1),
    }))
    .where('id', '=', slackAlertId)
    .execute();
}

export async function alertRow(db: Db, slackAlertId: string) {
  return db.selectFrom('slack_alerts').selectAll().where('id', '=', slackAlertId).executeTakeFirstOrThrow();
}

/** Wraps a limiter and records the waits of each acquire and each pause. */
export function recordingLimiter(inner: ChannelRateLimiter) {
  const waits: number[] = [];
  const pauses: { channel: string; ms: number }[] = [];
  const limiter: ChannelRateLimiter = {
    async acquire(teamId, channel) {
      const result = await inner.acquire(teamId, channel);
      waits.push(result.waits);
      return result;
    },
    async pause(teamId, channel, ms) {
      pauses.push({ channel, ms });
      await inner.pause(teamId, channel, ms);
    },
  };
  return { limiter, waits, pauses };
}

/** A limiter that never waits, to let requests reach the emulator's own 429. */
export const unlimited: ChannelRateLimiter = {
  acquire: async () => ({ waits: 0 }),
  pause: async () => undefined,
};
