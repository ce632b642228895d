/**
 * Scenario 1, webhook intake: signed `POST /webhooks/stripe/:tenantId` requests against the `serve`
 * process alone (no worker), a fixed number per concurrency level, each level on its own tenant.
 */
import { performance } from 'node:perf_hooks';
import { signStripePayload } from '../demo/sign';
import type { StripeEvent } from '../demo/types';
import { deleteTenants } from './environment';
import type { ProcessUsage } from './process-usage';
import { createBenchTenant, startStack, type Stack } from './stack';
import { summarizeLatencies, type LatencySummary } from './stats';

const warmUpRequests = 200;
const warmUpConcurrency = 8;
const requestTimeoutMs = 10_000;

export interface IntakeOptions {
  requests: number;
  concurrency: number[];
  /** Time allowed for each level, in milliseconds. */
  levelTimeoutMs: number;
  logStream: NodeJS.WritableStream;
}

export interface IntakeLevelResult {
  concurrency: number;
  requests: number;
  /** Requests without a 200 response for a new event (errors, timeouts, other statuses, duplicates). */
  failed: number;
  /** Responses by status, with `200 duplicate` and `error` (no response) counted apart. */
  statuses: Record<string, number>;
  durationS: number;
  requestsPerSecond: number;
  latencyMs: LatencySummary;
}

export interface IntakeResult {
  levels: IntakeLevelResult[];
  /** Memory and CPU time of the product's processes, read just before they stopped. */
  processes: ProcessUsage[];
}

interface Sample {
  outcome: string;
  ms: number;
}

/** Posts one body with a signature made at send time, as Stripe signs each delivery attempt. */
async function postSigned(url: string, secret: string, body: string): Promise<Sample> {
  const started = performance.now();
  try {
    const signature = signStripePayload(body, secret, Math.floor(Date.now() / 1000));
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signature },
      body,
      signal: AbortSignal.timeout(requestTimeoutMs),
    });
    const text = await response.text();
    const duplicate = response.status === 200 && text.includes('"duplicate":true');
    return {
      outcome: duplicate ? '200 duplicate' : String(response.status),
      ms: performance.now() - started,
    };
  } catch {
    return { outcome: 'error', ms: performance.now() - started };
  }
}

async function runLevel(
  url: string,
  secret: string,
  bodies: string[],
  concurrency: number,
  timeoutMs: number,
): Promise<IntakeLevelResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const deadline = Date.now() + timeoutMs;
  let next = 0;
  const lane = async () => {
    while (next < bodies.length && Date.now() < deadline) {
      const sample = await postSigned(url, secret, bodies[next++]!);
      latencies.push(sample.ms);
      statuses[sample.outcome] = (statuses[sample.outcome] ?? 0) + 1;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, lane));
  const durationS = (performance.now() - started) / 1000;
  if (next < bodies.length) {
    throw new Error(
      `Webhook intake at concurrency ${concurrency} timed out after ${timeoutMs / 1000} s ` +
        `with ${bodies.length - next} of ${bodies.length} requests unsent`,
    );
  }
  return {
    concurrency,
    requests: bodies.length,
    failed: bodies.length - (statuses['200'] ?? 0),
    statuses,
    durationS,
    requestsPerSecond: bodies.length / durationS,
    latencyMs: summarizeLatencies(latencies),
  };
}

async function runLevels(stack: Stack, events: StripeEvent[], options: IntakeOptions, tenantIds: string[]) {
  const bodies = events.slice(0, options.requests).map((event) => JSON.stringify(event));
  const warmUp = await createBenchTenant(stack, 'Bench intake warm-up', false);
  tenantIds.push(warmUp.tenantId);
  const warmUpBodies = bodies.slice(0, warmUpRequests);
  await runLevel(warmUp.webhookUrl, warmUp.secret, warmUpBodies, warmUpConcurrency, options.levelTimeoutMs);
  const levels: IntakeLevelResult[] = [];
  for (const concurrency of options.concurrency) {
    const tenant = await createBenchTenant(stack, `Bench intake c${concurrency}`, false);
    tenantIds.push(tenant.tenantId);
    const level = await runLevel(
      tenant.webhookUrl,
      tenant.secret,
      bodies,
      concurrency,
      options.levelTimeoutMs,
    );
    const rate = level.requestsPerSecond.toFixed(0);
    console.log(`  concurrency ${concurrency}: ${rate} requests/s, ${level.failed} failed`);
    levels.push(level);
  }
  return levels;
}

/**
 * Runs every level against one `serve` process after a short warm-up, then deletes the tenants so
 * their never-projected events do not hold up the later scenarios. `problems` gets unclean exits.
 */
export async function runIntake(
  baseEnv: NodeJS.ProcessEnv,
  events: StripeEvent[],
  options: IntakeOptions,
  problems: string[],
): Promise<IntakeResult> {
  if (events.length < options.requests) {
    throw new Error(
      `Invalid --requests ${options.requests}: the stream has only ${events.length} distinct events`,
    );
  }
  const stack = await startStack(baseEnv, { label: 'intake', workerCount: 0, logStream: options.logStream });
  const tenantIds: string[] = [];
  try {
    const levels = await runLevels(stack, events, options, tenantIds);
    return { levels, processes: stack.usage() };
  } finally {
    try {
      await deleteTenants(stack.runtime.db, tenantIds);
    } finally {
      problems.push(...(await stack.stop()));
    }
  }
}
