import fs from 'node:fs';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { meanAge } from '../src/analysis/verify-week.js';
import { displayWidth } from '../src/render/table.js';
import { cli, fixture, tempDir, tempStore } from './helpers.js';

async function weekStore(): Promise<string> {
  const db = tempStore();
  const run = await cli(['--db', db, 'ingest', fixture('verify', 'week.log')]);
  expect(run.code, run.stderr).toBe(0);
  return db;
}

async function week(db: string, ...args: string[]) {
  return cli(['--db', db, 'verify', 'week', ...args]);
}

const HOUR = 3_600_000;
const at = (iso: string) => Date.parse(iso);
const perDay = (check: any) => check.days.map((d: any) => [d.date, d.value, d.status]);

/*
 * fixtures/verify/week.log, by hand. Each update completes on the hour (attempt at :59:50).
 *
 * Mon 2025-11-10 — 005930 only (n = 1). Completions 08, 10, 12, 14, 16, 18 h; a 7th attempt
 *   (19:59:50) fails (투자 리포트 생성 실패 → 리포트 생성 실패); skip at 21:00. No [LLM_COST] lines:
 *   7 single-mode generation starts = 7 calls.
 *   updates/stock 6/1 = 6 ✓ (5–10) · success 6/7 = 0.8571 ✗ (> 0.95) · calls 7 ✓ (5–10)
 *   freshness: no completion before the log, so the age exists from 08:00. Five 2 h saw-teeth
 *   (mean age 1) then 18→24 h rising 0→6 (mean 3): (10·1 + 6·3) / 16 = 1.75 ✓ (< 3)
 *
 * Tue 2025-11-11 — n = 2. 005930 completes at 06, 10, 14, 18, 22 h in A/B mode (2 calls each);
 *   000660 at 09, 11, 13, 15, 17 h single (1 call each). No [LLM_COST] lines that day:
 *   calls = 5·2 + 5 = 15 (counted from generation lines for this day, though Wednesday has cost lines).
 *   updates/stock 10/2 = 5 ✓ · success 10/10 = 1 ✓ · calls 15 ✓ (10–20)
 *   freshness: 005930 from Mon 18:00: 00→06 age 6→12 (area 54), four 4 h teeth (area 4·8 = 32),
 *   22→24 0→2 (area 2): 88 over 24 h. 000660 first completes 09:00: four 2 h teeth (area 8),
 *   17→24 0→7 (area 24.5): 32.5 over 15 h. (88 + 32.5) / 39 = 3.0897 ✗ (not < 3)
 *
 * Wed 2025-11-12 — the log ends at 12:00. [LLM_COST] lines on every attempt (5).
 *   005930 completes 01, 07 h; 000660 completes 08 h; 000660 fails at 10:00:30 (update 실패);
 *   005930 starts at 11:50 with no outcome: in flight (10 min before the log end), not counted.
 *   updates/stock 3/2 = 1.5 ✗ · success 3/4 = 0.75 ✗ · calls 5 ✗ (10–20)
 *   freshness, clipped at 12:00: 005930 00→01 age 2→3 (2.5), 01→07 0→6 (18), 07→12 0→5 (12.5):
 *   33 over 12 h; 000660 from Tue 17:00: 00→08 7→15 (88), 08→12 0→4 (8): 96 over 12 h.
 *   129 / 24 = 5.375 ✗
 *
 * Thu–Sat: after the log end — no data.
 */
describe('verify week over a week of logs', () => {
  it('computes each day’s value and verdict as derived by hand', async () => {
    const db = await weekStore();
    const run = await week(db, '--from', '2025-11-10', '--json');
    expect(run.code).toBe(1);
    const result = run.json();
    expect(result).toMatchObject({ kind: 'week', from: '2025-11-10', to: '2025-11-15', status: 'fail' });
    // Saturday 2025-11-15 is not a trading day: shown (no data here), not judged.
    const noData = [...['2025-11-13', '2025-11-14'].map((d) => [d, null, 'no_data']), ['2025-11-15', null, 'market_closed']];
    const byId = Object.fromEntries(result.checks.map((c: any) => [c.id, c]));
    expect(result.checks.map((c: any) => c.id)).toEqual(['daily_updates_per_stock', 'success_rate', 'llm_calls_per_day', 'avg_freshness_hours']);
    expect(perDay(byId.daily_updates_per_stock)).toEqual([['2025-11-10', 6, 'pass'], ['2025-11-11', 5, 'pass'], ['2025-11-12', 1.5, 'fail'], ...noData]);
    expect(perDay(byId.success_rate)).toEqual([['2025-11-10', 0.8571, 'fail'], ['2025-11-11', 1, 'pass'], ['2025-11-12', 0.75, 'fail'], ...noData]);
    expect(perDay(byId.llm_calls_per_day)).toEqual([['2025-11-10', 7, 'pass'], ['2025-11-11', 15, 'pass'], ['2025-11-12', 5, 'fail'], ...noData]);
    expect(perDay(byId.avg_freshness_hours)).toEqual([['2025-11-10', 1.75, 'pass'], ['2025-11-11', 3.0897, 'fail'], ['2025-11-12', 5.375, 'fail'], ...noData]);
    expect(result.checks.every((c: any) => c.status === 'fail')).toBe(true);
  });

  it('shows the days the market is closed as market_closed without a warning; judged on request, with one', async () => {
    const db = await weekStore();
    const run = await week(db, '--from', '2025-11-10', '--json');
    expect(run.stderr).toBe('');
    const file = path.join(tempDir(), 'config.json');
    fs.writeFileSync(file, JSON.stringify({ week: { judgeMarketClosedDays: true } }));
    const judged = await cli(['--db', db, '--config', file, 'verify', 'week', '--from', '2025-11-10', '--json']);
    expect(judged.stderr.trim().split('\n')).toEqual(['warning: 2025-11-15 is not a KRX trading day (Saturday)']);
    expect(judged.json().checks[0].days[5]).toMatchObject({ date: '2025-11-15', status: 'no_data' });
  });

  it('passes with exit 0 when the config widens the ranges (no code change)', async () => {
    const db = await weekStore();
    const file = path.join(tempDir(), 'config.json');
    fs.writeFileSync(file, JSON.stringify({ week: { updatesPerStock: { min: 1 }, minSuccessRate: 0.5, callsPerStock: { min: 2 }, maxFreshnessHours: 6 } }));
    const run = await cli(['--db', db, '--config', file, 'verify', 'week', '--from', '2025-11-10', '--to', '2025-11-12', '--json']);
    expect(run.code, run.stdout).toBe(0);
    expect(run.json().checks.map((c: any) => c.status)).toEqual(['pass', 'pass', 'pass', 'pass']);
  });

  it('is inconclusive (exit 3) over days without data, and fails under --strict', async () => {
    const db = await weekStore();
    const run = await week(db, '--from', '2025-12-01', '--to', '2025-12-03', '--json');
    expect(run.code).toBe(3);
    expect(run.json().status).toBe('inconclusive');
    expect(run.json().checks.every((c: any) => c.status === 'not_exercised' && c.days.every((d: any) => d.status === 'no_data'))).toBe(true);
    const strict = await week(db, '--from', '2025-12-01', '--to', '2025-12-03', '--strict', '--json');
    expect(strict.code).toBe(1);
  });

  it('draws a table within 80 columns that names the failing days', async () => {
    const db = await weekStore();
    const run = await week(db, '--from', '2025-11-10');
    for (const line of run.stdout.trimEnd().split('\n')) expect(displayWidth(line), line).toBeLessThanOrEqual(80);
    expect(run.stdout).toContain('2025-11-12 5: 5 calls (llm_cost_lines); n = 2: 10–20');
    expect(run.stdout).toContain('week: FAIL');
  });

  it('writes JUnit XML with one failing testcase per failing check', async () => {
    const db = await weekStore();
    const run = await week(db, '--from', '2025-11-10', '--format', 'junit');
    expect(XMLValidator.validate(run.stdout)).toBe(true);
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (n) => n === 'testcase' }).parse(run.stdout);
    const suite = parsed.testsuites.testsuite;
    // Four checks, and the closed Saturday as a skipped case.
    expect([suite['@tests'], suite['@failures'], suite['@skipped']]).toEqual(['5', '4', '1']);
    const freshness = suite.testcase.find((t: any) => t['@name'] === 'avg_freshness_hours');
    expect(freshness.failure['#text'].split('\n').map((l: string) => l.split(' ').slice(0, 2).join(' '))).toEqual(['2025-11-11 3.0897', '2025-11-12 5.375']);
  });

  it.each([
    [['--from', '2025-11-10', '--to', '2025-11-09'], /--to 2025-11-09 is before --from 2025-11-10/],
    [['--from', '2025-11-01', '--to', '2025-12-31'], /at most 30/],
    [['--to', '2025-13-01'], /--to/],
    [['--from', '11/10/2025'], /--from must be a date/],
  ])('exits 2 for %j', async (args, message) => {
    const run = await week(tempStore(), ...(args as string[]));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message as RegExp);
  });
});

describe('the longest run', () => {
  it('takes 30 days and refuses 31 (exit 2, nothing judged)', async () => {
    const db = tempStore();
    // An empty store: every day without data, so 30 days run to an inconclusive verdict.
    const thirty = await week(db, '--from', '2025-10-06', '--to', '2025-11-04', '--format', 'json');
    expect(thirty.code, thirty.stderr).toBe(3);
    expect(thirty.json().checks[0].days).toHaveLength(30);
    const thirtyOne = await week(db, '--from', '2025-10-06', '--to', '2025-11-05', '--format', 'json');
    expect(thirtyOne.code).toBe(2);
    expect(thirtyOne.stdout).toBe('');
    expect(thirtyOne.stderr).toMatch(/--from 2025-10-06 --to 2025-11-05 spans 31 days; at most 30/);
  });
});

describe('the time-weighted mean report age', () => {
  it('counts a stock only from its first completion, and weights by time', () => {
    const start = at('2025-11-10T00:00:00+09:00');
    // Stock A known since 22:00 the day before; B first completes at 12:00. Span 00:00–12:00.
    const last = new Map([['A', start - 2 * HOUR]]);
    const { hours, stocks } = meanAge(start, start + 12 * HOUR, last, [{ stock: 'B', ts: start + 12 * HOUR - 1 }]);
    // A: age 2→14 over 12 h, mean 8; B: defined for 1 ms only, age ≈ 0. Weighted: ≈ 8.
    expect(stocks).toBe(2);
    expect(hours).toBeCloseTo(8, 5);
    expect(last.get('B')).toBe(start + 12 * HOUR - 1);
  });

  it('has no value when no stock has a report yet', () => {
    expect(meanAge(0, HOUR, new Map(), []).hours).toBeNull();
  });
});
