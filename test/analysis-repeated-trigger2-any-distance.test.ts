/**
 * A trigger 2 is compared with the stock's previous `new_prediction` attempt however long before
 * it came (cli-contract.md: `repeated_new_prediction`, and `whatif --fix-prediction-cap`): over a
 * weekend, Monday's first trigger 2 is compared with Friday's. Each host's log is its own sequence.
 */
import { describe, expect, it } from 'vitest';
import { attempt, FORCED, fleetStoreOf, json, newPredictionReason, storeOf, succeeded } from './support/analysis-log.js';

// Friday 2025-11-07 and Monday 2025-11-10: the predictions did not change over the weekend
// (기존 20 is the backend's cap), and a forced update came in between.
const WEEKEND = [
  attempt('2025-11-07 08:00:00,000', '000660', newPredictionReason(20, 72, 'pre_market')),
  succeeded('2025-11-07 08:00:05,000', '000660'),
  attempt('2025-11-08 12:00:00,000', '000660', FORCED),
  succeeded('2025-11-08 12:00:05,000', '000660'),
  attempt('2025-11-10 08:00:00,000', '000660', newPredictionReason(20, 72, 'pre_market')),
  succeeded('2025-11-10 08:00:05,000', '000660'),
];
const MONDAY = ['--days', '1', '--until', '2025-11-10'];

describe('a trigger 2 compared with the previous one three days before', () => {
  it('is a repeated_new_prediction on Monday', async () => {
    const { db } = await storeOf(WEEKEND);
    const doc = await json(db, ['anomalies', ...MONDAY], 1);
    expect(doc.anomalies.map((a: any) => [a.kind, a.stock_code, a.first_ts, a.count])).toEqual([['repeated_new_prediction', '000660', '2025-11-10T08:00:00+09:00', 1]]);
  });

  it('is dropped by whatif --fix-prediction-cap, exactly', async () => {
    const { db } = await storeOf(WEEKEND);
    const doc = await json(db, ['whatif', ...MONDAY, '--fix-prediction-cap'], 0);
    expect(doc.exact).toBe(true);
    expect(doc.actual.by_reason.new_prediction).toBe(1);
    expect(doc.whatif.by_reason.new_prediction).toBe(0);
  });

  it('is not when the numbers changed, nor against another host’s trigger 2', async () => {
    const changed = [...WEEKEND];
    changed[4] = attempt('2025-11-10 08:00:00,000', '000660', newPredictionReason(20, 75, 'pre_market'));
    const { db } = await storeOf(changed);
    expect((await json(db, ['anomalies', ...MONDAY], 0)).anomalies).toEqual([]);

    const fleet = await fleetStoreOf({ a: WEEKEND.slice(0, 4), b: WEEKEND.slice(4) });
    expect((await json(fleet, ['anomalies', ...MONDAY], 0)).anomalies).toEqual([]);
    expect((await json(fleet, ['whatif', ...MONDAY, '--fix-prediction-cap'], 0)).whatif.by_reason.new_prediction).toBe(1);
  });
});
