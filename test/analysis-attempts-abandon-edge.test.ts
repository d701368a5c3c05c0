/**
 * Abandoned attempts (cli-contract.md, Outcome): an attempt without an outcome record is abandoned
 * — failed — once the log end is at least 30 minutes after its start, and in flight before that.
 * The edge is to the millisecond, and every reader of attempts agrees on it: `attempts`, `stats`
 * (counts and durations) and `cost` (updates per day count succeeded attempts only).
 */
import { describe, expect, it } from 'vitest';
import { attempt, FORCED, json, noise, storeOf, succeeded } from './support/analysis-log.js';

const DAY = ['--days', '1', '--until', '2025-11-04'];

/**
 * 005930 starts exactly 30:00.000 before the log end, 000660 one millisecond later (29:59.999
 * before it), 035720 succeeds 20 s after its start: one of each outcome.
 */
const LINES = [
  attempt('2025-11-04 10:00:00,000', '005930', FORCED),
  attempt('2025-11-04 10:00:00,001', '000660', FORCED),
  attempt('2025-11-04 10:05:00,000', '035720', FORCED),
  succeeded('2025-11-04 10:05:20,000', '035720'),
  // The log's last line, of another logger: the log end.
  noise('2025-11-04 10:30:00,000'),
];

describe('an attempt without an outcome record', () => {
  it('is abandoned (failed, no duration) at exactly 30 minutes before the log end, in flight one millisecond later', async () => {
    const { db } = await storeOf(LINES);
    const doc = await json(db, ['attempts', ...DAY], 0);
    expect(doc.log_end).toBe('2025-11-04T10:30:00+09:00');
    expect(doc.attempts.map((a: any) => [a.stock_code, a.outcome, a.abandoned, a.completed_ts, a.duration_s, a.error])).toEqual([
      ['005930', 'failed', true, null, null, null],
      ['000660', 'in_flight', false, null, null, null],
      ['035720', 'succeeded', false, '2025-11-04T10:05:20+09:00', 20, null],
    ]);
    // --outcome abandoned selects the abandoned one alone; in_flight the other.
    expect((await json(db, ['attempts', ...DAY, '--outcome', 'abandoned'], 0)).attempts.map((a: any) => a.stock_code)).toEqual(['005930']);
    expect((await json(db, ['attempts', ...DAY, '--outcome', 'in_flight'], 0)).attempts.map((a: any) => a.stock_code)).toEqual(['000660']);
  });

  it('counts as failed in stats and has no duration there; the in-flight one is neither succeeded nor failed', async () => {
    const { db } = await storeOf(LINES);
    const doc = await json(db, ['stats', ...DAY], 0);
    expect([doc.total_updates, doc.succeeded, doc.failed, doc.in_flight]).toEqual([3, 1, 1, 1]);
    // Only the succeeded attempt has an outcome record: one duration, 20 s.
    expect(doc.duration_seconds).toEqual({ count: 1, p50: 20, p95: 20, max: 20 });
    expect(doc.by_stock.map((s: any) => [s.stock_code, s.updates, s.succeeded, s.failed])).toEqual([
      ['000660', 1, 0, 0],
      ['005930', 1, 0, 1],
      ['035720', 1, 1, 0],
    ]);
  });

  it('is no success in cost: updates per day count the succeeded attempt alone, the day counts all three', async () => {
    const { db } = await storeOf(LINES);
    const doc = await json(db, ['cost', ...DAY], 0);
    expect(doc.days.map((d: any) => [d.date, d.updates])).toEqual([['2025-11-04', 3]]);
    expect(Object.fromEntries(doc.by_stock.map((s: any) => [s.stock_code, s.updates_per_day]))).toEqual({ '000660': 0, '005930': 0, '035720': 1 });
  });

  it('stays in flight while the log ends less than 30 minutes after it, however many lines follow', async () => {
    const { db } = await storeOf([attempt('2025-11-04 10:00:00,000', '005930', FORCED), noise('2025-11-04 10:10:00,000'), noise('2025-11-04 10:29:59,999')]);
    const doc = await json(db, ['stats', ...DAY], 0);
    expect([doc.total_updates, doc.succeeded, doc.failed, doc.in_flight]).toEqual([1, 0, 0, 1]);
  });
});
