/**
 * `stats --json` duration_seconds (cli-contract.md): start to outcome record over the window's
 * attempts that have one (succeeded or failed, not abandoned), nearest-rank percentiles, per phase
 * too. Durations of different digit counts (5 s, 9 s, 40 s, 300 s) are ordered as numbers.
 */
import { describe, expect, it } from 'vitest';
import { attempt, failed, FORCED, json, noise, storeOf, succeeded } from './support/analysis-log.js';

describe('duration_seconds', () => {
  const lines = [
    attempt('2025-11-04 10:00:00,000', '005930', FORCED),
    succeeded('2025-11-04 10:00:05,000', '005930'), // 5 s, trading
    attempt('2025-11-04 11:00:00,000', '000660', FORCED),
    failed('2025-11-04 11:00:40,000', '000660'), // 40 s, trading: a failure record is an outcome record too
    attempt('2025-11-04 12:00:00,000', '035720', FORCED),
    succeeded('2025-11-04 12:05:00,000', '035720'), // 300 s, trading
    attempt('2025-11-04 20:00:00,000', '005930', FORCED),
    succeeded('2025-11-04 20:00:09,000', '005930'), // 9 s, after_hours
    // Abandoned: no outcome record, and the log ends 40 minutes later. No duration.
    attempt('2025-11-04 21:00:00,000', '000660', FORCED),
    noise('2025-11-04 21:40:00,000'),
  ];

  it('over 5, 9, 40 and 300 s: p50 9 (rank 2 of 4), p95 300 (rank 4), max 300; per phase likewise', async () => {
    const { db } = await storeOf(lines);
    const doc = await json(db, ['stats', '--days', '1', '--until', '2025-11-04'], 0);
    expect(doc.duration_seconds).toEqual({ count: 4, p50: 9, p95: 300, max: 300 });
    // Trading: 5, 40, 300 → p50 rank ⌈1.5⌉ = 2 → 40; p95 rank ⌈2.85⌉ = 3 → 300.
    expect(doc.duration_seconds_by_phase).toEqual({
      pre_market: { count: 0, p50: null, p95: null, max: null },
      market_open: { count: 0, p50: null, p95: null, max: null },
      trading: { count: 3, p50: 40, p95: 300, max: 300 },
      market_close: { count: 0, p50: null, p95: null, max: null },
      after_hours: { count: 1, p50: 9, p95: 9, max: 9 },
    });
  });
});
