import fs from 'node:fs';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { Skip } from '../src/analysis/attempts.js';
import { evaluateDay1, latestTradingDayInStore } from '../src/analysis/verify-day1.js';
import { DEFAULT_RULES } from '../src/market/rules.js';
import { junitXml } from '../src/render/junit.js';
import { displayWidth } from '../src/render/table.js';
import { openStore } from '../src/store/store.js';
import { bin, cli, fixture, tempDir, tempStore } from './helpers.js';

const verify = (name: string) => fixture('verify', `${name}.log`);

async function storeOf(...names: string[]): Promise<string> {
  const db = tempStore();
  for (const name of names) {
    const run = await cli(['--db', db, 'ingest', verify(name)]);
    expect(run.code, run.stderr).toBe(0);
  }
  return db;
}

function configFile(content: object): string {
  const file = path.join(tempDir(), 'craveny-ops.config.json');
  fs.writeFileSync(file, JSON.stringify(content));
  return file;
}

/** The contract's fields of a check, for exact comparison. */
const contractOf = (check: any) => ({
  id: check.id,
  status: check.status,
  evidence_count: check.evidence_count,
  violation_count: check.violation_count,
  violations: check.violations.map((v: any) => ({ ts: v.ts, stock_code: v.stock_code, message: v.message })),
});

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name) => name === 'testcase' });

describe('verify day1 on a backend that follows its rules', () => {
  /*
   * fixtures/verify/weekday-follows-rules.log, Wednesday 2025-11-05, by hand:
   *   pre_market   07:10 005930 new_prediction succeeded; 08:30 skip 000660 1.2h/3h          → 1 evidence
   *   market_open  09:15 forced 005930 and 000660 succeeded; 09:20 skip 005930 0.1h/1h        → 3 evidence
   *   trading      10:40 000660 price move 3.4% succeeded (≥ 3) → 1 price evidence;
   *                11:15 skip 005930 printed 2.0h/2h (1.998 h: not past the TTL);
   *                11:20 005930 TTL 2.1h > 2h succeeded → 1 TTL evidence
   *   after_hours  15:40 forced; 18:10 skip 2.5h/6h; 20:00 TTL 9.3h > 6h; 21:00 skip 1.0h/6h → 2 evidence
   */
  it('passes every check with its evidence, exit 0, and no warning on a weekday', async () => {
    const db = await storeOf('weekday-follows-rules');
    const run = await cli(['--db', db, 'verify', 'day1', '--date', '2025-11-05', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    const result = run.json();
    expect(result).toMatchObject({ kind: 'day1', date: '2025-11-05', status: 'pass' });
    expect(result.checks.map(contractOf)).toEqual([
      { id: 'pre_market_news', status: 'pass', evidence_count: 1, violation_count: 0, violations: [] },
      { id: 'market_open_fresh', status: 'pass', evidence_count: 3, violation_count: 0, violations: [] },
      { id: 'trading_price_move', status: 'pass', evidence_count: 1, violation_count: 0, violations: [] },
      { id: 'trading_ttl', status: 'pass', evidence_count: 1, violation_count: 0, violations: [] },
      { id: 'after_hours_quiet', status: 'pass', evidence_count: 2, violation_count: 0, violations: [] },
    ]);
  });

  it('defaults --date to the latest KRX trading day with data, passing over a later weekend', async () => {
    const db = await storeOf('weekday-follows-rules', 'weekend-follows-rules');
    const run = await cli(['--db', db, 'verify', 'day1', '--json']);
    expect(run.json().date).toBe('2025-11-05');
    expect(run.stderr).toBe('');
    const store = await openStore(db);
    try {
      expect(await latestTradingDayInStore(store.db)).toBe('2025-11-05');
    } finally {
      await store.close();
    }
  });

  it('prints the same document for --json and --format json', async () => {
    const db = await storeOf('weekday-follows-rules');
    const a = await cli(['--db', db, 'verify', 'day1', '--date', '2025-11-05', '--json']);
    const b = await cli(['--db', db, 'verify', 'day1', '--date', '2025-11-05', '--format', 'json']);
    expect(b.stdout).toBe(a.stdout);
  });
});

describe('verify day1 on a weekend', () => {
  /*
   * fixtures/verify/weekend-follows-rules.log, Saturday 2025-11-08: no scheduler, no price moves.
   * pre_market news update → pass; nothing at the open → not exercised; trading has a TTL update
   * and a skip but no price move → trading_price_move not exercised, trading_ttl pass;
   * after_hours skip 2.0h/6h → pass.
   */
  it('is inconclusive (exit 3) and warns that the day is not a trading day', async () => {
    const db = await storeOf('weekend-follows-rules');
    const run = await cli(['--db', db, 'verify', 'day1', '--date', '2025-11-08', '--json']);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('warning: 2025-11-08 is not a KRX trading day (Saturday)');
    const result = run.json();
    expect(result.status).toBe('inconclusive');
    expect(result.checks.map((c: any) => [c.id, c.status, c.evidence_count])).toEqual([
      ['pre_market_news', 'pass', 1],
      ['market_open_fresh', 'not_exercised', 0],
      ['trading_price_move', 'not_exercised', 0],
      ['trading_ttl', 'pass', 1],
      ['after_hours_quiet', 'pass', 1],
    ]);
  });

  it('fails with exit 1 under --strict', async () => {
    const db = await storeOf('weekend-follows-rules');
    const run = await cli(['--db', db, 'verify', 'day1', '--date', '2025-11-08', '--strict', '--json']);
    expect(run.code).toBe(1);
    expect(run.json().status).toBe('inconclusive');
  });

  it('falls back to the latest day with data when no trading day has any, and says so', async () => {
    const db = await storeOf('weekend-follows-rules');
    const run = await cli(['--db', db, 'verify', 'day1', '--json']);
    expect(run.json().date).toBe('2025-11-08');
    expect(run.stderr).toContain('no KRX trading day has data in the store');
  });

  it('verifies today on an empty store, saying the store holds no decisions', async () => {
    const run = await cli(['--db', tempStore(), 'verify', 'day1', '--json'], { now: Date.parse('2025-11-12T10:00:00+09:00') });
    expect(run.json().date).toBe('2025-11-12');
    expect(run.json().checks.every((c: any) => c.status === 'not_exercised')).toBe(true);
    expect(run.stderr).toContain('the store holds no decisions');
    expect(run.code).toBe(3);
  });

  it('warns when the holiday data does not cover the year', async () => {
    const run = await cli(['--db', tempStore(), 'verify', 'day1', '--date', '2030-03-05', '--json']);
    expect(run.stderr).toMatch(/2030-03-05 is outside the years the Korean holiday data covers \(\d{4}–\d{4}\); it may be a public holiday/);
  });

  it('warns about a public holiday with its name', async () => {
    const run = await cli(['--db', tempStore(), 'verify', 'day1', '--date', '2025-10-06', '--json']);
    expect(run.stderr).toContain('2025-10-06 is not a KRX trading day (public holiday: 추석)');
  });
});

describe('verify day1 on a backend whose after-hours TTL was set to 3 h', () => {
  /*
   * fixtures/verify/after-hours-ttl-3h.log, Thursday 2025-11-06. After hours the backend updates at
   * ages 3.1 h (18:45 005930), 3.5 h (19:10 000660) and 3.2 h (22:00 005930, generation failed —
   * the decision is wrong whatever its outcome): each a TTL update before the 6 h TTL. The skips at
   * 1.8 h and 0.8 h are evidence. Trading is correct (TTL 2.1 h, price move 3.8 %).
   */
  const expected = [
    { ts: '2025-11-06T18:45:00+09:00', stock_code: '005930', message: '종목 005930 업데이트 시작: 시장 단계별 TTL 초과 (after_hours: 3.1h > 3h)' },
    { ts: '2025-11-06T19:10:00+09:00', stock_code: '000660', message: '종목 000660 업데이트 시작: 시장 단계별 TTL 초과 (after_hours: 3.5h > 3h)' },
    { ts: '2025-11-06T22:00:00+09:00', stock_code: '005930', message: '종목 005930 업데이트 시작: 시장 단계별 TTL 초과 (after_hours: 3.2h > 3h)' },
  ];

  it('fails after_hours_quiet listing exactly the early TTL updates, and nothing else', async () => {
    const db = await storeOf('after-hours-ttl-3h');
    const run = await cli(['--db', db, 'verify', 'day1', '--date', '2025-11-06', '--json']);
    expect(run.code).toBe(1);
    const result = run.json();
    expect(result.status).toBe('fail');
    const quiet = result.checks.find((c: any) => c.id === 'after_hours_quiet');
    expect(contractOf(quiet)).toEqual({ id: 'after_hours_quiet', status: 'fail', evidence_count: 2, violation_count: 3, violations: expected });
    expect(result.checks.filter((c: any) => c.id !== 'after_hours_quiet').map((c: any) => c.status)).toEqual(['pass', 'pass', 'pass', 'pass']);
  });

  it('passes once the config says the after-hours TTL is 3 h (a rule change needs no code change)', async () => {
    const db = await storeOf('after-hours-ttl-3h');
    const config = configFile({ rules: { after_hours: { ttlHours: 3 } } });
    const run = await cli(['--db', db, '--config', config, 'verify', 'day1', '--date', '2025-11-06', '--json']);
    expect(run.code, run.stdout).toBe(0);
    expect(run.json().checks.find((c: any) => c.id === 'after_hours_quiet')).toMatchObject({ status: 'pass', violation_count: 0, evidence_count: 2 });
  });

  it('shows each violating record (time, stock, message) in a table within 80 columns', async () => {
    const db = await storeOf('after-hours-ttl-3h');
    const run = await cli(['--db', db, 'verify', 'day1', '--date', '2025-11-06']);
    expect(run.code).toBe(1);
    for (const line of run.stdout.trimEnd().split('\n')) expect(displayWidth(line), line).toBeLessThanOrEqual(80);
    const flat = run.stdout.replace(/[│\s]+/g, ' ');
    for (const v of expected) expect(flat).toContain(`${v.ts.slice(11, 19)} ${v.stock_code} ${v.message}`);
    expect(run.stdout).toMatch(/after_hours_quiet.*FAIL/);
    expect(run.stdout).toContain('day1: FAIL');
  });

  it('writes JUnit XML a parser accepts: five testcases, one failure carrying the three records', async () => {
    const db = await storeOf('after-hours-ttl-3h');
    const run = await cli(['--db', db, 'verify', 'day1', '--date', '2025-11-06', '--format', 'junit']);
    expect(run.code).toBe(1);
    expect(XMLValidator.validate(run.stdout)).toBe(true);
    const suite = parser.parse(run.stdout).testsuites.testsuite;
    expect(suite['@tests']).toBe('5');
    expect(suite['@failures']).toBe('1');
    expect(suite['@skipped']).toBe('0');
    expect(suite.testcase.map((t: any) => t['@name'])).toEqual(['pre_market_news', 'market_open_fresh', 'trading_price_move', 'trading_ttl', 'after_hours_quiet']);
    const failing = suite.testcase.filter((t: any) => t.failure);
    expect(failing.map((t: any) => t['@name'])).toEqual(['after_hours_quiet']);
    const text: string = failing[0].failure['#text'];
    for (const v of expected) expect(text).toContain(`${v.ts} ${v.stock_code} ${v.message}`);
    expect(failing[0].failure['@message']).toMatch(/^3 violation/);
  });
});

describe('verify day1 on a backend whose trading price threshold was lowered to 2 %', () => {
  /*
   * fixtures/verify/trading-price-2pct.log, Friday 2025-11-07. Trading price-move updates at
   * 2.4 % (10:02:30 000660), 2.9 % (10:48 035720), 3.6 % (13:10 000660), 2.0 % (14:05 005930).
   * Below the 3 % rule: 2.4, 2.9, 2.0 → three violations; 3.6 → one evidence.
   */
  const priceMove = (rate: string) => `주가 급변 (${rate}%, 임계값: 2.0%, 시장: trading)`;

  it('fails trading_price_move with exactly the three updates below 3 %, leaving trading_ttl passing', async () => {
    const db = await storeOf('trading-price-2pct');
    const run = await cli(['--db', db, 'verify', 'day1', '--date', '2025-11-07', '--json']);
    expect(run.code).toBe(1);
    const checks = run.json().checks;
    expect(contractOf(checks.find((c: any) => c.id === 'trading_price_move'))).toEqual({
      id: 'trading_price_move',
      status: 'fail',
      evidence_count: 1,
      violation_count: 3,
      violations: [
        { ts: '2025-11-07T10:02:30+09:00', stock_code: '000660', message: `종목 000660 업데이트 시작: ${priceMove('2.4')}` },
        { ts: '2025-11-07T10:48:00+09:00', stock_code: '035720', message: `종목 035720 업데이트 시작: ${priceMove('2.9')}` },
        { ts: '2025-11-07T14:05:00+09:00', stock_code: '005930', message: `종목 005930 업데이트 시작: ${priceMove('2.0')}` },
      ],
    });
    expect(checks.find((c: any) => c.id === 'trading_ttl')).toMatchObject({ status: 'pass', violation_count: 0 });
  });

  it('takes the threshold from the config: at 2.5 % only the 2.4 % and 2.0 % updates violate; at 2 % none', async () => {
    const db = await storeOf('trading-price-2pct');
    const at = async (threshold: number) => {
      const config = configFile({ rules: { trading: { priceThreshold: threshold } } });
      const run = await cli(['--db', db, '--config', config, 'verify', 'day1', '--date', '2025-11-07', '--json']);
      return run.json().checks.find((c: any) => c.id === 'trading_price_move');
    };
    const mid = await at(2.5);
    expect(mid.violations.map((v: any) => v.ts)).toEqual(['2025-11-07T10:02:30+09:00', '2025-11-07T14:05:00+09:00']);
    expect(mid.evidence_count).toBe(2);
    const low = await at(2);
    expect(low).toMatchObject({ status: 'pass', violation_count: 0, evidence_count: 4 });
  });
});

describe('printed values are rounded, so equality is no violation', () => {
  const skip = (age: number, ttl: number, hour: number): Skip => ({
    host: 'h',
    stockCode: '005930',
    ts: Date.parse(`2025-11-05T${String(hour).padStart(2, '0')}:00:00+09:00`),
    phase: 'trading',
    ageHours: age,
    ttlHours: ttl,
    text: `업데이트 불필요 (시장: trading, 경과: ${age.toFixed(1)}h/${ttl}h)`,
  });

  it('does not count a skip printed 2.0h/2h, but counts one printed 2.1h/2h', () => {
    const equal = evaluateDay1('2025-11-05', [], [skip(2.0, 2, 11)], DEFAULT_RULES);
    expect(equal.checks.find((c) => c.id === 'trading_ttl')!.violation_count).toBe(0);
    const past = evaluateDay1('2025-11-05', [], [skip(2.0, 2, 11), skip(2.1, 2, 12)], DEFAULT_RULES);
    const ttl = past.checks.find((c) => c.id === 'trading_ttl')!;
    expect(ttl.violations.map((v) => v.message)).toEqual(['종목 005930의 분석 요약이 최신 상태입니다. (업데이트 불필요 (시장: trading, 경과: 2.1h/2h))']);
    // A trading skip violates in both trading checks: the contract counts violations in every check of the phase.
    expect(past.checks.find((c) => c.id === 'trading_price_move')!.violation_count).toBe(1);
    expect(past.checks.find((c) => c.id === 'market_open_fresh')!.violation_count).toBe(0);
  });
});

describe('JUnit output', () => {
  it('escapes log text so that any message survives a round trip through a parser', () => {
    const nasty = `종목 005930 <b>"A&B"</b> 'quoted' ]]> tab\there\u0001`;
    const xml = junitXml({
      name: 'suite & "name"',
      cases: [{ name: 'a<b', classname: 'c', failure: { message: nasty, type: 't', text: nasty }, systemOut: nasty }],
    });
    expect(XMLValidator.validate(xml)).toBe(true);
    const tc = parser.parse(xml).testsuites.testsuite.testcase[0];
    expect(tc['@name']).toBe('a<b');
    expect(tc.failure['#text']).toBe(nasty.replace('\u0001', '\uFFFD'));
    expect(tc.failure['@message']).toBe(nasty.replace('\u0001', '\uFFFD'));
  });

  it('marks checks that were not exercised as skipped', async () => {
    const db = await storeOf('weekend-follows-rules');
    const run = await cli(['--db', db, 'verify', 'day1', '--date', '2025-11-08', '--format', 'junit']);
    expect(XMLValidator.validate(run.stdout)).toBe(true);
    const suite = parser.parse(run.stdout).testsuites.testsuite;
    expect(suite['@skipped']).toBe('2');
    expect(suite['@failures']).toBe('0');
    expect(suite.testcase.filter((t: any) => t.skipped !== undefined).map((t: any) => t['@name'])).toEqual(['market_open_fresh', 'trading_price_move']);
  });
});

describe('the built binary', () => {
  it('runs verify day1 end to end: JUnit on stdout, the weekend warning on stderr, exit 3', async () => {
    const db = await storeOf('weekend-follows-rules');
    const run = bin(['--db', db, 'verify', 'day1', '--date', '2025-11-08', '--format', 'junit']);
    expect(run.code).toBe(3);
    expect(run.stderr).toBe('warning: 2025-11-08 is not a KRX trading day (Saturday)\n');
    expect(XMLValidator.validate(run.stdout)).toBe(true);
    expect(parser.parse(run.stdout).testsuites['@tests']).toBe('5');
  });
});

describe('verify day1 usage errors', () => {
  it.each([
    [['--date', '2025-13-01'], /--date must be a date/],
    [['--format', 'xml'], /format/],
    [['--json', '--format', 'junit'], /--json conflicts with --format junit: give one of them/],
  ])('exits 2 for %j with a one-line message', async (args, message) => {
    const run = await cli(['--db', tempStore(), 'verify', 'day1', ...(args as string[])]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message as RegExp);
    expect(run.stdout).toBe('');
  });
});
