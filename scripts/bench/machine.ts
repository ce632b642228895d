import { readFileSync } from 'node:fs';
import os from 'node:os';
import { sql } from 'kysely';
import type { Runtime } from '../../src/runtime';

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  node: string;
  postgres: string;
  redis: string;
}

function cpuModel(): string {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  return /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
}

/** Describes the machine and the service versions the numbers were measured with. */
export async function describeMachine(runtime: Runtime): Promise<MachineInfo> {
  const postgres = await sql<{ server_version: string }>`SHOW server_version`.execute(runtime.db);
  const redisInfo = await runtime.redis.info('server');
  return {
    cpus: os.availableParallelism(),
    cpuModel: cpuModel(),
    memoryGiB: os.totalmem() / 1024 ** 3,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    postgres: postgres.rows[0]?.server_version ?? 'unknown',
    redis: /^redis_version:(.+)$/m.exec(redisInfo)?.[1]?.trim() ?? 'unknown',
  };
}
