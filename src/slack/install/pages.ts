/** HTML pages of the Slack install. Every interpolated value is escaped. */

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title>`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '</head><body style="font-family: system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; line-height: 1.5">',
    `<h1>${escapeHtml(title)}</h1>`,
    body,
    '</body></html>',
  ].join('\n');
}

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
  return page('Slack is connected', body);
}

/** Renders a failure page with the way to get a new install link. */
export function slackErrorPage(title: string, message: string): string {
  const hint = 'To start again, create a new install link with the tenant API key (POST /slack/install-links).';
  return page(title, `<p>${escapeHtml(message)}</p>\n<p>${hint}</p>`);
}

/** Renders the page for requests that arrive while the Slack settings are missing on the server. */
export function slackNotConfiguredPage(missing: string[]): string {
  return page(
    'Slack is not configured',
    `<p>Set ${missing.map((name) => `<code>${escapeHtml(name)}</code>`).join(', ')} on the server and restart it.</p>`,
  );
}
