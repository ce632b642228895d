import type {
  CardActionName,
  HealthBandView,
  HealthView,
  LinkedCardView,
  MoneyView,
  OpenInvoiceView,
  PaymentAttemptView,
  PaymentHealthCardView,
} from '../../cards/view-model-types';

/**
 * Renders the payment-health card as a self-contained HTML page: inline CSS, no scripts, no external
 * assets, and every value from the view HTML-escaped. It shows the same sections as the HubSpot card.
 */
export function renderCardPage(view: PaymentHealthCardView, options: { title: string }): string {
  const body = view.state === 'linked' ? linkedBody(view) : notLinkedBody(view.companyId);
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(options.title)}</title>`,
    `<style>${pageCss}</style>`,
    '</head><body><main class="card">',
    `<h1>${escapeHtml(options.title)}</h1>`,
    body,
    '</main></body></html>',
  ].join('\n');
}

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const missing = '—';

const bandLabels: Record<HealthBandView, string> = {
  red: 'At risk',
  yellow: 'Needs attention',
  green: 'Healthy',
};

const actionLabels: Record<CardActionName, string> = {
  retry_payment: 'Retry payment now',
  send_card_update_link: 'Send card-update link',
  pause_dunning: 'Pause dunning',
  resume_dunning: 'Resume dunning',
};

// Views carry UTC instants, and the page shows UTC so it reads the same wherever it is opened.
const dateFormat = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', dateStyle: 'medium' });
const dateTimeFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: 'UTC',
  dateStyle: 'medium',
  timeStyle: 'short',
  hourCycle: 'h23',
});

function formatDate(iso: string | null): string {
  return iso ? dateFormat.format(new Date(iso)) : missing;
}

function formatDateTime(iso: string | null): string {
  return iso ? `${dateTimeFormat.format(new Date(iso))} UTC` : missing;
}

function money(value: MoneyView | null): string {
  return value ? escapeHtml(value.formatted) : missing;
}

/** Turns a snake_case status into words, e.g. "past_due" → "Past due", escaped for HTML. */
function words(value: string | null): string {
  if (!value) return missing;
  const text = value.replace(/_/g, ' ');
  return escapeHtml(text.charAt(0).toUpperCase() + text.slice(1));
}

function notLinkedBody(companyId: string): string {
  return (
    '<section class="empty"><h2>No Stripe customer linked</h2>' +
    `<p>Company ${escapeHtml(companyId)} has no billing customer yet. ` +
    'Link its Stripe customer id from the HubSpot card to see payment health.</p></section>'
  );
}

function linkedBody(view: LinkedCardView): string {
  const name = view.customer.name ?? view.customer.stripeCustomerId;
  return [
    `<p class="customer"><strong>${escapeHtml(name)}</strong>`,
    `<span class="muted">Stripe customer ${escapeHtml(view.customer.stripeCustomerId)}</span></p>`,
    healthSection(view.health),
    billingSection(view),
    attemptsSection(view.recentAttempts),
    dunningSection(view),
    invoicesSection(view.openInvoices),
    actionsSection(view),
  ].join('\n');
}

function describeTrend(health: HealthView): string {
  const change = health.changeSince30Days;
  if (health.trend === 'new' || change === null) return 'No score from 30 days ago to compare';
  if (change === 0) return 'Unchanged since 30 days ago';
  const points = Math.abs(change) === 1 ? 'point' : 'points';
  return `${change > 0 ? 'Up' : 'Down'} ${Math.abs(change)} ${points} since 30 days ago`;
}

function healthSection(health: HealthView | null): string {
  if (!health) return '<section class="health"><p class="muted">No health score yet.</p></section>';
  const reasons = health.topReasons.map((reason) => `<li>${escapeHtml(reason)}</li>`).join('');
  const change = health.changeSince30Days;
  let trendClass = 'flat';
  if (change !== null && change > 0) trendClass = 'up';
  if (change !== null && change < 0) trendClass = 'down';
  return [
    `<section class="health band-${health.band}">`,
    `<div class="score" data-testid="score">${health.score}</div>`,
    `<div><span class="tag tag-${health.band}" data-testid="band">${bandLabels[health.band]}</span>`,
    `<p class="trend ${trendClass}">${describeTrend(health)}</p>`,
    reasons ? `<ul class="reasons">${reasons}</ul>` : '',
    '</div></section>',
  ].join('');
}

function billingSection(view: LinkedCardView): string {
  const items: Array<[string, string]> = [
    ['Subscription', words(view.subscriptionStatus)],
    ['MRR', money(view.mrr)],
    ['Open', money(view.openAmount)],
    ['Overdue', money(view.overdueAmount)],
  ];
  const cells = items.map(([label, value]) => `<div class="stat"><dt>${label}</dt><dd>${value}</dd></div>`);
  return `<section><dl class="stats">${cells.join('')}</dl></section>`;
}

function table(headers: string[], rows: string[][]): string {
  const head = headers.map((header) => `<th>${header}</th>`).join('');
  const body = rows.map((cells) => `<tr>${cells.map((cell) => `<td>${cell}</td>`).join('')}</tr>`).join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function declineCell(attempt: PaymentAttemptView): string {
  if (!attempt.declineText) return missing;
  const hard = attempt.declineKind === 'hard' ? ' <span class="tag tag-red">Hard decline</span>' : '';
  return `${escapeHtml(attempt.declineText)}${hard}`;
}

function attemptsSection(attempts: PaymentAttemptView[]): string {
  if (attempts.length === 0) {
    return '<section><h2>Recent payment attempts</h2><p class="muted">None yet.</p></section>';
  }
  const rows = attempts.map((attempt) => [
    formatDateTime(attempt.attemptedAt),
    escapeHtml(attempt.amount.formatted),
    `<span class="status status-${escapeHtml(attempt.status)}">${words(attempt.status)}</span>`,
    declineCell(attempt),
    attempt.card ? escapeHtml(attempt.card) : missing,
  ]);
  const headers = ['Attempted', 'Amount', 'Result', 'Decline reason', 'Card'];
  return `<section><h2>Recent payment attempts</h2>${table(headers, rows)}</section>`;
}

function describePaymentCard(card: LinkedCardView['paymentCard']): string {
  if (!card) return missing;
  const brand = card.brand ? words(card.brand) : 'Card';
  const number = card.last4 ? `${brand} ending ${escapeHtml(card.last4)}` : brand;
  if (card.expMonth === null || card.expYear === null) return number;
  const expiry = `${String(card.expMonth).padStart(2, '0')}/${card.expYear}`;
  return `${number}, expires ${expiry}${describeExpiresIn(card.expiresInDays)}`;
}

function describeExpiresIn(days: number | null): string {
  if (days === null) return '';
  if (days < 0) return ' (expired)';
  return days === 1 ? ' (in 1 day)' : ` (in ${days} days)`;
}

function dunningSection(view: LinkedCardView): string {
  const items: Array<[string, string]> = [
    ['Stage', words(view.dunning.stage)],
    ['Next retry', formatDateTime(view.dunning.nextRetryAt)],
  ];
  if (view.dunning.pausedUntil) items.push(['Paused until', formatDateTime(view.dunning.pausedUntil)]);
  items.push(['Payment card', describePaymentCard(view.paymentCard)]);
  const rows = items.map(([label, value]) => `<div><dt>${label}</dt><dd>${value}</dd></div>`).join('');
  return `<section><h2>Dunning</h2><dl class="details">${rows}</dl></section>`;
}

function describeDue(invoice: OpenInvoiceView): string {
  const due = formatDate(invoice.dueDate);
  if (invoice.daysOverdue <= 0) return due;
  const days = invoice.daysOverdue === 1 ? '1 day' : `${invoice.daysOverdue} days`;
  return `${due} <span class="overdue">${days} overdue</span>`;
}

function describeNextStep(invoice: OpenInvoiceView): string {
  if (invoice.nextPlannedStep) return words(invoice.nextPlannedStep);
  if (invoice.nextPaymentAttempt) return `Stripe retry ${formatDateTime(invoice.nextPaymentAttempt)}`;
  return missing;
}

function invoicesSection(invoices: OpenInvoiceView[]): string {
  if (invoices.length === 0)
    return '<section><h2>Open invoices</h2><p class="muted">No open invoices.</p></section>';
  // The recovery column appears only once the collections forecast has scored at least one invoice.
  const showRecovery = invoices.some((invoice) => invoice.recoveryProbability !== null);
  const rows = invoices.map((invoice) => {
    const cells = [
      escapeHtml(invoice.number ?? invoice.stripeInvoiceId),
      escapeHtml(invoice.amountRemaining.formatted),
      describeDue(invoice),
      describeNextStep(invoice),
    ];
    const recovery = invoice.recoveryProbability;
    if (showRecovery) cells.push(recovery === null ? missing : `${Math.round(recovery * 100)}%`);
    return cells;
  });
  const headers = ['Invoice', 'Remaining', 'Due', 'Next step', ...(showRecovery ? ['Recovery'] : [])];
  return `<section><h2>Open invoices</h2>${table(headers, rows)}</section>`;
}

function actionsSection(view: LinkedCardView): string {
  const pauseOrResume: CardActionName = view.dunning.pausedUntil ? 'resume_dunning' : 'pause_dunning';
  const names: CardActionName[] = ['retry_payment', 'send_card_update_link', pauseOrResume];
  const items = names.map((name) => {
    const action = view.actions[name];
    const state = action.enabled ? 'available' : 'unavailable';
    const reason = action.disabledReason
      ? `<span class="muted">${escapeHtml(action.disabledReason)}</span>`
      : '';
    return `<li class="action ${state}"><span class="button">${actionLabels[name]}</span>${reason}</li>`;
  });
  const heading = '<h2>Actions (run them from the HubSpot card)</h2>';
  return `<section>${heading}<ul class="actions">${items.join('')}</ul></section>`;
}

const pageCss = `
*{box-sizing:border-box}
body{margin:0;padding:24px;background:#f5f8fa;color:#33475b;
  font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
.card{max-width:960px;margin:0 auto;background:#fff;border:1px solid #dfe3eb;border-radius:8px;padding:24px 28px}
h1{font-size:20px;margin:0 0 4px}
h2{font-size:15px;margin:0 0 8px}
section{margin-top:20px}
.muted{color:#7c98b6}
.customer{margin:0;display:flex;gap:12px;align-items:baseline}
.health{display:flex;gap:20px;align-items:center;padding:16px;border-radius:8px;background:#f5f8fa}
.score{font-size:40px;font-weight:700;width:84px;height:84px;border-radius:50%;
  display:flex;align-items:center;justify-content:center;color:#fff}
.band-red .score{background:#d93f4c}
.band-yellow .score{background:#e5a000}
.band-green .score{background:#00a38d}
.tag{display:inline-block;padding:1px 8px;border-radius:3px;font-size:12px;font-weight:600}
.tag-red{background:#fde8e9;color:#b3202d}
.tag-yellow{background:#fef4d8;color:#8a5d00}
.tag-green{background:#e0f5f1;color:#00755f}
.trend{margin:6px 0 0}
.trend.down{color:#b3202d}
.trend.up{color:#00755f}
.trend.flat{color:#516f90}
.reasons{margin:6px 0 0;padding-left:18px}
.stats{display:grid;grid-template-columns:repeat(4,1fr);gap:12px;margin:0}
.stat{border:1px solid #dfe3eb;border-radius:6px;padding:10px 12px}
dt{font-size:12px;color:#516f90}
dd{margin:0;font-size:16px;font-weight:600}
.details{display:grid;grid-template-columns:repeat(2,1fr);gap:10px 24px;margin:0}
.details dd{font-size:14px}
table{width:100%;border-collapse:collapse}
th,td{text-align:left;padding:7px 10px;border-bottom:1px solid #eaf0f6;vertical-align:top}
th{font-size:12px;color:#516f90;background:#f5f8fa}
.status{font-weight:600}
.status-failed{color:#b3202d}
.status-succeeded{color:#00755f}
.overdue{color:#b3202d;font-weight:600;margin-left:6px}
.actions{list-style:none;margin:0;padding:0;display:grid;gap:8px}
.action{display:flex;gap:12px;align-items:center}
.button{display:inline-block;min-width:200px;text-align:center;padding:6px 14px;border-radius:4px;
  font-weight:600;border:1px solid #0091ae}
.available .button{background:#0091ae;color:#fff}
.unavailable .button{color:#99afc4;border-color:#cbd6e2;background:#f5f8fa}
.empty{text-align:center;padding:32px 0}
`;
