/** Pure summaries of measured samples: latency percentiles and the busiest fixed-length window. */

export interface LatencySummary {
  /** Milliseconds, by the nearest-rank method. */
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Returns the nearest-rank `p`th percentile (0 < p ≤ 100) of values sorted in ascending order. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) throw new Error('Invalid samples: expected at least one value');
  if (!(p > 0 && p <= 100)) throw new Error(`Invalid percentile ${p}: expected 0 < p ≤ 100`);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[rank - 1]!;
}

export function summarizeLatencies(samplesMs: number[]): LatencySummary {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const total = sorted.reduce((sum, value) => sum + value, 0);
  return {
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1]!,
    mean: total / sorted.length,
  };
}

/** Returns the largest number of timestamps that fall in any half-open window [t, t + windowMs). */
export function peakInWindow(timesMs: number[], windowMs: number): number {
  const sorted = [...timesMs].sort((a, b) => a - b);
  let peak = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end += 1) {
    while (sorted[end]! - sorted[start]! >= windowMs) start += 1;
    peak = Math.max(peak, end - start + 1);
  }
  return peak;
}
