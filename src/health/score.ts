/** Health score v1: a pure, deterministic function of ledger facts and the clock. */
import {
  cardOnFileFactor,
  failedPaymentsFactor,
  overdueInvoicesFactor,
  subscriptionStatusFactor,
} from './factors';
import { bandForScore } from './rules';
import type { HealthFactor, HealthFacts, HealthScore } from './types';

export type { HealthBand, HealthFactor, HealthFactorKey, HealthFacts, HealthScore } from './types';
export { bandForScore } from './rules';

const topReasonCount = 3;

/** Reasons of factors that lost points, most lost first; ties keep the factor order. */
export function rankReasons(factors: HealthFactor[]): string[] {
  const losing = factors.filter((factor) => factor.reason !== null && factor.points < factor.maxPoints);
  // Array.prototype.sort is stable, so equal losses stay in factor order.
  const ranked = [...losing].sort((a, b) => b.maxPoints - b.points - (a.maxPoints - a.points));
  return ranked.map((factor) => factor.reason as string);
}

/** Scores a customer's payment health from 0 to 100; each factor's points add up to the score. */
export function scoreHealth(facts: HealthFacts, now: Date): HealthScore {
  const factors = [
    failedPaymentsFactor(facts),
    overdueInvoicesFactor(facts, now),
    cardOnFileFactor(facts, now),
    subscriptionStatusFactor(facts),
  ];
  const score = factors.reduce((sum, factor) => sum + factor.points, 0);
  const reasons = rankReasons(factors);
  return { score, band: bandForScore(score), factors, reasons, topReasons: reasons.slice(0, topReasonCount) };
}
