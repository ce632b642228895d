import type { LinkedCardView, MoneyView } from '../../cards/view-model-types';
import { renderCardPage } from '../../src/cards/preview-page';
import { formatMoney } from '../../src/money/currency';

function moneyView(amountMinor: number, currency: string): MoneyView {
  return { amountMinor, currency, formatted: formatMoney(amountMinor, currency) };
}

function linkedView(currency = 'usd', overrides: Partial<LinkedCardView> = {}): LinkedCardView {
  return {
    state: 'linked',
    customer: { stripeCustomerId: 'cus_Q1w2E3r4', name: 'Northwind Traders' },
    health: {
      score: 42,
      band: 'red',
      changeSince30Days: -18,
      trend: 'down',
      topReasons: ['2 failed payments'],
    },
    subscriptionStatus: 'past_due',
    mrr: moneyView(125000, currency),
    openAmount: moneyView(250000, currency),
    overdueAmount: moneyView(125000, currency),
    recentAttempts: [
      {
        attemptedAt: '2026-10-28T09:15:00.000Z',
        status: 'failed',
        amount: moneyView(125000, currency),
        declineText: 'Insufficient funds',
        declineKind: 'soft',
        card: 'Visa ending 4242',
      },
    ],
    dunning: { stage: 'retrying', nextRetryAt: '2026-11-04T09:00:00.000Z', pausedUntil: null },
    paymentCard: { brand: 'visa', last4: '4242', expMonth: 11, expYear: 2026, expiresInDays: 20 },
    openInvoices: [
      {
        stripeInvoiceId: 'in_overdue',
        number: 'NW-0042',
        amountRemaining: moneyView(125000, currency),
        dueDate: '2026-10-21T00:00:00.000Z',
        daysOverdue: 12,
        nextPaymentAttempt: '2026-11-04T09:00:00.000Z',
        nextPlannedStep: 'send_final_notice',
        recoveryProbability: 0.62,
      },
    ],
    actions: {
      retry_payment: { enabled: true, disabledReason: null },
      send_card_update_link: { enabled: false, disabledReason: 'A card-update link was sent 2 hours ago' },
      pause_dunning: { enabled: true, disabledReason: null },
      resume_dunning: { enabled: false, disabledReason: 'Dunning is not paused' },
    },
    ...overrides,
  };
}

const hostile = '<script>alert("x")</script>&\'';

describe('renderCardPage', () => {
  it('is a self-contained document', () => {
    const html = renderCardPage(linkedView(), { title: 'Payment health' });
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<style>');
    expect(html).not.toMatch(/<script|<link|src=|href=|@import|url\(/i);
  });

  it('escapes every view value', () => {
    const base = linkedView();
    const view = linkedView('usd', {
      customer: { stripeCustomerId: hostile, name: hostile },
      health: { ...base.health!, topReasons: [hostile] },
      subscriptionStatus: hostile,
      recentAttempts: [{ ...base.recentAttempts[0]!, declineText: hostile, card: hostile }],
      openInvoices: [{ ...base.openInvoices[0]!, number: hostile, nextPlannedStep: hostile }],
      actions: { ...base.actions, send_card_update_link: { enabled: false, disabledReason: hostile } },
    });
    const html = renderCardPage(view, { title: hostile });
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('alert("x")');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;');
  });

  it('escapes the not-linked company id', () => {
    const html = renderCardPage({ state: 'not_linked', companyId: hostile }, { title: 'Card' });
    expect(html).toContain('No Stripe customer linked');
    expect(html).not.toContain('<script>');
  });

  it('shows health score, band and trend', () => {
    const html = renderCardPage(linkedView(), { title: 'Card' });
    expect(html).toContain('data-testid="score">42<');
    expect(html).toContain('data-testid="band">At risk<');
    expect(html).toContain('Down 18 points since 30 days ago');
    expect(html).toContain('<li>2 failed payments</li>');
  });

  it('shows billing amounts', () => {
    const html = renderCardPage(linkedView(), { title: 'Card' });
    expect(html).toContain('<dt>Subscription</dt><dd>Past due</dd>');
    expect(html).toContain('<dt>MRR</dt><dd>$1,250.00</dd>');
    expect(html).toContain('<dt>Open</dt><dd>$2,500.00</dd>');
    expect(html).toContain('<dt>Overdue</dt><dd>$1,250.00</dd>');
  });

  it('shows attempts with decline words', () => {
    const base = linkedView();
    const hard = {
      ...base.recentAttempts[0]!,
      declineText: 'Card reported stolen',
      declineKind: 'hard' as const,
    };
    const html = renderCardPage(
      { ...base, recentAttempts: [...base.recentAttempts, hard] },
      { title: 'Card' },
    );
    expect(html).toContain('Insufficient funds');
    expect(html).toContain('Card reported stolen <span class="tag tag-red">Hard decline</span>');
    expect(html).toContain('Oct 28, 2026, 09:15 UTC');
  });

  it('shows dunning and payment card', () => {
    const html = renderCardPage(linkedView(), { title: 'Card' });
    expect(html).toContain('<dt>Stage</dt><dd>Retrying</dd>');
    expect(html).toContain('<dt>Next retry</dt><dd>Nov 4, 2026, 09:00 UTC</dd>');
    expect(html).toContain('Visa ending 4242, expires 11/2026 (in 20 days)');
    expect(html).not.toContain('Paused until');
  });

  it('shows invoices with forecast', () => {
    const html = renderCardPage(linkedView(), { title: 'Card' });
    expect(html).toContain('<td>NW-0042</td>');
    expect(html).toContain('12 days overdue');
    expect(html).toContain('<td>Send final notice</td>');
    expect(html).toContain('<th>Recovery</th>');
    expect(html).toContain('<td>62%</td>');
  });

  it('omits recovery before the forecast', () => {
    const base = linkedView();
    const invoices = base.openInvoices.map((invoice) => ({ ...invoice, recoveryProbability: null }));
    const html = renderCardPage({ ...base, openInvoices: invoices }, { title: 'Card' });
    expect(html).not.toContain('<th>Recovery</th>');
  });

  it('shows actions with disabled reasons', () => {
    const html = renderCardPage(linkedView(), { title: 'Card' });
    expect(html).toContain('<li class="action available"><span class="button">Retry payment now</span></li>');
    expect(html).toContain('unavailable"><span class="button">Send card-update link</span>');
    expect(html).toContain('A card-update link was sent 2 hours ago');
    expect(html).toContain('Pause dunning');
  });

  it('shows resume while paused', () => {
    const base = linkedView();
    const view = { ...base, dunning: { ...base.dunning, pausedUntil: '2026-11-15T00:00:00.000Z' } };
    const html = renderCardPage(view, { title: 'Card' });
    expect(html).toContain('<dt>Paused until</dt><dd>Nov 15, 2026, 00:00 UTC</dd>');
    expect(html).toContain('Resume dunning');
    expect(html).not.toContain('Pause dunning');
  });

  it('shows JPY without decimals', () => {
    const html = renderCardPage(linkedView('jpy'), { title: 'Card' });
    expect(html).toContain('<dt>MRR</dt><dd>¥125,000</dd>');
  });

  it('shows KWD with three decimals', () => {
    const html = renderCardPage(linkedView('kwd'), { title: 'Card' });
    expect(html).toContain('<dt>MRR</dt><dd>KWD');
    expect(html).toContain('125.000</dd>');
  });

  it('explains a missing score', () => {
    const html = renderCardPage(linkedView('usd', { health: null }), { title: 'Card' });
    expect(html).toContain('No health score yet.');
    expect(html).not.toContain('data-testid="score"');
  });
});
