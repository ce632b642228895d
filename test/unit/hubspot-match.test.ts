import { emailDomain, matchableDomain, normalizeCompanyDomain } from '../../integrations/hubspot/free-mail';
import {
  compareRecordIds,
  pickByBillingId,
  pickByDomain,
  type CompanyMatch,
  type MatchCandidate,
} from '../../integrations/hubspot/match';
import { resolveCompanyClaims, sameProperties } from '../../src/sync/hubspot-plan';

const candidate = (customerId: string, billingCustomerId: string, domain: string | null): MatchCandidate => ({
  customerId,
  billingCustomerId,
  domain,
});

describe('free-mail domains', () => {
  it.each(['gmail.com', 'yahoo.com', 'outlook.com', 'hotmail.com', 'icloud.com'])('ignores %s', (domain) => {
    expect(matchableDomain(`someone@${domain}`)).toBeNull();
  });

  it('ignores case of free-mail', () => {
    expect(matchableDomain('Someone@GMail.com')).toBeNull();
  });

  it('keeps a company domain', () => {
    expect(matchableDomain('billing@Acme.COM')).toBe('acme.com');
  });

  it('parses email domains', () => {
    expect(emailDomain(null)).toBeNull();
    expect(emailDomain('no-at-sign')).toBeNull();
    expect(emailDomain('a@localhost')).toBeNull();
    expect(emailDomain('a@b@Example.org')).toBe('example.org');
  });

  it('normalizes company domains', () => {
    expect(normalizeCompanyDomain('https://WWW.Acme.com/about')).toBe('acme.com');
    expect(normalizeCompanyDomain('  acme.com. ')).toBe('acme.com');
    expect(normalizeCompanyDomain('')).toBeNull();
  });
});

describe('pickByBillingId', () => {
  it('matches the billing id property', () => {
    const companies = [
      { id: '20', properties: { csm_billing_customer_id: 'cus_B', hubspot_owner_id: null } },
      { id: '10', properties: { csm_billing_customer_id: 'cus_A', hubspot_owner_id: '901' } },
    ];
    const matches = pickByBillingId(
      [candidate('1', 'cus_A', null), candidate('2', 'cus_C', null)],
      companies,
    );
    expect(matches).toEqual([
      { customerId: '1', companyId: '10', matchedBy: 'billing_customer_id', ownerId: '901', stored: false },
    ]);
  });
});

describe('pickByDomain', () => {
  it('ignores case and www', () => {
    const companies = [{ id: '7', properties: { domain: 'WWW.Acme.COM', csm_billing_customer_id: null } }];
    const [match] = pickByDomain([candidate('1', 'cus_A', 'acme.com')], companies);
    expect(match?.companyId).toBe('7');
    expect(match?.matchedBy).toBe('domain');
  });

  it('skips a company claimed by another billing id', () => {
    const companies = [
      { id: '7', properties: { domain: 'acme.com', csm_billing_customer_id: 'cus_OTHER' } },
      { id: '9', properties: { domain: 'acme.com', csm_billing_customer_id: '' } },
    ];
    expect(pickByDomain([candidate('1', 'cus_A', 'acme.com')], companies)[0]?.companyId).toBe('9');
  });

  it('prefers the lowest record id', () => {
    const companies = [
      { id: '100', properties: { domain: 'acme.com' } },
      { id: '99', properties: { domain: 'acme.com' } },
    ];
    expect(pickByDomain([candidate('1', 'cus_A', 'acme.com')], companies)[0]?.companyId).toBe('99');
  });

  it('skips candidates without a domain', () => {
    const companies = [{ id: '1', properties: { domain: 'gmail.com' } }];
    expect(pickByDomain([candidate('1', 'cus_A', null)], companies)).toEqual([]);
  });
});

describe('compareRecordIds', () => {
  it('orders numerically', () => {
    expect(compareRecordIds('9', '10')).toBeLessThan(0);
    expect(compareRecordIds('10', '10')).toBe(0);
    expect(compareRecordIds('11', '10')).toBeGreaterThan(0);
  });
});

describe('resolveCompanyClaims', () => {
  const claim = (customerId: string, matchedBy: CompanyMatch['matchedBy'], stored = false): CompanyMatch => ({
    customerId,
    companyId: 'C1',
    matchedBy,
    stored,
  });

  it('keeps the lowest customer id', () => {
    const { winners, conflicts } = resolveCompanyClaims([claim('12', 'domain'), claim('3', 'domain')], []);
    expect(winners.map((winner) => winner.customerId)).toEqual(['3']);
    expect(conflicts).toEqual([{ customerId: '12', companyId: 'C1', keptForCustomerId: '3' }]);
  });

  it('ranks billing id over domain', () => {
    const { winners } = resolveCompanyClaims([claim('1', 'domain'), claim('2', 'billing_customer_id')], []);
    expect(winners.map((winner) => winner.customerId)).toEqual(['2']);
  });

  it('respects other customers links', () => {
    const { winners, conflicts } = resolveCompanyClaims([claim('5', 'domain')], [claim('4', 'manual', true)]);
    expect(winners).toEqual([]);
    expect(conflicts[0]?.keptForCustomerId).toBe('4');
  });
});

describe('sameProperties', () => {
  it('compares keys and values', () => {
    expect(sameProperties({ a: '1' }, { a: '1' })).toBe(true);
    expect(sameProperties({ a: '1' }, { a: '2' })).toBe(false);
    expect(sameProperties({ a: '1', b: '' }, { a: '1' })).toBe(false);
    expect(sameProperties(null, { a: '1' })).toBe(false);
  });
});
