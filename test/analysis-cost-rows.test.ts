/**
 * `cost --json` rows (cli-contract.md): a day's `updates` counts every attempt that started that
 * day; a stock's `updates_per_day` counts only its succeeded attempts, over the window's days.
 */
import { describe, expect, it } from 'vitest';
import { attempt, failed, FORCED, json, llmCost, storeOf, succeeded } from './support/analysis-log.js';

describe('cost rows', () => {
  it('one succeeded, one failed and one in-flight update over 2 days: 3 updates that day, 0.5 succeeded per day', async () => {
    const { db } = await storeOf([
      attempt('2025-11-04 10:00:00,000', '005930', FORCED),
      llmCost('2025-11-04 10:00:01,000', '005930', 'trading', FORCED),
      succeeded('2025-11-04 10:00:30,000', '005930'),
      attempt('2025-11-04 11:00:00,000', '005930', FORCED),
      llmCost('2025-11-04 11:00:01,000', '005930', 'trading', FORCED),
      failed('2025-11-04 11:00:30,000', '005930'),
      // In flight: the log ends 10 minutes after it started.
      attempt('2025-11-04 12:00:00,000', '005930', FORCED),
      llmCost('2025-11-04 12:10:00,000', '005930', 'trading', FORCED),
    ]);
    const doc = await json(db, ['cost', '--days', '2', '--until', '2025-11-05'], 0);
    expect(doc.days).toEqual([
      { date: '2025-11-04', calls: 3, cost_usd: 0.003, updates: 3 },
      { date: '2025-11-05', calls: 0, cost_usd: 0, updates: 0 },
    ]);
    expect(doc.by_stock).toEqual([{ stock_code: '005930', calls: 3, cost_usd: 0.003, updates_per_day: 0.5 }]);
  });
});
