import type { HealthBandView, HealthView, LinkedCardView, MoneyView } from './view-model.ts';

// The view carries UTC instants, and the card shows them in UTC so every CSM reads the same time.
const dateFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: 'UTC',
  year: 'numeric',
  month: 'short',
  day: 'numeric',
});
const dateTimeFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: 'UTC',
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

export const missingValue = '—';

export function formatDate(iso: string | null): string {
  return iso ? dateFormat.format(new Date(iso)) : missingValue;
}

export function formatDateTime(iso: string | null): string {
  return iso ? `${dateTimeFormat.format(new Date(iso))} UTC` : missingValue;
}

export function formatMoneyView(money: MoneyView | null): string {
  return money ? money.formatted : missingValue;
}

/** Formats a 0-1 probability as a whole percentage, e.g. 0.625 → "63%". */
export function formatProbability(probability: number): string {
  return `${Math.round(probability * 100)}%`;
}

/** Turns a snake_case status from Stripe or the dunning engine into words, e.g. "past_due" → "Past due". */
export function humanize(value: string | null): string {
  if (!value) return missingValue;
  const words = value.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export const bandLabels: Record<HealthBandView, string> = {
  red: 'At risk',
  yellow: 'Needs attention',
  green: 'Healthy',
};

export function describeTrend(health: HealthView): string {
  const change = health.changeSince30Days;
  if (health.trend === 'new' || change === null) return 'No score from 30 days ago to compare';
  if (change === 0) return 'Unchanged since 30 days ago';
  const points = Math.abs(change) === 1 ? 'point' : 'points';
  return `${change > 0 ? 'Up' : 'Down'} ${Math.abs(change)} ${points} since 30 days ago`;
}

export function describePaymentCard(card: NonNullable<LinkedCardView['paymentCard']>): string {
  const brand = card.brand ? humanize(card.brand) : 'Card';
  const number = card.last4 ? `${brand} ending ${card.last4}` : brand;
  if (card.expMonth === null || card.expYear === null) return number;
  const expiry = `${String(card.expMonth).padStart(2, '0')}/${card.expYear}`;
  return `${number}, expires ${expiry}${describeExpiresIn(card.expiresInDays)}`;
}

function describeExpiresIn(days: number | null): string {
  if (days === null) return '';
  if (days < 0) return ' (expired)';
  return days === 1 ? ' (in 1 day)' : ` (in ${days} days)`;
}
