import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { listJsonFiles, parseDeliveries, planRounds, readEventId, type Delivery, type Round } from './plan';
import type { Db } from '../../src/db/database';
import type { Runtime } from '../../src/runtime';
import { createTenant } from '../../src/tenants/tenants';

export interface RoundResult extends Round {
  tenantId: string;
  deliveries: Delivery[];
  skipped: number;
  toolExitCode: number | null;
  /** The tool's last stderr line: its totals, or the error that stopped it. */
  toolMessage: string;
}

export type StoredEvent = Awaited<ReturnType<typeof loadStoredEvents>>[number];

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
export async function replayFolders(
  runtime: Runtime,
  fixturesRoot: string,
  tool: string,
): Promise<RoundResult[]> {
  const folders = readdirSync(fixturesRoot, { withFileTypes: true }).filter((entry) => entry.isDirectory());
  const results: RoundResult[] = [];
  for (const folder of folders.map((entry) => entry.name).sort()) {
    const files = listJsonFiles(path.join(fixturesRoot, folder)).map((file) => ({
      file,
      eventId: readEventId(file),
    }));
    const rounds = planRounds(folder, files).filter((round) => round.files.length > 0);
    for (const round of rounds) results.push(await replayRound(runtime, tool, round));
  }
  return results;
}

export async function countUnprocessed(db: Db, tenantIds: string[]): Promise<number> {
  const rows = await db
    .selectFrom('stripe_events')
    .select('id')
    .where('tenant_id', 'in', tenantIds)
    .where('processed_at', 'is', null)
    .execute();
  return rows.length;
}

export async function loadStoredEvents(db: Db, tenantIds: string[]) {
  return db
    .selectFrom('stripe_events')
    .leftJoin('dead_letters', 'dead_letters.stripe_event_id', 'stripe_events.id')
    .select([
      'stripe_events.id as rowId',
      'stripe_events.tenant_id as tenantId',
      'stripe_events.event_id as eventId',
    ])
    .select(['stripe_events.outcome', 'dead_letters.reason', 'dead_letters.issues'])
    .where('stripe_events.tenant_id', 'in', tenantIds)
    .execute();
}
