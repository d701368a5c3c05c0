import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderStats } from '../src/commands/stats.js';
import { windowOf } from '../src/market/time.js';
import { displayWidth } from '../src/render/table.js';
import { bin, cli, fixture, tempDir, tempStore } from './helpers.js';

const stats = (...parts: string[]) => fixture('stats', ...parts);

/** Ingests files in one run (or one run per file with `separately`), asserting a clean exit. */
async function ingest(db: string, files: string[], options: { logTz?: string; separately?: boolean } = {}) {
  const tz = options.logTz ? ['--log-tz', options.logTz] : [];
  for (const batch of options.separately ? files.map((f) => [f]) : [files]) {
    const run = await cli(['--db', db, 'ingest', ...tz, ...batch]);
    expect(run.code, run.stderr).toBe(0);
  }
}

async function statsJson(db: string, ...args: string[]) {
  const run = await cli(['--db', db, 'stats', '--json', ...args]);
  expect(run.code, run.stderr).toBe(0);
  return run.json();
}

async function dayStore() {
  const db = tempStore();
  await ingest(db, [fixture('logs', 'day.log')]);
  return db;
}

/*
 * The example day, fixtures/logs/day.log (2025-11-04, KST), by hand from its lines. Ten
 * `업데이트 시작` records of the service (the crawler's news title at 07:10:11 mentions the phrase
 * but is another logger's text, and the news_saver's `종합 분석 리포트 업데이트 시작` is not an attempt):
 *
 *   #  start         stock   reason            phase (named / clock)   outcome
 *   1  07:10:12.520  005930  new_prediction    pre_market (named)      succeeded 07:10:20.200
 *   2  09:15:00.100  005930  forced            market_open (clock)     succeeded 09:15:08.100
 *   3  09:15:08.200  000660  forced            market_open (clock)     failed: 투자 리포트 생성 실패 09:15:38.230
 *   4  09:15:38.400  035720  forced            market_open (clock)     succeeded 09:15:45.100
 *   5  10:40:05.000  000660  price_move        trading (named)         succeeded 10:40:12.100
 *   6  11:20:00.000  005930  ttl_expired       trading (named)         succeeded 11:20:09.100 (A/B)
 *   7  12:05:00.000  035720  direction_change  trading (named)         failed: A/B 종합 리포트 실패, completion logged anyway
 *   8  13:00:00.000  000660  forced            trading (clock)         failed: 분석 요약 업데이트 실패 13:00:06.100
 *   9  15:45:00.000  005930  forced            after_hours (clock)     succeeded 15:45:07.100 (신규 생성 완료)
 *  10  21:30:00.000  000660  new_prediction    after_hours (named)     abandoned (restart at 21:30:02; log end 23:59:00 ≥ 30 min later) → failed
 *
 * succeeded 6 (#1 2 4 5 6 9), failed 4 (#3 7 8 10), in flight 0.
 * Intervals: 005930 completed 07:10:20.200, 09:15:08.100, 11:20:09.100, 15:45:07.100 → gaps of
 * 7 487.9 s, 7 501 s and 15 898 s; mean 30 886.9 s / 3 = 10 295.633 s = 2.8599 h → 2.86.
 * 000660 and 035720 succeeded once each, so they have no gap; the pooled mean is 005930's.
 * updates_per_day over 7 days: 005930 4/7 = 0.5714, 000660 1/7 = 0.1429, 035720 1/7 = 0.1429.
 * Durations, start to the record that decided the outcome (#10 abandoned has none):
 *   #1 7.68 s, #2 8.0, #3 30.03 (the generator's failure line), #4 6.7, #5 7.1, #6 9.1,
 *   #7 30.03 (the A/B failure line), #8 6.1, #9 7.1. Sorted: 6.1 6.7 7.1 7.1 7.68 8 9.1 30.03 30.03;
 *   nearest rank: p50 = the ⌈4.5⌉ = 5th = 7.68, p95 = the ⌈8.55⌉ = 9th = 30.03.
 *   market_open (#2 3 4): 6.7 8 30.03 → p50 2nd = 8, p95 3rd; trading (#5 6 7 8): 6.1 7.1 9.1 30.03
 *   → p50 2nd = 7.1, p95 ⌈3.8⌉ = 4th; pre_market #1 alone, after_hours #9 alone.
 */
const DAY_STATS = {
  period_days: 7,
  from: '2025-10-29T00:00:00+09:00',
  until: '2025-11-05T00:00:00+09:00',
  log_end: '2025-11-04T23:59:00+09:00',
  total_updates: 10,
  succeeded: 6,
  failed: 4,
  in_flight: 0,
  // Largest first; equal counts keep the vocabulary's order.
  update_reasons: [
    { reason: 'forced', label: '강제 업데이트 또는 리포트 없음', count: 5 }, // #2 3 4 8 9
    { reason: 'new_prediction', label: '새 예측 추가', count: 2 }, // #1 10
    { reason: 'ttl_expired', label: '시장 단계별 TTL 초과', count: 1 }, // #6
    { reason: 'price_move', label: '주가 급변', count: 1 }, // #5
    { reason: 'direction_change', label: '예측 방향 급변', count: 1 }, // #7
  ],
  market_phases: { pre_market: 1, market_open: 3, trading: 4, market_close: 0, after_hours: 2 },
  avg_interval_hours: { overall: 2.86, by_stock: { '005930': 2.86 } },
  // Most attempts first, then by code.
  by_stock: [
    { stock_code: '000660', updates: 4, succeeded: 1, failed: 3, updates_per_day: 0.1429 }, // #3 5 8 10
    { stock_code: '005930', updates: 4, succeeded: 4, failed: 0, updates_per_day: 0.5714 }, // #1 2 6 9
    { stock_code: '035720', updates: 2, succeeded: 1, failed: 1, updates_per_day: 0.1429 }, // #4 7
  ],
  duration_seconds: { count: 9, p50: 7.68, p95: 30.03, max: 30.03 },
  duration_seconds_by_phase: {
    pre_market: { count: 1, p50: 7.68, p95: 7.68, max: 7.68 },
    market_open: { count: 3, p50: 8, p95: 30.03, max: 30.03 },
    trading: { count: 4, p50: 7.1, p95: 30.03, max: 30.03 },
    market_close: { count: 0, p50: null, p95: null, max: null },
    after_hours: { count: 1, p50: 7.1, p95: 7.1, max: 7.1 },
  },
};

describe('stats of the example day', () => {
  it('prints the contract document with every number derived by hand from the log', async () => {
    const db = await dayStore();
    expect(await statsJson(db, '--days', '7', '--until', '2025-11-04')).toEqual(DAY_STATS);
  });

  it('scales updates_per_day by the window length and keeps the counts', async () => {
    const db = await dayStore();
    const doc = await statsJson(db, '--days', '30', '--until', '2025-11-04');
    expect(doc.period_days).toBe(30);
    expect(doc.from).toBe('2025-10-06T00:00:00+09:00');
    expect(doc.total_updates).toBe(10);
    // 4 succeeded / 30 days, 1 / 30
    expect(doc.by_stock.map((s: { updates_per_day: number }) => s.updates_per_day)).toEqual([0.0333, 0.1333, 0.0333]);
  });

  it('counts nothing in a window before the log', async () => {
    const db = await dayStore();
    const doc = await statsJson(db, '--days', '3', '--until', '2025-11-03');
    expect(doc).toMatchObject({ total_updates: 0, succeeded: 0, failed: 0, in_flight: 0, update_reasons: [], by_stock: [] });
    expect(doc.market_phases).toEqual({ pre_market: 0, market_open: 0, trading: 0, market_close: 0, after_hours: 0 });
    expect(doc.avg_interval_hours).toEqual({ overall: null, by_stock: {} });
  });

  it('defaults --until to today in KST, not in UTC', async () => {
    const db = await dayStore();
    // 2025-11-04T15:30Z is already 2025-11-05 00:30 in Seoul: the day.log day falls in a 1-day window only at 23:59 KST.
    const late = await cli(['--db', db, 'stats', '--json', '--days', '1'], { now: Date.parse('2025-11-04T23:59:59+09:00') });
    expect(late.json()).toMatchObject({ until: '2025-11-05T00:00:00+09:00', total_updates: 10 });
    const next = await cli(['--db', db, 'stats', '--json', '--days', '1'], { now: Date.parse('2025-11-04T15:30:00Z') });
    expect(next.json()).toMatchObject({ from: '2025-11-05T00:00:00+09:00', total_updates: 0 });
  });

  it('defaults --days to 7', async () => {
    const db = await dayStore();
    const run = await cli(['--db', db, 'stats', '--json', '--until', '2025-11-04']);
    expect(run.json()).toEqual(DAY_STATS);
  });

  it('draws tables and bar charts that fit 80 columns, without colour codes', async () => {
    const db = await dayStore();
    const run = await cli(['--db', db, 'stats', '--days', '7', '--until', '2025-11-04']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const lines = run.stdout.trimEnd().split('\n');
    for (const line of lines) expect(displayWidth(line), line).toBeLessThanOrEqual(80);
    expect(run.stdout).not.toMatch(/\u001b\[/);
    expect(lines[0]).toBe('Report updates, 2025-10-29 to 2025-11-04 (7 days, KST)');
    expect(run.stdout).toContain('10 attempts: 6 succeeded, 4 failed, 0 in flight');
    expect(run.stdout).toContain('average interval between updates: 2.86 h');
    // The longest bar belongs to the largest count, each reason with its Korean label.
    const reason = (key: string) => lines.find((l) => l.trimStart().startsWith(key + ' '))!;
    expect(reason('forced')).toContain('강제 업데이트 또는 리포트 없음');
    expect(bars(reason('forced'))).toBeGreaterThan(bars(reason('new_prediction')));
    expect(bars(reason('new_prediction'))).toBeGreaterThan(bars(reason('price_move')));
    expect(bars(reason('trading'))).toBeGreaterThan(bars(reason('market_open')));
    expect(bars(reason('market_close'))).toBe(0);
    expect(lines.find((l) => l.includes('005930') && l.includes('│'))).toMatch(/005930\s*│\s*4\s*│\s*4\s*│\s*0\s*│\s*0\.57\s*│\s*2\.86/);
  });

  it('colours only when the terminal allows it', () => {
    const window = windowOf(7, '2025-11-04');
    const doc = { ...DAY_STATS } as Parameters<typeof renderStats>[0];
    expect(renderStats(doc, window, true)).toMatch(/\u001b\[/);
    expect(renderStats(doc, window, false)).not.toMatch(/\u001b\[/);
  });
});

/** Full blocks in a bar-chart line. */
const bars = (line: string) => [...line].filter((c) => c === '█').length;

describe('stats options', () => {
  for (const days of ['0', '31', 'seven', '1.5', '-3']) {
    it(`rejects --days ${days} with exit 2 and one line naming the option`, async () => {
      const run = await cli(['--db', tempStore(), 'stats', '--days', days]);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(run.stderr).toContain('--days');
    });
  }

  it('rejects a --until that is not a calendar day', async () => {
    const run = await cli(['--db', tempStore(), 'stats', '--until', '2025-02-30']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--until.*2025-02-30/);
  });

  it('warns on stderr, and still answers, when the store holds no logs', async () => {
    const run = await cli(['--db', tempStore(), 'stats', '--json', '--days', '1', '--until', '2025-11-04']);
    expect(run.code).toBe(0);
    expect(run.json().total_updates).toBe(0);
    expect(run.stderr).toMatch(/^warning: .*ingest/);
  });
});

describe('stats over rotated files', () => {
  /*
   * rotated/backend.log.1 holds 005930's attempt at 10:00:05 (completed 10:00:12.100) and the start
   * of its next at 12:10:00; rotated/backend.log holds that attempt's completion at 12:10:09.100.
   * Both succeed; the one gap is 2 h 9 min 57 s = 2.1658 h → 2.17.
   */
  const files = [stats('rotated', 'backend.log.1'), stats('rotated', 'backend.log')];
  const expected = {
    total_updates: 2,
    succeeded: 2,
    failed: 0,
    in_flight: 0,
    update_reasons: [{ reason: 'ttl_expired', label: '시장 단계별 TTL 초과', count: 2 }],
    market_phases: { pre_market: 0, market_open: 0, trading: 2, market_close: 0, after_hours: 0 },
    avg_interval_hours: { overall: 2.17, by_stock: { '005930': 2.17 } },
    by_stock: [{ stock_code: '005930', updates: 2, succeeded: 2, failed: 0, updates_per_day: 2 }],
  };

  for (const [name, order, separately] of [
    ['older file first, one run each', files, true],
    ['newer file first, one run each', [...files].reverse(), true],
    ['both in one run, newer first', [...files].reverse(), false],
  ] as const) {
    it(`completes an attempt split across the rotation (${name})`, async () => {
      const db = tempStore();
      await ingest(db, [...order], { separately });
      expect(await statsJson(db, '--days', '1', '--until', '2025-11-06')).toMatchObject(expected);
    });
  }

  /*
   * rotated-ab/backend.log.1 ends inside 035720's A/B generation (attempt 12:05:00); backend.log
   * begins with `A/B 종합 리포트 실패` (no stock code) and then the completion the backend logs
   * anyway: that attempt failed. The 13:00 forced attempt succeeds. 1 succeeded, 1 failed.
   */
  for (const reverse of [false, true]) {
    it(`counts an A/B silent failure split across the rotation as failed (${reverse ? 'newer' : 'older'} file first)`, async () => {
      const db = tempStore();
      const ab = [stats('rotated-ab', 'backend.log.1'), stats('rotated-ab', 'backend.log')];
      await ingest(db, reverse ? ab.reverse() : ab, { separately: true });
      expect(await statsJson(db, '--days', '1', '--until', '2025-11-06')).toMatchObject({
        total_updates: 2,
        succeeded: 1,
        failed: 1,
        in_flight: 0,
        update_reasons: [
          { reason: 'direction_change', count: 1 },
          { reason: 'forced', count: 1 },
        ],
        avg_interval_hours: { overall: null, by_stock: {} },
        by_stock: [{ stock_code: '035720', updates: 2, succeeded: 1, failed: 1, updates_per_day: 1 }],
      });
    });
  }
});

describe('stats of unfinished attempts', () => {
  it('counts an attempt abandoned by a restart as failed, and does not give it the next attempt’s completion', async () => {
    /*
     * abandoned-restart.log (2025-11-07): 000660 starts at 08:00:00, the server shuts down at
     * 08:00:02 and restarts; the stock's next attempt at 08:20:00 completes at 08:20:08.100.
     * The first has no outcome before the next attempt and the log ends at 09:00 (≥ 30 min): failed.
     * One success only, so no interval.
     */
    const db = tempStore();
    await ingest(db, [stats('abandoned-restart.log')]);
    expect(await statsJson(db, '--days', '1', '--until', '2025-11-07')).toMatchObject({
      total_updates: 2,
      succeeded: 1,
      failed: 1,
      in_flight: 0,
      update_reasons: [{ reason: 'new_prediction', count: 2 }],
      market_phases: { pre_market: 2 },
      avg_interval_hours: { overall: null, by_stock: {} },
      by_stock: [{ stock_code: '000660', updates: 2, succeeded: 1, failed: 1, updates_per_day: 1 }],
    });
  });

  it('keeps an attempt in flight until the log runs 30 minutes past its start', async () => {
    /*
     * in-flight.log: 005930 starts at 2025-11-06 23:40:00.000 with no outcome; the log ends at 23:50.
     * As the file grows, the log end moves: 00:09:59.999 is still under 30 minutes (in flight),
     * 00:10:00.000 is exactly 30 minutes (abandoned, so failed).
     */
    const dir = tempDir();
    const log = path.join(dir, 'backend.log');
    fs.copyFileSync(stats('in-flight.log'), log);
    const db = tempStore();
    const count = async () => {
      await ingest(db, [log]);
      const doc = await statsJson(db, '--days', '1', '--until', '2025-11-06');
      return [doc.total_updates, doc.succeeded, doc.failed, doc.in_flight];
    };
    expect(await count()).toEqual([1, 0, 0, 1]);
    const tick = (ts: string) => fs.appendFileSync(log, `${ts} - apscheduler.scheduler - INFO - Running job "crawl_news (trigger: interval[0:10:00])"\n`);
    tick('2025-11-07 00:09:59,999');
    expect(await count()).toEqual([1, 0, 0, 1]);
    tick('2025-11-07 00:10:00,000');
    expect(await count()).toEqual([1, 0, 1, 0]);
  });
});

describe('stats by KST window', () => {
  /*
   * midnight.log: 005930's attempt at 2025-11-04 23:59:59.000 (after_hours) and 000660's at
   * 2025-11-05 00:00:00.000 (pre_market). Each belongs to the day of its start only.
   */
  const phases = (doc: { market_phases: Record<string, number> }) =>
    Object.entries(doc.market_phases).filter(([, n]) => n > 0);

  it('puts 23:59:59 in the earlier day and 00:00:00 in the next', async () => {
    const db = tempStore();
    await ingest(db, [stats('midnight.log')]);
    const first = await statsJson(db, '--days', '1', '--until', '2025-11-04');
    expect(first.by_stock.map((s: { stock_code: string }) => s.stock_code)).toEqual(['005930']);
    expect(phases(first)).toEqual([['after_hours', 1]]);
    const second = await statsJson(db, '--days', '1', '--until', '2025-11-05');
    expect(second.by_stock.map((s: { stock_code: string }) => s.stock_code)).toEqual(['000660']);
    expect(phases(second)).toEqual([['pre_market', 1]]);
    const both = await statsJson(db, '--days', '2', '--until', '2025-11-05');
    expect([both.total_updates, both.succeeded]).toEqual([2, 2]);
  });

  it('gives a UTC log read with --log-tz UTC the same numbers as its KST twin', async () => {
    /*
     * tz/kst.log (2025-11-06 KST) and tz/utc.log (the same lines 9 hours earlier; its first
     * attempt is written 2025-11-05 15:30 UTC). 4 attempts, all succeeded: pre_market 00:30,
     * market_open 09:15 (forced, by the clock), trading 10:40, after_hours 15:45 (forced).
     * 005930 completed 00:30:07.1, 09:15:08.1, 15:45:07.1 → gaps 31 501 s and 23 399 s → mean 7.625 h → 7.63.
     */
    const kst = tempStore();
    await ingest(kst, [stats('tz', 'kst.log')]);
    const utc = tempStore();
    await ingest(utc, [stats('tz', 'utc.log')], { logTz: 'UTC' });
    const expected = await statsJson(kst, '--days', '1', '--until', '2025-11-06');
    expect(expected).toMatchObject({
      total_updates: 4,
      succeeded: 4,
      market_phases: { pre_market: 1, market_open: 1, trading: 1, market_close: 0, after_hours: 1 },
      avg_interval_hours: { overall: 7.63, by_stock: { '005930': 7.63 } },
    });
    expect(await statsJson(utc, '--days', '1', '--until', '2025-11-06')).toEqual(expected);

    // Read as KST by mistake, the first attempt lands on 2025-11-05 and the forced ones in other phases.
    const wrong = tempStore();
    await cli(['--db', wrong, 'ingest', stats('tz', 'utc.log')]);
    expect(await statsJson(wrong, '--days', '1', '--until', '2025-11-06')).not.toEqual(expected);
  });
});

describe('the stats binary', () => {
  it('prints the same document from the built binary (npm run build first)', async () => {
    const db = await dayStore();
    const run = bin(['--db', db, 'stats', '--json', '--days', '7', '--until', '2025-11-04']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(DAY_STATS);
    const bad = bin(['--db', db, 'stats', '--days', '31']);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/^craveny-ops: --days must be a whole number from 1 to 30, got '31' \(see craveny-ops stats --help\)\n$/);
  });
});
