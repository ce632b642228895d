import type { DemoCurrency } from './types';
import type { DemoRandom, IdFactory } from './random';

export type PlanTier = 'starter' | 'growth' | 'scale';
export type BillingInterval = 'month' | 'year';

export const planTiers: readonly PlanTier[] = ['starter', 'growth', 'scale'];

/**
 * Monthly list prices in minor units of each currency: cents for USD and EUR, whole yen for JPY
 * (zero-decimal), fils for KWD (three decimals, so 12500 is 12.500 KWD). Stripe requires KWD
 * amounts to end in 0, and all of these do.
 */
const monthlyUnitAmounts: Record<DemoCurrency, Record<PlanTier, number>> = {
  usd: { starter: 4900, growth: 14900, scale: 49900 },
  eur: { starter: 3900, growth: 12900, scale: 44900 },
  jpy: { starter: 5000, growth: 19800, scale: 60000 },
  kwd: { starter: 12500, growth: 45000, scale: 150000 },
};

/** Yearly prices are ten months' worth: two months free. */
const monthsChargedPerYear = 10;

export interface CatalogPrice {
  id: string;
  productId: string;
  productName: string;
  currency: DemoCurrency;
  tier: PlanTier;
  interval: BillingInterval;
  unitAmount: number;
  created: number;
}

export type Catalog = Map<string, CatalogPrice>;

function catalogKey(currency: DemoCurrency, tier: PlanTier, interval: BillingInterval): string {
  return `${currency}:${tier}:${interval}`;
}

/** Creates one product per tier and one price per tier, currency and interval. */
export function buildCatalog(ids: IdFactory, createdSeconds: number): Catalog {
  const catalog: Catalog = new Map();
  for (const tier of planTiers) {
    const productId = ids.next('prod', 14);
    const productName = `Ledgerline ${tier[0]?.toUpperCase()}${tier.slice(1)}`;
    for (const currency of Object.keys(monthlyUnitAmounts) as DemoCurrency[]) {
      for (const interval of ['month', 'year'] as const) {
        const monthly = monthlyUnitAmounts[currency][tier];
        const unitAmount = interval === 'month' ? monthly : monthly * monthsChargedPerYear;
        const id = ids.next('price');
        const price = {
          id,
          productId,
          productName,
          currency,
          tier,
          interval,
          unitAmount,
          created: createdSeconds,
        };
        catalog.set(catalogKey(currency, tier, interval), price);
      }
    }
  }
  return catalog;
}

export function findPrice(
  catalog: Catalog,
  currency: DemoCurrency,
  tier: PlanTier,
  interval: BillingInterval,
): CatalogPrice {
  const price = catalog.get(catalogKey(currency, tier, interval));
  if (!price) throw new Error(`No demo price for ${catalogKey(currency, tier, interval)}`);
  return price;
}

// Invented stems so that no generated company name belongs to a real business.
const companyStems = [
  'Bramblewick',
  'Quillfern',
  'Tarnhollow',
  'Larkmoor',
  'Cindervale',
  'Mossgate',
  'Fennick',
  'Wrenfield',
  'Copperlane',
  'Halcyra',
  'Saltquarry',
  'Ironbloom',
  'Velvetorne',
  'Duskwater',
  'Thistlecombe',
  'Amberlith',
  'Glimmerford',
  'Rookhaven',
  'Starling Vey',
  'Orrinsby',
] as const;

const companyTrades = [
  ['Analytics', 'analytics'],
  ['Logistics', 'logistics'],
  ['Robotics', 'robotics'],
  ['Labs', 'labs'],
  ['Freight', 'freight'],
  ['Dental Group', 'dental'],
  ['Studios', 'studios'],
  ['Software', 'software'],
  ['Outfitters', 'outfitters'],
  ['Bakeries', 'bakeries'],
  ['Energy', 'energy'],
  ['Clinics', 'clinics'],
] as const;

export interface CompanyIdentity {
  name: string;
  domain: string;
}

/** Draws `count` distinct invented companies on the reserved `.example` top-level domain. */
export function drawCompanies(random: DemoRandom, count: number): CompanyIdentity[] {
  const maxCompanies = companyStems.length * companyTrades.length;
  if (count > maxCompanies) throw new Error(`Cannot invent more than ${maxCompanies} companies`);
  const combinations = companyStems.flatMap((stem) => companyTrades.map((trade) => ({ stem, trade })));
  return random
    .shuffle(combinations)
    .slice(0, count)
    .map(({ stem, trade }) => {
      const stemSlug = stem.toLowerCase().replace(/\s+/g, '');
      return { name: `${stem} ${trade[0]}`, domain: `${stemSlug}-${trade[1]}.example` };
    });
}

const firstNames = ['Avery', 'Noor', 'Tomasz', 'Keiko', 'Ines', 'Dario', 'Leila', 'Rowan', 'Yusuf', 'Mira'];
const lastNames = [
  'Halvorsen',
  'Okafor',
  'Brightwater',
  'Castellan',
  'Mwangi',
  'Sorensby',
  'Tanabe',
  'Quist',
];
const freeMailDomains = ['gmail.com', 'outlook.com', 'yahoo.com', 'icloud.com'];
const billingMailboxes = ['billing', 'accounts', 'finance', 'ap', 'payments'];

/** Draws an invented billing contact on the company's domain. */
export function companyEmail(random: DemoRandom, domain: string): string {
  if (random.chance(0.7)) return `${random.pick(billingMailboxes)}@${domain}`;
  return `${random.pick(firstNames).toLowerCase()}@${domain}`;
}

/** Draws an invented person's address on a free-mail provider. */
export function freeMailEmail(random: DemoRandom): string {
  const first = random.pick(firstNames).toLowerCase();
  const last = random.pick(lastNames).toLowerCase();
  return `${first}.${last}${random.int(10, 99)}@${random.pick(freeMailDomains)}`;
}
