/**
 * `freshness` at its edges (cli-contract.md, freshness): `stale` is `age_hours >= ttl_hours` of the
 * phase at `--at`, a row without `last_updated` is the stalest of all, the order is stalest first,
 * `--at` is read as ISO 8601 with an offset or as a naive KST time, and `placeholder` follows the
 * overall_summary / A/B custom_data rule. test/boundaries.test.ts already holds the TTL equality in
 * trading, the phase switch at 09:30 and --db-tz UTC; these cases are the other phases and inputs.
 */
import { describe, expect, it } from 'vitest';
import { AB_MARKER, computeFreshness, isPlaceholder, lastUpdatedMs, parseAt, PLACEHOLDER_SUMMARY } from '../src/backend/freshness.js';
import type { SummaryRow } from '../src/backend/database.js';
import { UsageError } from '../src/errors.js';
import { DEFAULT_RULES } from '../src/market/rules.js';
import { LocalClock } from '../src/market/time.js';

const row = (stock_code: string, last_updated: SummaryRow['last_updated']): SummaryRow => ({ stock_code, last_updated, last_update_reason: null, last_market_phase: null });
const kst = (text: string) => Date.parse(`${text}+09:00`);

describe('stale is age_hours >= the TTL of the phase at --at, in every phase', () => {
  // A time inside each phase on 2025-11-12 and its TTL (backend-logs.md); each row is exactly the TTL
  // old, or 0.01 h (36 s) younger.
  const cases = [
    { at: '2025-11-12T08:00:00', phase: 'pre_market', ttl: 3, atTtl: '2025-11-12 05:00:00.000', younger: '2025-11-12 05:00:36.000' },
    { at: '2025-11-12T09:15:00', phase: 'market_open', ttl: 1, atTtl: '2025-11-12 08:15:00.000', younger: '2025-11-12 08:15:36.000' },
    { at: '2025-11-12T15:33:00', phase: 'market_close', ttl: 1, atTtl: '2025-11-12 14:33:00.000', younger: '2025-11-12 14:33:36.000' },
    { at: '2025-11-12T22:00:00', phase: 'after_hours', ttl: 6, atTtl: '2025-11-12 16:00:00.000', younger: '2025-11-12 16:00:36.000' },
  ] as const;
  for (const c of cases) {
    it(`${c.phase} (TTL ${c.ttl} h): ${c.ttl} h old is stale, ${c.ttl - 0.01} h is not`, () => {
      const doc = computeFreshness([row('005930', c.atTtl), row('000660', c.younger)], kst(c.at), 'Asia/Seoul', DEFAULT_RULES);
      expect(doc).toMatchObject({ at: `${c.at}+09:00`, phase: c.phase, ttl_hours: c.ttl });
      expect(doc.stocks.map((s) => [s.stock_code, s.age_hours, s.stale])).toEqual([
        ['005930', c.ttl, true],
        ['000660', c.ttl - 0.01, false],
      ]);
    });
  }

  it('takes the TTL from the rules given (a config file), not from the defaults', () => {
    const rules = { ...DEFAULT_RULES, trading: { ...DEFAULT_RULES.trading, ttlHours: 0.5 } };
    const doc = computeFreshness([row('005930', '2025-11-12 13:30:00.000'), row('000660', '2025-11-12 13:30:36.000')], kst('2025-11-12T14:00:00'), 'Asia/Seoul', rules);
    expect(doc.ttl_hours).toBe(0.5);
    expect(doc.stocks.map((s) => [s.stock_code, s.age_hours, s.stale])).toEqual([
      ['005930', 0.5, true],
      ['000660', 0.49, false],
    ]);
  });

  it('rounds the age to 0.01 h and decides on the printed value: 1 h 59 min 42 s (1.995 h) prints 2 and is stale', () => {
    // 7182 s = 1.995 h, rounded half up to 2.00; 7181 s = 1.99472 h → 1.99.
    const doc = computeFreshness([row('005930', '2025-11-12 12:00:18.000'), row('000660', '2025-11-12 12:00:19.000')], kst('2025-11-12T14:00:00'), 'Asia/Seoul', DEFAULT_RULES);
    expect(doc.stocks.map((s) => [s.stock_code, s.age_hours, s.stale])).toEqual([
      ['005930', 2, true],
      ['000660', 1.99, false],
    ]);
  });

  it('a report written after --at has a negative age and is not stale', () => {
    const doc = computeFreshness([row('005930', '2025-11-12 15:00:00.000')], kst('2025-11-12T14:00:00'), 'Asia/Seoul', DEFAULT_RULES);
    expect(doc.stocks).toEqual([{ stock_code: '005930', last_updated: '2025-11-12T15:00:00+09:00', age_hours: -1, stale: false, placeholder: false }]);
  });
});

describe('the rows of the table: one entry each, stalest first', () => {
  it('puts a row without last_updated first (stale, no age), then by age, equal ages by stock code', () => {
    const doc = computeFreshness(
      [
        row('000660', '2025-11-12 13:00:00.000'),
        row('035720', '2025-11-12 10:00:00.000'),
        row('005930', '2025-11-12 13:00:00.000'),
        row('051910', null),
        row('003550', '2025-11-12 13:30:00.000'),
      ],
      kst('2025-11-12T14:00:00'),
      'Asia/Seoul',
      DEFAULT_RULES,
    );
    expect(doc.stocks.map((s) => [s.stock_code, s.age_hours, s.stale])).toEqual([
      ['051910', null, true],
      ['035720', 4, true],
      ['000660', 1, false],
      ['005930', 1, false],
      ['003550', 0.5, false],
    ]);
    expect(doc.stocks[0]).toEqual({ stock_code: '051910', last_updated: null, age_hours: null, stale: true, placeholder: false });
  });

  it('an empty table gives no entries, still with the phase and TTL at --at', () => {
    expect(computeFreshness([], kst('2025-11-12T14:00:00'), 'Asia/Seoul', DEFAULT_RULES)).toEqual({ at: '2025-11-12T14:00:00+09:00', phase: 'trading', ttl_hours: 2, stocks: [] });
  });

  it('marks exactly the stocks named as placeholders', () => {
    const doc = computeFreshness([row('005930', '2025-11-12 13:00:00.000'), row('000660', '2025-11-12 13:00:00.000')], kst('2025-11-12T14:00:00'), 'Asia/Seoul', DEFAULT_RULES, new Set(['000660']));
    expect(doc.stocks.map((s) => [s.stock_code, s.placeholder])).toEqual([
      ['000660', true],
      ['005930', false],
    ]);
  });

  it('reads a last_updated that carries its zone (timestamptz, epoch ms) as that instant, whatever --db-tz says', () => {
    const instant = Date.parse('2025-11-12T12:00:00+09:00');
    const doc = computeFreshness([row('005930', instant)], kst('2025-11-12T14:00:00'), 'UTC', DEFAULT_RULES);
    expect(doc.stocks).toEqual([{ stock_code: '005930', last_updated: '2025-11-12T12:00:00+09:00', age_hours: 2, stale: true, placeholder: false }]);
  });

  it('takes an unreadable last_updated as none: stale with no age', () => {
    const clock = new LocalClock('Asia/Seoul');
    expect(lastUpdatedMs('not a time', clock)).toBeNull();
    expect(lastUpdatedMs(null, clock)).toBeNull();
    expect(lastUpdatedMs('2025-11-12 13:00:00.000', clock)).toBe(Date.parse('2025-11-12T04:00:00Z'));
    const doc = computeFreshness([row('005930', '2025-02-30 10:00:00.000')], kst('2025-11-12T14:00:00'), 'Asia/Seoul', DEFAULT_RULES);
    expect(doc.stocks).toEqual([{ stock_code: '005930', last_updated: null, age_hours: null, stale: true, placeholder: false }]);
  });
});

describe('--at: ISO 8601 with an offset, or a naive time in KST', () => {
  it.each([
    ['2025-11-12T14:00:00+09:00', '2025-11-12T05:00:00.000Z'],
    ['2025-11-12T05:00:00Z', '2025-11-12T05:00:00.000Z'],
    ['2025-11-12T05:00:00z', '2025-11-12T05:00:00.000Z'],
    ['2025-11-12T14:00+0900', '2025-11-12T05:00:00.000Z'],
    ['2025-11-12T00:30:00-05:00', '2025-11-12T05:30:00.000Z'],
    ['2025-11-12T14:00:00.250+09:00', '2025-11-12T05:00:00.250Z'],
    ['2025-11-12T14:00:00.123456+09:00', '2025-11-12T05:00:00.123Z'], // PostgreSQL's microseconds: cut to the millisecond
    // Naive: KST.
    ['2025-11-12 14:00', '2025-11-12T05:00:00.000Z'],
    ['2025-11-12T14:00', '2025-11-12T05:00:00.000Z'],
    ['2025-11-12 14:00:30', '2025-11-12T05:00:30.000Z'],
    ['2025-11-12 14:00:30.5', '2025-11-12T05:00:30.500Z'],
    ['2025-11-12 14:00:30.123456', '2025-11-12T05:00:30.123Z'],
    ['2025-11-12', '2025-11-11T15:00:00.000Z'], // a day alone: its KST midnight
    ['  2025-11-12 14:00  ', '2025-11-12T05:00:00.000Z'],
  ])('%s is %s', (text, expected) => {
    expect(new Date(parseAt(text)).toISOString()).toBe(expected);
  });

  it.each(['2025-02-30 14:00', '2025-11-12 24:00', '2025-11-12 14:60', '2025-11-12T14:00:00+09', '2025-11-12T14+09:00', '14:00', 'now', '', '2025-11-12 14:00 KST', 'x2025-11-12T14:00:00Z', 'x2025-11-12 14:00', '2025-13-12T14:00:00Z', '2025-11-31T14:00:00Z', '2025-02-29T14:00:00+09:00', '2025-11-12T25:00:00+09:00', '2025/11/12 14:00', 'Wed, 12 Nov 2025 05:00:00 GMT'])(
    'refuses %j with a usage error that shows an example',
    (text) => {
      expect(() => parseAt(text)).toThrow(UsageError);
      expect(() => parseAt(text)).toThrow(`--at must be a time such as 2025-11-12T14:00:00+09:00 or '2025-11-12 14:00' (KST), got '${text}'`);
    },
  );
});

describe('placeholder: the generator saved its placeholder instead of an analysis', () => {
  const report = (summary: unknown) => ({ overall_summary: summary, recommendation: '보유' });

  it('is the placeholder summary itself, surrounding spaces aside', () => {
    expect(isPlaceholder(PLACEHOLDER_SUMMARY, null)).toBe(true);
    expect(isPlaceholder(`  ${PLACEHOLDER_SUMMARY}\n`, null)).toBe(true);
    expect(isPlaceholder('반도체 업황 개선', null)).toBe(false);
    expect(isPlaceholder(null, null)).toBe(false);
    expect(isPlaceholder('', { model_a: report(PLACEHOLDER_SUMMARY) })).toBe(false);
  });

  it('reads custom_data only for an A/B row: a single-model row with stale A/B data is no placeholder', () => {
    expect(isPlaceholder('전기차 판매 호조', { model_a: report(PLACEHOLDER_SUMMARY), model_b: {} })).toBe(false);
    expect(isPlaceholder(` ${AB_MARKER} `, { model_a: report('광고 매출 회복'), model_b: report('수급 개선') })).toBe(false);
  });

  it('is an A/B row with a model report that is the placeholder, empty, blank or missing', () => {
    const ok = report('광고 매출 회복');
    expect(isPlaceholder(AB_MARKER, { model_a: ok, model_b: report(PLACEHOLDER_SUMMARY) })).toBe(true);
    expect(isPlaceholder(AB_MARKER, { model_a: ok, model_b: report('   ') })).toBe(true);
    expect(isPlaceholder(AB_MARKER, { model_a: ok, model_b: report(42) })).toBe(true);
    expect(isPlaceholder(AB_MARKER, { model_a: ok, model_b: {} })).toBe(true);
    expect(isPlaceholder(AB_MARKER, { model_a: ok, model_b: null })).toBe(true);
    expect(isPlaceholder(AB_MARKER, { model_a: ok, model_b: '' })).toBe(true);
    // No model report at all: nothing was saved for either model.
    expect(isPlaceholder(AB_MARKER, {})).toBe(true);
    expect(isPlaceholder(AB_MARKER, null)).toBe(true);
    expect(isPlaceholder(AB_MARKER, 'not json')).toBe(true);
  });

  it('accepts the report as a `summary` field or as plain text, and the data as JSON text', () => {
    expect(isPlaceholder(AB_MARKER, { model_a: { summary: '광고 매출 회복' }, model_b: '수급 개선' })).toBe(false);
    expect(isPlaceholder(AB_MARKER, { model_a: { summary: '광고 매출 회복' }, model_b: ` ${PLACEHOLDER_SUMMARY} ` })).toBe(true);
    expect(isPlaceholder(AB_MARKER, JSON.stringify({ model_a: report('광고 매출 회복'), model_b: report('수급 개선') }))).toBe(false);
    expect(isPlaceholder(AB_MARKER, JSON.stringify({ model_a: report('광고 매출 회복'), model_b: report(PLACEHOLDER_SUMMARY) }))).toBe(true);
  });

  it('finds model reports under the usual key spellings, at the top level or one level down', () => {
    const bad = report(PLACEHOLDER_SUMMARY);
    const ok = report('수급 개선');
    for (const key of ['model_a', 'Model A', 'MODEL-B', 'modelB', 'model b']) {
      expect(isPlaceholder(AB_MARKER, { [key]: bad, model_x: ok }), key).toBe(true);
    }
    expect(isPlaceholder(AB_MARKER, { reports: { model_a: ok, model_b: bad } })).toBe(true);
    expect(isPlaceholder(AB_MARKER, { reports: { model_a: ok, model_b: ok } })).toBe(false);
    // Not a model report: a longer name, another letter, an array, or two levels down.
    expect(isPlaceholder(AB_MARKER, { model_a: ok, model_ab: bad, model_c: bad, model_b_raw: bad })).toBe(false);
    expect(isPlaceholder(AB_MARKER, { model_a: ok, list: [bad] })).toBe(false);
    expect(isPlaceholder(AB_MARKER, { model_a: ok, deep: { inner: { model_b: bad } } })).toBe(false);
  });
});
