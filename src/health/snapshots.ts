/**
 * Health snapshots: a row is written only when the score, band or reasons change, so consecutive
 * rows of a customer give the trend.
 */
import { sql } from 'kysely';
import { inTransaction, type Db } from '../db/database';
import { loadHealthFacts } from './facts';
import { scoreHealth } from './score';
import type { HealthBand, HealthFactor, HealthScore } from './types';

export type HealthTrend = 'up' | 'down' | 'same' | 'new';

export interface HealthSnapshot {
  score: number;
  band: HealthBand;
  reasons: string[];
  factors: HealthFactor[];
  computedAt: Date;
}

export interface RecordedHealth {
  score: HealthScore;
  /** Whether a new snapshot row was written. */
  changed: boolean;
  /** Direction of the score against the newest snapshot before this computation. */
  trend: HealthTrend;
}

export interface LatestHealth extends HealthSnapshot {
  /** Direction against the snapshot before the latest one, `new` when there is none. */
  trend: HealthTrend;
  previousScore: number | null;
}

export interface HealthTrendSince {
  /** Latest score minus the baseline score. */
  delta: number;
  score: number;
  baselineScore: number;
  baselineAt: Date;
}

export function trendBetween(previousScore: number | null, score: number): HealthTrend {
  if (previousScore === null) return 'new';
  if (score > previousScore) return 'up';
  if (score < previousScore) return 'down';
  return 'same';
}

/** Whether `current` must be stored as a new snapshot after `previous`. */
export function snapshotDiffers(previous: HealthSnapshot | null, current: HealthScore): boolean {
  if (previous === null) return true;
  if (previous.score !== current.score || previous.band !== current.band) return true;
  const sameReasons =
    previous.reasons.length === current.reasons.length &&
    previous.reasons.every((reason, index) => reason === current.reasons[index]);
  return !sameReasons;
}

/** Newest snapshots of one customer, newest first, optionally only those at or before `atOrBefore`. */
async function newestSnapshots(
  db: Db,
  tenantId: string,
  customerId: string,
  limit: number,
  atOrBefore?: Date,
): Promise<HealthSnapshot[]> {
  let query = db
    .selectFrom('health_snapshots')
    .select(['score', 'band', 'reasons', 'factors', 'computed_at'])
    .where('tenant_id', '=', tenantId)
    .where('customer_id', '=', customerId);
  if (atOrBefore) query = query.where('computed_at', '<=', atOrBefore);
  const rows = await query.orderBy('computed_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  return rows.map((row) => ({
    score: row.score,
    band: row.band,
    reasons: row.reasons,
    factors: row.factors as HealthFactor[],
    computedAt: row.computed_at,
  }));
}

/**
 * Computes the customer's health as of `now` and stores a snapshot when it differs from the latest
 * one. A transaction-scoped advisory lock per customer keeps two concurrent runs from both writing.
 */
export async function recordHealth(
  db: Db,
  tenantId: string,
  customerId: string,
  now: Date,
): Promise<RecordedHealth> {
  const facts = await loadHealthFacts(db, tenantId, customerId, now);
  const score = scoreHealth(facts, now);

  return inTransaction(db, async (trx) => {
    const lockKey = `health_snapshots:${tenantId}:${customerId}`;
    await sql`SELECT pg_advisory_xact_lock(hashtextextended(${lockKey}, 0))`.execute(trx);
    const [latest = null] = await newestSnapshots(trx, tenantId, customerId, 1);
    const changed = snapshotDiffers(latest, score);
    if (changed) {
      await trx
        .insertInto('health_snapshots')
        .values({
          tenant_id: tenantId,
          customer_id: customerId,
          score: score.score,
          band: score.band,
          factors: JSON.stringify(score.factors),
          reasons: JSON.stringify(score.reasons),
          computed_at: now,
        })
        .execute();
    }
    return { score, changed, trend: trendBetween(latest?.score ?? null, score.score) };
  });
}

/** Returns the customer's latest snapshot with its trend against the one before, or null if none. */
export async function latestHealth(
  db: Db,
  tenantId: string,
  customerId: string,
): Promise<LatestHealth | null> {
  const [latest, previous] = await newestSnapshots(db, tenantId, customerId, 2);
  if (!latest) return null;
  const previousScore = previous ? previous.score : null;
  return { ...latest, trend: trendBetween(previousScore, latest.score), previousScore };
}

/**
 * Returns the change of the latest score against the newest snapshot at or before `since`, e.g.
 * 30 days ago. Returns null when the customer has no snapshot that old.
 */
export async function healthTrendSince(
  db: Db,
  tenantId: string,
  customerId: string,
  since: Date,
): Promise<HealthTrendSince | null> {
  const [latest] = await newestSnapshots(db, tenantId, customerId, 1);
  const [baseline] = await newestSnapshots(db, tenantId, customerId, 1, since);
  if (!latest || !baseline) return null;
  return {
    delta: latest.score - baseline.score,
    score: latest.score,
    baselineScore: baseline.score,
    baselineAt: baseline.computedAt,
  };
}
