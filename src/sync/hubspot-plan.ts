/**
 * Decides the HubSpot writes of one flush batch. Pure: sync state, views and matches go in, the
 * batch inputs and each customer's fate come out.
 */
import {
  compareRecordIds,
  type CompanyMatch,
  type MatchCandidate,
  type MatchedBy,
} from '../../integrations/hubspot/match';
import { toCompanyProperties, toNewCompanyProperties, type CustomerSyncView } from './hubspot-properties';
import type { ClaimedRow } from './sync-state';

export interface PlannedUpdate {
  customerId: string;
  companyId: string;
  properties: Record<string, string>;
}

export interface PlannedCreation {
  customerId: string;
  /** The Stripe customer id: the upsert key, so a retried flush finds the company it created. */
  billingCustomerId: string;
  properties: Record<string, string>;
}

/** A customer whose company another customer keeps, so its properties are not written. */
export interface CompanyConflict {
  customerId: string;
  companyId: string;
  keptForCustomerId: string;
}

export interface WritePlan {
  updates: PlannedUpdate[];
  unchanged: PlannedUpdate[];
  creations: PlannedCreation[];
  unmatched: string[];
  conflicts: CompanyConflict[];
  /** Matches to store in crm_links: every winner, and no loser that matched only by domain. */
  links: CompanyMatch[];
}

// A manual link outranks a stored billing id, which outranks our own creation and then a domain guess.
const matchRank: Record<MatchedBy, number> = { manual: 0, billing_customer_id: 1, created: 2, domain: 3 };

function compareClaims(a: CompanyMatch, b: CompanyMatch): number {
  return matchRank[a.matchedBy] - matchRank[b.matchedBy] || compareRecordIds(a.customerId, b.customerId);
}

export function sameProperties(a: Record<string, string> | null, b: Record<string, string>): boolean {
  if (!a) return false;
  const keys = Object.keys(b);
  return keys.length === Object.keys(a).length && keys.every((key) => a[key] === b[key]);
}

/** Picks one customer per company: the best-ranked claim, then the lowest customer id. */
export function resolveCompanyClaims(matches: CompanyMatch[], otherClaims: CompanyMatch[]) {
  const byCompany = new Map<string, CompanyMatch[]>();
  for (const claim of [...matches, ...otherClaims]) {
    byCompany.set(claim.companyId, [...(byCompany.get(claim.companyId) ?? []), claim]);
  }
  const winners: CompanyMatch[] = [];
  const conflicts: CompanyConflict[] = [];
  const losers: CompanyMatch[] = [];
  const own = new Set(matches.map((match) => match.customerId));
  for (const [companyId, claims] of byCompany) {
    const [winner, ...rest] = [...claims].sort(compareClaims);
    if (!winner) continue;
    if (own.has(winner.customerId)) winners.push(winner);
    for (const loser of rest.filter((claim) => own.has(claim.customerId))) {
      conflicts.push({ customerId: loser.customerId, companyId, keptForCustomerId: winner.customerId });
      losers.push(loser);
    }
  }
  return { winners, conflicts, losers };
}

export function planHubSpotWrites(input: {
  views: CustomerSyncView[];
  rows: ClaimedRow[];
  matches: CompanyMatch[];
  otherClaims: CompanyMatch[];
  unmatched: MatchCandidate[];
  createCompanies: boolean;
}): WritePlan {
  const views = new Map(input.views.map((view) => [view.customerId, view]));
  const rows = new Map(input.rows.map((row) => [row.customerId, row]));
  const { winners, conflicts, losers } = resolveCompanyClaims(input.matches, input.otherClaims);
  const plan: WritePlan = { updates: [], unchanged: [], creations: [], unmatched: [], conflicts, links: [] };
  plan.links = [...winners, ...losers.filter((loser) => loser.matchedBy !== 'domain')];

  for (const winner of winners) {
    const view = views.get(winner.customerId);
    if (!view) continue;
    const update = {
      customerId: winner.customerId,
      companyId: winner.companyId,
      properties: toCompanyProperties(view),
    };
    const row = rows.get(winner.customerId);
    const unchanged =
      winner.stored &&
      row?.matchStatus === 'matched' &&
      sameProperties(row.lastProperties, update.properties);
    (unchanged ? plan.unchanged : plan.updates).push(update);
  }
  for (const candidate of input.unmatched) {
    const view = views.get(candidate.customerId);
    if (!view) continue;
    if (!input.createCompanies) {
      plan.unmatched.push(candidate.customerId);
      continue;
    }
    plan.creations.push({
      customerId: candidate.customerId,
      billingCustomerId: candidate.billingCustomerId,
      properties: toNewCompanyProperties(view, candidate.domain),
    });
  }
  return plan;
}
