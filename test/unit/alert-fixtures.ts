import type { AlertFacts, AlertContent, FailedInvoiceFacts } from '../../src/alerts/types';

export const now = new Date('2025-03-10T12:00:00Z');

export function failedInvoice(overrides: Partial<FailedInvoiceFacts> = {}): FailedInvoiceFacts {
  return {
    stripeInvoiceId: 'in_1',
    status: 'open',
    amountRemainingMinor: 120000,
    currency: 'usd',
    attemptCount: 1,
    nextPaymentAttempt: new Date('2025-03-13T12:00:00Z'),
    collectsAutomatically: true,
    declineCode: 'insufficient_funds',
    adviceCode: null,
    failureCode: 'card_declined',
    failureMessage: null,
    cardBrand: 'visa',
    cardLast4: '4242',
    ...overrides,
  };
}

export function facts(overrides: Partial<AlertFacts> = {}): AlertFacts {
  return {
    account: {
      customerId: '7',
      stripeCustomerId: 'cus_1',
      name: 'Acme & Co',
      crmRecordId: '555',
      crmPortalId: '123',
      crmOwnerId: '42',
    },
    currency: 'usd',
    mrrMinor: 50000,
    subscriptionStatus: 'past_due',
    failedInvoices: [],
    defaultCard: null,
    onTimeMonths: 0,
    onTimeSince: null,
    settledInvoiceIds: [],
    ...overrides,
  };
}

export function content(overrides: Partial<AlertContent> = {}): AlertContent {
  return {
    rule: 'paymentFailed',
    state: 'open',
    account: facts().account,
    mrrMinor: 50000,
    currency: 'usd',
    locale: 'en-US',
    invoice: {
      stripeInvoiceId: 'in_1',
      amountRemainingMinor: 120000,
      currency: 'usd',
      attemptCount: 2,
      nextPaymentAttempt: '2025-03-13T12:00:00.000Z',
    },
    decline: { text: 'Insufficient funds', kind: 'soft', code: 'insufficient_funds' },
    card: { brand: 'visa', last4: '4242' },
    ...overrides,
  };
}
