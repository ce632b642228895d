import Table from 'cli-table3';
import { sql } from 'kysely';
import type { Db } from '../../src/db/database';
import { formatMoney } from '../../src/money/currency';
import type { EmulatedCompany } from '../emulators/hubspot';
import type { DemoCustomer } from './types';

export interface CustomerRow {
  stripeCustomerId: string;
  name: string;
  story: string;
  mrr: string;
  score: number | null;
  band: string | null;
  reasons: string[];
  company: EmulatedCompany | undefined;
}

/** The HubSpot properties shown in the table; the rest are counted. */
const shownProperties = [
  'csm_payment_status',
  'csm_subscription_status',
  'csm_health_score',
  'csm_health_band',
  'csm_overdue_amount',
  'csm_failed_payments_30d',
  'csm_last_payment_date',
  'csm_next_retry_date',
  'csm_card_expiry',
];

/** HubSpot date properties travel as epoch milliseconds of midnight UTC; the table shows the day. */
const dateProperties = new Set(['csm_last_payment_date', 'csm_next_retry_date', 'csm_card_expiry']);

function displayValue(name: string, value: string): string {
  return dateProperties.has(name) ? new Date(Number(value)).toISOString().slice(0, 10) : value;
}

/** Reads each demo customer's MRR and latest health from the ledger, and its company from the emulator. */
export async function loadCustomerRows(
  db: Db,
  tenantId: string,
  customers: DemoCustomer[],
  companies: EmulatedCompany[],
): Promise<CustomerRow[]> {
  const byBillingId = new Map(
    companies.map((company) => [company.properties.csm_billing_customer_id, company]),
  );
  const rows = await db
    .selectFrom('customers as c')
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('health_snapshots')
          .select(['score', 'band', 'reasons'])
          .whereRef('customer_id', '=', 'c.id')
          .orderBy('computed_at', 'desc')
          .orderBy('id', 'desc')
          .limit(1)
          .as('h'),
      (join) => join.onTrue(),
    )
    .select(['c.stripe_customer_id', 'h.score', 'h.band', 'h.reasons'])
    .select((eb) =>
      eb
        .selectFrom('subscriptions as s')
        .select(sql<string>`coalesce(sum(s.mrr_minor), 0)`.as('mrr'))
        .whereRef('s.customer_id', '=', 'c.id')
        .where('s.status', 'not in', ['canceled', 'incomplete_expired'])
        .as('mrr_minor'),
    )
    .where('c.tenant_id', '=', tenantId)
    .execute();
  const ledger = new Map(rows.map((row) => [row.stripe_customer_id, row]));
  return customers.map((customer) => {
    const row = ledger.get(customer.stripeCustomerId);
    return {
      stripeCustomerId: customer.stripeCustomerId,
      name: customer.name,
      story: customer.expectedStory,
      mrr: formatMoney(row?.mrr_minor ?? 0, customer.currency),
      score: row?.score ?? null,
      band: row?.band ?? null,
      reasons: (row?.reasons as string[] | null) ?? [],
      company: byBillingId.get(customer.stripeCustomerId),
    };
  });
}

function propertiesCell(company: EmulatedCompany | undefined): string {
  if (!company) return 'not written: no matching company (listed as unmatched)';
  const written = Object.keys(company.properties).filter((name) => name.startsWith('csm_'));
  const lines = shownProperties
    .filter((name) => company.properties[name] !== undefined && company.properties[name] !== '')
    .map((name) => `${name.replace(/^csm_/, '')}: ${displayValue(name, company.properties[name]!)}`);
  return [`company ${company.id}, ${written.length} properties`, ...lines].join('\n');
}

/** Renders the rows worst score first, so the accounts a CSM should look at lead the table. */
export function renderCustomerTable(rows: CustomerRow[]): string {
  const table = new Table({
    head: [
      'Customer',
      'Scenario',
      'MRR',
      'Score',
      'Band',
      'Top reasons',
      'HubSpot company properties written',
    ],
    colWidths: [26, 15, 14, 7, 8, 44, 46],
    wordWrap: true,
    style: { head: [], border: [] },
  });
  const sorted = [...rows].sort((a, b) => (a.score ?? -1) - (b.score ?? -1) || a.name.localeCompare(b.name));
  for (const row of sorted) {
    table.push([
      `${row.name}\n${row.stripeCustomerId}`,
      row.story,
      row.mrr,
      row.score === null ? '-' : String(row.score),
      row.band ?? '-',
      row.reasons.slice(0, 3).join('\n') || 'none',
      propertiesCell(row.company),
    ]);
  }
  return table.toString();
}
