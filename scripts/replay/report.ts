import { readFileSync } from 'node:fs';
import path from 'node:path';
import Table from 'cli-table3';
import type { RoundResult, StoredEvent } from './rounds';

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
function reportFolder(
  folder: string,
  rounds: RoundResult[],
  stored: StoredEvent[],
  notes: WorkerNotes,
): FolderReport {
  const counts = { posted: 0, skipped: 0, succeeded: 0, stored: 0 };
  const outcomes = new Map<string, number>();
  const details: string[][] = [];
  for (const round of rounds) {
    const events = new Map(
      stored.filter((event) => event.tenantId === round.tenantId).map((e) => [e.eventId, e]),
    );
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
  console.log(
    renderTable(
      summaryHead,
      reports.map((report) => report.summary),
    ),
  );
  for (const report of reports.filter((candidate) => candidate.details.length > 0)) {
    const rows = report.details.map(([file = '', ...rest]) => [path.relative(fixturesRoot, file), ...rest]);
    console.log(`\n${report.folder}:`);
    console.log(renderTable(['file', 'event type', 'HTTP', 'outcome', 'reason'], rows));
  }
}

/** Prints the tables and returns the problems that fail the run. */
export function reportResults(
  results: RoundResult[],
  stored: StoredEvent[],
  logFile: string,
  fixturesRoot: string,
): string[] {
  const notes = readWorkerNotes(logFile);
  const folders = [...new Set(results.map((round) => round.folder))];
  const reports = folders.map((folder) =>
    reportFolder(
      folder,
      results.filter((round) => round.folder === folder),
      stored,
      notes,
    ),
  );
  printReports(reports, fixturesRoot);
  const failures = results
    .filter((round) => round.toolExitCode !== 0)
    .map(
      (round) => `replay tool exited with ${round.toolExitCode} for ${round.folder}: ${round.toolMessage}`,
    );
  for (const report of reports) {
    const { folder, rejected, unprocessed } = report;
    if (rejected > 0) failures.push(`${rejected} request(s) from ${folder} got a non-2xx status`);
    if (unprocessed > 0) failures.push(`${unprocessed} event(s) from ${folder} stayed unprocessed`);
  }
  return failures;
}
