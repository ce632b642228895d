/**
 * Replays third-party Stripe webhook payloads through the real API server and worker and reports what the
 * ledger did with each one. CI runs it as an extra check next to the tests, which never read these
 * fixtures. When the shared folder is missing, the script prints "skipped" and exits 0.
 *
 * Exits 1 when a request got a non-2xx status, an event stayed unprocessed, a process crashed or did not
 * stop cleanly. Dead letters and ignored events are reported but do not fail the run, because some
 * fixtures carry placeholder values on purpose.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdtempSync, readdirSync, readFileSync, type WriteStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Table from 'cli-table3';
import { freePort, startCli, waitFor, type ManagedProcess } from './demo/processes';
import { loadConfig } from '../src/config';
import type { Db } from '../src/db/database';
import { ensureDatabase, migrateToLatest } from '../src/db/migrate';
import { projectRoot } from '../src/paths';
import { checkDependencies, createRuntime, redact, type Runtime } from '../src/runtime';
import { createTenant } from '../src/tenants/tenants';

const usage = `Usage: node dist/scripts/replay-shared-fixtures.js [--shared PATH] [--timeout-seconds N]

  --shared PATH          folder with fixtures/stripe/ and tools/replay-stripe-events
                         (default: the folder "shared" next to the repository)
  --timeout-seconds N    seconds to wait for the worker to process every stored event (default 120)`;

/** One run of the replay tool against a fresh tenant, with no event id repeated. */
interface Round {
  folder: string;
  files: string[];
  eventIdByFile: Map<string, string>;
}

interface Delivery {
  file: string;
  type: string;
  status: string;
}

interface RoundResult extends Round {
  tenantId: string;
  deliveries: Delivery[];
  skipped: number;
  toolExitCode: number | null;
  /** The tool's last stderr line: its totals, or the error that stopped it. */
  toolMessage: string;
}

type StoredEvent = Awaited<ReturnType<typeof loadStoredEvents>>[number];

/** Reasons from the worker log for ignored events and failed projections, which the database does not store. */
interface WorkerNotes {
  /** Keyed by `${tenantId} ${eventId}`. */
  ignored: Map<string, string>;
  /** The last projection error, keyed by stored event row id. */
  failed: Map<string, string>;
}

interface FolderReport {
  folder: string;
  summary: (string | number)[];
  details: string[][];
  rejected: number;
  unprocessed: number;
}

function listJsonFiles(folder: string): string[] {
  const entries = readdirSync(folder, { withFileTypes: true })
    .filter((entry) => !entry.name.startsWith('.'))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  return entries.flatMap((entry) => {
    const file = path.join(folder, entry.name);
    if (entry.isDirectory()) return listJsonFiles(file);
    return entry.isFile() && entry.name.toLowerCase().endsWith('.json') ? [file] : [];
  });
}

/** Reads the event id, using the replay tool's rule for what is an event. Returns null for a file the tool skips. */
function readEventId(file: string): string | null {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return null;
  const { object, type, data, id } = doc as Record<string, unknown>;
  const hasDataObject = data !== null && typeof data === 'object' && 'object' in data;
  if (object !== 'event' && !(typeof type === 'string' && hasDataObject)) return null;
  return typeof id === 'string' ? id : file;
}

/**
 * Splits a folder into rounds so that no round repeats an event id, because the receiver stores a repeated
 * id as a duplicate and never processes it. Files that are not events go in the first round, where the
 * tool reports them as skipped.
 */
function planRounds(folder: string, files: { file: string; eventId: string | null }[]): Round[] {
  const rounds: Round[] = [{ folder, files: [], eventIdByFile: new Map() }];
  for (const { file, eventId } of files) {
    if (eventId === null) {
      rounds[0]!.files.push(file);
      continue;
    }
    let round = rounds.find((candidate) => ![...candidate.eventIdByFile.values()].includes(eventId));
    if (round === undefined) {
      round = { folder, files: [], eventIdByFile: new Map() };
      rounds.push(round);
    }
    round.files.push(file);
    round.eventIdByFile.set(file, eventId);
  }
  return rounds;
}

/** Parses the tool's output lines: file, event type, HTTP status or ERR(...), duration, separated by tabs. */
function parseDeliveries(stdout: string): Delivery[] {
  return stdout
    .split('\n')
    .filter((line) => line.includes('\t'))
    .map((line) => {
      const [file = '', type = '', status = ''] = line.split('\t');
      return { file, type, status };
    });
}

async function runReplayTool(tool: string, url: string, secret: string, files: string[]) {
  const child = spawn(process.execPath, [tool, '--url', url, '--secret', secret, ...files], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const toolExitCode = await new Promise<number | null>((resolve) => child.once('close', resolve));
  const lines = stderr.split('\n').filter((line) => line !== '');
  const skipped = lines.filter((line) => line.startsWith('SKIP ')).length;
  return { deliveries: parseDeliveries(stdout), skipped, toolExitCode, toolMessage: lines.at(-1) ?? '' };
}

async function replayRound(runtime: Runtime, tool: string, round: Round): Promise<RoundResult> {
  const secret = `whsec_${randomBytes(24).toString('hex')}`;
  const tenant = await createTenant(runtime.db, runtime.box, runtime.config.PUBLIC_BASE_URL, {
    name: `Replay of ${round.folder} fixtures`,
    stripeWebhookSecret: secret,
  });
  const result = await runReplayTool(tool, tenant.webhookUrl, secret, round.files);
  return { ...round, tenantId: tenant.tenantId, ...result };
}

/** Replays every source folder in name order, one tenant per round. */
async function replayFolders(runtime: Runtime, fixturesRoot: string, tool: string): Promise<RoundResult[]> {
  const folders = readdirSync(fixturesRoot, { withFileTypes: true }).filter((entry) => entry.isDirectory());
  const results: RoundResult[] = [];
  for (const folder of folders.map((entry) => entry.name).sort()) {
    const files = listJsonFiles(path.join(fixturesRoot, folder)).map((file) => ({ file, eventId: readEventId(file) }));
    const rounds = planRounds(folder, files).filter((round) => round.files.length > 0);
    for (const round of rounds) results.push(await replayRound(runtime, tool, round));
  }
  return results;
}

async function countUnprocessed(db: Db, tenantIds: string[]): Promise<number> {
  const rows = await db
    .selectFrom('stripe_events')
    .select('id')
    .where('tenant_id', 'in', tenantIds)
    .where('processed_at', 'is', null)
    .execute();
  return rows.length;
}

async function loadStoredEvents(db: Db, tenantIds: string[]) {
  return db
    .selectFrom('stripe_events')
    .leftJoin('dead_letters', 'dead_letters.stripe_event_id', 'stripe_events.id')
    .select(['stripe_events.id as rowId', 'stripe_events.tenant_id as tenantId', 'stripe_events.event_id as eventId'])
    .select(['stripe_events.outcome', 'dead_letters.reason', 'dead_letters.issues'])
    .where('stripe_events.tenant_id', 'in', tenantIds)
    .execute();
}

function readWorkerNotes(logFile: string): WorkerNotes {
  const notes: WorkerNotes = { ignored: new Map(), failed: new Map() };
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    const entry = parseLogLine(line);
    const { msg, tenantId, eventId, eventRowId, reason, err } = entry;
    if (msg === 'event ignored' && reason) notes.ignored.set(`${tenantId} ${eventId}`, reason);
    if (msg === 'event projection failed') notes.failed.set(String(eventRowId), err ?? 'unknown error');
  }
  return notes;
}

function parseLogLine(line: string): Record<string, string | undefined> {
  try {
    return line.startsWith('{') ? (JSON.parse(line) as Record<string, string | undefined>) : {};
  } catch {
    return {};
  }
}

/** Builds one folder's summary row and a detail row per request, from the tool's output and the database. */
function reportFolder(folder: string, rounds: RoundResult[], stored: StoredEvent[], notes: WorkerNotes): FolderReport {
  const counts = { posted: 0, skipped: 0, succeeded: 0, stored: 0 };
  const outcomes = new Map<string, number>();
  const details: string[][] = [];
  for (const round of rounds) {
    const events = new Map(stored.filter((event) => event.tenantId === round.tenantId).map((e) => [e.eventId, e]));
    counts.posted += round.deliveries.length;
    counts.skipped += round.skipped;
    counts.stored += events.size;
    for (const delivery of round.deliveries) {
      const event = events.get(round.eventIdByFile.get(delivery.file) ?? '');
      const succeeded = /^2\d\d$/.test(delivery.status);
      if (succeeded) counts.succeeded += 1;
      const outcome = succeeded ? (event?.outcome ?? 'unprocessed') : 'rejected';
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      details.push([delivery.file, delivery.type, delivery.status, outcome, describeReason(event, notes)]);
    }
  }
  details.sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
  const count = (outcome: string) => outcomes.get(outcome) ?? 0;
  // No round repeats an event id, so a duplicate here means the receiver read an id other than the file's.
  const duplicates = counts.succeeded - counts.stored;
  const summary = [folder, counts.posted, counts.skipped, counts.stored, duplicates, count('rejected')];
  summary.push(count('applied'), count('ignored'), count('dead_lettered'), count('unprocessed'));
  return { folder, summary, details, rejected: count('rejected'), unprocessed: count('unprocessed') };
}

/** Returns the dead-letter reason and issues, the reason the worker ignored the event, or its last projection error. */
function describeReason(event: StoredEvent | undefined, notes: WorkerNotes): string {
  if (!event) return '';
  if (event.reason !== null) {
    const issues = Array.isArray(event.issues) ? event.issues.map(String) : [];
    return [event.reason, ...issues].join('\n');
  }
  if (event.outcome === 'ignored') return notes.ignored.get(`${event.tenantId} ${event.eventId}`) ?? '';
  return notes.failed.get(event.rowId) ?? '';
}

function renderTable(head: string[], rows: (string | number)[][]): string {
  // No colours, so the CI log shows plain text.
  const table = new Table({ head, style: { head: [], border: [] } });
  table.push(...rows);
  return table.toString();
}

function printReports(reports: FolderReport[], fixturesRoot: string): void {
  const summaryHead = ['folder', 'posted', 'skipped', 'accepted', 'duplicates', 'rejected'];
  summaryHead.push('applied', 'ignored', 'dead-lettered', 'unprocessed');
  console.log(renderTable(summaryHead, reports.map((report) => report.summary)));
  for (const report of reports.filter((candidate) => candidate.details.length > 0)) {
    const rows = report.details.map(([file = '', ...rest]) => [path.relative(fixturesRoot, file), ...rest]);
    console.log(`\n${report.folder}:`);
    console.log(renderTable(['file', 'event type', 'HTTP', 'outcome', 'reason'], rows));
  }
}

/** Prints the tables and returns the problems that fail the run. */
function reportResults(results: RoundResult[], stored: StoredEvent[], logFile: string, fixturesRoot: string): string[] {
  const notes = readWorkerNotes(logFile);
  const folders = [...new Set(results.map((round) => round.folder))];
  const reports = folders.map((folder) =>
    reportFolder(folder, results.filter((round) => round.folder === folder), stored, notes),
  );
  printReports(reports, fixturesRoot);
  const failures = results
    .filter((round) => round.toolExitCode !== 0)
    .map((round) => `replay tool exited with ${round.toolExitCode} for ${round.folder}: ${round.toolMessage}`);
  for (const report of reports) {
    const { folder, rejected, unprocessed } = report;
    if (rejected > 0) failures.push(`${rejected} request(s) from ${folder} got a non-2xx status`);
    if (unprocessed > 0) failures.push(`${unprocessed} event(s) from ${folder} stayed unprocessed`);
  }
  return failures;
}

class ChildExitError extends Error {}

/** Starts `serve` and `worker`, records an exit the script did not ask for, and stops them at the end. */
class Processes {
  readonly crashed: string[] = [];
  private readonly children: ManagedProcess[] = [];
  private readonly closed: Promise<unknown>[] = [];
  private stopping = false;
  private reject: (error: Error) => void = () => undefined;
  private readonly exited = new Promise<never>((_resolve, reject) => (this.reject = reject));

  constructor(private readonly logStream: WriteStream) {
    this.exited.catch(() => undefined);
  }

  start(command: string, env: NodeJS.ProcessEnv): void {
    const managed = startCli(command, env, this.logStream);
    this.children.push(managed);
    this.closed.push(new Promise((resolve) => managed.child.once('close', resolve)));
    managed.child.once('exit', (code, signal) => {
      if (this.stopping) return;
      this.crashed.push(`${command} ${describeExit(code, signal)} while the replay was running`);
      this.reject(new ChildExitError(this.crashed[0]));
    });
  }

  /** Waits for `work`, but fails as soon as a process exits. */
  race<T>(work: Promise<T>): Promise<T> {
    return Promise.race([work, this.exited]);
  }

  /** Sends SIGTERM to each process still running, flushes the log and lists those that did not exit with status 0. */
  async stop(): Promise<string[]> {
    this.stopping = true;
    const running = this.children.filter(({ child }) => child.exitCode === null && child.signalCode === null);
    const codes = await Promise.all(running.map((managed) => managed.stop()));
    await Promise.all(this.closed);
    await new Promise((resolve) => this.logStream.end(resolve));
    const unclean = running.filter((_managed, index) => codes[index] !== 0);
    return unclean.map(({ name, child }) => `${name} ${describeExit(child.exitCode, child.signalCode)} after SIGTERM`);
  }
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return code === null ? `was ended by ${signal}` : `exited with status ${code}`;
}

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

async function startAndReplay(runtime: Runtime, processes: Processes, env: NodeJS.ProcessEnv, options: RunOptions) {
  await checkDependencies(runtime.db, runtime.redis, runtime.config);
  await migrateToLatest(runtime.db);
  processes.start('serve', env);
  processes.start('worker', env);
  const ready = async (url: string) => (await fetch(url)).ok;
  await processes.race(waitFor('the API server', () => ready(`${env.PUBLIC_BASE_URL}/readyz`), 30_000));
  await processes.race(waitFor('the worker', () => ready(`http://127.0.0.1:${env.WORKER_METRICS_PORT}/`), 30_000));

  const results = await replayFolders(runtime, options.fixturesRoot, options.tool);
  const tenantIds = results.map((round) => round.tenantId);
  const idle = async () => (await countUnprocessed(runtime.db, tenantIds)) === 0;
  await processes.race(waitFor('the worker to process every event', idle, options.timeoutMs, 250)).catch((error) => {
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
  if (!existsSync(tool)) throw new Error(`Replay tool not found at ${tool}. Check that the shared folder is complete.`);

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
  const lines = readFileSync(logFile, 'utf8').trimEnd().split('\n').filter((line) => line !== '');
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
    throw new Error(`--timeout-seconds must be a positive number of seconds, got "${values['timeout-seconds']}"`);
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
