import {
  companyEmail,
  drawCompanies,
  findPrice,
  freeMailEmail,
  type BillingInterval,
  type Catalog,
  type CatalogPrice,
  type CompanyIdentity,
  type PlanTier,
} from './catalog';
import type { CardBrand } from './declines';
import { planFailure, type FailurePlan } from './failure-plans';
import type { DemoRandom, IdFactory } from './random';
import { addMonths, clampToDay28, cycleStarts, daySeconds, monthOf } from './time';
import type { ApiShape, DemoCurrency, DemoCustomer, DemoStory, EmailKind } from './types';

export const apiVersions: Record<ApiShape, string> = {
  basil: '2025-03-31.basil',
  legacy: '2020-08-27',
};

export interface CardSpec {
  brand: CardBrand;
  last4: string;
  expMonth: number;
  expYear: number;
  fingerprint: string;
}

/** Everything the timeline needs to write one customer's history. */
export interface CustomerProfile {
  customer: DemoCustomer;
  shape: ApiShape;
  price: CatalogPrice;
  quantity: number;
  /** Signup time and first billing cycle start, in seconds. */
  anchor: number;
  /** Start of every billing period that begins before `now`, first one at `anchor`. */
  cycles: number[];
  card: CardSpec;
  invoicePrefix: string;
  /** Net terms for `send_invoice` subscriptions in days, or null when charged automatically. */
  daysUntilDue: number | null;
  failure: FailurePlan | null;
}

export interface PopulationWindow {
  now: number;
  windowStart: number;
  months: number;
}

/** Returns `n` labels in random order, each fixed label `count` times and `rest` for the remainder. */
function spread<T>(random: DemoRandom, n: number, counts: [T, number][], rest: T): T[] {
  const labels = counts.flatMap(([label, count]) => Array<T>(count).fill(label));
  if (labels.length > n) throw new Error(`Cannot place ${labels.length} fixed labels among ${n} customers`);
  return random.shuffle([...labels, ...Array<T>(n - labels.length).fill(rest)]);
}

function atLeast(minimum: number, n: number, share: number): number {
  return Math.max(minimum, Math.round(n * share));
}

function storyLabels(random: DemoRandom, n: number): DemoStory[] {
  return spread<DemoStory>(
    random,
    n,
    [
      ['canceled', atLeast(2, n, 0.05)],
      ['past_due', atLeast(3, n, 0.07)],
      ['overdue', atLeast(2, n, 0.05)],
      ['recovered', atLeast(5, n, 0.12)],
      ['card_expiring', atLeast(2, n, 0.04)],
    ],
    'healthy',
  );
}

function currencyLabels(random: DemoRandom, n: number): DemoCurrency[] {
  return spread<DemoCurrency>(
    random,
    n,
    [
      ['eur', atLeast(3, n, 0.25)],
      ['jpy', atLeast(2, n, 0.1)],
      ['kwd', atLeast(2, n, 0.08)],
    ],
    'usd',
  );
}

function emailLabels(random: DemoRandom, n: number): EmailKind[] {
  return spread<EmailKind>(
    random,
    n,
    [
      ['free_mail', atLeast(3, n, 0.12)],
      ['none', atLeast(2, n, 0.05)],
    ],
    'company',
  );
}

function shapeLabels(random: DemoRandom, n: number): ApiShape[] {
  return spread<ApiShape>(random, n, [['legacy', atLeast(3, n, 0.2)]], 'basil');
}

function drawTier(random: DemoRandom): PlanTier {
  const roll = random.next();
  if (roll < 0.5) return 'starter';
  return roll < 0.85 ? 'growth' : 'scale';
}

function drawCard(random: DemoRandom, expiry: { month: number; year: number }): CardSpec {
  return {
    brand: random.chance(0.65) ? 'visa' : 'mastercard',
    last4: String(random.int(0, 9999)).padStart(4, '0'),
    expMonth: expiry.month,
    expYear: expiry.year,
    fingerprint: random.alphanumeric(16),
  };
}

/**
 * Picks when a customer signed up. The anchor day puts the latest invoice 2 to 13 days before `now`
 * for past_due stories and 17 to 29 days before for overdue ones. Other customers start in the first
 * 21 days of the window, except some healthy customers who join later.
 */
function drawAnchor(random: DemoRandom, story: DemoStory, window: PopulationWindow): number {
  const jitter = random.int(0, daySeconds - 1);
  if (story === 'past_due' || story === 'overdue') {
    const daysAgo = story === 'past_due' ? random.int(2, 9) : random.int(17, 25);
    const latestInvoice = clampToDay28(window.now - daysAgo * daySeconds - jitter);
    return addMonths(latestInvoice, -(window.months - 1));
  }
  const windowDays = Math.floor((window.now - window.windowStart) / daySeconds);
  const lateJoiner = story === 'healthy' && random.chance(0.15);
  // Late joiners sign up at least 10 days before now so their first invoice is settled.
  const offsetDays = lateJoiner ? random.int(30, Math.min(120, windowDays - 10)) : random.int(0, 20);
  return clampToDay28(window.windowStart + offsetDays * daySeconds + jitter);
}

function drawInterval(random: DemoRandom, story: DemoStory): BillingInterval {
  const yearlyAllowed = story === 'healthy' || story === 'card_expiring';
  return yearlyAllowed && random.chance(0.2) ? 'year' : 'month';
}

function drawEmail(random: DemoRandom, kind: EmailKind, domain: string): string | null {
  if (kind === 'none') return null;
  return kind === 'company' ? companyEmail(random, domain) : freeMailEmail(random);
}

function cardExpiry(random: DemoRandom, story: DemoStory, window: PopulationWindow) {
  if (story === 'card_expiring') return monthOf(window.now);
  return monthOf(addMonths(window.now, random.int(4, 48)));
}

/** Overdue stories use 14-day terms so that their latest invoice is already past due. */
function netTermsDays(story: DemoStory, sendInvoice: boolean): number | null {
  if (!sendInvoice) return null;
  return story === 'overdue' ? 14 : 30;
}

interface ProfileLabels {
  story: DemoStory;
  currency: DemoCurrency;
  emailKind: EmailKind;
  shape: ApiShape;
  company: CompanyIdentity;
}

function buildProfile(
  context: { random: DemoRandom; ids: IdFactory; catalog: Catalog; window: PopulationWindow },
  labels: ProfileLabels,
): CustomerProfile {
  const { random, ids, catalog, window } = context;
  const { story, currency, emailKind, shape, company } = labels;
  const interval = drawInterval(random, story);
  const sendInvoice = story === 'overdue' || (story === 'healthy' && random.chance(0.1));
  const anchor = drawAnchor(random, story, window);
  const cycles = cycleStarts(anchor, interval === 'month' ? 1 : 12, window.now - daySeconds);
  const card = drawCard(random, cardExpiry(random, story, window));
  const failure = planFailure(random, story, cycles, window.now);
  if (failure?.declines[0] === 'expired_card') {
    // The card on file lapsed at the end of the month before the failed renewal.
    const lapsed = monthOf(addMonths(cycles[failure.cycleIndex] ?? anchor, -1));
    card.expMonth = lapsed.month;
    card.expYear = lapsed.year;
  }
  const customer: DemoCustomer = {
    stripeCustomerId: ids.next('cus', 14),
    name: company.name,
    email: drawEmail(random, emailKind, company.domain),
    emailKind,
    domain: company.domain,
    currency,
    expectedStory: story,
    apiVersion: apiVersions[shape],
    collectionMethod: sendInvoice ? 'send_invoice' : 'charge_automatically',
    interval,
    inCrm: emailKind === 'company' ? random.chance(0.9) : random.chance(0.5),
  };
  return {
    customer,
    shape,
    price: findPrice(catalog, currency, drawTier(random), interval),
    quantity: random.chance(0.7) ? 1 : random.int(2, 25),
    anchor,
    cycles,
    card,
    invoicePrefix: random.alphanumeric(8).toUpperCase(),
    daysUntilDue: netTermsDays(story, sendInvoice),
    failure,
  };
}

/** Draws the customer population: stories, currencies, email kinds and API shapes in fixed shares. */
export function buildProfiles(
  context: { random: DemoRandom; ids: IdFactory; catalog: Catalog; window: PopulationWindow },
  count: number,
): { profiles: CustomerProfile[]; prospects: CompanyIdentity[] } {
  const { random } = context;
  const prospectCount = 4;
  const companies = drawCompanies(random, count + prospectCount);
  const stories = storyLabels(random, count);
  const currencies = currencyLabels(random, count);
  const emailKinds = emailLabels(random, count);
  const shapes = shapeLabels(random, count);
  const profiles = stories.map((story, index) =>
    buildProfile(context, {
      story,
      currency: currencies[index] as DemoCurrency,
      emailKind: emailKinds[index] as EmailKind,
      shape: shapes[index] as ApiShape,
      company: companies[index] as CompanyIdentity,
    }),
  );
  return { profiles, prospects: companies.slice(count) };
}
