/**
 * Pure alert rules: from one customer's ledger facts and health before and after an event, decide
 * which alerts to show and which open alerts have recovered. Each decision names its episode, so
 * the same problem seen again updates one alert instead of posting a new one:
 * - a payment failure episode is keyed by the invoice and ends when the invoice is paid or voided;
 * - a band drop is keyed by the band and the UTC date it was entered, and ends when health leaves it;
 * - an expiring card is keyed by the payment method and expiry month, and ends when it is replaced;
 * - an expansion signal is keyed by the start of the on-time streak.
 */
import type { HealthBand } from '../health/types';
import { describeDecline } from '../ledger/decline-codes';
import type { AlertSettings } from './settings';
import type {
  AlertContent,
  AlertDecision,
  AlertFacts,
  CardFacts,
  FailedInvoiceFacts,
  HealthPoint,
  OpenAlert,
} from './types';

const millisecondsPerDay = 24 * 60 * 60 * 1000;

const bandRank: Readonly<Record<HealthBand, number>> = { red: 0, yellow: 1, green: 2 };

// Statuses after which Stripe stops collecting: the subscription ended or waits unpaid.
const nonPaymentStatuses = new Set(['canceled', 'unpaid', 'incomplete_expired']);
const endedStatuses = new Set(['canceled', 'incomplete_expired', 'none']);
const paidEventTypes = new Set(['invoice.paid', 'invoice.payment_succeeded']);

export interface AlertEvent {
  /** Stripe event type, e.g. `invoice.payment_failed`. */
  type: string;
}

export interface DecideAlertsInput {
  settings: AlertSettings;
  event: AlertEvent;
  healthBefore: HealthPoint | null;
  healthAfter: HealthPoint | null;
  facts: AlertFacts;
  now: Date;
}

export interface ClosingInput {
  openAlerts: OpenAlert[];
  facts: AlertFacts;
  healthAfter: HealthPoint | null;
  now: Date;
}

function utcDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function baseContent(input: DecideAlertsInput, rule: AlertContent['rule']): AlertContent {
  const { facts } = input;
  return {
    rule,
    state: 'open',
    account: facts.account,
    mrrMinor: facts.mrrMinor,
    currency: facts.currency,
    subscriptionStatus: facts.subscriptionStatus,
    locale: input.settings.locale,
    ...(input.healthAfter ? { health: { before: input.healthBefore, after: input.healthAfter } } : {}),
  };
}

function atLeast(value: number, minimum: number | undefined): boolean {
  return minimum === undefined || value >= minimum;
}

/**
 * Tells whether Stripe has stopped retrying the invoice: no retry is scheduled on an automatically
 * collected invoice, the invoice is uncollectible, or the subscription ended for non-payment.
 */
export function isDunningExhausted(invoice: FailedInvoiceFacts, subscriptionStatus: string): boolean {
  if (invoice.status === 'uncollectible') return true;
  if (nonPaymentStatuses.has(subscriptionStatus)) return true;
  return invoice.collectsAutomatically && invoice.nextPaymentAttempt === null;
}

function failureContent(input: DecideAlertsInput, rule: AlertContent['rule'], invoice: FailedInvoiceFacts) {
  const decline = describeDecline(invoice);
  return {
    ...baseContent(input, rule),
    invoice: {
      stripeInvoiceId: invoice.stripeInvoiceId,
      amountRemainingMinor: invoice.amountRemainingMinor,
      currency: invoice.currency,
      attemptCount: invoice.attemptCount,
      nextPaymentAttempt: invoice.nextPaymentAttempt?.toISOString() ?? null,
    },
    decline: { text: decline.text, kind: decline.kind, code: invoice.declineCode ?? invoice.failureCode },
    card: { brand: invoice.cardBrand, last4: invoice.cardLast4 },
  } satisfies AlertContent;
}

function paymentFailedPasses(input: DecideAlertsInput, invoice: FailedInvoiceFacts): boolean {
  const rule = input.settings.rules.paymentFailed;
  if (!rule.enabled) return false;
  return (
    atLeast(invoice.amountRemainingMinor, rule.minAmountMinor) &&
    atLeast(input.facts.mrrMinor, rule.minMrrMinor)
  );
}

/**
 * Failure alerts, one per failed invoice. When dunning is exhausted the payment failure alert shows
 * it, so finalRetryFailed adds its own alert only for invoices that paymentFailed does not cover.
 */
function decideFailures(input: DecideAlertsInput): AlertDecision[] {
  const decisions: AlertDecision[] = [];
  for (const invoice of input.facts.failedInvoices) {
    const episodeKey = `invoice:${invoice.stripeInvoiceId}`;
    if (paymentFailedPasses(input, invoice)) {
      decisions.push({
        rule: 'paymentFailed',
        episodeKey,
        content: failureContent(input, 'paymentFailed', invoice),
      });
      continue;
    }
    const exhausted = isDunningExhausted(invoice, input.facts.subscriptionStatus);
    if (input.settings.rules.finalRetryFailed.enabled && exhausted) {
      const content = failureContent(input, 'finalRetryFailed', invoice);
      decisions.push({ rule: 'finalRetryFailed', episodeKey, content });
    }
  }
  return decisions;
}

function decideBandDrop(input: DecideAlertsInput): AlertDecision[] {
  const rule = input.settings.rules.bandDrop;
  const { healthBefore: before, healthAfter: after } = input;
  if (!rule.enabled || !before || !after) return [];
  const dropped = bandRank[after.band] < bandRank[before.band];
  if (!dropped || bandRank[after.band] > bandRank[rule.to]) return [];
  const episodeKey = `${after.band}:${utcDate(input.now)}`;
  return [{ rule: 'bandDrop', episodeKey, content: baseContent(input, 'bandDrop') }];
}

/** Days from `now` to the end of the card's expiry month; zero or less once it has expired. */
export function daysUntilCardExpiry(card: Pick<CardFacts, 'expMonth' | 'expYear'>, now: Date): number {
  // Cards are valid through the last day of the expiry month, so they expire when the next month begins.
  const expiresAt = Date.UTC(card.expYear, card.expMonth, 1);
  return Math.ceil((expiresAt - now.getTime()) / millisecondsPerDay);
}

function cardEpisodeKey(card: CardFacts): string {
  return `${card.stripePaymentMethodId}:${card.expYear}-${String(card.expMonth).padStart(2, '0')}`;
}

function decideCardExpiring(input: DecideAlertsInput): AlertDecision[] {
  const rule = input.settings.rules.cardExpiring;
  const card = input.facts.defaultCard;
  if (!rule.enabled || !card || endedStatuses.has(input.facts.subscriptionStatus)) return [];
  if (!atLeast(input.facts.mrrMinor, rule.minMrrMinor)) return [];
  if (daysUntilCardExpiry(card, input.now) > rule.withinDays) return [];
  const content: AlertContent = {
    ...baseContent(input, 'cardExpiring'),
    card: { brand: card.brand, last4: card.last4, expMonth: card.expMonth, expYear: card.expYear },
  };
  return [{ rule: 'cardExpiring', episodeKey: cardEpisodeKey(card), content }];
}

function decideExpansion(input: DecideAlertsInput): AlertDecision[] {
  const rule = input.settings.rules.expansionSignal;
  const { facts } = input;
  if (!rule.enabled || !paidEventTypes.has(input.event.type) || !facts.onTimeSince) return [];
  if (facts.onTimeMonths < rule.minOnTimeMonths || facts.failedInvoices.length > 0) return [];
  if (!atLeast(facts.mrrMinor, rule.minMrrMinor)) return [];
  if (input.healthAfter && input.healthAfter.band !== 'green') return [];
  const since = facts.onTimeSince.toISOString();
  const content: AlertContent = {
    ...baseContent(input, 'expansionSignal'),
    onTime: { months: facts.onTimeMonths, since },
  };
  return [{ rule: 'expansionSignal', episodeKey: `on-time-since:${utcDate(facts.onTimeSince)}`, content }];
}

/** Decides the alerts that one customer's state calls for after an event. */
export function decideAlerts(input: DecideAlertsInput): AlertDecision[] {
  return [
    ...decideFailures(input),
    ...decideBandDrop(input),
    ...decideCardExpiring(input),
    ...decideExpansion(input),
  ];
}

function hasRecovered(alert: OpenAlert, input: ClosingInput): boolean {
  switch (alert.rule) {
    case 'paymentFailed':
    case 'finalRetryFailed':
      return input.facts.settledInvoiceIds.some((id) => alert.episodeKey === `invoice:${id}`);
    case 'bandDrop': {
      const band = alert.content.health?.after.band;
      return Boolean(input.healthAfter && band && bandRank[input.healthAfter.band] > bandRank[band]);
    }
    case 'cardExpiring': {
      const card = input.facts.defaultCard;
      return card === null || cardEpisodeKey(card) !== alert.episodeKey;
    }
    case 'expansionSignal':
      return false;
  }
}

/**
 * Decides which open alerts have recovered: the invoice was paid or voided, health left the band,
 * or the default card was replaced. Each keeps its content and is marked recovered, so the message
 * is updated in place rather than posted again.
 */
export function closingDecisions(input: ClosingInput): AlertDecision[] {
  const recoveredAt = input.now.toISOString();
  return input.openAlerts
    .filter((alert) => alert.content.state === 'open' && hasRecovered(alert, input))
    .map((alert) => ({
      rule: alert.rule,
      episodeKey: alert.episodeKey,
      content: { ...alert.content, state: 'recovered', recoveredAt },
    }));
}
