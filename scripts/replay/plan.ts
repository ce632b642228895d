import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** One run of the replay tool against a fresh tenant, with no event id repeated. */
export interface Round {
  folder: string;
  files: string[];
  eventIdByFile: Map<string, string>;
}

export interface Delivery {
  file: string;
  type: string;
  status: string;
}

export function listJsonFiles(folder: string): string[] {
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
export function readEventId(file: string): string | null {
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
export function planRounds(folder: string, files: { file: string; eventId: string | null }[]): Round[] {
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
export function parseDeliveries(stdout: string): Delivery[] {
  return stdout
    .split('\n')
    .filter((line) => line.includes('\t'))
    .map((line) => {
      const [file = '', type = '', status = ''] = line.split('\t');
      return { file, type, status };
    });
}
