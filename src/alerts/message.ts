/**
 * Block Kit messages for alerts and the daily digest. Pure: the posting worker and the action
 * handler call renderAlertMessage again after any change to `content`. Limits follow Slack's Block
 * Kit reference: header text 150 characters, confirm dialog text 300, at most 50 blocks a message.
 */
import type { AlertContent } from './types';
import {
  accountLink,
  accountName,
  actionLine,
  cardExpiryText,
  cardLabel,
  crmUrl,
  declineText,
  dunningText,
  healthText,
  money,
  ruleTitle,
  slackTime,
} from './message-text';

export interface TextObject {
  type: 'plain_text' | 'mrkdwn';
  text: string;
}

export interface ButtonElement {
  type: 'button';
  text: TextObject;
  action_id: string;
  value?: string;
  url?: string;
  style?: 'primary' | 'danger';
  confirm?: { title: TextObject; text: TextObject; confirm: TextObject; deny: TextObject };
}

export type Block =
  | { type: 'header'; text: TextObject }
  | { type: 'section'; text: TextObject; fields?: TextObject[] }
  | { type: 'actions'; block_id?: string; elements: ButtonElement[] }
  | { type: 'context'; elements: TextObject[] };

export interface SlackMessage {
  /** Notification and screen-reader text; Slack shows blocks instead when they are present. */
  text: string;
  blocks: Block[];
}

/** Content of a button's `value`, as JSON. */
export interface AlertButtonValue {
  alertId: string;
  invoiceId?: string;
}

const maxHeaderLength = 150;
const maxDigestEntries = 45;

const plain = (text: string): TextObject => ({ type: 'plain_text', text });
const mrkdwn = (text: string): TextObject => ({ type: 'mrkdwn', text });

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function headline(content: AlertContent): string {
  const prefix = content.state === 'recovered' ? 'Recovered: ' : '';
  return `${prefix}${ruleTitle(content)} — ${accountName(content)}`;
}

function detailFields(content: AlertContent): TextObject[] {
  const fields: TextObject[] = [];
  if (content.invoice) {
    const amount = money(content.invoice.amountRemainingMinor, content.invoice.currency, content);
    fields.push(mrkdwn(`*Amount due*\n${amount}`));
    fields.push(mrkdwn(`*Dunning*\n${dunningText(content.invoice)}`));
  }
  if (content.decline) fields.push(mrkdwn(`*Decline*\n${declineText(content.decline)}`));
  if (content.rule === 'cardExpiring' && content.card) {
    fields.push(mrkdwn(`*Card*\n${cardExpiryText(content.card)}`));
  }
  if (content.health) fields.push(mrkdwn(`*Health*\n${healthText(content.health)}`));
  if (content.onTime) {
    const since = slackTime(content.onTime.since, '{date_short}');
    fields.push(mrkdwn(`*On time*\nEvery invoice for ${content.onTime.months} months, since ${since}`));
  }
  if (content.currency && content.mrrMinor > 0) {
    fields.push(mrkdwn(`*MRR*\n${money(content.mrrMinor, content.currency, content)}`));
  }
  const owner = content.account.crmOwnerId;
  fields.push(mrkdwn(`*CRM owner*\n${owner ? `HubSpot owner ${owner}` : 'None'}`));
  return fields;
}

function buttonValue(alertId: string, content: AlertContent): string {
  const value: AlertButtonValue = { alertId };
  if (content.invoice) value.invoiceId = content.invoice.stripeInvoiceId;
  return JSON.stringify(value);
}

function retryButton(content: AlertContent, value: string): ButtonElement | null {
  const invoice = content.invoice;
  // Stripe refuses to charge a card after a hard decline, so only the card update link is offered.
  if (!invoice || content.decline?.kind === 'hard') return null;
  const amount = money(invoice.amountRemainingMinor, invoice.currency, content);
  return {
    type: 'button',
    text: plain('Retry payment'),
    action_id: 'retry_payment',
    value,
    style: 'primary',
    confirm: {
      title: plain('Retry this payment?'),
      text: plain(
        `Charge ${amount} to ${cardLabel(content.card)} now for invoice ${invoice.stripeInvoiceId}.`,
      ),
      confirm: plain('Retry payment'),
      deny: plain('Cancel'),
    },
  };
}

function actionButtons(alertId: string, content: AlertContent): ButtonElement[] {
  const value = buttonValue(alertId, content);
  const buttons: ButtonElement[] = [];
  const retry = retryButton(content, value);
  if (retry) buttons.push(retry);
  if (content.invoice || content.rule === 'cardExpiring') {
    buttons.push({
      type: 'button',
      text: plain('Send card update link'),
      action_id: 'send_card_update_link',
      value,
    });
  }
  if (content.invoice) {
    buttons.push({
      type: 'button',
      text: plain('Pause dunning 7 days'),
      action_id: 'pause_dunning_7d',
      value,
    });
  }
  buttons.push({ type: 'button', text: plain('Claim'), action_id: 'claim', value });
  return buttons;
}

function openInCrmButton(content: AlertContent): ButtonElement | null {
  const url = crmUrl(content);
  return url ? { type: 'button', text: plain('Open in HubSpot'), action_id: 'open_in_hubspot', url } : null;
}

function contextLines(content: AlertContent): string[] {
  const lines = (content.actions ?? []).map(actionLine);
  if (content.state === 'recovered' && content.recoveredAt)
    lines.push(`Recovered ${slackTime(content.recoveredAt)}`);
  return lines;
}

/** Renders one alert; buttons carry `alertId` so the action handler finds the row. */
export function renderAlertMessage(content: AlertContent, alertId: string): SlackMessage {
  const title = headline(content);
  const blocks: Block[] = [
    { type: 'header', text: plain(truncate(title, maxHeaderLength)) },
    { type: 'section', text: mrkdwn(accountLink(content)), fields: detailFields(content) },
  ];
  const buttons = content.state === 'open' ? actionButtons(alertId, content) : [];
  const openInCrm = openInCrmButton(content);
  if (openInCrm) buttons.push(openInCrm);
  if (buttons.length > 0) blocks.push({ type: 'actions', block_id: `alert:${alertId}`, elements: buttons });
  const lines = contextLines(content);
  if (lines.length > 0) blocks.push({ type: 'context', elements: lines.map(mrkdwn) });
  return { text: title, blocks };
}

function digestLine(content: AlertContent): string {
  const parts = [ruleTitle(content)];
  if (content.invoice)
    parts.push(money(content.invoice.amountRemainingMinor, content.invoice.currency, content));
  if (content.decline && content.decline.kind !== 'unknown') parts.push(`${content.decline.kind} decline`);
  if (content.health) parts.push(`health ${healthText(content.health)}`);
  if (content.state === 'recovered') parts.push('recovered');
  return `${accountLink(content)}: ${parts.join(', ')}`;
}

/** Renders the daily digest: one line per alert, open ones first, at most 45 lines. */
export function digestMessage(alerts: { id: string; content: AlertContent }[]): SlackMessage {
  const ordered = [...alerts].sort(
    (a, b) => Number(b.content.state === 'open') - Number(a.content.state === 'open'),
  );
  const shown = ordered.slice(0, maxDigestEntries);
  const openCount = alerts.filter((alert) => alert.content.state === 'open').length;
  const title = `Payment alerts: ${openCount} open, ${alerts.length - openCount} recovered`;
  const blocks: Block[] = [
    { type: 'header', text: plain(title) },
    ...shown.map((alert): Block => ({ type: 'section', text: mrkdwn(digestLine(alert.content)) })),
  ];
  if (ordered.length > shown.length) {
    blocks.push({
      type: 'context',
      elements: [mrkdwn(`${ordered.length - shown.length} more alerts not shown`)],
    });
  }
  return { text: title, blocks };
}
