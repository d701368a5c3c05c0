/**
 * verify week judges KRX trading days only: weekends and public holidays are market_closed —
 * value shown, not judged — in JSON, the table, JUnit and the HTML report's weekly verdict; a
 * config key judges every day; without --from it checks the last six completed trading days.
 */
import fs from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { tradingDaysThrough } from '../src/market/calendar.js';
import { cli, tempDir, tempStore } from './helpers.js';

const SERVICE = 'backend.services.stock_analysis_service';
const GENERATOR = 'backend.llm.investment_report';

/** A healthy trading day: 8 succeeded updates of one stock, every 3 hours, one LLM call each. */
function healthyDay(day: string): string[] {
  const lines: string[] = [];
  for (let h = 0; h < 24; h += 3) {
    const hh = String(h).padStart(2, '0');
    lines.push(
      `${day} ${hh}:00:00,000 - ${SERVICE} - INFO - 종목 005930 업데이트 시작: 강제 업데이트 또는 리포트 없음`,
      `${day} ${hh}:00:01,000 - ${GENERATOR} - INFO - 투자 리포트 생성 시작: 005930 (5건 분석)`,
      `${day} ${hh}:00:04,000 - ${GENERATOR} - INFO - 투자 리포트 생성 완료: 005930 (추천: 매수)`,
      `${day} ${hh}:00:05,000 - ${SERVICE} - INFO - 종목 005930의 분석 요약 업데이트 완료`,
    );
  }
  return lines;
}

/** A day that would fail every check if judged: one failed update. */
function badDay(day: string): string[] {
  return [
    `${day} 10:00:00,000 - ${SERVICE} - INFO - 종목 005930 업데이트 시작: 강제 업데이트 또는 리포트 없음`,
    `${day} 10:00:01,000 - ${GENERATOR} - INFO - 투자 리포트 생성 시작: 005930 (5건 분석)`,
    `${day} 10:00:02,000 - ${SERVICE} - ERROR - 종목 005930의 리포트 생성 실패`,
  ];
}

/**
 * Fri 2025-11-07 and Mon 2025-11-10 healthy, Saturday bad, Sunday silent; Wed 2025-12-24 and
 * Fri 2025-12-26 healthy, Christmas (Thu, a public holiday) bad.
 */
async function store(): Promise<string> {
  const db = tempStore();
  const log = path.join(tempDir(), 'backend.log');
  const lines = [
    ...healthyDay('2025-11-07'),
    ...badDay('2025-11-08'),
    ...healthyDay('2025-11-10'),
    ...healthyDay('2025-12-24'),
    ...badDay('2025-12-25'),
    ...healthyDay('2025-12-26'),
    `2025-12-27 00:00:00,000 - apscheduler.scheduler - INFO - Running job`,
  ];
  fs.writeFileSync(log, lines.join('\n') + '\n');
  const run = await cli(['--db', db, 'ingest', log]);
  expect(run.code, run.stderr).toBe(0);
  return db;
}

const statuses = (doc: any, id: string) => doc.checks.find((c: any) => c.id === id).days.map((d: any) => [d.date, d.status]);

describe('verify week over a weekend', () => {
  it('shows Saturday and Sunday as market_closed with their values, and passes on the trading days (exit 0)', async () => {
    const db = await store();
    const run = await cli(['--db', db, 'verify', 'week', '--from', '2025-11-07', '--to', '2025-11-10', '--json']);
    expect(run.code, run.stdout).toBe(0);
    const doc = run.json();
    expect(doc.status).toBe('pass');
    expect(doc.checks.map((c: any) => c.status)).toEqual(['pass', 'pass', 'pass', 'pass']);
    expect(statuses(doc, 'success_rate')).toEqual([
      ['2025-11-07', 'pass'],
      ['2025-11-08', 'market_closed'],
      ['2025-11-09', 'market_closed'],
      ['2025-11-10', 'pass'],
    ]);
    // The value is still shown: Saturday's one update failed.
    const saturday = doc.checks.find((c: any) => c.id === 'success_rate').days[1];
    expect(saturday).toMatchObject({ date: '2025-11-08', value: 0, status: 'market_closed' });
    expect(doc.checks.find((c: any) => c.id === 'daily_updates_per_stock').days[0]).toMatchObject({ value: 8, status: 'pass' });
  });

  it('judges every day when the config says so: the weekend fails the week (exit 1)', async () => {
    const db = await store();
    const config = path.join(tempDir(), 'config.json');
    fs.writeFileSync(config, JSON.stringify({ week: { judgeMarketClosedDays: true } }));
    const run = await cli(['--db', db, '--config', config, 'verify', 'week', '--from', '2025-11-07', '--to', '2025-11-10', '--json']);
    expect(run.code).toBe(1);
    expect(statuses(run.json(), 'success_rate')).toEqual([
      ['2025-11-07', 'pass'],
      ['2025-11-08', 'fail'],
      ['2025-11-09', 'no_data'],
      ['2025-11-10', 'pass'],
    ]);
  });

  it('rejects a config value for the key that is not a boolean (exit 2, naming the key)', async () => {
    const config = path.join(tempDir(), 'config.json');
    fs.writeFileSync(config, JSON.stringify({ week: { judgeMarketClosedDays: 'yes' } }));
    const run = await cli(['--db', tempStore(), '--config', config, 'verify', 'week', '--from', '2025-11-07']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^craveny-ops: config .*: week\.judgeMarketClosedDays: .*\n$/);
  });

  it('marks closed days in the table, and as one skipped JUnit case each', async () => {
    const db = await store();
    const table = await cli(['--db', db, 'verify', 'week', '--from', '2025-11-07', '--to', '2025-11-10']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/11-08\s+0 off/);
    expect(table.stdout).toMatch(/market closed \(off: shown, not judged\): 2025-11-08 \(Saturday\), 2025-11-09 \(Sunday\)/);
    const junit = await cli(['--db', db, 'verify', 'week', '--from', '2025-11-07', '--to', '2025-11-10', '--format', 'junit']);
    expect(junit.code).toBe(0);
    const suite = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (n) => n === 'testcase' }).parse(junit.stdout).testsuites.testsuite;
    expect([suite['@tests'], suite['@failures'], suite['@skipped']]).toEqual(['6', '0', '2']);
    const skipped = suite.testcase.filter((t: any) => t.skipped !== undefined).map((t: any) => [t['@name'], t.skipped['@message']]);
    expect(skipped).toEqual([
      ['market_closed 2025-11-08', '2025-11-08 is not a KRX trading day (Saturday): shown, not judged'],
      ['market_closed 2025-11-09', '2025-11-09 is not a KRX trading day (Sunday): shown, not judged'],
    ]);
  });

  it('gives the HTML report a passing weekly verdict, the closed days marked', async () => {
    const db = await store();
    const file = path.join(tempDir(), 'report.html');
    const run = await cli(['--db', db, 'report', '--html', file, '--days', '4', '--until', '2025-11-10']);
    expect(run.code, run.stderr).toBe(0);
    const html = fs.readFileSync(file, 'utf8');
    expect(html).toMatch(/Day 2–7 checks, 2025-11-07 – 2025-11-10 <span class="badge pass">pass<\/span>/);
    expect(html).toContain('<td class="n" data-label="11-08 (closed)" title="not a KRX trading day: Saturday"><span class="badge market_closed">0</span></td>');
  });
});

describe('verify week over a public holiday', () => {
  it('shows Christmas (a Thursday) as market_closed and passes', async () => {
    const db = await store();
    const run = await cli(['--db', db, 'verify', 'week', '--from', '2025-12-24', '--to', '2025-12-26', '--json']);
    expect(run.code, run.stdout).toBe(0);
    expect(statuses(run.json(), 'success_rate')).toEqual([
      ['2025-12-24', 'pass'],
      ['2025-12-25', 'market_closed'],
      ['2025-12-26', 'pass'],
    ]);
    expect(run.json().calendar[1]).toEqual({ date: '2025-12-25', trading_day: false, closed_because: expect.stringMatching(/^public holiday: /) });
  });
});

describe('verify week without --from', () => {
  it('checks the last six completed trading days: across a weekend and Christmas, ending with the last one before today', async () => {
    // Monday 2025-12-29: yesterday was Sunday; back from it, skipping the weekends and Christmas.
    expect(tradingDaysThrough('2025-12-28', 6)).toEqual(['2025-12-18', '2025-12-19', '2025-12-22', '2025-12-23', '2025-12-24', '2025-12-26']);
    const db = await store();
    const run = await cli(['--db', db, 'verify', 'week', '--json'], { now: Date.parse('2025-12-29T10:00:00+09:00') });
    expect(run.json()).toMatchObject({ from: '2025-12-18', to: '2025-12-26' });
    const days = run.json().checks[0].days;
    expect(days).toHaveLength(9);
    expect(days.filter((d: any) => d.status === 'market_closed').map((d: any) => d.date)).toEqual(['2025-12-20', '2025-12-21', '2025-12-25']);
  });

  it('does not count today, which has not ended', async () => {
    // Friday 2025-12-26 at noon: the six end with Wednesday 12-24.
    const run = await cli(['--db', tempStore(), 'verify', 'week', '--json'], { now: Date.parse('2025-12-26T12:00:00+09:00') });
    expect(run.json()).toMatchObject({ from: '2025-12-17', to: '2025-12-24' });
  });

  it('ends with --to when only --to is given', async () => {
    const run = await cli(['--db', tempStore(), 'verify', 'week', '--to', '2025-11-10', '--json']);
    expect(run.json()).toMatchObject({ from: '2025-11-03', to: '2025-11-10' });
  });
});
