/**
 * `stats --source backend` at its edges (cli-contract.md): a row counts when its `last_updated`
 * falls in the window `[from, until)`, read in `--db-tz`; its reason is the category of
 * `last_update_reason` (the log's full text or a category name), `unfilled` counts rows with
 * neither a reason nor a phase, `unknown_phase` rows whose phase is empty or no phase name. Worked on rows given directly,
 * so no database is needed; test/pg-backend.test.ts runs the same through PostgreSQL.
 */
import { describe, expect, it } from 'vitest';
import type { SummaryRow } from '../src/backend/database.js';
import { backendStats, backendStatsOutput, renderBackendStats } from '../src/backend/stats.js';
import { UsageError } from '../src/errors.js';
import { parseWindow } from '../src/market/window.js';
import { windowOf } from '../src/market/time.js';

const row = (stock_code: string, last_updated: SummaryRow['last_updated'], reason: string | null, phase: string | null): SummaryRow => ({
  stock_code,
  last_updated,
  last_update_reason: reason,
  last_market_phase: phase,
});
const NOV_12 = windowOf(1, '2025-11-12');
const TTL = '시장 단계별 TTL 초과 (trading: 2.3h > 2h)';

describe('the rows of the window', () => {
  it('counts a row at the window’s first millisecond and not one at its exclusive end', () => {
    const rows = [
      row('000001', '2025-11-11 23:59:59.999', TTL, 'after_hours'),
      row('000002', '2025-11-12 00:00:00.000', TTL, 'pre_market'),
      row('000003', '2025-11-12 23:59:59.999', TTL, 'after_hours'),
      row('000004', '2025-11-13 00:00:00.000', TTL, 'pre_market'),
      row('000005', null, TTL, 'trading'),
    ];
    const doc = backendStats(rows, NOV_12, 'Asia/Seoul');
    expect(doc).toMatchObject({ stocks_updated: 2, market_phases: { pre_market: 1, market_open: 0, trading: 0, market_close: 0, after_hours: 1 } });
  });

  it('reads last_updated in --db-tz: 15:00 UTC on Nov 11 is midnight KST on Nov 12', () => {
    const rows = [row('000001', '2025-11-11 14:59:59.999', TTL, 'trading'), row('000002', '2025-11-11 15:00:00.000', TTL, 'trading')];
    expect(backendStats(rows, NOV_12, 'UTC').stocks_updated).toBe(1);
    expect(backendStats(rows, NOV_12, 'Asia/Seoul').stocks_updated).toBe(0);
  });

  it('states the window: its length in days and its bounds in KST', () => {
    const doc = backendStats([], windowOf(3, '2025-11-12'), 'Asia/Seoul');
    expect(doc).toEqual({
      source: 'backend',
      period_days: 3,
      from: '2025-11-10T00:00:00+09:00',
      until: '2025-11-13T00:00:00+09:00',
      stocks_updated: 0,
      update_reasons: [],
      market_phases: { pre_market: 0, market_open: 0, trading: 0, market_close: 0, after_hours: 0 },
      unknown_phase: 0,
      unfilled: 0,
      by_reason_text: [],
    });
    // A window of times: a fraction of a day, rounded to four places (90 min = 0.0625 d; 10 min = 0.0069).
    const now = Date.parse('2025-11-12T14:00:00+09:00');
    expect(backendStats([], parseWindow({ since: '90m' }, now, 7), 'Asia/Seoul').period_days).toBe(0.0625);
    expect(backendStats([], parseWindow({ since: '10m' }, now, 7), 'Asia/Seoul').period_days).toBe(0.0069);
  });
});

describe('reasons and phases of the rows in the window', () => {
  const rows = [
    row('000001', '2025-11-12 10:00:00.000', TTL, 'trading'),
    row('000002', '2025-11-12 10:00:00.000', `  ${TTL}  `, ' trading '),
    row('000003', '2025-11-12 10:00:00.000', 'price_move', 'market_open'),
    row('000004', '2025-11-12 10:00:00.000', '주가 급변 (3.4%, 임계값: 3.0%, 시장: trading)', 'Trading'),
    row('000005', '2025-11-12 10:00:00.000', '  ', ''),
    row('000006', '2025-11-12 10:00:00.000', null, null),
    row('000007', '2025-11-12 10:00:00.000', '알 수 없는 사유', 'closed'),
    row('000008', '2025-11-12 10:00:00.000', ' forced ', 'after_hours'),
  ];
  const doc = backendStats(rows, NOV_12, 'Asia/Seoul');

  it('takes a category name as it is and a log text by its start, spaces trimmed; blank is unfilled', () => {
    expect(doc.stocks_updated).toBe(8);
    expect(doc.unfilled).toBe(2);
    // Largest first; equal counts in the contract's order of reasons.
    expect(doc.update_reasons).toEqual([
      { reason: 'ttl_expired', label: '시장 단계별 TTL 초과', count: 2 },
      { reason: 'price_move', label: '주가 급변', count: 2 },
      { reason: 'forced', label: '강제 업데이트 또는 리포트 없음', count: 1 },
      { reason: 'other', label: '기타', count: 1 },
    ]);
  });

  it('counts a phase by its exact name, spaces trimmed; an empty, unknown or differently written one is unknown', () => {
    expect(doc.market_phases).toEqual({ pre_market: 0, market_open: 1, trading: 2, market_close: 0, after_hours: 1 });
    expect(doc.unknown_phase).toBe(4);
  });

  it('groups by the exact reason text as the admin query does: largest first, then by text', () => {
    expect(doc.by_reason_text).toEqual([
      { text: TTL, reason: 'ttl_expired', count: 2 },
      { text: 'forced', reason: 'forced', count: 1 },
      { text: 'price_move', reason: 'price_move', count: 1 },
      { text: '알 수 없는 사유', reason: 'other', count: 1 },
      { text: '주가 급변 (3.4%, 임계값: 3.0%, 시장: trading)', reason: 'price_move', count: 1 },
    ]);
  });

  it('prints the counts in a table: stocks, rows without a reason or a phase, each reason and phase', () => {
    const text = renderBackendStats(doc, NOV_12, false);
    expect(text).toContain('Latest report update per stock, 2025-11-12 (backend database)');
    expect(text).toContain('  8 stocks updated in the window, 2 not filled in yet (no reason, no phase), 4 without a recorded phase');
    expect(text).toMatch(/ttl_expired\s+시장 단계별 TTL 초과 .*2/);
    expect(text).toMatch(/market_open .*1/);
  });

  it('counts a row as unfilled only when both columns are empty: one filled column is a row the backend wrote', () => {
    const rows = [
      row('000001', '2025-11-12 10:00:00.000', null, 'trading'),
      row('000002', '2025-11-12 10:00:00.000', TTL, null),
      row('000003', '2025-11-12 10:00:00.000', ' ', null),
    ];
    const one = backendStats(rows, NOV_12, 'Asia/Seoul');
    expect(one).toMatchObject({ stocks_updated: 3, unfilled: 1, unknown_phase: 2 });
    expect(one.update_reasons).toEqual([{ reason: 'ttl_expired', label: '시장 단계별 TTL 초과', count: 1 }]);
  });

  it('prints one stock in the singular, and says when no reason is recorded', () => {
    const one = backendStats([row('000001', '2025-11-12 10:00:00.000', null, null)], NOV_12, 'Asia/Seoul');
    const text = renderBackendStats(one, NOV_12, false);
    expect(text).toContain('  1 stock updated in the window, 1 not filled in yet (no reason, no phase), 1 without a recorded phase\n');
    expect(text).toContain('  (none recorded)');
    const filled = renderBackendStats(backendStats([row('000001', '2025-11-12 10:00:00.000', TTL, 'trading')], NOV_12, 'Asia/Seoul'), NOV_12, false);
    expect(filled).toContain('  1 stock updated in the window\n');
    expect(filled).not.toContain('(none recorded)');
  });
});

describe('stats --source', () => {
  const ctx = { env: {}, io: { color: false, err: () => undefined } };
  const options = { window: NOV_12, json: true };

  it('refuses a source other than logs or backend, naming it', async () => {
    await expect(backendStatsOutput({ source: 'database' }, options, ctx)).rejects.toThrow(UsageError);
    await expect(backendStatsOutput({ source: 'database' }, options, ctx)).rejects.toThrow("--source must be logs or backend, got 'database'");
  });

  it('asks for the backend database, and refuses an unknown --db-tz before connecting', async () => {
    await expect(backendStatsOutput({ source: 'backend' }, options, ctx)).rejects.toThrow(/--pg <url> is required/);
    await expect(backendStatsOutput({ source: 'backend', pg: 'postgres://x@127.0.0.1:1/db', dbTz: 'Mars/Base' }, options, ctx)).rejects.toThrow("unknown time zone 'Mars/Base'");
    await expect(backendStatsOutput({ source: 'backend', pg: 'mysql://x@127.0.0.1/db' }, options, ctx)).rejects.toThrow(/--pg must be a postgres:\/\/ URL/);
  });
});
