/**
 * The mean report age over a whole window (whatif's avg_freshness_hours, the report's): measured
 * up to the window's end, so a completion after it — an attempt begun before the end that
 * completes after — does not reach back into the window.
 */
import { describe, expect, it } from 'vitest';
import { computeWhatIf } from '../src/analysis/whatif-read.js';
import { DEFAULT_RULES } from '../src/market/rules.js';
import { windowOf } from '../src/market/time.js';
import { openStore } from '../src/store/store.js';
import { attempt, FORCED, storeOf, succeeded } from './support/analysis-log.js';

describe("a window's mean report age", () => {
  it('ends at the window’s end, whatever completes after it', async () => {
    // 005930 completes at 12:00 and is 12 h old at midnight: its mean age over the day is 6 h. The
    // attempt of 23:59:50 completes at 00:00:20 the next day (6.0056 h if that counted).
    const { db } = await storeOf([
      attempt('2025-11-04 11:59:50,000', '005930', FORCED),
      succeeded('2025-11-04 12:00:00,000', '005930'),
      attempt('2025-11-04 23:59:50,000', '005930', FORCED),
      succeeded('2025-11-05 00:00:20,000', '005930'),
      attempt('2025-11-05 00:10:00,000', '000660', FORCED),
    ]);
    const store = await openStore(db);
    try {
      const doc = await computeWhatIf(store.db, windowOf(1, '2025-11-04'), { rules: DEFAULT_RULES, actualRules: DEFAULT_RULES, fixPredictionCap: true, pricePerCall: null });
      expect(doc.actual.avg_freshness_hours).toBe(6);
      expect(doc.days[0].actual.avg_freshness_hours).toBe(6);
    } finally {
      await store.close();
    }
  });
});
