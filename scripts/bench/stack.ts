/**
 * One product deployment for a scenario: the `serve` process and N `worker` processes, started from
 * the compiled CLI with their own queue prefix, plus a producer runtime in the bench for queries.
 */
import { randomBytes } from 'node:crypto';
import { freePort, startCli, waitFor, type ManagedProcess } from '../demo/processes';
import { loadConfig, type Config } from '../../src/config';
import { checkDependencies, createRuntime, type Runtime } from '../../src/runtime';
import { createTenant } from '../../src/tenants/tenants';
import { deleteRedisKeys } from './environment';
import { readProcessUsage, type ProcessUsage } from './process-usage';

const startTimeoutMs = 30_000;

export interface StackOptions {
  /** Suffix of the queue prefix, in letters, digits and dashes. */
  label: string;
  workerCount: number;
  hubspotUrl?: string;
  logStream: NodeJS.WritableStream;
}

export interface Stack {
  config: Config;
  runtime: Runtime;
  /** Memory and CPU time of every process, read now. */
  usage(): ProcessUsage[];
  /** Stops the processes and deletes the stack's Redis keys. Returns a problem per unclean exit. */
  stop(): Promise<string[]>;
}

export interface BenchTenant {
  tenantId: string;
  webhookUrl: string;
  secret: string;
}

interface NamedProcess {
  name: string;
  process: ManagedProcess;
}

async function startProcesses(env: NodeJS.ProcessEnv, options: StackOptions): Promise<NamedProcess[]> {
  const started: NamedProcess[] = [{ name: 'serve', process: startCli('serve', env, options.logStream) }];
  const metricsPorts: number[] = [];
  for (let index = 1; index <= options.workerCount; index += 1) {
    const port = await freePort();
    metricsPorts.push(port);
    const workerEnv = { ...env, WORKER_METRICS_PORT: String(port) };
    started.push({ name: `worker ${index}`, process: startCli('worker', workerEnv, options.logStream) });
  }
  try {
    const readyUrl = `${env.PUBLIC_BASE_URL}/readyz`;
    await waitFor('the API server to be ready', async () => (await fetch(readyUrl)).ok, startTimeoutMs);
    for (const port of metricsPorts) {
      const metricsUrl = `http://127.0.0.1:${port}/`;
      await waitFor(
        `the worker on port ${port} to start`,
        async () => (await fetch(metricsUrl)).ok,
        startTimeoutMs,
      );
    }
  } catch (error) {
    await Promise.all(started.map((named) => named.process.stop()));
    throw error;
  }
  return started;
}

export async function startStack(baseEnv: NodeJS.ProcessEnv, options: StackOptions): Promise<Stack> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...baseEnv,
    PORT: String(port),
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    QUEUE_PREFIX: `${baseEnv.QUEUE_PREFIX}-${options.label}`,
  };
  if (options.hubspotUrl) env.HUBSPOT_API_BASE_URL = options.hubspotUrl;
  const config = loadConfig(env);
  const runtime = createRuntime(config, 'producer');
  let processes: NamedProcess[];
  try {
    await checkDependencies(runtime.db, runtime.redis, config);
    processes = await startProcesses(env, options);
  } catch (error) {
    await runtime.close();
    throw error;
  }
  return {
    config,
    runtime,
    usage: () => processes.map((named) => readProcessUsage(named.name, named.process.child.pid!)),
    async stop() {
      const codes = await Promise.all(processes.map((named) => named.process.stop()));
      await deleteRedisKeys(runtime.redis, config.QUEUE_PREFIX);
      await runtime.close();
      return processes.flatMap((named, index) => {
        const code = codes[index];
        return code === 0
          ? []
          : [`${options.label}: ${named.name} exited with code ${code ?? 'null (signal)'}`];
      });
    },
  };
}

/** Creates a tenant with a fresh signing secret and, when asked, a HubSpot connection to the emulator. */
export async function createBenchTenant(
  stack: Stack,
  name: string,
  withHubSpot: boolean,
): Promise<BenchTenant> {
  const secret = `whsec_${randomBytes(24).toString('hex')}`;
  const { db, box } = stack.runtime;
  const created = await createTenant(db, box, stack.config.PUBLIC_BASE_URL, {
    name,
    stripeWebhookSecret: secret,
    hubspot: withHubSpot
      ? {
          portalId: `bench-${randomBytes(4).toString('hex')}`,
          accessToken: `bench-${randomBytes(12).toString('hex')}`,
        }
      : undefined,
  });
  return { tenantId: created.tenantId, webhookUrl: created.webhookUrl, secret };
}
