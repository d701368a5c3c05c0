/**
 * The order of `cost` and `stats` rows, and `cost --month` once the month is over: survivors of
 * the mutation run of cost.ts and stats.ts. Stocks appear in the log in the opposite order of
 * what they are sorted by, so an unsorted list would show.
 */
import { describe, expect, it } from 'vitest';
import { attempt, FORCED, json, llmCost, storeOf, succeeded } from './support/analysis-log.js';

/** 000660 first, once; then 005930 three times: two completions each, 000660 more than an hour apart. */
const LOG = [
  attempt('2025-11-04 09:00:00,000', '000660', FORCED),
  llmCost('2025-11-04 09:00:00,010', '000660', 'market_open', FORCED),
  succeeded('2025-11-04 09:00:10,000', '000660'),
  ...['10', '11', '12'].flatMap((h) => [
    attempt(`2025-11-04 ${h}:00:00,000`, '005930', FORCED),
    llmCost(`2025-11-04 ${h}:00:00,010`, '005930', 'trading', FORCED),
    succeeded(`2025-11-04 ${h}:00:10,000`, '005930'),
  ]),
  attempt('2025-11-04 14:00:00,000', '000660', FORCED),
  succeeded('2025-11-04 14:00:10,000', '000660'),
];

describe('rows in a stable order', () => {
  it('cost lists stocks by calls, most first', async () => {
    const { db } = await storeOf(LOG);
    const doc = await json(db, ['cost', '--days', '1', '--until', '2025-11-04'], 0);
    expect(doc.by_stock.map((s: { stock_code: string; calls: number }) => [s.stock_code, s.calls])).toEqual([
      ['005930', 3],
      ['000660', 1],
    ]);
  });

  it("stats gives each stock's interval in code order, whatever order the stocks completed in", async () => {
    const { db } = await storeOf([...LOG.slice(3), ...LOG.slice(0, 3).map((l) => l.replace(' 09:', ' 13:'))]);
    const doc = await json(db, ['stats', '--days', '1', '--until', '2025-11-04'], 0);
    // 005930 completes first (10:00:10), 000660 later (13:00:10 and 14:00:10).
    expect(Object.entries(doc.avg_interval_hours.by_stock)).toEqual([
      ['000660', 1],
      ['005930', 1],
    ]);
  });
});

describe('cost --month of a month that is over', () => {
  it('projects the month to its own total', async () => {
    const { db } = await storeOf(LOG);
    // Four calls at $0.001 in November; asked on December 15th, the projection is the total.
    const doc = await json(db, ['cost', '--month', '2025-11'], 0, Date.parse('2025-12-15T12:00:00+09:00'));
    expect(doc.total_cost_usd).toBe(0.004);
    expect(doc.projected_month_cost_usd).toBe(0.004);
  });
});
