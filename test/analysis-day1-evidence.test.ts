/**
 * verify day1 (cli-contract.md): which decisions are evidence of each check, that a decision
 * belongs to the check of its phase, that the day is the KST calendar day [00:00, 24:00), and the
 * default --date (the latest KRX trading day with a decision, attempt or skip).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from './helpers.js';
import { attempt, failed, FORCED, json, line, newPredictionReason, skip, storeOf, succeeded, ttlReason } from './support/analysis-log.js';

const day1 = (db: string, date: string, code: number, args: string[] = []) => json(db, [...args, 'verify', 'day1', '--date', date], code);
const summary = (doc: any) => doc.checks.map((c: any) => [c.id, c.status, c.evidence_count, c.violation_count]);

describe('the day is the KST calendar day, from 00:00:00.000 to 23:59:59.999', () => {
  const lines = [
    // 2025-11-03 after_hours: a skip past the 6 h TTL.
    skip('2025-11-03 23:59:59,999', '005930', 'after_hours', '7.0', 6),
    // 2025-11-04: a pre_market news update at midnight and a quiet skip a millisecond before the next.
    attempt('2025-11-04 00:00:00,000', '005930', newPredictionReason(5, 6, 'pre_market')),
    succeeded('2025-11-04 00:00:05,000', '005930'),
    skip('2025-11-04 23:59:59,999', '000660', 'after_hours', '1.0', 6),
    // 2025-11-05 pre_market: a TTL update 2 h before the 3 h TTL.
    attempt('2025-11-05 00:00:00,000', '000660', ttlReason('pre_market', '1.0', 3)),
    succeeded('2025-11-05 00:00:05,000', '000660'),
  ];

  it('2025-11-04 holds the two decisions inside it and neither violation beside it (inconclusive, exit 3)', async () => {
    const { db } = await storeOf(lines);
    expect(summary(await day1(db, '2025-11-04', 3))).toEqual([
      ['pre_market_news', 'pass', 1, 0],
      ['market_open_fresh', 'not_exercised', 0, 0],
      ['trading_price_move', 'not_exercised', 0, 0],
      ['trading_ttl', 'not_exercised', 0, 0],
      ['after_hours_quiet', 'pass', 1, 0],
    ]);
  });

  it('the day before and the day after each fail with their own violation (exit 1)', async () => {
    const { db } = await storeOf(lines);
    const before = await day1(db, '2025-11-03', 1);
    expect(before.checks.find((c: any) => c.id === 'after_hours_quiet').violations.map((v: any) => v.ts)).toEqual(['2025-11-03T23:59:59.999+09:00']);
    const after = await day1(db, '2025-11-05', 1);
    expect(after.checks.find((c: any) => c.id === 'pre_market_news').violations.map((v: any) => v.ts)).toEqual(['2025-11-05T00:00:00+09:00']);
  });
});

describe('evidence of each check, on Tuesday 2025-11-04', () => {
  const noAge = (time: string, code: string) => line(time, `종목 ${code}의 분석 요약이 최신 상태입니다. (업데이트 불필요)`);
  const lines = [
    // pre_market: only the succeeded new_prediction update is evidence; a failed one and a forced one are not.
    attempt('2025-11-04 07:00:00,000', '005930', newPredictionReason(5, 6, 'pre_market')),
    succeeded('2025-11-04 07:00:05,000', '005930'),
    attempt('2025-11-04 07:10:00,000', '000660', newPredictionReason(3, 4, 'pre_market')),
    failed('2025-11-04 07:10:05,000', '000660'),
    attempt('2025-11-04 07:20:00,000', '035720', FORCED),
    succeeded('2025-11-04 07:20:05,000', '035720'),
    // market_open: succeeded updates of any reason, and skips — not the failed update: 2 + 1.
    attempt('2025-11-04 09:10:00,000', '005930', FORCED),
    succeeded('2025-11-04 09:10:05,000', '005930'),
    attempt('2025-11-04 09:11:00,000', '000660', newPredictionReason(4, 5, 'market_open')),
    succeeded('2025-11-04 09:11:05,000', '000660'),
    attempt('2025-11-04 09:12:00,000', '035720', FORCED),
    failed('2025-11-04 09:12:05,000', '035720'),
    skip('2025-11-04 09:13:00,000', '035420', 'market_open', '0.2', 1),
    // trading: the succeeded TTL update is evidence of trading_ttl; a failed one and a forced one are not.
    attempt('2025-11-04 11:00:00,000', '005930', ttlReason('trading', '2.1', 2)),
    succeeded('2025-11-04 11:00:05,000', '005930'),
    attempt('2025-11-04 11:10:00,000', '000660', ttlReason('trading', '2.4', 2)),
    failed('2025-11-04 11:10:05,000', '000660'),
    attempt('2025-11-04 11:20:00,000', '035720', FORCED),
    succeeded('2025-11-04 11:20:05,000', '035720'),
    // after_hours: a skip below the TTL is evidence; one that prints no age is not.
    skip('2025-11-04 20:00:00,000', '005930', 'after_hours', '1.0', 6),
    noAge('2025-11-04 20:10:00,000', '000660'),
  ];

  it('counts 1, 3, 0, 1 and 1, and passes (exit 3: trading_price_move is not exercised)', async () => {
    const { db } = await storeOf(lines);
    const doc = await day1(db, '2025-11-04', 3);
    expect(doc.status).toBe('inconclusive');
    expect(summary(doc)).toEqual([
      ['pre_market_news', 'pass', 1, 0],
      ['market_open_fresh', 'pass', 3, 0],
      ['trading_price_move', 'not_exercised', 0, 0],
      ['trading_ttl', 'pass', 1, 0],
      ['after_hours_quiet', 'pass', 1, 0],
    ]);
  });

  it('says for each check what it observed: evidence, or how many decisions gave none', async () => {
    const { db } = await storeOf(lines);
    const doc = await day1(db, '2025-11-04', 3);
    expect(doc.checks.map((c: any) => [c.id, c.phase, c.observed])).toEqual([
      ['pre_market_news', 'pre_market', '1 evidence, no violation'],
      ['market_open_fresh', 'market_open', '3 evidence, no violation'],
      // The three trading attempts are decisions of the phase, none of them a price move.
      ['trading_price_move', 'trading', '3 decisions, no evidence'],
      ['trading_ttl', 'trading', '1 evidence, no violation'],
      ['after_hours_quiet', 'after_hours', '1 evidence, no violation'],
    ]);
  });
});

describe('what each check observed, in words', () => {
  it('names violations with their evidence, one decision, several decisions, and no decisions, singular and plural', async () => {
    const { db } = await storeOf([
      // pre_market: one TTL update before the TTL.
      attempt('2025-11-04 07:00:00,000', '005930', ttlReason('pre_market', '2.0', 3)),
      succeeded('2025-11-04 07:00:05,000', '005930'),
      // market_open: one failed update, no evidence.
      attempt('2025-11-04 09:10:00,000', '000660', FORCED),
      failed('2025-11-04 09:10:05,000', '000660'),
      // trading: a forced update and a skip, neither a price move nor a TTL update.
      attempt('2025-11-04 11:20:00,000', '035720', FORCED),
      succeeded('2025-11-04 11:20:05,000', '035720'),
      skip('2025-11-04 11:30:00,000', '005930', 'trading', '0.5', 2),
      // after_hours: two skips past the TTL and one quiet one.
      skip('2025-11-04 20:00:00,000', '005930', 'after_hours', '6.5', 6),
      skip('2025-11-04 20:10:00,000', '000660', 'after_hours', '7.0', 6),
      skip('2025-11-04 20:20:00,000', '035720', 'after_hours', '1.0', 6),
    ]);
    const doc = await day1(db, '2025-11-04', 1);
    expect(doc.checks.map((c: any) => [c.id, c.observed])).toEqual([
      ['pre_market_news', '1 violation (0 evidence)'],
      ['market_open_fresh', '1 decision, no evidence'],
      ['trading_price_move', '2 decisions, no evidence'],
      ['trading_ttl', '2 decisions, no evidence'],
      ['after_hours_quiet', '2 violations (1 evidence)'],
    ]);
    // The day before holds nothing.
    const empty = await day1(db, '2025-11-03', 3);
    expect(empty.checks.map((c: any) => c.observed)).toEqual(Array(5).fill('no decisions in this phase'));
  });
});

describe('a decision belongs to the check of the phase it names, not of its clock', () => {
  it('a pre_market news update written at 09:01 is pre_market evidence; a market_open skip at 09:31 is market_open evidence', async () => {
    // Both within two minutes of their phase's end: no phase mismatch either.
    const { db, ingest } = await storeOf([
      attempt('2025-11-04 09:01:00,000', '005930', newPredictionReason(5, 6, 'pre_market')),
      succeeded('2025-11-04 09:01:05,000', '005930'),
      skip('2025-11-04 09:31:00,000', '000660', 'market_open', '0.5', 1),
    ]);
    expect(ingest.phase_mismatches).toBe(0);
    expect(summary(await day1(db, '2025-11-04', 3)).slice(0, 3)).toEqual([
      ['pre_market_news', 'pass', 1, 0],
      ['market_open_fresh', 'pass', 1, 0],
      ['trading_price_move', 'not_exercised', 0, 0],
    ]);
  });
});

describe('the expectations follow the configured rules', () => {
  it('states the configured TTLs and price threshold', async () => {
    const config = path.join(tempDir(), 'craveny-ops.config.json');
    fs.writeFileSync(config, JSON.stringify({ rules: { market_open: { ttlHours: 1.5 }, trading: { ttlHours: 2.5, priceThreshold: 4 }, after_hours: { ttlHours: 5 } } }));
    const { db } = await storeOf([skip('2025-11-04 20:00:00,000', '005930', 'after_hours', '1.0', 6)]);
    const doc = await day1(db, '2025-11-04', 3, ['--config', config]);
    const expectation = Object.fromEntries(doc.checks.map((c: any) => [c.id, c.expectation]));
    expect(expectation.pre_market_news).toMatch(/succeeded new_prediction/);
    expect(expectation.market_open_fresh).toMatch(/TTL 1\.5h/);
    expect(expectation.trading_price_move).toMatch(/≥ 4%/);
    expect(expectation.trading_ttl).toMatch(/≥ 2\.5h/);
    expect(expectation.after_hours_quiet).toMatch(/< 5h/);
  });
});

describe('the default --date: the latest KRX trading day with a decision, attempt or skip', () => {
  const defaultDate = async (lines: string[]) => {
    const { db } = await storeOf(lines);
    const run = await cli(['--db', db, 'verify', 'day1', '--json']);
    expect(run.stderr).toBe('');
    return run.json().date;
  };
  const update = (day: string, code: string) => [attempt(`${day} 11:00:00,000`, code, FORCED), succeeded(`${day} 11:00:05,000`, code)];

  it('is the day of a later skip, of a later attempt, or of skips alone', async () => {
    expect(await defaultDate([...update('2025-11-04', '005930'), skip('2025-11-05 11:00:00,000', '005930', 'trading', '0.5', 2)])).toBe('2025-11-05');
    expect(await defaultDate([skip('2025-11-04 11:00:00,000', '005930', 'trading', '0.5', 2), ...update('2025-11-05', '005930')])).toBe('2025-11-05');
    expect(await defaultDate([skip('2025-11-06 11:00:00,000', '005930', 'trading', '0.5', 2)])).toBe('2025-11-06');
    expect(await defaultDate(update('2025-11-06', '005930'))).toBe('2025-11-06');
  });

  it('is the latest of several days, of attempts alone or of skips alone', async () => {
    expect(await defaultDate([...update('2025-11-04', '005930'), ...update('2025-11-06', '005930')])).toBe('2025-11-06');
    expect(await defaultDate([skip('2025-11-04 11:00:00,000', '005930', 'trading', '0.5', 2), skip('2025-11-06 11:00:00,000', '005930', 'trading', '0.5', 2)])).toBe('2025-11-06');
  });
});
