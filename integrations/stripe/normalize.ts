import type { z } from 'zod';
import type { NormalizedEvent, PaymentAttemptStatus } from '../../src/ledger/changes';
import { customerChange, invoiceChange, subscriptionChange } from './billing-objects';
import { formatIssues, issueMessage } from './issues';
import {
  chargeAttempt,
  paymentIntentAttempt,
  paymentIntentEventStatus,
  paymentMethodChange,
} from './payment-objects';
import {
  cardSourceObject,
  chargeObject,
  customerObject,
  eventEnvelope,
  invoiceObject,
  paymentIntentObject,
  paymentMethodObject,
  subscriptionObject,
  type EventEnvelope,
} from './payloads';

type EventReader = (event: EventEnvelope) => NormalizedEvent;

/**
 * Builds a reader that validates `data.object` against a schema, then maps it. `objectName` is the
 * value Stripe puts in the object's `object` field, checked so a misrouted event is reported.
 */
function reader<S extends z.ZodType>(
  objectName: string,
  schema: S,
  map: (object: z.infer<S>, event: EventEnvelope) => NormalizedEvent,
): EventReader {
  return (event) => {
    const declared = event.data.object.object;
    if (declared !== undefined && declared !== objectName) {
      return invalidObject(event, objectName, [
        `data.object.object: expected "${objectName}", received ${JSON.stringify(declared)}`,
      ]);
    }
    const parsed = schema.safeParse(event.data.object, { error: issueMessage });
    if (!parsed.success)
      return invalidObject(event, objectName, formatIssues(parsed.error.issues, 'data.object'));
    return map(parsed.data, event);
  };
}

function invalidObject(event: EventEnvelope, objectName: string, issues: string[]): NormalizedEvent {
  return {
    status: 'invalid',
    reason: `event ${event.id} (${event.type}) has an invalid ${objectName}`,
    issues,
  };
}

function previousCustomer(event: EventEnvelope): string | null {
  const previous = event.data.previous_attributes?.customer;
  return typeof previous === 'string' ? previous : null;
}

function readCustomer(deleted: boolean): EventReader {
  return reader('customer', customerObject, (customer) => ({
    status: 'changes',
    changes: [customerChange(customer, deleted)],
  }));
}
const readSubscription = reader('subscription', subscriptionObject, subscriptionChange);
const readInvoice = reader('invoice', invoiceObject, (invoice) => ({
  status: 'changes',
  changes: [invoiceChange(invoice)],
}));
const readCharge = reader('charge', chargeObject, chargeAttempt);

function readPaymentIntent(status: PaymentAttemptStatus): EventReader {
  return reader('payment_intent', paymentIntentObject, (intent, event) =>
    paymentIntentAttempt(intent, status, event.created),
  );
}

function readPaymentMethod(detached: boolean): EventReader {
  return reader('payment_method', paymentMethodObject, (method, event) =>
    paymentMethodChange(method, detached, previousCustomer(event)),
  );
}

/** Reads `customer.source.*` events for cards. Bank accounts and legacy Sources are ignored. */
function readCardSource(detached: boolean): EventReader {
  const readCard = reader('card', cardSourceObject, (card, event) =>
    paymentMethodChange({ ...card, type: 'card', card }, detached, previousCustomer(event)),
  );
  return (event) => {
    const objectName = event.data.object.object;
    if (objectName === 'card') return readCard(event);
    return {
      status: 'ignored',
      reason: `${event.type} for a ${objectName ?? 'untyped'} object; only cards are read`,
    };
  };
}

const readers = new Map<string, EventReader>([
  ['customer.created', readCustomer(false)],
  ['customer.updated', readCustomer(false)],
  ['customer.deleted', readCustomer(true)],
  ['customer.source.created', readCardSource(false)],
  ['customer.source.updated', readCardSource(false)],
  ['customer.source.expiring', readCardSource(false)],
  ['customer.source.deleted', readCardSource(true)],
  ['payment_method.attached', readPaymentMethod(false)],
  ['payment_method.updated', readPaymentMethod(false)],
  ['payment_method.automatically_updated', readPaymentMethod(false)],
  ['payment_method.detached', readPaymentMethod(true)],
]);

const subscriptionEvents = ['created', 'updated', 'deleted', 'paused', 'resumed', 'trial_will_end'];
for (const suffix of subscriptionEvents) readers.set(`customer.subscription.${suffix}`, readSubscription);

const invoiceEvents = [
  'created',
  'finalized',
  'updated',
  'paid',
  'payment_succeeded',
  'payment_failed',
  'payment_action_required',
  'marked_uncollectible',
  'voided',
  'overdue',
];
for (const suffix of invoiceEvents) readers.set(`invoice.${suffix}`, readInvoice);

const chargeEvents = ['succeeded', 'failed', 'pending', 'refunded', 'updated'];
for (const suffix of chargeEvents) readers.set(`charge.${suffix}`, readCharge);

for (const [type, status] of Object.entries(paymentIntentEventStatus))
  readers.set(type, readPaymentIntent(status));

const ignoredTypes = new Map<string, string>([
  ['invoice.upcoming', 'invoice.upcoming previews an invoice that does not exist yet and has no id'],
]);

/**
 * Turns a verified Stripe event (parsed JSON) into ledger changes. Pure. Malformed input is
 * returned as `invalid` with one issue per problem instead of raising, and an event type the
 * ledger does not read is returned as `ignored`.
 */
export function normalizeStripeEvent(event: unknown): NormalizedEvent {
  const envelope = eventEnvelope.safeParse(event, { error: issueMessage });
  if (!envelope.success) {
    return {
      status: 'invalid',
      reason: 'invalid Stripe event envelope',
      issues: formatIssues(envelope.error.issues),
    };
  }
  const { type } = envelope.data;
  const ignoredReason = ignoredTypes.get(type);
  if (ignoredReason !== undefined) return { status: 'ignored', reason: ignoredReason };
  const read = readers.get(type);
  if (read === undefined) return { status: 'ignored', reason: `unhandled event type ${type}` };
  return read(envelope.data);
}
