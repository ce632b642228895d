import type { LinkedCardView } from '../src/app/cards/payment-health/view-model.ts';

/** Builds a customer in dunning: two failed attempts, one overdue invoice, retry enabled and the link disabled. */
export function linkedView(overrides: Partial<LinkedCardView> = {}): LinkedCardView {
  return {
    state: 'linked',
    customer: { stripeCustomerId: 'cus_Q1w2E3r4', name: 'Northwind Traders' },
    health: {
      score: 42,
      band: 'red',
      changeSince30Days: -18,
      trend: 'down',
      topReasons: ['2 failed payments in 14 days', 'Card expires in 20 days'],
    },
    subscriptionStatus: 'past_due',
    mrr: { amountMinor: 125000, currency: 'usd', formatted: '$1,250.00' },
    openAmount: { amountMinor: 250000, currency: 'usd', formatted: '$2,500.00' },
    overdueAmount: { amountMinor: 125000, currency: 'usd', formatted: '$1,250.00' },
    recentAttempts: [
      {
        attemptedAt: '2026-10-28T09:15:00.000Z',
        status: 'failed',
        amount: { amountMinor: 125000, currency: 'usd', formatted: '$1,250.00' },
        declineText: 'Insufficient funds',
        declineKind: 'soft',
        card: 'Visa ending 4242',
      },
      {
        attemptedAt: '2026-10-21T09:15:00.000Z',
        status: 'failed',
        amount: { amountMinor: 125000, currency: 'usd', formatted: '$1,250.00' },
        declineText: 'Card reported stolen',
        declineKind: 'hard',
        card: 'Visa ending 4242',
      },
    ],
    dunning: { stage: 'retrying', nextRetryAt: '2026-11-04T09:00:00.000Z', pausedUntil: null },
    paymentCard: { brand: 'visa', last4: '4242', expMonth: 11, expYear: 2026, expiresInDays: 20 },
    openInvoices: [
      {
        stripeInvoiceId: 'in_current',
        number: 'NW-0043',
        amountRemaining: { amountMinor: 125000, currency: 'usd', formatted: '$1,250.00' },
        dueDate: '2026-11-10T00:00:00.000Z',
        daysOverdue: 0,
        nextPaymentAttempt: null,
        nextPlannedStep: null,
        recoveryProbability: null,
      },
      {
        stripeInvoiceId: 'in_overdue',
        number: 'NW-0042',
        amountRemaining: { amountMinor: 125000, currency: 'usd', formatted: '$1,250.00' },
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
