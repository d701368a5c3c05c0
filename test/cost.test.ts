import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { displayWidth } from '../src/render/table.js';
import { cli, fixture, tempDir, tempStore } from './helpers.js';

const stats = (...parts: string[]) => fixture('stats', ...parts);

async function storeOf(...files: string[]) {
  const db = tempStore();
  const run = await cli(['--db', db, 'ingest', ...files]);
  expect(run.code, run.stderr).toBe(0);
  return db;
}

async function costJson(db: string, ...args: string[]) {
  const run = await cli(['--db', db, 'cost', '--json', ...args]);
  expect(run.code, run.stderr).toBe(0);
  return run.json();
}

const zeroDay = (date: string) => ({ date, calls: 0, cost_usd: 0, updates: 0 });

/*
 * fixtures/logs/day.log has ten `[LLM_COST]` lines, all `비용예상=$0.001`, so calls_source is
 * llm_cost_lines; a line is one call, or two when its attempt generated in A/B mode (the attempts
 * at 11:20 and 12:05 print one line each, for two models' calls):
 *   005930  07:10:12.530, 09:15:00.110, 11:20:00.010 (A/B), 15:45:00.010  → 5 calls, $0.005
 *   000660  09:15:08.210, 10:40:05.010, 13:00:00.010, 21:30:00.010        → 4 calls, $0.004
 *   035720  09:15:38.410, 12:05:00.010 (A/B)                              → 3 calls, $0.003
 * All on 2025-11-04 with its 10 attempts; the six days before have none.
 * updates_per_day = succeeded / 7: 005930 4/7 = 0.5714, 000660 1/7, 035720 1/7 = 0.1429.
 * projected_30d_cost_usd = 0.012 / 7 × 30 = 0.0514285… → 0.051429.
 */
const DAY_COST = {
  from: '2025-10-29T00:00:00+09:00',
  until: '2025-11-05T00:00:00+09:00',
  log_end: '2025-11-04T23:59:00+09:00',
  price_per_call: 0.001,
  calls_source: 'llm_cost_lines',
  total_calls: 12,
  total_cost_usd: 0.012,
  days: [
    zeroDay('2025-10-29'),
    zeroDay('2025-10-30'),
    zeroDay('2025-10-31'),
    zeroDay('2025-11-01'),
    zeroDay('2025-11-02'),
    zeroDay('2025-11-03'),
    { date: '2025-11-04', calls: 12, cost_usd: 0.012, updates: 10 },
  ],
  // Most calls first, then by code.
  by_stock: [
    { stock_code: '005930', calls: 5, cost_usd: 0.005, updates_per_day: 0.5714 },
    { stock_code: '000660', calls: 4, cost_usd: 0.004, updates_per_day: 0.1429 },
    { stock_code: '035720', calls: 3, cost_usd: 0.003, updates_per_day: 0.1429 },
  ],
  projected_30d_cost_usd: 0.051429,
};

describe('cost of the example day', () => {
  it('prints the contract document with every number derived by hand from the log', async () => {
    const db = await storeOf(fixture('logs', 'day.log'));
    expect(await costJson(db, '--days', '7', '--until', '2025-11-04')).toEqual(DAY_COST);
  });

  it('prints the same document for --format json', async () => {
    const db = await storeOf(fixture('logs', 'day.log'));
    const run = await cli(['--db', db, 'cost', '--format', 'json', '--days', '7', '--until', '2025-11-04']);
    expect(run.json()).toEqual(DAY_COST);
  });

  it('projects to 30 days from the window length', async () => {
    const db = await storeOf(fixture('logs', 'day.log'));
    // 0.012 / 1 × 30 = 0.36; 0.012 / 30 × 30 = 0.012
    expect((await costJson(db, '--days', '1', '--until', '2025-11-04')).projected_30d_cost_usd).toBe(0.36);
    const month = await costJson(db, '--days', '30', '--until', '2025-11-04');
    expect(month.projected_30d_cost_usd).toBe(0.012);
    expect(month.days).toHaveLength(30);
    expect(month.days[0]).toEqual(zeroDay('2025-10-06'));
  });

  it('draws a daily trend and a table that fit 80 columns, without colour codes', async () => {
    const db = await storeOf(fixture('logs', 'day.log'));
    const run = await cli(['--db', db, 'cost', '--days', '30', '--until', '2025-11-04']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const lines = run.stdout.trimEnd().split('\n');
    for (const line of lines) expect(displayWidth(line), line).toBeLessThanOrEqual(80);
    expect(run.stdout).not.toMatch(/\u001b\[/);
    expect(lines[0]).toBe('LLM calls, 2025-10-06 to 2025-11-04 (30 days, KST)');
    expect(run.stdout).toContain('12 calls, $0.012 (counted from [LLM_COST] lines)');
    expect(run.stdout).toContain('projected 30 days: $0.012');
    const day = (date: string) => lines.find((l) => l.trimStart().startsWith(date))!;
    expect(day('2025-11-04')).toMatch(/12 calls\s+\$0\.012\s+10 attempts\s+█+/);
    expect(day('2025-11-03')).toMatch(/0 calls\s+\$0\.000\s+0 attempts$/);
  });
});

describe('cost from old logs without [LLM_COST] lines', () => {
  /*
   * old-format.log: 2025-10-20 005930 single-mode generation (1 call) at 09:15:00.130 and A/B
   * generation (2 calls) at 11:20:00.030; 2025-10-21 000660 single-mode generation (1 call, failed).
   * 4 calls at the default $0.001. updates_per_day over 2 days: 005930 2/2 = 1, 000660 0/2 = 0.
   */
  it('counts generation lines: one call per single-mode start, two per A/B start', async () => {
    const db = await storeOf(stats('old-format.log'));
    expect(await costJson(db, '--days', '2', '--until', '2025-10-21')).toEqual({
      from: '2025-10-20T00:00:00+09:00',
      until: '2025-10-22T00:00:00+09:00',
      log_end: '2025-10-21T13:00:30.100+09:00',
      price_per_call: 0.001,
      calls_source: 'generation_lines',
      total_calls: 4,
      total_cost_usd: 0.004,
      days: [
        { date: '2025-10-20', calls: 3, cost_usd: 0.003, updates: 2 },
        { date: '2025-10-21', calls: 1, cost_usd: 0.001, updates: 1 },
      ],
      by_stock: [
        { stock_code: '005930', calls: 3, cost_usd: 0.003, updates_per_day: 1 },
        { stock_code: '000660', calls: 1, cost_usd: 0.001, updates_per_day: 0 },
      ],
      projected_30d_cost_usd: 0.06, // 0.004 / 2 × 30
    });
  });

  it('says so in the terminal view', async () => {
    const db = await storeOf(stats('old-format.log'));
    const run = await cli(['--db', db, 'cost', '--days', '2', '--until', '2025-10-21']);
    expect(run.stdout).toContain('4 calls, $0.004 (counted from generation lines (single 1 call, A/B 2))');
  });
});

describe('the price per call', () => {
  /*
   * printed-cost.log: [LLM_COST] lines printing $0.002 (005930, 2025-11-06 09:15), $0.0035
   * (005930, 2025-11-06 11:20, an A/B attempt: two calls at that price) and $0.002 (000660, 2025-11-07 13:00).
   */
  const window = ['--days', '2', '--until', '2025-11-07'];

  it('uses each line’s printed 비용예상 when no price is given', async () => {
    const db = await storeOf(stats('printed-cost.log'));
    const doc = await costJson(db, ...window);
    expect(doc.price_per_call).toBe(0.001);
    expect(doc.total_cost_usd).toBe(0.011); // 0.002 + 2 × 0.0035 + 0.002
    expect(doc.days.map((d: { cost_usd: number }) => d.cost_usd)).toEqual([0.009, 0.002]);
    expect(doc.by_stock).toEqual([
      { stock_code: '005930', calls: 3, cost_usd: 0.009, updates_per_day: 1 },
      { stock_code: '000660', calls: 1, cost_usd: 0.002, updates_per_day: 0.5 },
    ]);
    expect(doc.projected_30d_cost_usd).toBe(0.165); // 0.011 / 2 × 30
  });

  it('overrides printed costs with --price-per-call', async () => {
    const db = await storeOf(stats('printed-cost.log'));
    const doc = await costJson(db, ...window, '--price-per-call', '0.0004');
    expect(doc.price_per_call).toBe(0.0004);
    expect(doc.total_cost_usd).toBe(0.0016); // 4 × 0.0004
    expect(doc.days.map((d: { cost_usd: number }) => d.cost_usd)).toEqual([0.0012, 0.0004]);
    expect(doc.projected_30d_cost_usd).toBe(0.024); // 0.0016 / 2 × 30
  });

  it('prices generation-line calls too', async () => {
    const db = await storeOf(stats('old-format.log'));
    const doc = await costJson(db, '--days', '2', '--until', '2025-10-21', '--price-per-call', '$0.01');
    expect([doc.price_per_call, doc.total_cost_usd]).toEqual([0.01, 0.04]); // 4 calls × $0.01
  });

  it('takes --price-per-call at its bounds, 0 and 100 inclusive', async () => {
    const db = await storeOf(stats('old-format.log'));
    const free = await costJson(db, '--days', '2', '--until', '2025-10-21', '--price-per-call', '0');
    expect([free.price_per_call, free.total_cost_usd]).toEqual([0, 0]);
    const dearest = await costJson(db, '--days', '2', '--until', '2025-10-21', '--price-per-call', '100');
    expect([dearest.price_per_call, dearest.total_cost_usd]).toEqual([100, 400]); // 4 calls × $100
  });

  for (const bad of ['cheap', '-0.001', '', '0x10', '1,5', 'Infinity', '1e308', '100.01', ' 0.001']) {
    it(`rejects --price-per-call '${bad}' with exit 2 and one line`, async () => {
      const run = await cli(['--db', tempStore(), 'cost', '--price-per-call', bad]);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe(`craveny-ops: --price-per-call must be a price in USD from 0 to 100 such as 0.001, got '${bad}' (see craveny-ops cost --help)\n`);
    });
  }
});

describe('cost formats and windows', () => {
  it('writes the daily rows as CSV for spreadsheets', async () => {
    const db = await storeOf(fixture('logs', 'day.log'));
    const run = await cli(['--db', db, 'cost', '--format', 'csv', '--days', '3', '--until', '2025-11-05']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      'date,calls,cost_usd,updates\r\n2025-11-03,0,0,0\r\n2025-11-04,12,0.012,10\r\n2025-11-05,0,0,0\r\n',
    );
  });

  it('refuses --json together with another --format, and an unknown format', async () => {
    const both = await cli(['--db', tempStore(), 'cost', '--json', '--format', 'csv']);
    expect(both.code).toBe(2);
    expect(both.stderr).toBe('craveny-ops: --json conflicts with --format csv: give one of them (see craveny-ops cost --help)\n');
    const xml = await cli(['--db', tempStore(), 'cost', '--format', 'xml']);
    expect(xml.code).toBe(2);
    expect(xml.stderr).toMatch(/xml/);
  });

  it('rejects --days outside 1–30', async () => {
    const run = await cli(['--db', tempStore(), 'cost', '--days', '31']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe("craveny-ops: --days must be a whole number from 1 to 30, got '31' (see craveny-ops cost --help)\n");
  });

  it('dates calls by their own time at KST midnight', async () => {
    /* midnight.log: 005930's [LLM_COST] at 2025-11-04 23:59:59.010, 000660's at 2025-11-05 00:00:00.010. */
    const db = await storeOf(stats('midnight.log'));
    const doc = await costJson(db, '--days', '2', '--until', '2025-11-05');
    expect(doc.days).toEqual([
      { date: '2025-11-04', calls: 1, cost_usd: 0.001, updates: 1 },
      { date: '2025-11-05', calls: 1, cost_usd: 0.001, updates: 1 },
    ]);
    const first = await costJson(db, '--days', '1', '--until', '2025-11-04');
    expect(first.by_stock.map((s: { stock_code: string }) => s.stock_code)).toEqual(['005930']);
  });

  it('counts the call of an attempt abandoned by a restart', async () => {
    /* abandoned-restart.log: two [LLM_COST] lines (08:00:00.010 and 08:20:00.010), one success of 000660. */
    const db = await storeOf(stats('abandoned-restart.log'));
    const doc = await costJson(db, '--days', '1', '--until', '2025-11-07');
    expect(doc.by_stock).toEqual([{ stock_code: '000660', calls: 2, cost_usd: 0.002, updates_per_day: 1 }]);
    expect(doc.projected_30d_cost_usd).toBe(0.06);
  });

  it('reads a UTC log ingested with --log-tz UTC into the same days as its KST twin', async () => {
    const kst = await storeOf(stats('tz', 'kst.log'));
    const utc = tempStore();
    await cli(['--db', utc, 'ingest', '--log-tz', 'UTC', stats('tz', 'utc.log')]);
    const expected = await costJson(kst, '--days', '2', '--until', '2025-11-06');
    expect(expected.days).toEqual([zeroDay('2025-11-05'), { date: '2025-11-06', calls: 4, cost_usd: 0.004, updates: 4 }]);
    expect(await costJson(utc, '--days', '2', '--until', '2025-11-06')).toEqual(expected);
  });

  it('takes the price from the config file, and the option over the config', async () => {
    const db = await storeOf(stats('printed-cost.log'));
    const config = path.join(tempDir(), 'craveny-ops.config.json');
    fs.writeFileSync(config, JSON.stringify({ pricePerCall: 0.0005 }));
    const fromConfig = await costJson(db, '--days', '2', '--until', '2025-11-07');
    expect(fromConfig.total_cost_usd).toBe(0.011); // no config given: printed costs
    const run = await cli(['--db', db, '--config', config, 'cost', '--json', '--days', '2', '--until', '2025-11-07']);
    expect([run.json().price_per_call, run.json().total_cost_usd]).toEqual([0.0005, 0.002]);
    const flag = await cli(['--db', db, '--config', config, 'cost', '--json', '--days', '2', '--until', '2025-11-07', '--price-per-call', '0.002']);
    expect([flag.json().price_per_call, flag.json().total_cost_usd]).toEqual([0.002, 0.008]);
  });
});
