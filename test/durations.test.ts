import { describe, expect, it } from 'vitest';
import { durationSeconds, durationStats, nearestRank } from '../src/analysis/durations.js';

describe('attempt durations', () => {
  it('run from the start to the outcome record, and are unknown without one', () => {
    expect(durationSeconds({ ts: 1_000, outcomeTs: 31_500 })).toBe(30.5);
    expect(durationSeconds({ ts: 1_000, outcomeTs: null })).toBeNull();
  });

  it('take nearest-rank percentiles: the smallest value with at least p % of values at or below it', () => {
    const twenty = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(nearestRank(twenty, 50)).toBe(10);
    expect(nearestRank(twenty, 95)).toBe(19);
    expect(nearestRank(twenty, 100)).toBe(20);
    expect(nearestRank([7], 50)).toBe(7);
    expect(nearestRank([], 50)).toBeNull();
  });

  it('summarise count, p50, p95 and max whatever the input order', () => {
    expect(durationStats([30, 10, 20])).toEqual({ count: 3, p50: 20, p95: 30, max: 30 });
    expect(durationStats([])).toEqual({ count: 0, p50: null, p95: null, max: null });
  });
});
