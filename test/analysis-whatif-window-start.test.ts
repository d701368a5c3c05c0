/**
 * What the what-if knows at the window's start (cli-contract.md, whatif): each stock's report state
 * is its latest completion before the window (the day before's, not an older one), and with
 * `--fix-prediction-cap` the window's first trigger 2 is compared with the stock's previous one,
 * which happened the day before.
 */
import { describe, expect, it } from 'vitest';
import { attempt, FORCED, json, newPredictionReason, skip, storeOf, succeeded } from './support/analysis-log.js';

const whatif = (db: string, args: string[]) => json(db, ['whatif', '--days', '1', '--until', '2025-11-05', ...args], 0);

describe('the report state at the window start', () => {
  it("is the latest completion before it: a skip 2.0 h after the day before's 23:00 completion stays a skip under a 2.5 h TTL", async () => {
    const { db } = await storeOf([
      attempt('2025-11-03 10:00:00,000', '005930', FORCED),
      succeeded('2025-11-03 10:00:30,000', '005930'),
      attempt('2025-11-04 23:00:00,000', '005930', FORCED),
      succeeded('2025-11-04 23:00:30,000', '005930'),
      skip('2025-11-05 01:00:30,000', '005930', 'pre_market', '2.0', 3),
    ]);
    const doc = await whatif(db, ['--set', 'pre_market.ttlHours=2.5']);
    // Replayed age 01:00:30 − 23:00:30 = 2.0 h < 2.5 h: no TTL update (the 2025-11-03 completion would make it 39 h).
    expect(doc.actual.attempts).toBe(0);
    expect(doc.whatif.attempts).toBe(0);
  });
});

describe('--fix-prediction-cap at the window start', () => {
  it("compares the window's first trigger 2 with the stock's trigger 2 of the day before", async () => {
    const { db } = await storeOf([
      attempt('2025-11-04 23:00:00,000', '000660', newPredictionReason(20, 72, 'after_hours')),
      succeeded('2025-11-04 23:00:30,000', '000660'),
      attempt('2025-11-05 00:30:00,000', '000660', newPredictionReason(20, 72, 'pre_market')),
      succeeded('2025-11-05 00:30:30,000', '000660'),
    ]);
    const doc = await whatif(db, ['--fix-prediction-cap']);
    // 00:30 repeats 기존 20, 현재 72: the cap defect. Fixed, the TTL decides: 1.5 h < 3 h (pre_market), no update.
    expect(doc.actual.attempts).toBe(1);
    expect(doc.whatif.attempts).toBe(0);
  });
});
