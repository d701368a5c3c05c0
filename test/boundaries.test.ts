/**
 * The contract at its boundaries: equality at a TTL and at a threshold, 30 minutes to abandonment,
 * the clock's phase edges and the KST midnight, two minutes around a phase boundary, the sign of a
 * price move. Each case sits on both sides of its edge, so that moving the edge by one step (a `>`
 * for a `>=`, a dropped sign) fails a test. Logs are written here line by line, read through the
 * CLI as a user would, so the tests hold whatever the internals look like.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateWeek, type DayFacts, type WeekCheckId } from '../src/analysis/verify-week.js';
import { computeFreshness } from '../src/backend/freshness.js';
import { DEFAULT_WEEK_RULES } from '../src/config.js';
import { DEFAULT_RULES, type Phase } from '../src/market/rules.js';
import { cli, tempDir } from './helpers.js';

const SERVICE = 'backend.services.stock_analysis_service';
const SCHEDULER = 'backend.scheduler.crawler_scheduler';

/** One log line; `time` is the wall clock as the backend prints it, `2025-11-04 09:15:02,123`. */
const line = (time: string, message: string, level = 'INFO', logger = SERVICE) => `${time} - ${logger} - ${level} - ${message}`;
const attempt = (time: string, code: string, reason: string) => line(time, `종목 ${code} 업데이트 시작: ${reason}`);
const succeeded = (time: string, code: string) => line(time, `종목 ${code}의 분석 요약 업데이트 완료`);
const failed = (time: string, code: string) => line(time, `종목 ${code}의 분석 요약 업데이트 실패: Request timed out.`, 'ERROR');
const skip = (time: string, code: string, phase: Phase, age: string, ttl: number) =>
  line(time, `종목 ${code}의 분석 요약이 최신 상태입니다. (업데이트 불필요 (시장: ${phase}, 경과: ${age}h/${ttl}h))`);
const noise = (time: string) => line(time, '📊 리포트 생성 대상: 3개 종목', 'INFO', SCHEDULER);
const FORCED = '강제 업데이트 또는 리포트 없음';

/** Writes the lines as one log file and ingests it into a fresh store; returns the store and the ingest summary. */
async function storeOf(lines: string[], ingestArgs: string[] = []): Promise<{ db: string; log: string; ingest: any }> {
  const dir = tempDir();
  const log = path.join(dir, 'backend.log');
  fs.writeFileSync(log, lines.join('\n') + '\n');
  const db = path.join(dir, 'store.db');
  const run = await cli(['--db', db, 'ingest', '--json', ...ingestArgs, log]);
  expect(run.code, run.stderr).toBe(0);
  return { db, log, ingest: run.json() };
}

/** Long after every log here: no window reaches the present. */
const NOW = Date.parse('2025-12-01T12:00:00+09:00');

async function json(db: string, args: string[], expectedCode: number): Promise<any> {
  const run = await cli(['--db', db, ...args, '--json'], { now: NOW });
  expect(run.code, run.stderr).toBe(expectedCode);
  return run.json();
}

const day1 = (db: string, date: string, code: number) => json(db, ['verify', 'day1', '--date', date], code);
const anomaliesOf = (db: string, until: string, code: number) => json(db, ['anomalies', '--days', '1', '--until', until], code);
const ofKind = (doc: any, kind: string) => doc.anomalies.filter((a: any) => a.kind === kind);

/** A time inside each phase on Tuesday 2025-11-04 (a KRX trading day), and the day1 checks of that phase. */
const PHASE_CASES: Array<{ phase: Phase; clock: string; checks: string[] }> = [
  { phase: 'pre_market', clock: '07:00', checks: ['pre_market_news'] },
  { phase: 'market_open', clock: '09:10', checks: ['market_open_fresh'] },
  { phase: 'trading', clock: '11:00', checks: ['trading_price_move', 'trading_ttl'] },
  { phase: 'market_close', clock: '15:32', checks: [] },
  { phase: 'after_hours', clock: '20:00', checks: ['after_hours_quiet'] },
];

describe('a decision printed at exactly the TTL is not a rule violation (printed values are rounded)', () => {
  for (const { phase, clock, checks } of PHASE_CASES) {
    const ttl = DEFAULT_RULES[phase].ttlHours;
    const below = (ttl - 0.1).toFixed(1);
    const past = (ttl + 0.1).toFixed(1);
    const t = (seconds: number) => `2025-11-04 ${clock}:${String(seconds).padStart(2, '0')},000`;
    const lines = [
      // 005930: a TTL update at exactly the TTL; 000660: one printed 0.1 h before it (a violation).
      attempt(t(0), '005930', `시장 단계별 TTL 초과 (${phase}: ${ttl.toFixed(1)}h > ${ttl}h)`),
      succeeded(t(5), '005930'),
      attempt(t(10), '000660', `시장 단계별 TTL 초과 (${phase}: ${below}h > ${ttl}h)`),
      succeeded(t(15), '000660'),
      // 035720: a skip at exactly the TTL; 035420: one printed 0.1 h past it (a violation).
      skip(t(20), '035720', phase, ttl.toFixed(1), ttl),
      skip(t(25), '035420', phase, past, ttl),
    ];

    it(`${phase} (TTL ${ttl} h): ${ttl.toFixed(1)}h is no violation, ${below}h updates and ${past}h skips are`, async () => {
      const { db } = await storeOf(lines);
      const anomalies = await anomaliesOf(db, '2025-11-04', 1);
      expect(ofKind(anomalies, 'rule_violation').map((a: any) => [a.stock_code, a.count])).toEqual([
        ['000660', 1],
        ['035420', 1],
      ]);
      // market_close has no day1 check: nothing fails, nothing passes.
      const verdict = await day1(db, '2025-11-04', checks.length ? 1 : 3);
      for (const check of verdict.checks) {
        const expected = checks.includes(check.id) ? ['000660', '035420'] : [];
        expect(check.violations.map((v: any) => v.stock_code), check.id).toEqual(expected);
      }
    });
  }

  it('trading: the TTL update at exactly 2.0h is evidence that passes trading_ttl', async () => {
    const { db } = await storeOf([
      attempt('2025-11-04 11:00:00,000', '005930', '시장 단계별 TTL 초과 (trading: 2.0h > 2h)'),
      succeeded('2025-11-04 11:00:05,000', '005930'),
    ]);
    const check = (await day1(db, '2025-11-04', 3)).checks.find((c: any) => c.id === 'trading_ttl');
    expect(check).toMatchObject({ status: 'pass', evidence_count: 1, violation_count: 0 });
    expect(ofKind(await anomaliesOf(db, '2025-11-04', 0), 'rule_violation')).toEqual([]);
  });

  it('after_hours_quiet: a skip at 5.9h/6h is evidence; one at exactly 6.0h/6h is neither evidence nor violation', async () => {
    const { db } = await storeOf([skip('2025-11-04 20:00:00,000', '005930', 'after_hours', '6.0', 6)]);
    const atTtl = (await day1(db, '2025-11-04', 3)).checks.find((c: any) => c.id === 'after_hours_quiet');
    expect(atTtl).toMatchObject({ status: 'not_exercised', evidence_count: 0, violation_count: 0 });
    const { db: young } = await storeOf([skip('2025-11-04 20:00:00,000', '005930', 'after_hours', '5.9', 6)]);
    const below = (await day1(young, '2025-11-04', 3)).checks.find((c: any) => c.id === 'after_hours_quiet');
    expect(below).toMatchObject({ status: 'pass', evidence_count: 1, violation_count: 0 });
  });
});

describe('price moves: the magnitude of the printed rate counts, and the threshold itself passes', () => {
  const move = (time: string, code: string, rate: string) => attempt(time, code, `주가 급변 (${rate}%, 임계값: 3.0%, 시장: trading)`);
  const lines = [
    move('2025-11-04 10:00:00,000', '005930', '-3.4'),
    succeeded('2025-11-04 10:00:05,000', '005930'),
    move('2025-11-04 10:01:00,000', '000660', '3.0'),
    succeeded('2025-11-04 10:01:05,000', '000660'),
    move('2025-11-04 10:02:00,000', '035720', '-3.0'),
    succeeded('2025-11-04 10:02:05,000', '035720'),
    // Below the threshold either way: violations.
    move('2025-11-04 10:03:00,000', '035420', '-2.9'),
    succeeded('2025-11-04 10:03:05,000', '035420'),
    move('2025-11-04 10:04:00,000', '051910', '2.9'),
    succeeded('2025-11-04 10:04:05,000', '051910'),
    // A failed update of a large fall is no evidence, and no violation.
    move('2025-11-04 10:05:00,000', '207940', '-5.0'),
    failed('2025-11-04 10:05:05,000', '207940'),
  ];

  it('verify day1: -3.4 %, 3.0 % and -3.0 % are evidence; -2.9 % and 2.9 % are violations', async () => {
    const { db } = await storeOf(lines);
    const check = (await day1(db, '2025-11-04', 1)).checks.find((c: any) => c.id === 'trading_price_move');
    expect(check.evidence_count).toBe(3);
    expect(check.violations.map((v: any) => v.message)).toEqual([
      '종목 035420 업데이트 시작: 주가 급변 (-2.9%, 임계값: 3.0%, 시장: trading)',
      '종목 051910 업데이트 시작: 주가 급변 (2.9%, 임계값: 3.0%, 시장: trading)',
    ]);
    expect(check.status).toBe('fail');
  });

  it('anomalies: rule_violation for the -2.9 % and 2.9 % updates only', async () => {
    const { db } = await storeOf(lines);
    const violations = ofKind(await anomaliesOf(db, '2025-11-04', 1), 'rule_violation');
    expect(violations.map((a: any) => [a.stock_code, a.count])).toEqual([
      ['035420', 1],
      ['051910', 1],
    ]);
  });
});

describe('freshness: stale is age_hours >= ttl_hours of the phase at `at`', () => {
  const row = (stock_code: string, last_updated: string) => ({ stock_code, last_updated, last_update_reason: null, last_market_phase: null });
  const at = (time: string) => Date.parse(`2025-11-04T${time}+09:00`);

  it('at exactly the TTL a report is stale; 0.01 h younger it is not', () => {
    // 12:00 KST is trading: TTL 2 h.
    const doc = computeFreshness([row('005930', '2025-11-04 10:00:00.000'), row('000660', '2025-11-04 10:00:36.000')], at('12:00:00'), 'Asia/Seoul', DEFAULT_RULES);
    expect(doc).toMatchObject({ phase: 'trading', ttl_hours: 2 });
    expect(doc.stocks.map((s) => [s.stock_code, s.age_hours, s.stale])).toEqual([
      ['005930', 2, true],
      ['000660', 1.99, false],
    ]);
  });

  it('the TTL is that of the phase at `at`: 1.5 h is stale at 09:29:59 (market_open, 1 h), fresh at 09:30:00 (trading, 2 h)', () => {
    const before = computeFreshness([row('005930', '2025-11-04 07:59:59.000')], at('09:29:59'), 'Asia/Seoul', DEFAULT_RULES);
    expect(before).toMatchObject({ phase: 'market_open', ttl_hours: 1, stocks: [{ age_hours: 1.5, stale: true }] });
    const after = computeFreshness([row('005930', '2025-11-04 08:00:00.000')], at('09:30:00'), 'Asia/Seoul', DEFAULT_RULES);
    expect(after).toMatchObject({ phase: 'trading', ttl_hours: 2, stocks: [{ age_hours: 1.5, stale: false }] });
  });

  it('reads last_updated in --db-tz: 01:00 UTC is 10:00 KST, exactly 2 h before 12:00 KST', () => {
    const doc = computeFreshness([row('005930', '2025-11-04 01:00:00.000')], at('12:00:00'), 'UTC', DEFAULT_RULES);
    expect(doc.stocks).toMatchObject([{ stock_code: '005930', last_updated: '2025-11-04T10:00:00+09:00', age_hours: 2, stale: true }]);
  });
});

describe('phase mismatches: a named phase fits within two minutes of a boundary, not beyond', () => {
  const ttl = (time: string, code: string, phase: Phase) => attempt(time, code, `시장 단계별 TTL 초과 (${phase}: 9.0h > 1h)`);
  const lines = [
    // 09:30 market_open → trading. Fits: trading 2 min early, market_open 2 min late (to the millisecond).
    ttl('2025-11-04 09:28:00,000', '005930', 'trading'),
    skip('2025-11-04 09:31:59,999', '000660', 'market_open', '0.5', 1),
    // Beyond: mismatches.
    ttl('2025-11-04 09:27:59,999', '035720', 'trading'),
    skip('2025-11-04 09:32:00,001', '035420', 'market_open', '0.5', 1),
    // The KST midnight: after_hours → pre_market of the next day.
    skip('2025-11-04 23:58:00,000', '005930', 'pre_market', '0.5', 3),
    skip('2025-11-05 00:01:59,999', '000660', 'after_hours', '0.5', 6),
    skip('2025-11-04 23:57:59,999', '035720', 'pre_market', '0.5', 3),
    skip('2025-11-05 00:02:00,001', '035420', 'after_hours', '0.5', 6),
  ];

  it('ingest counts the four decisions beyond two minutes, and suggests no zone (no other zone fits better)', async () => {
    const { ingest } = await storeOf(lines);
    expect(ingest.phase_mismatches).toBe(4);
    expect(ingest.suggested_log_tz).toBeNull();
  });

  it('anomalies reports the same four as one phase_mismatch entry', async () => {
    const { db } = await storeOf(lines);
    const [entry, ...more] = ofKind(await anomaliesOf(db, '2025-11-04', 1), 'phase_mismatch');
    expect(more).toEqual([]);
    // The window is 2025-11-04 KST: the decisions after midnight belong to the next day.
    expect(entry).toMatchObject({ count: 3, first_ts: '2025-11-04T09:27:59.999+09:00', last_ts: '2025-11-04T23:57:59.999+09:00' });
  });

  // A log written in UTC: 01:00 and 02:00 are trading (10:00, 11:00 KST), 07:00 after_hours (16:00 KST),
  // 23:30 the pre_market of the next KST day (08:30).
  const utcLog = [
    ttl('2025-11-04 01:00:00,000', '005930', 'trading'),
    ttl('2025-11-04 02:00:00,000', '000660', 'trading'),
    skip('2025-11-04 07:00:00,000', '035720', 'after_hours', '1.0', 6),
    skip('2025-11-04 23:30:00,000', '035420', 'pre_market', '1.0', 3),
  ];

  it('suggests UTC for a UTC log read as Asia/Seoul, and nothing once it is read as UTC', async () => {
    const wrong = await storeOf(utcLog);
    expect([wrong.ingest.phase_mismatches, wrong.ingest.suggested_log_tz]).toEqual([4, 'UTC']);
    const right = await storeOf(utcLog, ['--log-tz', 'UTC']);
    expect([right.ingest.phase_mismatches, right.ingest.suggested_log_tz]).toEqual([0, null]);
  });

  it('names a zone only when it removes most mismatches: 3 of 5 yes, 2 of 4 (half) no', async () => {
    // market_open at a wall clock of 09:45 or 09:50 fits no candidate zone (none is 15–45 minutes off KST).
    const unfit = [
      skip('2025-11-04 09:45:00,000', '051910', 'market_open', '0.5', 1),
      skip('2025-11-04 09:50:00,000', '207940', 'market_open', '0.5', 1),
    ];
    const half = await storeOf([...utcLog.slice(0, 2), ...unfit].sort());
    expect([half.ingest.phase_mismatches, half.ingest.suggested_log_tz]).toEqual([4, null]);
    const most = await storeOf([...utcLog.slice(0, 3), ...unfit].sort());
    expect([most.ingest.phase_mismatches, most.ingest.suggested_log_tz]).toEqual([5, 'UTC']);
  });

  it('suggests no zone for one stray decision among twenty that fit', async () => {
    const fitting = Array.from({ length: 19 }, (_, i) => skip(`2025-11-04 ${String(10 + (i % 5)).padStart(2, '0')}:${String(10 + i).padStart(2, '0')}:00,000`, '005930', 'trading', '0.5', 2));
    const { ingest } = await storeOf([...fitting, skip('2025-11-04 20:00:00,000', '000660', 'trading', '0.5', 2)].sort());
    expect([ingest.phase_mismatches, ingest.suggested_log_tz]).toEqual([1, null]);
  });
});

describe('abandoned: no outcome record and a log end at least 30 minutes after the start', () => {
  it('is in flight at 29:59.999 of log past its start, and failed (abandoned) at 30:00.000', async () => {
    const start = attempt('2025-11-04 10:00:00,000', '005930', FORCED);
    const { db, log } = await storeOf([start, noise('2025-11-04 10:29:59,999')]);
    const stats = () => json(db, ['stats', '--days', '1', '--until', '2025-11-04'], 0);
    expect(await stats()).toMatchObject({ total_updates: 1, succeeded: 0, failed: 0, in_flight: 1 });
    fs.appendFileSync(log, noise('2025-11-04 10:30:00,000') + '\n');
    expect((await cli(['--db', db, 'ingest', log])).code).toBe(0);
    expect(await stats()).toMatchObject({ total_updates: 1, succeeded: 0, failed: 1, in_flight: 0 });
  });
});

describe('phases by the clock, for decisions that name none (forced attempts)', () => {
  it('puts each attempt on its side of 09:00, 09:30, 15:30, 15:36 and the KST midnight, to the millisecond', async () => {
    const edges = [
      '00:00:00,000', '08:59:59,999', // pre_market
      '09:00:00,000', '09:29:59,999', // market_open
      '09:30:00,000', '15:29:59,999', // trading
      '15:30:00,000', '15:35:59,999', // market_close
      '15:36:00,000', '23:59:59,999', // after_hours
    ];
    const { db } = await storeOf(edges.flatMap((clock, i) => [attempt(`2025-11-04 ${clock}`, String(100000 + i), FORCED)]));
    const doc = await json(db, ['stats', '--days', '1', '--until', '2025-11-04'], 0);
    expect(doc.total_updates).toBe(10);
    expect(doc.market_phases).toEqual({ pre_market: 2, market_open: 2, trading: 2, market_close: 2, after_hours: 2 });
  });

  it('takes the phase named in the text over the clock', async () => {
    const { db } = await storeOf([attempt('2025-11-04 08:00:00,000', '005930', '새 예측 추가 (기존: 5, 현재: 6, 시장: trading)')]);
    const doc = await json(db, ['stats', '--days', '1', '--until', '2025-11-04'], 0);
    expect(doc.market_phases).toEqual({ pre_market: 0, market_open: 0, trading: 1, market_close: 0, after_hours: 0 });
  });
});

describe('KST calendar days: a window is [from 00:00, until+1 00:00) in Asia/Seoul', () => {
  const lines = [
    attempt('2025-11-03 23:59:59,999', '005930', FORCED),
    attempt('2025-11-04 00:00:00,000', '005930', FORCED),
    attempt('2025-11-04 23:59:59,999', '005930', FORCED),
    attempt('2025-11-05 00:00:00,000', '005930', FORCED),
  ];

  it('counts the attempts of 2025-11-04 from 00:00:00.000 to 23:59:59.999 and no others', async () => {
    const { db } = await storeOf(lines);
    expect((await json(db, ['stats', '--days', '1', '--until', '2025-11-04'], 0)).total_updates).toBe(2);
    expect((await json(db, ['stats', '--days', '2', '--until', '2025-11-04'], 0)).total_updates).toBe(3);
    const cost = await json(db, ['cost', '--days', '3', '--until', '2025-11-05'], 0);
    expect(cost.days.map((d: any) => [d.date, d.updates])).toEqual([
      ['2025-11-03', 1],
      ['2025-11-04', 2],
      ['2025-11-05', 1],
    ]);
  });

  it('reads a UTC log into KST days: 14:59:59.999 UTC is the day before, 15:00 UTC the next KST day (pre_market)', async () => {
    const { db } = await storeOf(
      [attempt('2025-11-03 14:59:59,999', '005930', FORCED), attempt('2025-11-03 15:00:00,000', '000660', FORCED)],
      ['--log-tz', 'UTC'],
    );
    const before = await json(db, ['stats', '--days', '1', '--until', '2025-11-03'], 0);
    expect([before.total_updates, before.market_phases.after_hours]).toEqual([1, 1]);
    const after = await json(db, ['stats', '--days', '1', '--until', '2025-11-04'], 0);
    expect([after.total_updates, after.market_phases.pre_market]).toEqual([1, 1]);
  });

  it('accepts --days from 1 to 30 and nothing else (exit 2, one line on stderr)', async () => {
    const { db } = await storeOf(lines);
    for (const days of ['1', '30']) expect((await cli(['--db', db, 'stats', '--days', days, '--until', '2025-11-04', '--json'])).code).toBe(0);
    for (const days of ['0', '31']) {
      const run = await cli(['--db', db, 'stats', '--days', days, '--until', '2025-11-04', '--json']);
      expect(run.code).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(/--days/);
    }
  });
});

describe('update_storm: more than 3 attempts of one stock within 60 minutes', () => {
  const burst = (code: string, clocks: string[]) =>
    clocks.flatMap((c) => [attempt(`2025-11-04 ${c}`, code, FORCED), succeeded(`2025-11-04 ${c.slice(0, 6)}30,000`, code)]);

  it('4 attempts spanning exactly 60:00 are a storm; spanning 60:00.001, or only 3, are not', async () => {
    const { db } = await storeOf(
      [
        ...burst('005930', ['10:00:00,000', '10:20:00,000', '10:40:00,000', '11:00:00,000']),
        ...burst('000660', ['10:00:00,000', '10:20:00,000', '10:40:00,000', '11:00:00,001']),
        ...burst('035720', ['10:00:00,000', '10:01:00,000', '10:02:00,000']),
      ].sort(),
    );
    const storms = ofKind(await anomaliesOf(db, '2025-11-04', 1), 'update_storm');
    expect(storms.map((a: any) => [a.stock_code, a.first_ts, a.last_ts, a.count])).toEqual([
      ['005930', '2025-11-04T10:00:00+09:00', '2025-11-04T11:00:00+09:00', 4],
    ]);
  });

  it('finds nothing for 3 attempts within a minute (exit 0)', async () => {
    const { db } = await storeOf(burst('035720', ['10:00:00,000', '10:01:00,000', '10:02:00,000']));
    expect((await anomaliesOf(db, '2025-11-04', 0)).anomalies).toEqual([]);
  });
});

describe('failure_spike: 3 or more failed attempts within 60 minutes', () => {
  const failures = (clocks: string[], codes: string[]) =>
    clocks.flatMap((c, i) => [attempt(`2025-11-04 ${c}`, codes[i], FORCED), failed(`2025-11-04 ${c.slice(0, 6)}30,000`, codes[i])]);

  it('3 failures spanning exactly 60:00 are a spike; 3 spanning 60:00.001 and 2 within a minute are not', async () => {
    const { db } = await storeOf(
      [
        ...failures(['12:00:00,000', '12:30:00,000', '13:00:00,000'], ['005930', '000660', '035720']),
        ...failures(['16:00:00,000', '16:30:00,000', '17:00:00,001'], ['035420', '051910', '207940']),
        ...failures(['20:00:00,000', '20:01:00,000'], ['068270', '005380']),
      ].sort(),
    );
    const spikes = ofKind(await anomaliesOf(db, '2025-11-04', 1), 'failure_spike');
    expect(spikes.map((a: any) => [a.first_ts, a.last_ts, a.count])).toEqual([['2025-11-04T12:00:00+09:00', '2025-11-04T13:00:00+09:00', 3]]);
  });
});

describe('verify week thresholds, at and beside each bound (default rules)', () => {
  // A KRX trading day, so that every day is judged.
  const DATE = '2025-11-04';
  const facts = (f: Partial<DayFacts>): DayFacts => ({
    date: DATE,
    stocksSeen: 0,
    succeeded: 0,
    failed: 0,
    inFlight: 0,
    calls: 0,
    callsSource: 'llm_cost_lines',
    freshnessHours: null,
    freshnessStocks: 0,
    measuredUntil: null,
    ...f,
  });
  const dayOf = (id: WeekCheckId, f: Partial<DayFacts>) => {
    const week = evaluateWeek(DATE, DATE, [facts(f)], DEFAULT_WEEK_RULES);
    return week.checks.find((c) => c.id === id)!.days[0];
  };
  const statusOf = (id: WeekCheckId, f: Partial<DayFacts>) => dayOf(id, f).status;

  it('daily_updates_per_stock passes for 5 ≤ v ≤ 10', () => {
    expect(DEFAULT_WEEK_RULES.updatesPerStock).toEqual({ min: 5, max: 10 });
    const at = (n: number) => statusOf('daily_updates_per_stock', { stocksSeen: 10, succeeded: n });
    expect([at(49), at(50), at(100), at(101)]).toEqual(['fail', 'pass', 'pass', 'fail']);
    expect(dayOf('daily_updates_per_stock', { stocksSeen: 10, succeeded: 49 }).value).toBe(4.9);
    expect(statusOf('daily_updates_per_stock', { stocksSeen: 0 })).toBe('no_data');
  });

  it('success_rate passes for v > 0.95 (0.95 fails), in-flight attempts not counted', () => {
    const at = (s: number, f: number, inFlight = 0) => statusOf('success_rate', { stocksSeen: 1, succeeded: s, failed: f, inFlight });
    expect([at(95, 5), at(96, 4), at(19, 1), at(20, 0, 5)]).toEqual(['fail', 'pass', 'fail', 'pass']);
    expect(dayOf('success_rate', { stocksSeen: 1, succeeded: 20, failed: 0, inFlight: 5 }).value).toBe(1);
    expect(statusOf('success_rate', { stocksSeen: 1, inFlight: 3 })).toBe('no_data');
  });

  it('llm_calls_per_day passes for 5·n ≤ v ≤ 10·n', () => {
    const at = (calls: number) => statusOf('llm_calls_per_day', { stocksSeen: 3, calls });
    expect([at(14), at(15), at(30), at(31)]).toEqual(['fail', 'pass', 'pass', 'fail']);
    // Calls on a day without a decision are data: they fail, 0·n being 0.
    expect(statusOf('llm_calls_per_day', { stocksSeen: 0, calls: 2 })).toBe('fail');
    expect(statusOf('llm_calls_per_day', { stocksSeen: 0, calls: 0 })).toBe('no_data');
  });

  it('avg_freshness_hours passes for v < 3 (3 fails)', () => {
    const at = (h: number) => statusOf('avg_freshness_hours', { stocksSeen: 1, freshnessHours: h, freshnessStocks: 1, measuredUntil: Date.parse(`${DATE}T23:59:59+09:00`) });
    expect([at(2.99), at(3), at(3.01)]).toEqual(['pass', 'fail', 'fail']);
    expect(statusOf('avg_freshness_hours', { stocksSeen: 1 })).toBe('no_data');
  });

  it('a check fails with one failing day, passes when all days with data pass, and is not exercised without data', () => {
    const days = ['2025-11-04', '2025-11-05', '2025-11-06'];
    const run = (succeeded: number[]) =>
      evaluateWeek(days[0], days[2], days.map((date, i) => facts({ date, stocksSeen: succeeded[i] < 0 ? 0 : 1, succeeded: Math.max(0, succeeded[i]) })), DEFAULT_WEEK_RULES).checks.find(
        (c) => c.id === 'daily_updates_per_stock',
      )!.status;
    expect(run([5, 10, 4])).toBe('fail');
    expect(run([5, -1, 10])).toBe('pass');
    expect(run([-1, -1, -1])).toBe('not_exercised');
  });
});
