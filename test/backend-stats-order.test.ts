/**
 * `stats --source backend`'s reasons, most frequent first (cli-contract.md: the admin query's view),
 * and its table's two sections, each under its heading with one bar per reason or phase.
 */
import { describe, expect, it } from 'vitest';
import type { SummaryRow } from '../src/backend/database.js';
import { backendStats, renderBackendStats } from '../src/backend/stats.js';
import { windowOf } from '../src/market/time.js';

const NOV_12 = windowOf(1, '2025-11-12');
const row = (stock_code: string, reason: string): SummaryRow => ({ stock_code, last_updated: '2025-11-12 10:00:00.000', last_update_reason: reason, last_market_phase: 'trading' });

describe('the reasons of the rows in the window', () => {
  // new_prediction comes first in the list of reasons, but forced has more rows.
  const rows = [row('000001', 'new_prediction'), row('000002', 'forced'), row('000003', 'forced'), row('000004', 'forced'), row('000005', 'price_move')];
  const doc = backendStats(rows, NOV_12, 'Asia/Seoul');

  it('are listed most frequent first, equal counts in the order of the reasons', () => {
    expect(doc.update_reasons.map((r) => [r.reason, r.count])).toEqual([
      ['forced', 3],
      ['new_prediction', 1],
      ['price_move', 1],
    ]);
  });

  it('are printed under "Update reasons", each with its label, its count and a bar, and the phases under "Market phases"', () => {
    const lines = renderBackendStats(doc, NOV_12, false).split('\n');
    const reasons = lines.findIndex((l) => l.includes('Update reasons'));
    const phases = lines.findIndex((l) => l.includes('Market phases'));
    expect(reasons).toBeGreaterThan(0);
    expect(phases).toBeGreaterThan(reasons);
    // A blank line before each heading.
    expect([lines[reasons - 1], lines[phases - 1]]).toEqual(['', '']);
    expect(lines.slice(reasons + 1, phases - 1).map((l) => l.replace(/\s+/g, ' ').trim())).toEqual([
      expect.stringMatching(/^forced 강제 업데이트 또는 리포트 없음 3( |$)/),
      expect.stringMatching(/^new_prediction 새 예측 추가 1( |$)/),
      expect.stringMatching(/^price_move 주가 급변 1( |$)/),
    ]);
    expect(lines.slice(phases + 1).map((l) => l.replace(/\s+/g, ' ').trim())).toEqual([
      expect.stringMatching(/^pre_market 0( |$)/),
      expect.stringMatching(/^market_open 0( |$)/),
      expect.stringMatching(/^trading 5( |$)/),
      expect.stringMatching(/^market_close 0( |$)/),
      expect.stringMatching(/^after_hours 0( |$)/),
    ]);
  });
});
