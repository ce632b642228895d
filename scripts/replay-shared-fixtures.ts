/**
 * Replays third-party Stripe webhook payloads through the real API server and worker and reports what the
 * ledger did with each one. CI runs it as an extra check next to the tests, which never read these
 * fixtures. When the shared folder is missing, the script prints "skipped" and exits 0.
 *
 * Exits 1 when a request got a non-2xx status, an event stayed unprocessed, a process crashed or did not
 * stop cleanly. Dead letters and ignored events are reported but do not fail the run, because some
 * fixtures carry placeholder values on purpose.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, waitFor } from './demo/processes';
import { ChildExitError, Processes } from './replay/processes';
import { reportResults } from './replay/report';
import { countUnprocessed, loadStoredEvents, replayFolders } from './replay/rounds';
import { loadConfig } from '../src/config';
import { ensureDatabase, migrateToLatest } from '../src/db/migrate';
import { projectRoot } from '../src/paths';
import { checkDependencies, createRuntime, redact, type Runtime } from '../src/runtime';

const usage = `Usage: node dist/scripts/replay-shared-fixtures.js [--shared PATH] [--timeout-seconds N]

  --shared PATH          folder with fixtures/stripe/ and tools/replay-stripe-events
                         (default: the folder "shared" next to the repository)
  --timeout-seconds N    seconds to wait for the worker to process every stored event (default 120)`;

async function childEnvironment(): Promise<NodeJS.ProcessEnv> {
  const [port, metricsPort, unusedPort] = [await freePort(), await freePort(), await freePort()];
  // The replay database sits on the server that DATABASE_URL names, so the run never writes to the main one.
  const databaseUrl = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  databaseUrl.pathname = '/csm_payments_replay';
  return {
    ...process.env,
    NODE_ENV: 'development',
    // The worker logs why it ignored an event only at debug level, and the report shows that reason.
    LOG_LEVEL: 'debug',
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    WORKER_METRICS_PORT: String(metricsPort),
    DATABASE_URL: databaseUrl.toString(),
    // A random queue namespace, so this run never picks up jobs of another run or of a developer's worker.
    QUEUE_PREFIX: `csm-replay-${randomBytes(3).toString('hex')}`,
    TOKEN_ENCRYPTION_KEYS: `replay:${randomBytes(32).toString('base64')}`,
    TOKEN_ENCRYPTION_KEY_ID: 'replay',
    // No tenant has a CRM connection, so nothing should call these. A call would fail on a port nothing listens on.
    HUBSPOT_API_BASE_URL: `http://127.0.0.1:${unusedPort}`,
    STRIPE_API_BASE_URL: `http://127.0.0.1:${unusedPort}`,
  };
}

async function startAndReplay(
  runtime: Runtime,
  processes: Processes,
  env: NodeJS.ProcessEnv,
  options: RunOptions,
) {
  await checkDependencies(runtime.db, runtime.redis, runtime.config);
  await migrateToLatest(runtime.db);
  processes.start('serve', env);
  processes.start('worker', env);
  const ready = async (url: string) => (await fetch(url)).ok;
  await processes.race(waitFor('the API server', () => ready(`${env.PUBLIC_BASE_URL}/readyz`), 30_000));
  await processes.race(
    waitFor('the worker', () => ready(`http://127.0.0.1:${env.WORKER_METRICS_PORT}/`), 30_000),
  );

  const results = await replayFolders(runtime, options.fixturesRoot, options.tool);
  const tenantIds = results.map((round) => round.tenantId);
  const idle = async () => (await countUnprocessed(runtime.db, tenantIds)) === 0;
  await processes
    .race(waitFor('the worker to process every event', idle, options.timeoutMs, 250))
    .catch((error) => {
      // A timeout shows in the report as unprocessed events, but a crashed process ends the run at once.
      if (error instanceof ChildExitError) throw error;
    });
  return { results, stored: await loadStoredEvents(runtime.db, tenantIds) };
}

interface RunOptions {
  fixturesRoot: string;
  tool: string;
  timeoutMs: number;
}

async function run(sharedFolder: string, timeoutMs: number): Promise<number> {
  const fixturesRoot = path.join(sharedFolder, 'fixtures', 'stripe');
  if (!existsSync(fixturesRoot)) {
    console.log(`skipped: no shared fixtures at ${fixturesRoot}`);
    return 0;
  }
  const tool = path.join(sharedFolder, 'tools', 'replay-stripe-events');
  if (!existsSync(tool))
    throw new Error(`Replay tool not found at ${tool}. Check that the shared folder is complete.`);

  const env = await childEnvironment();
  const config = loadConfig(env);
  await ensureDatabase(config.DATABASE_URL).catch((error: Error) => {
    const where = redact(config.DATABASE_URL);
    const message = `Failed to create or connect to the database ${where}: ${error.message}.`;
    throw new Error(`${message} Start PostgreSQL or set DATABASE_URL, then run the replay again.`);
  });
  const runtime = createRuntime(config, 'producer');
  const logFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'csm-replay-')), 'processes.log');
  const processes = new Processes(createWriteStream(logFile, { flags: 'w' }));
  const failures: string[] = [];
  let replayed: Awaited<ReturnType<typeof startAndReplay>> | undefined;
  try {
    replayed = await startAndReplay(runtime, processes, env, { fixturesRoot, tool, timeoutMs });
  } catch (error) {
    if (!(error instanceof ChildExitError)) failures.push((error as Error).message);
  } finally {
    failures.push(...(await processes.stop()));
    await runtime.close();
  }
  if (replayed) failures.unshift(...reportResults(replayed.results, replayed.stored, logFile, fixturesRoot));
  failures.unshift(...processes.crashed);
  console.log(`Server and worker logs: ${logFile}`);
  if (failures.length > 0) printLogTail(logFile, 40);
  for (const failure of failures) console.error(`FAILED: ${failure}`);
  return failures.length > 0 ? 1 : 0;
}

/** Prints the end of the process log, because CI keeps only the console output. */
function printLogTail(logFile: string, lineCount: number): void {
  const lines = readFileSync(logFile, 'utf8')
    .trimEnd()
    .split('\n')
    .filter((line) => line !== '');
  console.error(`Last ${Math.min(lineCount, lines.length)} lines of ${logFile}:`);
  console.error(lines.slice(-lineCount).join('\n'));
}

function parseOptions(): { shared: string; timeoutMs: number } | 'help' {
  const { values } = parseArgs({
    options: {
      shared: { type: 'string', default: path.join(projectRoot(), '..', 'shared') },
      'timeout-seconds': { type: 'string', default: '120' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';
  const timeoutSeconds = Number(values['timeout-seconds']);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
    throw new Error(
      `--timeout-seconds must be a positive number of seconds, got "${values['timeout-seconds']}"`,
    );
  }
  return { shared: path.resolve(values.shared), timeoutMs: timeoutSeconds * 1000 };
}

function main(): void {
  let options: ReturnType<typeof parseOptions>;
  try {
    options = parseOptions();
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${usage}`);
    process.exitCode = 64;
    return;
  }
  if (options === 'help') return console.log(usage);
  run(options.shared, options.timeoutMs).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    },
  );
}

main();
