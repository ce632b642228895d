/**
 * Machine-wide CPU accounting from /proc/stat (Linux only), so a report can tell the product's own CPU
 * time from everything else that ran on the machine during a scenario.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';

export interface CpuTicks {
  busy: number;
  total: number;
}

export interface ScenarioCpu {
  scenario: string;
  elapsedS: number;
  /** CPU seconds the whole machine spent busy, all CPUs together. */
  machineBusyS: number;
  /** CPU seconds of the product's `serve` and `worker` processes. */
  productS: number;
  /** CPU seconds of the bench process itself: the load generator, the emulator and the polling. */
  benchS: number;
  /** The rest: PostgreSQL, Redis and any other process on the machine. */
  otherS: number;
}

/** Parses the aggregate `cpu` line of /proc/stat into busy and total ticks; idle and iowait count as idle. */
export function parseCpuTicks(procStat: string): CpuTicks {
  const line = /^cpu\s+(.+)$/m.exec(procStat)?.[1];
  if (!line) throw new Error('Missing the aggregate cpu line in /proc/stat');
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line
    .trim()
    .split(/\s+/)
    .map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

export function readCpuTicks(): CpuTicks {
  return parseCpuTicks(readFileSync('/proc/stat', 'utf8'));
}

/** Returns the share of all CPUs (0 to 1) that was busy between two readings. */
export function busyShare(start: CpuTicks, end: CpuTicks): number {
  const total = end.total - start.total;
  return total > 0 ? (end.busy - start.busy) / total : 0;
}

/** Measures how busy the machine is over `durationMs`, before the bench adds its own load. */
export async function sampleBusyShare(durationMs: number): Promise<number> {
  const start = readCpuTicks();
  await new Promise((resolve) => setTimeout(resolve, durationMs));
  return busyShare(start, readCpuTicks());
}

/** Starts a CPU window. The returned function closes it, given the product processes' CPU seconds. */
export function startCpuWindow(scenario: string): (productS: number) => ScenarioCpu {
  const ticks = readCpuTicks();
  const started = performance.now();
  const benchUsage = process.cpuUsage();
  return (productS) => {
    const elapsedS = (performance.now() - started) / 1000;
    const machineBusyS = busyShare(ticks, readCpuTicks()) * elapsedS * os.cpus().length;
    const bench = process.cpuUsage(benchUsage);
    const benchS = (bench.user + bench.system) / 1e6;
    return { scenario, elapsedS, machineBusyS, productS, benchS, otherS: machineBusyS - productS - benchS };
  };
}
