import { buildCatalog } from './catalog';
import { buildProfiles, type CustomerProfile, type PopulationWindow } from './customers';
import { writeCustomerHistory } from './customer-history';
import { buildDeliveries } from './deliveries';
import { EventLog } from './event-log';
import { DemoRandom, IdFactory } from './random';
import { addMonths, toSeconds } from './time';
import type { DemoCompany, DemoStream, GenerateOptions } from './types';

export type { DemoCompany, DemoCustomer, DemoStory, DemoStream, GenerateOptions, StripeEvent } from './types';

const defaultCustomerCount = 60;
const minCustomerCount = 50;
const defaultMonths = 6;
/** Three months leave room for a renewal whose whole retry schedule ends before `now`. */
const minMonths = 3;

function validate(options: GenerateOptions): { customerCount: number; months: number; now: number } {
  const customerCount = options.customerCount ?? defaultCustomerCount;
  const months = options.months ?? defaultMonths;
  if (!Number.isInteger(customerCount) || customerCount < minCustomerCount) {
    throw new Error(
      `Invalid customerCount ${customerCount}: expected an integer of at least ${minCustomerCount}`,
    );
  }
  if (!Number.isInteger(months) || months < minMonths) {
    throw new Error(`Invalid months ${months}: expected an integer of at least ${minMonths}`);
  }
  if (Number.isNaN(options.now.getTime())) throw new Error('Invalid now: expected a valid Date');
  return { customerCount, months, now: toSeconds(options.now) };
}

/** Lists the CRM's companies: customers marked inCrm plus prospects, in a seeded order. */
function crmCompanies(
  random: DemoRandom,
  profiles: CustomerProfile[],
  prospects: DemoCompany[],
): DemoCompany[] {
  if (profiles.every((profile) => profile.customer.inCrm)) {
    // At least one customer must be missing from the CRM so the demo shows an unmatched customer.
    (profiles[0] as CustomerProfile).customer.inCrm = false;
  }
  const listed = profiles
    .filter((profile) => profile.customer.inCrm)
    .map(({ customer }) => ({ name: customer.name, domain: customer.domain }));
  return random.shuffle([...listed, ...prospects]);
}

/**
 * Generates a seeded, realistic Stripe webhook stream for the demo: customers, their subscriptions,
 * invoices and payment attempts over `months` months ending at `now`, each event in the object
 * shape of the customer's API version. The same options always give byte-identical JSON.
 */
export function generateDemoEvents(options: GenerateOptions): DemoStream {
  const { customerCount, months, now } = validate(options);
  const random = new DemoRandom(options.seed);
  const ids = new IdFactory(random);
  const window: PopulationWindow = { now, windowStart: addMonths(now, -months), months };
  const catalog = buildCatalog(ids, addMonths(window.windowStart, -1));
  const { profiles, prospects } = buildProfiles({ random, ids, catalog, window }, customerCount);
  const log = new EventLog(ids, now);
  for (const profile of profiles) writeCustomerHistory({ random, ids, log, now }, profile);
  const events = log.inTimeOrder();
  return {
    events,
    deliveries: buildDeliveries(random, events),
    customers: profiles.map((profile) => profile.customer),
    companies: crmCompanies(random, profiles, prospects),
  };
}
