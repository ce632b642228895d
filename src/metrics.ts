import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** Counters per outcome, one registry per process (the API server and each worker expose their own). */
export class Metrics {
  readonly registry = new Registry();

  readonly webhookRequests = new Counter({
    name: 'csm_webhook_requests_total',
    help: 'Stripe webhook requests by outcome: accepted, duplicate, rejected.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly eventsProcessed = new Counter({
    name: 'csm_events_processed_total',
    help: 'Stored Stripe events projected by the worker, by outcome: applied, ignored, dead_lettered, failed.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly eventsRelayed = new Counter({
    name: 'csm_outbox_events_relayed_total',
    help: 'Committed events that the outbox relay enqueued after the request path could not.',
    registers: [this.registry],
  });

  readonly crmWrites = new Counter({
    name: 'csm_crm_writes_total',
    help: 'CRM record writes by provider and outcome: written, created, unchanged, unmatched, failed.',
    labelNames: ['provider', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly crmRequests = new Counter({
    name: 'csm_crm_requests_total',
    help: 'HTTP requests sent to a CRM API, retries included.',
    labelNames: ['provider'] as const,
    registers: [this.registry],
  });

  readonly crmRetries = new Counter({
    name: 'csm_crm_retries_total',
    help: 'CRM requests retried after a rate limit, server error or timeout.',
    labelNames: ['provider', 'reason'] as const,
    registers: [this.registry],
  });

  readonly unprocessedEvents = new Gauge({
    name: 'csm_unprocessed_events',
    help: 'Stored Stripe events not yet projected into the ledger, as of the last relay pass.',
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }
}
