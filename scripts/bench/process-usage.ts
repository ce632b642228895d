import { readFileSync } from 'node:fs';

export interface ProcessUsage {
  name: string;
  pid: number;
  /** Peak resident set size (VmHWM) in MiB. */
  peakRssMiB: number;
  /** Resident set size (VmRSS) in MiB when read. */
  rssMiB: number;
  /** CPU time on all threads since the process started, from /proc/<pid>/schedstat, in seconds. */
  cpuSeconds: number;
}

/** Reads one `kB` field of /proc/<pid>/status text, such as VmHWM or VmRSS. */
export function statusFieldKiB(statusText: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(statusText);
  if (!match) throw new Error(`Missing ${field} in /proc status text`);
  return Number(match[1]);
}

/** Returns the first field of /proc/<pid>/schedstat text, nanoseconds on a CPU, in seconds. */
export function schedstatCpuSeconds(schedstatText: string): number {
  const nanoseconds = Number(schedstatText.trim().split(/\s+/)[0]);
  if (!Number.isFinite(nanoseconds))
    throw new Error(`Invalid /proc schedstat text "${schedstatText.trim()}"`);
  return nanoseconds / 1e9;
}

/** Reads a running process's memory and CPU time from /proc (Linux only). */
export function readProcessUsage(name: string, pid: number): ProcessUsage {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return {
    name,
    pid,
    peakRssMiB: statusFieldKiB(status, 'VmHWM') / 1024,
    rssMiB: statusFieldKiB(status, 'VmRSS') / 1024,
    cpuSeconds: schedstatCpuSeconds(readFileSync(`/proc/${pid}/schedstat`, 'utf8')),
  };
}
