import type { Db } from '../db/database';

export interface DeadLetterView {
  eventId: string;
  eventType: string;
  reason: string;
  issues: unknown[];
  createdAt: string;
}

export async function listDeadLetters(db: Db, tenantId: string, limit: number): Promise<DeadLetterView[]> {
  const rows = await db
    .selectFrom('dead_letters')
    .select(['event_id', 'event_type', 'reason', 'issues', 'created_at'])
    .where('tenant_id', '=', tenantId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    eventId: row.event_id,
    eventType: row.event_type,
    reason: row.reason,
    issues: row.issues,
    createdAt: row.created_at.toISOString(),
  }));
}
