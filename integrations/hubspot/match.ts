/**
 * Finds the HubSpot company of each billing customer: its stored link, else a company whose
 * `csm_billing_customer_id` is the Stripe customer id, else a company with the billing email's
 * domain (free-mail domains never match), else none.
 */
import type { Db } from '../../src/db/database';
import type { CrmLinksTable } from '../../src/db/schema';
import { HUBSPOT_BATCH_LIMIT, type Company, type HubSpotCrm } from './crm';
import { normalizeCompanyDomain } from './free-mail';

export type MatchedBy = CrmLinksTable['matched_by'];

export interface MatchCandidate {
  customerId: string;
  billingCustomerId: string;
  /** Domain to match on: the billing email's, already without free-mail domains. */
  domain: string | null;
}

export interface CompanyMatch {
  customerId: string;
  companyId: string;
  matchedBy: MatchedBy;
  /** The company's HubSpot owner, when the search returned one. */
  ownerId?: string | null;
  /** Whether a crm_links row already contains this match. */
  stored: boolean;
}

export interface MatchOutcome {
  matches: CompanyMatch[];
  unmatched: MatchCandidate[];
}

const BILLING_ID_PROPERTY = 'csm_billing_customer_id';

/** Orders HubSpot record ids numerically, so "9" comes before "10". */
export function compareRecordIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function lowestId(companies: Company[]): Company | undefined {
  return [...companies].sort((a, b) => compareRecordIds(a.id, b.id))[0];
}

/** Matches candidates to companies whose billing id property equals their Stripe customer id. */
export function pickByBillingId(candidates: MatchCandidate[], companies: Company[]): CompanyMatch[] {
  const matches: CompanyMatch[] = [];
  for (const candidate of candidates) {
    const found = companies.filter(
      (company) => company.properties[BILLING_ID_PROPERTY] === candidate.billingCustomerId,
    );
    const company = lowestId(found);
    if (company)
      matches.push({
        customerId: candidate.customerId,
        companyId: company.id,
        ownerId: company.properties.hubspot_owner_id ?? null,
        matchedBy: 'billing_customer_id',
        stored: false,
      });
  }
  return matches;
}

/**
 * Matches candidates to companies with the same domain, ignoring case and a `www.` prefix. A
 * company that already carries another customer's billing id belongs to that customer and is
 * skipped. When several companies qualify, the lowest record id wins.
 */
export function pickByDomain(candidates: MatchCandidate[], companies: Company[]): CompanyMatch[] {
  const matches: CompanyMatch[] = [];
  for (const candidate of candidates) {
    if (!candidate.domain) continue;
    const found = companies.filter((company) => {
      const owner = company.properties[BILLING_ID_PROPERTY];
      const free = !owner || owner === candidate.billingCustomerId;
      return free && normalizeCompanyDomain(company.properties.domain) === candidate.domain;
    });
    const company = lowestId(found);
    if (company)
      matches.push({
        customerId: candidate.customerId,
        companyId: company.id,
        ownerId: company.properties.hubspot_owner_id ?? null,
        matchedBy: 'domain',
        stored: false,
      });
  }
  return matches;
}

export function chunk<T>(items: T[], size: number = HUBSPOT_BATCH_LIMIT): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

export async function loadCrmLinks(db: Db, tenantId: string, customerIds: string[]): Promise<CompanyMatch[]> {
  if (customerIds.length === 0) return [];
  const rows = await db
    .selectFrom('crm_links')
    .select(['customer_id', 'record_id', 'matched_by'])
    .where('tenant_id', '=', tenantId)
    .where('provider', '=', 'hubspot')
    .where('customer_id', 'in', customerIds)
    .execute();
  return rows.map((row) => ({
    customerId: row.customer_id,
    companyId: row.record_id,
    matchedBy: row.matched_by,
    stored: true,
  }));
}

/** Links of other customers to these companies, to find companies that two customers claim. */
export async function loadCompanyClaims(
  db: Db,
  tenantId: string,
  companyIds: string[],
  excludeCustomerIds: string[],
) {
  if (companyIds.length === 0) return [];
  let query = db
    .selectFrom('crm_links')
    .select(['customer_id', 'record_id', 'matched_by'])
    .where('tenant_id', '=', tenantId)
    .where('provider', '=', 'hubspot')
    .where('record_id', 'in', companyIds);
  if (excludeCustomerIds.length > 0) query = query.where('customer_id', 'not in', excludeCustomerIds);
  const rows = await query.execute();
  return rows.map((row) => ({
    customerId: row.customer_id,
    companyId: row.record_id,
    matchedBy: row.matched_by,
    stored: true,
  }));
}

export async function storeCrmLinks(db: Db, tenantId: string, matches: CompanyMatch[]): Promise<void> {
  const rows = matches
    .filter((match) => !match.stored)
    .map((match) => ({
      tenant_id: tenantId,
      customer_id: match.customerId,
      provider: 'hubspot' as const,
      record_id: match.companyId,
      matched_by: match.matchedBy,
      owner_id: match.ownerId ?? null,
    }));
  if (rows.length === 0) return;
  await db
    .insertInto('crm_links')
    .values(rows)
    .onConflict((conflict) => conflict.columns(['tenant_id', 'provider', 'customer_id']).doNothing())
    .execute();
}

async function searchAll(crm: HubSpotCrm, propertyName: string, values: string[]): Promise<Company[]> {
  const companies: Company[] = [];
  for (const part of chunk([...new Set(values)]))
    companies.push(...(await crm.searchCompanies({ propertyName, values: part })));
  return companies;
}

/**
 * Matches candidates in the three steps above. Links are returned, not stored: the caller stores
 * them once it has settled which customer keeps a company that two of them match.
 */
export async function matchCompanies(
  db: Db,
  crm: HubSpotCrm,
  tenantId: string,
  candidates: MatchCandidate[],
): Promise<MatchOutcome> {
  const linked = await loadCrmLinks(
    db,
    tenantId,
    candidates.map((candidate) => candidate.customerId),
  );
  const done = new Set(linked.map((match) => match.customerId));
  let rest = candidates.filter((candidate) => !done.has(candidate.customerId));

  const byBillingId = pickByBillingId(
    rest,
    await searchAll(
      crm,
      BILLING_ID_PROPERTY,
      rest.map((c) => c.billingCustomerId),
    ),
  );
  for (const match of byBillingId) done.add(match.customerId);
  rest = rest.filter((candidate) => !done.has(candidate.customerId));

  // NOTE: the IN filter gets bare lower-case domains, so a company stored as "www.acme.com" is not found.
  const domains = rest.flatMap((candidate) => (candidate.domain ? [candidate.domain] : []));
  const byDomain = pickByDomain(rest, await searchAll(crm, 'domain', domains));
  for (const match of byDomain) done.add(match.customerId);

  return {
    matches: [...linked, ...byBillingId, ...byDomain],
    unmatched: candidates.filter((candidate) => !done.has(candidate.customerId)),
  };
}
