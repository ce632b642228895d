/** HTML pages of the Slack install. Every interpolated value is escaped. */
import { escapeHtml, simplePage } from '../../http/html';

export interface SlackConnectedPageInput {
  teamId: string;
  teamName: string | null;
  tenantId: string;
  tenantName: string | null;
  botDisplayName: string;
}

export function slackConnectedPage(input: SlackConnectedPageInput): string {
  const workspace = input.teamName ? `${input.teamName} (${input.teamId})` : input.teamId;
  const tenant = input.tenantName ? `${input.tenantName} (${input.tenantId})` : input.tenantId;
  const body = [
    `<p>Slack workspace <strong>${escapeHtml(workspace)}</strong> is connected to the CSM Payments tenant`,
    `<strong>${escapeHtml(tenant)}</strong>.</p>`,
    '<h2>Next steps</h2>',
    '<ol>',
    `<li>Invite the bot to each channel that should receive alerts: <code>/invite @${escapeHtml(input.botDisplayName)}</code>.`,
    ' The app does not post to channels it was not invited to.</li>',
    '<li>Set the alert channels and rules in the tenant alert settings.</li>',
    '<li>Alerts appear when the payment health of a customer changes; CSMs act on them with the message buttons.</li>',
    '</ol>',
  ].join('\n');
  return simplePage('Slack is connected', body);
}

/** Renders a failure page with the way to get a new install link. */
export function slackErrorPage(title: string, message: string): string {
  const hint =
    'To start again, create a new install link with the tenant API key (POST /slack/install-links).';
  return simplePage(title, `<p>${escapeHtml(message)}</p>\n<p>${hint}</p>`);
}

/** Renders the page for requests that arrive while the Slack settings are missing on the server. */
export function slackNotConfiguredPage(missing: string[]): string {
  return simplePage(
    'Slack is not configured',
    `<p>Set ${missing.map((name) => `<code>${escapeHtml(name)}</code>`).join(', ')} on the server and restart it.</p>`,
  );
}
