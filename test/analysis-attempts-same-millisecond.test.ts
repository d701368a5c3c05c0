/**
 * Records in one millisecond (cli-contract.md, Attempt, Outcome, LLM calls): the log's own order
 * decides. Attempts of one time are listed in log order; a stock's records after its second attempt
 * of a millisecond are that attempt's, and so is an [LLM_COST] line of the same millisecond written
 * after it, worth two calls when that attempt generated in A/B mode — in `attempts`, `cost` and the
 * what-if alike.
 */
import { describe, expect, it } from 'vitest';
import { abGeneration, attempt, FORCED, json, llmCost, newPredictionReason, storeOf, succeeded } from './support/analysis-log.js';

const DAY = ['--days', '1', '--until', '2025-11-04'];

describe('attempts in one millisecond', () => {
  it('are listed in log order, whatever their stock codes', async () => {
    const { db } = await storeOf([
      attempt('2025-11-04 10:00:00,000', '035720', FORCED),
      attempt('2025-11-04 10:00:00,000', '000660', FORCED),
      attempt('2025-11-04 10:00:00,000', '005930', FORCED),
      succeeded('2025-11-04 10:00:30,000', '000660'),
      succeeded('2025-11-04 10:00:31,000', '005930'),
      succeeded('2025-11-04 10:00:32,000', '035720'),
    ]);
    const doc = await json(db, ['attempts', ...DAY], 0);
    expect(doc.attempts.map((a: any) => [a.stock_code, a.duration_s])).toEqual([
      ['035720', 32],
      ['000660', 30],
      ['005930', 31],
    ]);
  });

  it("of one stock: the second owns the records after it, an [LLM_COST] line of that millisecond included", async () => {
    const { db } = await storeOf([
      attempt('2025-11-04 10:00:00,000', '005930', FORCED),
      attempt('2025-11-04 10:00:00,000', '005930', newPredictionReason(5, 6, 'trading')),
      llmCost('2025-11-04 10:00:00,000', '005930', 'trading', newPredictionReason(5, 6, 'trading')),
      abGeneration('2025-11-04 10:00:01,000', '005930'),
      succeeded('2025-11-04 10:00:30,000', '005930'),
    ]);
    const doc = await json(db, ['attempts', ...DAY], 0);
    // The first has no record of its own: in flight (the log ends 30 s later), no calls (its span ends
    // where the second begins). The second succeeded, A/B: its line is worth two calls.
    expect(doc.attempts.map((a: any) => [a.reason, a.outcome, a.duration_s, a.llm_calls])).toEqual([
      ['forced', 'in_flight', null, 0],
      ['new_prediction', 'succeeded', 30, 2],
    ]);
    const cost = await json(db, ['cost', ...DAY], 0);
    expect([cost.calls_source, cost.total_calls]).toEqual(['llm_cost_lines', 2]);
    const whatif = await json(db, ['whatif', ...DAY, '--set', 'trading.ttlHours=2'], 0);
    expect(whatif.actual.llm_calls).toBe(2);
  });

  it("of one stock: an outcome record in the next attempt's millisecond belongs to the attempt it follows in the log", async () => {
    const before = await json(
      (
        await storeOf([
          attempt('2025-11-04 10:00:00,000', '005930', FORCED),
          // Written before the next attempt, in its millisecond: the first attempt's success.
          succeeded('2025-11-04 10:05:00,000', '005930'),
          attempt('2025-11-04 10:05:00,000', '005930', FORCED),
          succeeded('2025-11-04 10:05:30,000', '005930'),
        ])
      ).db,
      ['attempts', ...DAY],
      0,
    );
    expect(before.attempts.map((a: any) => [a.ts, a.outcome, a.duration_s])).toEqual([
      ['2025-11-04T10:00:00+09:00', 'succeeded', 300],
      ['2025-11-04T10:05:00+09:00', 'succeeded', 30],
    ]);
    const after = await json(
      (
        await storeOf([
          attempt('2025-11-04 10:00:00,000', '005930', FORCED),
          attempt('2025-11-04 10:05:00,000', '005930', FORCED),
          // Written after the next attempt, in its millisecond: the next attempt's (0 s); the first has none.
          succeeded('2025-11-04 10:05:00,000', '005930'),
        ])
      ).db,
      ['attempts', ...DAY],
      0,
    );
    // The log ends 5 minutes after the first: in flight, not abandoned.
    expect(after.attempts.map((a: any) => [a.ts, a.outcome, a.duration_s])).toEqual([
      ['2025-11-04T10:00:00+09:00', 'in_flight', null],
      ['2025-11-04T10:05:00+09:00', 'succeeded', 0],
    ]);
  });
});

