/**
 * `stats --json` avg_interval_hours (cli-contract.md): per stock, the gaps between consecutive
 * completion times of its succeeded attempts — in the order of the completions, which across hosts
 * need not be the order in which the attempts started.
 */
import { describe, expect, it } from 'vitest';
import { attempt, fleetStoreOf, FORCED, json, succeeded } from './support/analysis-log.js';

describe('avg_interval_hours across hosts', () => {
  it('orders completions by time: web-1 starts first and completes last, 18 minutes after web-2', async () => {
    // web-1: 10:00 → 10:30. web-2: 10:10 → 10:12. Completions 10:12 and 10:30: one gap of 0.3 h.
    const db = await fleetStoreOf({
      'web-1': [attempt('2025-11-04 10:00:00,000', '005930', FORCED), succeeded('2025-11-04 10:30:00,000', '005930')],
      'web-2': [attempt('2025-11-04 10:10:00,000', '005930', FORCED), succeeded('2025-11-04 10:12:00,000', '005930')],
    });
    const doc = await json(db, ['stats', '--days', '1', '--until', '2025-11-04'], 0);
    expect(doc.avg_interval_hours).toEqual({ overall: 0.3, by_stock: { '005930': 0.3 } });
  });
});
