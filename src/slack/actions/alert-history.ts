/**
 * Changes to `slack_alerts.content` made by CSM actions: the action history (`content.actions`) and
 * the claim (`content.claimedBy`). Each change bumps `version` so the posting worker updates the message.
 */
import { inTransaction, type Db } from '../../db/database';
import type { AlertActionEntry, AlertClaim } from './types';

type AlertContent = Record<string, unknown>;

/** Keeps the message short; older entries are dropped. */
export const maxHistoryEntries = 20;

function historyOf(content: AlertContent): AlertActionEntry[] {
  return Array.isArray(content.actions) ? (content.actions as AlertActionEntry[]) : [];
}

function withHistory(content: AlertContent, history: AlertActionEntry[]): AlertContent {
  return { ...content, actions: history.slice(-maxHistoryEntries) };
}

/**
 * Adds `entry`, or finishes the entry of the same card action. Returns null when nothing changes: the
 * card action already has an entry that is finished, or `entry` is only the request.
 */
export function withActionEntry(content: AlertContent, entry: AlertActionEntry): AlertContent | null {
  const history = historyOf(content);
  const sameAction = (existing: AlertActionEntry) => existing.cardActionId === entry.cardActionId;
  const index = entry.cardActionId === undefined ? -1 : history.findIndex(sameAction);
  if (index === -1) return withHistory(content, [...history, entry]);
  const existing = history[index]!;
  if (existing.outcome !== 'requested' || entry.outcome === 'requested') return null;
  const finished: AlertActionEntry = { ...existing, outcome: entry.outcome, finishedAt: entry.finishedAt };
  if (entry.detail !== undefined) finished.detail = entry.detail;
  return withHistory(
    content,
    history.map((existing, position) => (position === index ? finished : existing)),
  );
}

/** Assigns the alert to the claiming user. Returns null when that user has already claimed it. */
export function withClaim(content: AlertContent, claim: AlertClaim): AlertContent | null {
  const current = content.claimedBy as Partial<AlertClaim> | undefined;
  if (current?.userId === claim.userId && current.teamId === claim.teamId) return null;
  const entry: AlertActionEntry = {
    action: 'claim',
    userId: claim.userId,
    at: claim.at,
    outcome: 'succeeded',
  };
  return { ...withHistory(content, [...historyOf(content), entry]), claimedBy: claim };
}

export interface LockedAlert {
  id: string;
  tenantId: string;
  channelId: string;
  content: AlertContent;
}

/**
 * Applies `change` to the alert's content under a row lock and bumps `version` when it returns new
 * content. `afterChange` runs in the same transaction. Returns whether the content changed.
 */
export async function changeAlertContent(
  db: Db,
  alertId: string,
  now: Date,
  change: (alert: LockedAlert) => AlertContent | null,
  afterChange?: (trx: Db, alert: LockedAlert) => Promise<void>,
): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const row = await trx
      .selectFrom('slack_alerts')
      .select(['id', 'tenant_id', 'channel_id', 'content'])
      .where('id', '=', alertId)
      .forUpdate()
      .executeTakeFirst();
    if (!row) return false;
    const alert: LockedAlert = {
      id: row.id,
      tenantId: row.tenant_id,
      channelId: row.channel_id,
      content: row.content,
    };
    const next = change(alert);
    if (next === null) return false;
    await trx
      .updateTable('slack_alerts')
      .set((eb) => ({ content: JSON.stringify(next), version: eb('version', '+', 1), updated_at: now }))
      .where('id', '=', alertId)
      .execute();
    if (afterChange) await afterChange(trx, alert);
    return true;
  });
}
