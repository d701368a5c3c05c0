/**
 * Rule violations (cli-contract.md, verify day1 and anomalies `rule_violation`) beyond the equality
 * cases of test/boundaries.test.ts: only what a decision prints can violate a rule, the phase of a
 * decision that names none is its clock's, the price rule is the trading phase's, and a stock's
 * violations are told oldest first with the numbers that break the rule.
 */
import { describe, expect, it } from 'vitest';
import { attempt, json, priceReason, skip, storeOf, succeeded, ttlReason } from './support/analysis-log.js';

const day1 = (db: string, code: number) => json(db, ['verify', 'day1', '--date', '2025-11-04'], code);
const anomalies = (db: string, code: number) => json(db, ['anomalies', '--days', '1', '--until', '2025-11-04'], code);
const check = (doc: any, id: string) => doc.checks.find((c: any) => c.id === id);
const violationsOf = (doc: any) => doc.anomalies.filter((a: any) => a.kind === 'rule_violation');

describe('a skip that names no known phase is judged in the phase of its KST time', () => {
  // 20:00 and 20:05 KST are after_hours (TTL 6 h); `시장: closed` is none of the five phases.
  const lines = [skip('2025-11-04 20:00:00,000', '005930', 'closed', '6.5', 6), skip('2025-11-04 20:05:00,000', '000660', 'closed', '5.5', 6)];

  it('verify day1: 6.5 h is past the after_hours TTL (a violation), 5.5 h is a quiet skip (evidence)', async () => {
    const { db } = await storeOf(lines);
    const quiet = check(await day1(db, 1), 'after_hours_quiet');
    expect(quiet).toMatchObject({ status: 'fail', evidence_count: 1, violation_count: 1 });
    expect(quiet.violations.map((v: any) => [v.ts, v.stock_code])).toEqual([['2025-11-04T20:00:00+09:00', '005930']]);
  });

  it('anomalies: one rule_violation, for the 6.5 h skip only, against the after_hours TTL of 6 h', async () => {
    const { db } = await storeOf(lines);
    const found = violationsOf(await anomalies(db, 1));
    expect(found.map((a: any) => [a.stock_code, a.count, a.first_ts])).toEqual([['005930', 1, '2025-11-04T20:00:00+09:00']]);
    // The detail names the printed age and the TTL it passed.
    expect(found[0].detail).toMatch(/6\.5h.*after_hours.*6h/);
  });
});

describe('only a printed number can break a rule', () => {
  // 11:00 KST is trading (TTL 2 h, price threshold 3.0 %). Both reasons are recognised by their
  // start (ttl_expired, price_move) but print no age and no rate.
  const lines = [
    attempt('2025-11-04 11:00:00,000', '005930', '시장 단계별 TTL 초과'),
    succeeded('2025-11-04 11:00:05,000', '005930'),
    attempt('2025-11-04 11:10:00,000', '000660', '주가 급변'),
    succeeded('2025-11-04 11:10:05,000', '000660'),
  ];

  it('a TTL update without a printed age is evidence of trading_ttl and no violation; a price move without a rate is neither', async () => {
    const { db } = await storeOf(lines);
    const doc = await day1(db, 3);
    expect(check(doc, 'trading_ttl')).toMatchObject({ status: 'pass', evidence_count: 1, violation_count: 0 });
    expect(check(doc, 'trading_price_move')).toMatchObject({ status: 'not_exercised', evidence_count: 0, violation_count: 0 });
    expect((await anomalies(db, 0)).anomalies).toEqual([]);
  });
});

describe('the price rule is that of the trading phase, and of price moves only', () => {
  const lines = [
    // market_open and market_close have a threshold of 5.0 %: their moves are not judged against trading's 3.0 %.
    attempt('2025-11-04 09:10:00,000', '005930', priceReason('2.0', 'market_open', '5.0')),
    succeeded('2025-11-04 09:10:05,000', '005930'),
    attempt('2025-11-04 15:32:00,000', '000660', priceReason('-1.0', 'market_close', '5.0')),
    succeeded('2025-11-04 15:32:05,000', '000660'),
    // A direction change prints a change in percent, which is not a price move.
    attempt('2025-11-04 11:00:00,000', '035720', '예측 방향 급변 (상승 비율: 40.0% → 42.0%, 변화: 2.0%, 임계값: 15.0%, 시장: trading)'),
    succeeded('2025-11-04 11:00:05,000', '035720'),
  ].sort();

  it('finds no rule violation (exit 0), and trading_price_move is not exercised', async () => {
    const { db } = await storeOf(lines);
    expect(violationsOf(await anomalies(db, 0))).toEqual([]);
    expect(check(await day1(db, 3), 'trading_price_move')).toMatchObject({ status: 'not_exercised', evidence_count: 0, violation_count: 0 });
  });
});

describe("a stock's violations are told oldest first", () => {
  // One stock in trading (TTL 2 h, threshold 3.0 %): a TTL update at 1.5 h (10:00), a skip at
  // 2.5 h past the TTL (10:30), and a price move of 2.0 % (11:00): three violations of three rules.
  const lines = [
    attempt('2025-11-04 10:00:00,000', '005930', ttlReason('trading', '1.5', 2)),
    succeeded('2025-11-04 10:00:05,000', '005930'),
    skip('2025-11-04 10:30:00,000', '005930', 'trading', '2.5', 2),
    attempt('2025-11-04 11:00:00,000', '005930', priceReason('2.0', 'trading')),
    succeeded('2025-11-04 11:00:05,000', '005930'),
  ];

  it('verify day1 lists them in time order, each with the numbers that break its rule', async () => {
    const { db } = await storeOf(lines);
    const doc = await day1(db, 1);
    expect(check(doc, 'trading_ttl').violations.map((v: any) => v.ts)).toEqual(['2025-11-04T10:00:00+09:00', '2025-11-04T10:30:00+09:00']);
    const price = check(doc, 'trading_price_move').violations;
    expect(price.map((v: any) => [v.ts, v.rule])).toEqual([
      ['2025-11-04T10:00:00+09:00', 'ttl_before_expiry'],
      ['2025-11-04T10:30:00+09:00', 'skip_past_ttl'],
      ['2025-11-04T11:00:00+09:00', 'price_below_threshold'],
    ]);
    expect(price[0].explanation).toMatch(/1\.5h.*trading.*2h/);
    expect(price[1].explanation).toMatch(/2\.5h.*trading.*2h/);
    expect(price[2].explanation).toMatch(/2%.*3%/);
  });

  it('anomalies: one entry for the stock, from the first violation to the last, explained by the first', async () => {
    const { db } = await storeOf(lines);
    const [entry, ...more] = violationsOf(await anomalies(db, 1));
    expect(more).toEqual([]);
    expect(entry).toMatchObject({ stock_code: '005930', count: 3, first_ts: '2025-11-04T10:00:00+09:00', last_ts: '2025-11-04T11:00:00+09:00' });
    expect(entry.detail).toMatch(/^TTL update at age 1\.5h.*trading.*2h.*\(\+2 more\)/);
  });
});
