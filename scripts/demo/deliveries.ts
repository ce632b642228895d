import type { DemoRandom } from './random';
import type { StripeEvent } from './types';

/**
 * Turns the true event order into a delivery order with the disorder Stripe documents for webhooks:
 * no ordering guarantee and at-least-once delivery. Shares below are this demo's choice.
 */

const duplicateShare = 0.03;
const neighbourSwapShare = 0.02;
const lateStatusShare = 0.15;
/** Event types that arrive after later events of the same customer more often in the demo. */
const lateProneTypes = new Set(['customer.subscription.updated', 'invoice.payment_failed']);

/**
 * The customer an event belongs to: the id of a customer object, else the object's `customer`, else
 * the `customer` it had before (a detached payment method has none).
 */
export function customerOfEvent(event: StripeEvent): string | null {
  const object = event.data.object;
  if (object.object === 'customer') return object.id;
  if (typeof object.customer === 'string') return object.customer;
  const previous = event.data.previous_attributes?.customer;
  return typeof previous === 'string' ? previous : null;
}

/** Index of the `count`-th event after `from` that belongs to the same customer, or -1. */
function laterSameCustomer(order: StripeEvent[], from: number, count: number): number {
  const customer = customerOfEvent(order[from] as StripeEvent);
  let seen = 0;
  for (let index = from + 1; index < order.length; index += 1) {
    if (customerOfEvent(order[index] as StripeEvent) !== customer) continue;
    seen += 1;
    if (seen === count) return index;
  }
  return -1;
}

/** Moves the event with `eventId` to just after the `count`-th later event of its customer. */
function delay(order: StripeEvent[], eventId: string, count: number): boolean {
  const from = order.findIndex((event) => event.id === eventId);
  const target = laterSameCustomer(order, from, count);
  if (target < 0) return false;
  const [moved] = order.splice(from, 1);
  order.splice(target, 0, moved as StripeEvent);
  return true;
}

function pickCount(total: number, share: number): number {
  return Math.max(1, Math.round(total * share));
}

function delayLateProne(random: DemoRandom, order: StripeEvent[], events: readonly StripeEvent[]): number {
  const lateProne = events.filter((event) => lateProneTypes.has(event.type));
  const chosen = random.shuffle(lateProne).slice(0, pickCount(lateProne.length, lateStatusShare));
  return chosen.filter((event) => delay(order, event.id, random.int(1, 3))).length;
}

function swapNeighbours(random: DemoRandom, order: StripeEvent[], events: readonly StripeEvent[]): number {
  const chosen = random.shuffle(events).slice(0, pickCount(events.length, neighbourSwapShare));
  return chosen.filter((event) => delay(order, event.id, 1)).length;
}

function insertDuplicates(random: DemoRandom, order: StripeEvent[], events: readonly StripeEvent[]): void {
  for (const event of random.shuffle(events).slice(0, pickCount(events.length, duplicateShare))) {
    const first = order.findIndex((candidate) => candidate.id === event.id);
    const at = Math.min(order.length, first + random.int(1, 40));
    order.splice(at, 0, structuredClone(event));
  }
}

/**
 * Builds the delivery order: some subscription updates and payment failures arrive after later
 * events of their customer, some neighbours swap, and some events arrive twice. Every event of
 * `events` is delivered at least once, and at least one is late when any customer has two events.
 */
export function buildDeliveries(random: DemoRandom, events: readonly StripeEvent[]): StripeEvent[] {
  const order = [...events];
  const delayed = delayLateProne(random, order, events) + swapNeighbours(random, order, events);
  if (delayed === 0) events.some((event) => delay(order, event.id, 1));
  if (events.length > 0) insertDuplicates(random, order, events);
  return order;
}
