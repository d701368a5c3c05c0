/**
 * Attempt durations (start to outcome record) and their nearest-rank percentiles: the one
 * definition behind `stats`, `attempts`, the HTML report and the metrics histogram.
 */
import type { AttemptSummary } from './attempts.js';

export interface DurationStats {
  count: number;
  p50: number | null;
  p95: number | null;
  max: number | null;
}

/** An attempt's duration in seconds: its outcome record's time minus its start; null without one. */
export function durationSeconds(attempt: Pick<AttemptSummary, 'ts' | 'outcomeTs'>): number | null {
  return attempt.outcomeTs === null ? null : (attempt.outcomeTs - attempt.ts) / 1000;
}

/** The nearest-rank p-th percentile (0 < p ≤ 100) of values sorted ascending; null when empty. */
export function nearestRank(sorted: ArrayLike<number>, p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** Count, p50, p95 and max of durations in seconds (in any order). */
export function durationStats(seconds: readonly number[]): DurationStats {
  // A typed array sorts numerically in native code: a month of attempts sorted through a comparator
  // was a tenth of the time of `stats`.
  const sorted = Float64Array.from(seconds).sort();
  return {
    count: sorted.length,
    p50: nearestRank(sorted, 50),
    p95: nearestRank(sorted, 95),
    max: sorted.length ? sorted[sorted.length - 1] : null,
  };
}
