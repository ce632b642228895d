import type { IdFactory } from './random';
import type { StripeEvent, StripeObject } from './types';

/**
 * Collects events as a history is written. Events sort by `created`, then by the order they were
 * emitted, which is their causal order within one customer.
 */
export class EventLog {
  private readonly entries: { event: StripeEvent; sequence: number }[] = [];

  constructor(
    private readonly ids: IdFactory,
    private readonly now: number,
  ) {}

  emit(
    apiVersion: string,
    type: string,
    created: number,
    object: StripeObject,
    previousAttributes?: Record<string, unknown>,
  ): void {
    if (created > this.now) {
      throw new Error(`Event ${type} for ${object.id} at ${created} is after now (${this.now})`);
    }
    const event: StripeEvent = {
      id: this.ids.next('evt'),
      object: 'event',
      api_version: apiVersion,
      created,
      data: previousAttributes ? { object, previous_attributes: previousAttributes } : { object },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
    };
    this.entries.push({ event, sequence: this.entries.length });
  }

  inTimeOrder(): StripeEvent[] {
    return [...this.entries]
      .sort((a, b) => a.event.created - b.event.created || a.sequence - b.sequence)
      .map((entry) => entry.event);
  }
}
