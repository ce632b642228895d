import {
  companyProperties,
  planHubSpotSchema,
  propertyGroup,
} from '../../migrations/crm/hubspot-company-properties';
import type { SubscriptionStatus } from '../../src/ledger/changes';
import {
  derivePaymentStatus,
  subscriptionStatusLabels,
  toCompanyProperties,
  toNewCompanyProperties,
  type CustomerSyncView,
} from '../../src/sync/hubspot-properties';

function view(overrides: Partial<CustomerSyncView> = {}): CustomerSyncView {
  return {
    customerId: '1',
    billingCustomerId: 'cus_A',
    name: 'Acme',
    emailDomain: 'acme.com',
    healthScore: 72,
    healthBand: 'yellow',
    healthReasons: ['2 failed payments in 30 days', 'card expires soon'],
    subscriptionStatus: 'active',
    lastAttemptFailed: false,
    mrrMinor: 123456,
    currency: 'usd',
    overdueAmountMinor: 0,
    oldestUnpaidDays: null,
    failedPayments30d: 2,
    lastPaymentAt: new Date('2026-03-15T17:45:12.345Z'),
    nextRetryAt: new Date('2026-04-02T23:59:59.999Z'),
    cardExpiry: { month: 2, year: 2028 },
    ...overrides,
  };
}

const everyStripeStatus: SubscriptionStatus[] = [
  'trialing',
  'active',
  'past_due',
  'unpaid',
  'paused',
  'incomplete',
  'incomplete_expired',
  'canceled',
];

describe('toCompanyProperties', () => {
  it('writes money in major units', () => {
    const properties = toCompanyProperties(view({ overdueAmountMinor: 5005 }));
    expect(properties.csm_mrr).toBe('1234.56');
    expect(properties.csm_overdue_amount).toBe('50.05');
    expect(properties.csm_currency).toBe('USD');
  });

  it('uses the currency exponent', () => {
    expect(toCompanyProperties(view({ mrrMinor: 5000, currency: 'jpy' })).csm_mrr).toBe('5000');
    expect(toCompanyProperties(view({ mrrMinor: 12345, currency: 'kwd' })).csm_mrr).toBe('12.345');
  });

  it('sends dates as midnight UTC', () => {
    const properties = toCompanyProperties(view());
    expect(properties.csm_last_payment_date).toBe(String(Date.UTC(2026, 2, 15)));
    expect(properties.csm_next_retry_date).toBe(String(Date.UTC(2026, 3, 2)));
    for (const name of ['csm_last_payment_date', 'csm_next_retry_date', 'csm_card_expiry']) {
      expect(Number(properties[name]) % 86_400_000).toBe(0);
    }
  });

  it('dates card expiry on the last day of the month', () => {
    expect(toCompanyProperties(view()).csm_card_expiry).toBe(String(Date.UTC(2028, 1, 29)));
    const december = toCompanyProperties(view({ cardExpiry: { month: 12, year: 2027 } }));
    expect(december.csm_card_expiry).toBe(String(Date.UTC(2027, 11, 31)));
  });

  it('clears missing values with empty strings', () => {
    const properties = toCompanyProperties(
      view({
        healthScore: null,
        healthBand: null,
        currency: null,
        lastPaymentAt: null,
        nextRetryAt: null,
        cardExpiry: null,
      }),
    );
    expect(properties.csm_health_score).toBe('');
    expect(properties.csm_health_band).toBe('');
    expect(properties.csm_mrr).toBe('');
    expect(properties.csm_last_payment_date).toBe('');
    expect(properties.csm_card_expiry).toBe('');
  });

  it('writes the billing id and reasons', () => {
    const properties = toCompanyProperties(view());
    expect(properties.csm_billing_customer_id).toBe('cus_A');
    expect(properties.csm_health_reasons).toBe('2 failed payments in 30 days; card expires soon');
  });

  it('writes only properties the schema defines', () => {
    const defined = new Set(companyProperties.map((property) => property.name));
    for (const name of Object.keys(toCompanyProperties(view()))) expect(defined.has(name)).toBe(true);
  });
});

describe('toNewCompanyProperties', () => {
  it('adds name and domain', () => {
    const properties = toNewCompanyProperties(view(), 'acme.com');
    expect(properties.name).toBe('Acme');
    expect(properties.domain).toBe('acme.com');
  });

  it('omits a missing domain', () => {
    expect(toNewCompanyProperties(view(), null).domain).toBeUndefined();
  });
});

describe('subscription status mapping', () => {
  const options =
    companyProperties.find((property) => property.name === 'csm_subscription_status')?.options ?? [];

  it.each(everyStripeStatus)('maps %s', (status) => {
    expect(subscriptionStatusLabels[status]).toBeDefined();
    expect(options.some((option) => option.value === status)).toBe(true);
    expect(toCompanyProperties(view({ subscriptionStatus: status })).csm_subscription_status).toBe(status);
  });

  it('maps none', () => {
    expect(options.some((option) => option.value === 'none')).toBe(true);
  });
});

describe('derivePaymentStatus', () => {
  it.each<[string, Partial<CustomerSyncView>, string]>([
    ['healthy', {}, 'current'],
    ['overdue invoice', { overdueAmountMinor: 100, oldestUnpaidDays: 3 }, 'overdue'],
    [
      'past due before overdue',
      { overdueAmountMinor: 100, oldestUnpaidDays: 3, subscriptionStatus: 'past_due' },
      'past_due',
    ],
    [
      'canceled with money owed',
      { overdueAmountMinor: 100, oldestUnpaidDays: 40, subscriptionStatus: 'canceled' },
      'canceled',
    ],
    ['past due subscription', { subscriptionStatus: 'past_due', lastAttemptFailed: true }, 'past_due'],
    ['unpaid subscription', { subscriptionStatus: 'unpaid' }, 'past_due'],
    ['failed attempt', { lastAttemptFailed: true }, 'payment_failed'],
    ['canceled', { subscriptionStatus: 'canceled' }, 'canceled'],
    ['incomplete expired', { subscriptionStatus: 'incomplete_expired' }, 'canceled'],
    ['no subscription', { subscriptionStatus: 'none' }, 'no_subscription'],
  ])('%s', (_name, overrides, expected) => {
    expect(derivePaymentStatus(view(overrides))).toBe(expected);
  });

  it('is an option of the property', () => {
    const options =
      companyProperties.find((property) => property.name === 'csm_payment_status')?.options ?? [];
    const status = derivePaymentStatus(view({ lastAttemptFailed: true }));
    expect(options.map((option) => option.value)).toContain(status);
  });
});

describe('planHubSpotSchema', () => {
  it('creates everything on an empty portal', () => {
    const plan = planHubSpotSchema([], []);
    expect(plan.createGroup).toBe(true);
    expect(plan.create).toHaveLength(companyProperties.length);
    expect(plan.updateOptions).toHaveLength(0);
  });

  it('plans nothing when up to date', () => {
    const existing = companyProperties.map((property) => ({ ...property, options: property.options ?? [] }));
    const plan = planHubSpotSchema([propertyGroup], existing);
    expect(plan.createGroup).toBe(false);
    expect(plan.create).toHaveLength(0);
    expect(plan.updateOptions).toHaveLength(0);
  });

  it('updates changed options', () => {
    const existing = companyProperties.map((property) => ({
      ...property,
      options:
        property.name === 'csm_health_band' ? [{ label: 'Red', value: 'red' }] : (property.options ?? []),
    }));
    const plan = planHubSpotSchema([propertyGroup], existing);
    expect(plan.updateOptions.map((property) => property.name)).toEqual(['csm_health_band']);
  });

  it('marks the billing id unique', () => {
    const billing = companyProperties.find((property) => property.name === 'csm_billing_customer_id');
    expect(billing?.hasUniqueValue).toBe(true);
    expect(companyProperties.every((property) => property.name.startsWith('csm_'))).toBe(true);
  });
});
