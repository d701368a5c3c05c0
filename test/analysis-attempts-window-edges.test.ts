/**
 * The window's edges at KST midnight (cli-contract.md, Conventions and Definitions): a decision or a
 * call belongs to a window by its own time, from the first day's 00:00:00.000 (inclusive) to the
 * day after the last's 00:00:00.000 (exclusive). Every reader of the store agrees: attempts, stats,
 * cost and its calls, verify day1's skips, anomalies' late skips and phase mismatches, the what-if.
 */
import { describe, expect, it } from 'vitest';
import { attempt, FORCED, generation, json, llmCost, newPredictionReason, skip, storeOf, succeeded } from './support/analysis-log.js';

const DAY = ['--days', '1', '--until', '2025-11-04'];
// The window of 2025-11-04: [2025-11-04T00:00:00.000+09:00, 2025-11-05T00:00:00.000+09:00).
const BEFORE = '2025-11-03 23:59:59,999';
const FIRST = '2025-11-04 00:00:00,000';
const LAST = '2025-11-04 23:59:59,999';
const AFTER = '2025-11-05 00:00:00,000';

describe("an attempt at the window's edge", () => {
  const lines = [
    attempt(BEFORE, '000010', FORCED),
    succeeded('2025-11-04 00:00:10,000', '000010'),
    attempt(FIRST, '000020', FORCED),
    succeeded('2025-11-04 00:00:10,000', '000020'),
    attempt(LAST, '000030', FORCED),
    succeeded('2025-11-05 00:00:10,000', '000030'),
    attempt(AFTER, '000040', FORCED),
    succeeded('2025-11-05 00:00:10,000', '000040'),
  ];

  it("is in it from the first day's first millisecond to the last day's last", async () => {
    const { db } = await storeOf(lines);
    const attempts = (await json(db, ['attempts', ...DAY], 0)).attempts;
    expect(attempts.map((a: any) => [a.ts, a.stock_code])).toEqual([
      ['2025-11-04T00:00:00+09:00', '000020'],
      ['2025-11-04T23:59:59.999+09:00', '000030'],
    ]);
    const stats = await json(db, ['stats', ...DAY], 0);
    expect([stats.total_updates, stats.succeeded]).toEqual([2, 2]);
    expect(stats.by_stock.map((s: any) => s.stock_code)).toEqual(['000020', '000030']);
    const cost = await json(db, ['cost', ...DAY], 0);
    expect(cost.days.map((d: any) => d.updates)).toEqual([2]);
    expect(cost.by_stock.map((s: any) => [s.stock_code, s.updates_per_day])).toEqual([
      ['000020', 1],
      ['000030', 1],
    ]);
    const whatif = await json(db, ['whatif', ...DAY, '--set', 'trading.ttlHours=2'], 0);
    expect([whatif.actual.attempts, whatif.whatif.attempts]).toEqual([2, 2]);
  });
});

describe("an LLM call at the window's edge", () => {
  it('is counted from [LLM_COST] lines dated from the first millisecond to the last', async () => {
    const { db } = await storeOf([
      attempt(BEFORE, '000010', FORCED),
      llmCost(BEFORE, '000010', 'after_hours', FORCED),
      llmCost(FIRST, '000010', 'pre_market', FORCED),
      llmCost(LAST, '000010', 'after_hours', FORCED),
      llmCost(AFTER, '000010', 'pre_market', FORCED),
    ]);
    const cost = await json(db, ['cost', ...DAY], 0);
    expect([cost.calls_source, cost.total_calls]).toEqual(['llm_cost_lines', 2]);
  });

  it('is counted from generation lines the same way when the window has no [LLM_COST] line', async () => {
    const { db } = await storeOf([
      attempt(BEFORE, '000010', FORCED),
      generation(BEFORE, '000010'),
      generation(FIRST, '000010'),
      generation(LAST, '000010'),
      generation(AFTER, '000010'),
    ]);
    const cost = await json(db, ['cost', ...DAY], 0);
    expect([cost.calls_source, cost.total_calls]).toEqual(['generation_lines', 2]);
  });
});

describe("a skip at the window's edge", () => {
  it('is evidence or a violation of verify day1 from the first millisecond to the last', async () => {
    const { db } = await storeOf([
      // A pre-market update gives the day a succeeded new_prediction attempt (pre_market_news passes).
      attempt('2025-11-04 08:00:00,000', '005930', newPredictionReason(5, 6, 'pre_market')),
      succeeded('2025-11-04 08:00:30,000', '005930'),
      // after_hours_quiet: quiet skips (age < 6 h) of the day's last millisecond count, the day before's do not.
      skip(BEFORE, '000010', 'after_hours', '1.0', 6),
      skip(LAST, '000010', 'after_hours', '1.0', 6),
      // pre_market: a skip past the 3 h TTL at the day's first millisecond breaks the rule; the next day's does not count.
      skip(FIRST, '000020', 'pre_market', '3.5', 3),
      skip(AFTER, '000020', 'pre_market', '3.5', 3),
    ]);
    const doc = await json(db, ['verify', 'day1', '--date', '2025-11-04'], 1);
    const check = (id: string) => doc.checks.find((c: any) => c.id === id);
    expect([check('after_hours_quiet').status, check('after_hours_quiet').evidence_count]).toEqual(['pass', 1]);
    expect(check('pre_market_news').violations.map((v: any) => [v.ts, v.stock_code])).toEqual([['2025-11-04T00:00:00+09:00', '000020']]);
  });

  it("is a rule violation or a phase mismatch of anomalies from the first millisecond to the last", async () => {
    const { db } = await storeOf([
      // Past their phase's TTL: only the two inside the window are violations.
      skip(BEFORE, '000010', 'after_hours', '6.5', 6),
      skip(FIRST, '000010', 'pre_market', '3.5', 3),
      skip(LAST, '000010', 'after_hours', '6.5', 6),
      skip(AFTER, '000010', 'pre_market', '3.5', 3),
      // Naming trading at midnight: a phase mismatch, counted inside the window only.
      skip(BEFORE, '000020', 'trading', '0.5', 2),
      skip(FIRST, '000020', 'trading', '0.5', 2),
      skip(LAST, '000020', 'trading', '0.5', 2),
      skip(AFTER, '000020', 'trading', '0.5', 2),
    ]);
    const doc = await json(db, ['anomalies', ...DAY], 1);
    const of = (kind: string) => doc.anomalies.filter((a: any) => a.kind === kind).map((a: any) => [a.stock_code, a.first_ts, a.last_ts, a.count]);
    expect(of('rule_violation')).toEqual([['000010', '2025-11-04T00:00:00+09:00', '2025-11-04T23:59:59.999+09:00', 2]]);
    expect(of('phase_mismatch').map((a: any) => [a[1], a[2], a[3]])).toEqual([['2025-11-04T00:00:00+09:00', '2025-11-04T23:59:59.999+09:00', 2]]);
  });
});

describe("the what-if's trigger 2 before the window", () => {
  it("is compared with --fix-prediction-cap when it began exactly a day before the window's start", async () => {
    const { db } = await storeOf([
      attempt('2025-11-03 00:00:00,000', '000660', newPredictionReason(20, 72, 'pre_market')),
      succeeded('2025-11-03 00:00:30,000', '000660'),
      attempt('2025-11-03 23:00:00,000', '000660', FORCED),
      succeeded('2025-11-03 23:00:30,000', '000660'),
      attempt('2025-11-04 00:30:00,000', '000660', newPredictionReason(20, 72, 'pre_market')),
      succeeded('2025-11-04 00:30:30,000', '000660'),
    ]);
    const doc = await json(db, ['whatif', ...DAY, '--fix-prediction-cap'], 0);
    // 00:30 repeats the previous trigger 2's 기존 20, 현재 72 (the cap defect). Fixed, the TTL decides:
    // 1.5 h since the 23:00:30 completion < 3 h (pre_market): no update.
    expect([doc.actual.attempts, doc.whatif.attempts]).toEqual([1, 0]);
  });
});
