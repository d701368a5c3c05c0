/**
 * verify week's words: each check's expectation and each day's detail are what a person reads in
 * the table, the JSON and the JUnit report (cli-contract.md, `verify week`). A day with two stocks:
 * 005930 succeeds at 09:00 and 11:00, 000660 fails at 10:00 and starts again at 23:50, still in
 * flight when the log ends there (under 30 minutes: not abandoned).
 */
import { describe, expect, it } from 'vitest';
import { attempt, failed, FORCED, json, llmCost, storeOf, succeeded, ttlReason } from './support/analysis-log.js';

const LOG = [
  attempt('2025-11-04 09:00:00,000', '005930', FORCED),
  llmCost('2025-11-04 09:00:00,010', '005930', 'market_open', FORCED),
  succeeded('2025-11-04 09:00:10,000', '005930'),
  attempt('2025-11-04 10:00:00,000', '000660', FORCED),
  llmCost('2025-11-04 10:00:00,010', '000660', 'trading', FORCED),
  failed('2025-11-04 10:00:10,000', '000660'),
  attempt('2025-11-04 11:00:00,000', '005930', ttlReason('trading', '2.0', 2)),
  llmCost('2025-11-04 11:00:00,010', '005930', 'trading', ttlReason('trading', '2.0', 2)),
  succeeded('2025-11-04 11:00:10,000', '005930'),
  attempt('2025-11-04 23:50:00,000', '000660', FORCED),
  llmCost('2025-11-04 23:50:00,000', '000660', 'after_hours', FORCED),
];

describe('verify week, in words', () => {
  it('states each expectation from the config, and each day what was counted', async () => {
    const { db } = await storeOf(LOG);
    const doc = await json(db, ['verify', 'week', '--from', '2025-11-04'], 1);
    const check = (id: string) => doc.checks.find((c: { id: string }) => c.id === id);
    // The defaults of the contract's `week` config.
    expect(doc.checks.map((c: { id: string; expectation: string }) => [c.id, c.expectation])).toEqual([
      ['daily_updates_per_stock', '5 ≤ succeeded updates per stock seen ≤ 10'],
      ['success_rate', 'success rate > 0.95'],
      ['llm_calls_per_day', '5·n ≤ LLM calls ≤ 10·n (n = stocks seen)'],
      ['avg_freshness_hours', 'time-weighted mean report age < 3h'],
    ]);
    const first = (id: string) => check(id).days[0];
    // Two stocks seen (by their attempts), two succeeded updates.
    expect(first('daily_updates_per_stock')).toMatchObject({ date: '2025-11-04', value: 1, detail: '2 succeeded updates / 2 stocks seen' });
    // The 23:50 attempt is neither succeeded nor failed.
    expect(first('success_rate')).toMatchObject({ value: 0.6667, detail: '2 succeeded / 3 decided, 1 in flight not counted' });
    expect(first('llm_calls_per_day')).toMatchObject({ value: 4, detail: '4 calls (llm_cost_lines); n = 2: 10–20' });
    // Only 005930 has a report age (000660 never completed); measured until the log end.
    expect(first('avg_freshness_hours').detail).toBe('over 1 stock, until 2025-11-04T23:50:00+09:00');
    // The next day the log has ended: no decisions, and no age to measure.
    const second = (id: string) => check(id).days[1];
    expect(second('daily_updates_per_stock')).toMatchObject({ date: '2025-11-05', value: null, status: 'no_data', detail: 'no decisions this day' });
    expect(second('avg_freshness_hours')).toMatchObject({ value: null, status: 'no_data', detail: 'the log ends before this day' });
  });

  it('counts one of a kind in the singular', async () => {
    const { db } = await storeOf(LOG.slice(0, 3));
    const doc = await json(db, ['verify', 'week', '--from', '2025-11-04'], 1);
    const first = (id: string) => doc.checks.find((c: { id: string }) => c.id === id).days[0];
    expect(first('daily_updates_per_stock').detail).toBe('1 succeeded update / 1 stock seen');
    expect(first('success_rate').detail).toBe('1 succeeded / 1 decided');
    expect(first('llm_calls_per_day').detail).toBe('1 call (llm_cost_lines); n = 1: 5–10');
  });
});

describe('verify week across midnight', () => {
  it('restarts a report age at each completion in time order, even when a longer generation started first', async () => {
    // 000660 and 005930 complete at 12:00:10. Then 000660 starts at 23:58 and completes at 00:02
    // the next day; 005930 starts later, at 23:59, and completes first, at 23:59:10. Its report is
    // 50 s old at midnight: the day's mean age over both stocks is
    // (11.9972² / 2 + 11.9833² / 2 + 0.0139² / 2) / (11.9972 + 11.9833 + 0.0139) = 5.9917 h
    // (5.9986 h if the 23:59:10 completion were missed).
    const { db } = await storeOf([
      attempt('2025-11-04 12:00:00,000', '000660', FORCED),
      attempt('2025-11-04 12:00:00,000', '005930', FORCED),
      succeeded('2025-11-04 12:00:10,000', '000660'),
      succeeded('2025-11-04 12:00:10,000', '005930'),
      attempt('2025-11-04 23:58:00,000', '000660', FORCED),
      attempt('2025-11-04 23:59:00,000', '005930', FORCED),
      succeeded('2025-11-04 23:59:10,000', '005930'),
      succeeded('2025-11-05 00:02:00,000', '000660'),
      attempt('2025-11-05 00:10:00,000', '035720', FORCED),
    ]);
    const doc = await json(db, ['verify', 'week', '--from', '2025-11-04'], 1);
    const freshness = doc.checks.find((c: { id: string }) => c.id === 'avg_freshness_hours');
    expect(freshness.days[0]).toMatchObject({ date: '2025-11-04', value: 5.9917, detail: 'over 2 stocks, until 2025-11-05T00:00:00+09:00' });
  });
});
