/** HTML pages of the install flow. Every interpolated value is escaped. */
import { escapeHtml, simplePage } from '../http/html';

export interface InstalledPageInput {
  portalId: string;
  tenantId: string;
  webhookUrl: string;
  /** Shown once, for a new tenant only. */
  apiKey: string | null;
  customersQueued: number;
  /** Null when the company properties were created; otherwise why they were deferred to the first sync. */
  schemaDeferredReason: string | null;
  stripeEvents: string[];
}

export function installedPage(input: InstalledPageInput): string {
  const apiKey = input.apiKey
    ? `<p><strong>API key (shown once; store it now):</strong> <code>${escapeHtml(input.apiKey)}</code></p>`
    : '<p>This portal was already connected to this tenant; its existing API keys stay valid.</p>';
  const schema = input.schemaDeferredReason
    ? `<p>The company properties could not be created yet (${escapeHtml(input.schemaDeferredReason)}); the first sync retries.</p>`
    : '<p>The CSM Payments company properties were created in HubSpot.</p>';
  const body = [
    `<p>HubSpot portal <strong>${escapeHtml(input.portalId)}</strong> is connected to tenant`,
    `<code>${escapeHtml(input.tenantId)}</code>.</p>`,
    schema,
    `<p>A first sync of ${input.customersQueued} known billing customer(s) is queued.</p>`,
    apiKey,
    '<h2>Next steps</h2>',
    '<ol>',
    '<li>In the Stripe dashboard, open Developers → Webhooks and add an endpoint with this URL:',
    `<br><code>${escapeHtml(input.webhookUrl)}</code></li>`,
    `<li>Select these events: <code>${input.stripeEvents.map(escapeHtml).join('</code>, <code>')}</code>.</li>`,
    '<li>Copy the endpoint signing secret (<code>whsec_…</code>) and add it with the API key:',
    '<br><code>curl -X POST -H "Authorization: Bearer &lt;API key&gt;" -H "content-type: application/json"',
    `-d '{"secret":"whsec_…"}' ${escapeHtml(new URL('/api/v1/stripe/webhook-secrets', input.webhookUrl).toString())}</code></li>`,
    '<li>Open a company record in HubSpot: the Payment health card appears in its tabs.</li>',
    '</ol>',
  ].join('\n');
  return simplePage('CSM Payments is connected', body);
}

export function errorPage(title: string, message: string, installUrl: string | null): string {
  const retry = installUrl ? `<p><a href="${escapeHtml(installUrl)}">Start the install again</a></p>` : '';
  return simplePage(title, `<p>${escapeHtml(message)}</p>${retry}`);
}
