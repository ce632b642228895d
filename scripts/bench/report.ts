import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Table from 'cli-table3';
import type { ScenarioCpu } from './cpu';
import type { IntakeResult } from './intake';
import type { MachineInfo } from './machine';
import type { BenchOptions } from './options';
import type { PipelineResult } from './pipeline';

export interface BenchResults {
  startedAt: string;
  finishedAt: string | null;
  machine: MachineInfo | null;
  options: Omit<BenchOptions, 'help'>;
  /** Product settings the processes ran with. */
  settings: Record<string, string | number>;
  intake: IntakeResult | null;
  pipelines: PipelineResult[];
  /** Share of all CPUs (0 to 1) busy in the 2 s before the first scenario, from /proc/stat. */
  busyBeforeStart: number | null;
  cpu: ScenarioCpu[];
  /** Failed requests, timeouts, unclean exits and HubSpot limit overruns. Empty on success. */
  problems: string[];
}

function newTable(head: string[]): Table.Table {
  return new Table({ head, style: { head: [], border: [] } });
}

const fixed = (value: number, digits = 1) => value.toFixed(digits);

export function renderIntakeTable(intake: IntakeResult): string {
  const table = newTable([
    'Concurrency',
    'Requests',
    'Failed',
    'Requests/s',
    'p50 ms',
    'p95 ms',
    'p99 ms',
    'max ms',
  ]);
  for (const level of intake.levels) {
    const { p50, p95, p99, max } = level.latencyMs;
    const rate = fixed(level.requestsPerSecond, 0);
    table.push([
      level.concurrency,
      level.requests,
      level.failed,
      rate,
      fixed(p50),
      fixed(p95),
      fixed(p99),
      fixed(max),
    ]);
  }
  return table.toString();
}

export function renderPipelineTable(pipelines: PipelineResult[]): string {
  const table = newTable([
    'Workers',
    'Events\n(deliveries)',
    'Posted s',
    'Projected s',
    'Idle s',
    'Events/s\nto idle',
    'HubSpot\nrequests',
    'Peak per\n10 s',
    '429s',
    'Dead\nletters',
  ]);
  for (const run of pipelines) {
    const { hubspot } = run;
    table.push([
      run.workers,
      `${run.events}\n(${run.deliveries})`,
      fixed(run.postedS),
      fixed(run.projectedS),
      fixed(run.idleS),
      fixed(run.eventsPerSecond, 0),
      hubspot.requests,
      `${hubspot.peakPer10s} of ${hubspot.limitPer10s}`,
      hubspot.rateLimited,
      run.deadLetters,
    ]);
  }
  return table.toString();
}

export function renderProcessTable(results: BenchResults): string {
  const table = newTable(['Scenario', 'Process', 'Peak RSS MiB (VmHWM)', 'CPU s']);
  const rows = [
    ...(results.intake?.processes ?? []).map((usage) => ({ scenario: 'intake', usage })),
    ...results.pipelines.flatMap((run) =>
      run.processes.map((usage) => ({ scenario: `end to end, ${run.workers} worker(s)`, usage })),
    ),
  ];
  for (const { scenario, usage } of rows) {
    table.push([scenario, usage.name, fixed(usage.peakRssMiB), fixed(usage.cpuSeconds)]);
  }
  return table.toString();
}

export function renderCpuTable(cpu: ScenarioCpu[]): string {
  const head = ['Scenario', 'Elapsed s', 'Machine busy CPU s', 'Product CPU s', 'Bench CPU s', 'Other CPU s'];
  const table = newTable(head);
  for (const window of cpu) {
    const { scenario, elapsedS, machineBusyS, productS, benchS, otherS } = window;
    table.push([
      scenario,
      fixed(elapsedS),
      fixed(machineBusyS),
      fixed(productS),
      fixed(benchS),
      fixed(otherS),
    ]);
  }
  return table.toString();
}

/** Writes the results as JSON to dist/bench-results.json under `root` and returns the path. */
export function writeResults(root: string, results: BenchResults): string {
  const file = path.join(root, 'dist', 'bench-results.json');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}
