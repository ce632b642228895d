/**
 * The bench: measures webhook intake against the `serve` process, then the whole pipeline (intake,
 * projection, HubSpot sync into the local emulator) with 1 and 2 worker processes. Prints tables,
 * writes dist/bench-results.json and exits non-zero on any failed request, timeout or unclean exit.
 * All traffic stays on 127.0.0.1. docs/benchmarks.md describes the scenarios and a recorded run.
 */
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { generateDemoEvents, type DemoStream } from './demo/generate-events';
import { benchBaseEnvironment, deleteAllTenants, deleteRedisKeys } from './bench/environment';
import { runIntake } from './bench/intake';
import { describeMachine } from './bench/machine';
import { BenchOptionsError, benchUsage, parseBenchOptions, type BenchOptions } from './bench/options';
import { runPipeline } from './bench/pipeline';
import { sampleBusyShare, startCpuWindow, type ScenarioCpu } from './bench/cpu';
import type { ProcessUsage } from './bench/process-usage';
import {
  renderCpuTable,
  renderIntakeTable,
  renderPipelineTable,
  renderProcessTable,
  writeResults,
  type BenchResults,
} from './bench/report';
import { ConfigError, loadConfig, type Config } from '../src/config';
import { ensureDatabase, migrateToLatest } from '../src/db/migrate';
import { projectRoot } from '../src/paths';
import { checkDependencies, createRuntime, DependencyUnavailableError, redact } from '../src/runtime';

/** The demo's seed, so the stream has the demo's mix of stories at a larger scale. */
const streamSeed = 42;

interface ScenarioContext {
  results: BenchResults;
  logStream: NodeJS.WritableStream;
}

function step(message: string): void {
  console.log(`• ${message}`);
}

/** Closes a CPU window and stores it, counting the CPU time of the processes the scenario started. */
function recordCpu(
  results: BenchResults,
  close: (productS: number) => ScenarioCpu,
  processes: ProcessUsage[],
) {
  results.cpu.push(close(processes.reduce((sum, usage) => sum + usage.cpuSeconds, 0)));
}

/** Warns when the machine is busy before the bench starts, because the numbers would then measure that too. */
async function checkIdleMachine(results: BenchResults): Promise<void> {
  results.busyBeforeStart = await sampleBusyShare(2000);
  if (results.busyBeforeStart > 0.25) {
    const percent = (results.busyBeforeStart * 100).toFixed(0);
    const warning = `the CPUs were ${percent}% busy`;
    console.warn(`  warning: ${warning} before the bench started, so the numbers include that load`);
  }
}

function settingsOf(config: Config): BenchResults['settings'] {
  return {
    LOG_LEVEL: config.LOG_LEVEL,
    WORKER_CONCURRENCY: config.WORKER_CONCURRENCY,
    CRM_SYNC_DEBOUNCE_MS: config.CRM_SYNC_DEBOUNCE_MS,
    OUTBOX_POLL_MS: config.OUTBOX_POLL_MS,
    HUBSPOT_REQUESTS_PER_10S: config.HUBSPOT_REQUESTS_PER_10S,
  };
}

/** Creates and migrates the bench database, then deletes tenants left by an earlier run. */
async function prepareDatabase(config: Config, results: BenchResults): Promise<void> {
  await ensureDatabase(config.DATABASE_URL).catch((error: Error) => {
    throw new DependencyUnavailableError(
      `PostgreSQL at ${redact(config.DATABASE_URL)} cannot be reached: ${error.message}\n` +
        'Start PostgreSQL or set BENCH_DATABASE_URL, then run the bench again.',
    );
  });
  const runtime = createRuntime(config, 'producer');
  try {
    await checkDependencies(runtime.db, runtime.redis, config);
    const applied = await migrateToLatest(runtime.db);
    const deleted = await deleteAllTenants(runtime.db);
    const changes = `${applied.length} new migration(s), ${deleted} old tenant(s) deleted`;
    step(`Database ${redact(config.DATABASE_URL)} ready (${changes})`);
    results.machine = await describeMachine(runtime);
  } finally {
    // createRuntime's queues write BullMQ meta keys under the base prefix, which no stack uses.
    await deleteRedisKeys(runtime.redis, config.QUEUE_PREFIX);
    await runtime.close();
  }
}

async function runIntakeScenario(
  baseEnv: NodeJS.ProcessEnv,
  options: BenchOptions,
  stream: DemoStream,
  context: ScenarioContext,
): Promise<void> {
  const { results, logStream } = context;
  step(
    `Webhook intake: ${options.requests} signed requests at concurrency ${options.concurrency.join(', ')}`,
  );
  const closeCpu = startCpuWindow('intake');
  const intakeOptions = { ...options, levelTimeoutMs: options.intakeTimeoutS * 1000, logStream };
  results.intake = await runIntake(baseEnv, stream.events, intakeOptions, results.problems);
  recordCpu(results, closeCpu, results.intake.processes);
  for (const level of results.intake.levels) {
    if (level.failed === 0) continue;
    results.problems.push(`intake at concurrency ${level.concurrency}: ${level.failed} requests failed`);
  }
}

async function runPipelineScenario(
  baseEnv: NodeJS.ProcessEnv,
  workerCount: number,
  idleTimeoutS: number,
  stream: DemoStream,
  context: ScenarioContext,
): Promise<void> {
  const { results, logStream } = context;
  const scenario = `end to end, ${workerCount} worker(s)`;
  step(
    `End to end with ${workerCount} worker(s): posting ${stream.deliveries.length} deliveries, waiting for idle`,
  );
  const closeCpu = startCpuWindow(scenario);
  const pipelineOptions = { workerCount, idleTimeoutMs: idleTimeoutS * 1000, logStream };
  const run = await runPipeline(baseEnv, stream, pipelineOptions, results.problems);
  recordCpu(results, closeCpu, run.processes);
  results.pipelines.push(run);
  const { hubspot } = run;
  const traffic = `${hubspot.requests} HubSpot requests, peak ${hubspot.peakPer10s} per 10 s`;
  step(`Idle after ${run.idleS.toFixed(1)} s; ${traffic}`);
  if (run.failed > 0) results.problems.push(`${scenario}: ${run.failed} webhook deliveries failed`);
  if (hubspot.peakPer10s > hubspot.limitPer10s) {
    const overrun = `${hubspot.peakPer10s} HubSpot requests in 10 s, over the limit of ${hubspot.limitPer10s}`;
    results.problems.push(`${scenario}: ${overrun}`);
  }
}

function printResults(results: BenchResults, resultsFile: string, logFile: string): void {
  if (results.intake)
    console.log(`\nWebhook intake (serve process only)\n${renderIntakeTable(results.intake)}`);
  if (results.pipelines.length > 0) {
    console.log(`\nEnd to end, first POST until idle\n${renderPipelineTable(results.pipelines)}`);
  }
  console.log(`\nProduct processes\n${renderProcessTable(results)}`);
  if (results.cpu.length > 0) console.log(`\nCPU time per scenario\n${renderCpuTable(results.cpu)}`);
  console.log(`\nResults written to ${path.relative(process.cwd(), resultsFile)}`);
  if (results.problems.length > 0) {
    const list = results.problems.map((problem) => `  - ${problem}`).join('\n');
    console.error(`\nProblems (see ${path.relative(process.cwd(), logFile)}):\n${list}`);
  }
}

async function run(): Promise<void> {
  const options = parseBenchOptions(process.argv.slice(2));
  if (options.help) {
    console.log(benchUsage);
    return;
  }
  const baseEnv = benchBaseEnvironment();
  const config = loadConfig(baseEnv);
  const { help: _help, ...recordedOptions } = options;
  const results: BenchResults = {
    startedAt: new Date().toISOString(),
    finishedAt: null,
    machine: null,
    options: recordedOptions,
    settings: settingsOf(config),
    intake: null,
    pipelines: [],
    busyBeforeStart: null,
    cpu: [],
    problems: [],
  };
  const root = projectRoot();
  const logFile = path.join(root, 'dist', 'bench.log');
  const logStream = createWriteStream(logFile, { flags: 'w' });
  try {
    await prepareDatabase(config, results);
    await checkIdleMachine(results);
    const stream = generateDemoEvents({
      seed: streamSeed,
      now: new Date(),
      customerCount: options.customers,
    });
    const { events, deliveries, customers } = stream;
    const sizes = `${events.length} distinct events (${deliveries.length} deliveries)`;
    step(`Generated ${sizes} for ${customers.length} customers`);
    const context = { results, logStream };
    await runIntakeScenario(baseEnv, options, stream, context);
    for (const workerCount of options.workers) {
      await runPipelineScenario(baseEnv, workerCount, options.idleTimeoutS, stream, context);
    }
  } catch (error) {
    // Reported with the other problems below, so the partial results still get written.
    results.problems.push(error instanceof Error ? error.message : String(error));
  } finally {
    results.finishedAt = new Date().toISOString();
    printResults(results, writeResults(root, results), logFile);
    logStream.end();
    if (results.problems.length > 0) process.exitCode = 1;
  }
}

run().catch((error: unknown) => {
  if (error instanceof BenchOptionsError) console.error(`${error.message}\n\n${benchUsage}`);
  else console.error(error instanceof ConfigError ? error.message : error);
  process.exitCode = 1;
});
