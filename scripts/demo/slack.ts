import { randomBytes } from 'node:crypto';
import { writeAlertSettings } from '../../src/alerts/settings-store';
import type { Runtime } from '../../src/runtime';
import { emulatedBotUserId, emulatedTeam, startSlackEmulator, type SlackEmulator } from '../emulators/slack';

export const demoAlertChannel = 'C0PAYMENTS';

/** Starts the Slack Web API emulator and returns the settings the server and worker need for it. */
export async function startDemoSlack(): Promise<{ emulator: SlackEmulator; env: NodeJS.ProcessEnv }> {
  const emulator = await startSlackEmulator();
  const secret = () => randomBytes(24).toString('hex');
  return {
    emulator,
    env: {
      SLACK_API_URL: emulator.url,
      SLACK_CLIENT_ID: 'demo.client',
      SLACK_CLIENT_SECRET: secret(),
      SLACK_SIGNING_SECRET: secret(),
      SLACK_STATE_SECRET: secret(),
    },
  };
}

/** Connects the emulated workspace to the tenant, as the OAuth install would, and routes alerts to one channel. */
export async function connectDemoSlack(runtime: Runtime, tenantId: string): Promise<void> {
  await runtime.db
    .insertInto('slack_installations')
    .values({
      tenant_id: tenantId,
      team_id: `${emulatedTeam.id}${randomBytes(3).toString('hex').toUpperCase()}`,
      team_name: emulatedTeam.name,
      bot_user_id: emulatedBotUserId,
      bot_token_sealed: runtime.box.seal(`xoxb-demo-${randomBytes(12).toString('hex')}`),
      bot_scopes: ['chat:write', 'usergroups:read'],
    })
    .execute();
  await writeAlertSettings(runtime.db, tenantId, { defaultChannel: demoAlertChannel }, new Date());
}

/** True while some alert's latest content is not yet what Slack shows. */
export async function slackBusy(runtime: Runtime, tenantId: string): Promise<boolean> {
  const unposted = await runtime.db
    .selectFrom('slack_alerts')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'pending')
    .whereRef('version', '>', 'posted_version')
    .limit(1)
    .execute();
  return unposted.length > 0;
}

/** Summarizes what the emulated Slack workspace received: counts and the first lines of a few messages. */
export function describeSlack(emulator: SlackEmulator, examples = 3): string {
  const messages = emulator.messages();
  const updates = messages.reduce((sum, message) => sum + message.updates, 0);
  const lines = [
    `Slack alerts posted to #${demoAlertChannel}: ${messages.length} messages, ${updates} updates`,
  ];
  for (const message of messages.slice(0, examples)) {
    lines.push(`  ${message.text.split('\n')[0]}`);
  }
  return lines.join('\n');
}
