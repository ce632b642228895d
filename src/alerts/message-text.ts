/** Plain words and mrkdwn snippets for alert messages. Pure; amounts are minor units. */
import { formatMoney } from '../money/currency';
import type { AlertAction, AlertContent, HealthPoint } from './types';

const defaultLocale = 'en-US';

const cardBrandNames: Readonly<Record<string, string>> = {
  amex: 'American Express',
  diners: 'Diners Club',
  discover: 'Discover',
  eftpos_au: 'eftpos',
  jcb: 'JCB',
  mastercard: 'Mastercard',
  unionpay: 'UnionPay',
  visa: 'Visa',
};

const actionVerbs: Readonly<Record<string, string>> = {
  retry_payment: 'Retry requested',
  send_card_update_link: 'Card update link sent',
  claim: 'Claimed',
  pause_dunning_7d: 'Dunning paused for 7 days',
};

/** Escapes the three characters Slack mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Formats a time with Slack's date token so each reader sees their own time zone; UTC is the fallback. */
export function slackTime(iso: string, format = '{date_short_pretty} at {time}'): string {
  const date = new Date(iso);
  const fallback = `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `<!date^${Math.floor(date.getTime() / 1000)}^${format}|${fallback}>`;
}

export function money(amountMinor: number, currency: string, content: AlertContent): string {
  return formatMoney(amountMinor, currency, content.locale ?? defaultLocale);
}

/** "Visa •••• 4242", or "the card on file" when Stripe sent no card details. */
export function cardLabel(card: AlertContent['card']): string {
  if (!card || (!card.brand && !card.last4)) return 'the card on file';
  const brand = card.brand ? (cardBrandNames[card.brand] ?? card.brand) : 'Card';
  return card.last4 ? `${brand} •••• ${card.last4}` : brand;
}

export function accountName(content: AlertContent): string {
  return content.account.name ?? content.account.stripeCustomerId;
}

/** HubSpot company record URL, or null when the customer has no linked company. */
export function crmUrl(content: AlertContent): string | null {
  const { crmPortalId, crmRecordId } = content.account;
  if (!crmPortalId || !crmRecordId) return null;
  const portal = encodeURIComponent(crmPortalId);
  return `https://app.hubspot.com/contacts/${portal}/record/0-2/${encodeURIComponent(crmRecordId)}`;
}

export function accountLink(content: AlertContent): string {
  const name = escapeMrkdwn(accountName(content));
  const url = crmUrl(content);
  return url ? `*<${url}|${name}>*` : `*${name}*`;
}

export function ruleTitle(content: AlertContent): string {
  switch (content.rule) {
    case 'paymentFailed':
      return 'Payment failed';
    case 'finalRetryFailed':
      return 'Final payment retry failed';
    case 'bandDrop':
      return `Health dropped to ${content.health?.after.band ?? 'a lower band'}`;
    case 'cardExpiring':
      return 'Card expiring';
    case 'expansionSignal':
      return 'Expansion signal: pays on time';
  }
}

export function declineText(decline: NonNullable<AlertContent['decline']>): string {
  if (decline.kind === 'hard') return `${decline.text}. Hard decline: retrying this card will not succeed.`;
  if (decline.kind === 'soft') return `${decline.text}. Soft decline: a retry may succeed.`;
  return `${decline.text}.`;
}

function healthPoint(point: HealthPoint): string {
  return `${point.score} (${point.band})`;
}

export function healthText(health: NonNullable<AlertContent['health']>): string {
  if (!health.before || health.before.score === health.after.score) return healthPoint(health.after);
  return `${healthPoint(health.before)} → ${healthPoint(health.after)}`;
}

/** Dunning stage: which attempt failed and when Stripe retries next, or that it stopped. */
export function dunningText(invoice: NonNullable<AlertContent['invoice']>): string {
  const attempt = `Attempt ${invoice.attemptCount} failed`;
  if (!invoice.nextPaymentAttempt) return `${attempt}, no retry scheduled`;
  return `${attempt}, next retry ${slackTime(invoice.nextPaymentAttempt, '{date_short_pretty}')}`;
}

export function cardExpiryText(card: NonNullable<AlertContent['card']>): string {
  const month = String(card.expMonth ?? '').padStart(2, '0');
  return `${cardLabel(card)} expires at the end of ${month}/${card.expYear ?? ''}`;
}

/** Formats one line of action history, e.g. "Retry requested by <@U123> at 14:02 — succeeded". */
export function actionLine(entry: AlertAction): string {
  const verb = actionVerbs[entry.action] ?? entry.action;
  const outcome = entry.outcome === 'requested' ? '' : ` — ${entry.outcome}`;
  const detail = entry.detail ? `: ${escapeMrkdwn(entry.detail)}` : '';
  return `${verb} by <@${entry.userId}> at ${slackTime(entry.at, '{time}')}${outcome}${detail}`;
}
