/**
 * The what-if document (cli-contract.md, whatif): with the actual rules the what-if equals the actual
 * figures exactly — here on a hand-made day of three stocks with every kind of decision, and where the
 * store's report time disagrees with what the backend saw (the log's verdict stands while a rule is
 * the one the log prints); `from`, `until` and `log_end` in KST; without a log end no freshness and
 * no freshness delta; what an added attempt is assumed to be when the window has no attempt.
 */
import { describe, expect, it } from 'vitest';
import type { DecisionAttempt, Skip } from '../src/analysis/attempts.js';
import { replayWhatIf, type WhatIfInput } from '../src/analysis/whatif.js';
import { DEFAULT_RULES, type Rules } from '../src/market/rules.js';
import { HOUR_MS } from '../src/market/time.js';
import { callOf as call, decisionAttempt, trading, whatIfInput } from './support/whatif.js';

const T0 = Date.parse('2025-11-05T10:00:00+09:00'); // trading: TTL 2 h, price 3.0 %, direction 15 %
const MIN = 60_000;

const attempt = decisionAttempt;
const skip = (stockCode: string, ts: number, ageHours: number, ttlHours: number): Omit<Skip, 'text'> => ({ host: 'h', stockCode, ts, phase: 'trading', ageHours, ttlHours });

/** A call with a printed price ($0.001 unless said). */
const callOf = (a: DecisionAttempt, printedCostUsd: number | null = 0.001) => call(a, printedCostUsd);
const input = (attempts: DecisionAttempt[], skips: Omit<Skip, 'text'>[], rules: Rules, extra: Partial<WhatIfInput> = {}) =>
  whatIfInput(attempts, skips, rules, { calls: attempts.map((a) => callOf(a, 0.001)), ...extra });

describe('with the actual rules', () => {
  it('equals the actual figures on a day of every kind of decision', () => {
    const A = '005930';
    const B = '000660';
    const C = '035720';
    const h = (x: number) => T0 + x * HOUR_MS;
    const attempts = [
      attempt({ ts: h(0), reason: 'forced', stockCode: A }),
      attempt({ ts: h(0.5), reason: 'new_prediction', stockCode: A, prevCount: 20, curCount: 72 }),
      attempt({ ts: h(1), reason: 'new_prediction', stockCode: A, prevCount: 20, curCount: 72 }),
      attempt({ ts: h(3.5), reason: 'ttl_expired', stockCode: A, ageHours: 2.5, ttlHours: 2 }),
      attempt({ ts: h(0), reason: 'price_move', stockCode: B, rate: -4.1, threshold: 3 }),
      // A silent failure: the generation failed, the success line was still logged.
      attempt({ ts: h(1), reason: 'direction_change', stockCode: B, rate: 20, threshold: 15, status: 'failed', completedTs: null, generationFailed: true, generationMode: 'ab' }),
      attempt({ ts: h(4), reason: 'ttl_expired', stockCode: B, ageHours: 3, ttlHours: 2, status: 'failed', completedTs: null }),
      attempt({ ts: h(0.25), reason: 'other', stockCode: C, generationMode: 'ab' }),
    ];
    const skips = [skip(A, h(5), 1.5, 2), skip(B, h(2), 1, 2), skip(C, h(2), 1.8, 2), skip(C, h(2.25), 2, 2.5)];
    const calls = [...attempts.map((a) => callOf(a)), callOf(attempts[5]), callOf(attempts[7])];
    const doc = replayWhatIf(input(attempts, skips, DEFAULT_RULES, { calls, reportState: new Map([[B, h(-1)]]) }));
    expect(doc.actual).toMatchObject({
      attempts: 8,
      by_reason: { forced: 1, new_prediction: 2, ttl_expired: 2, price_move: 1, direction_change: 1, other: 1 },
      llm_calls: 10,
      cost_usd: 0.01,
    });
    expect(doc.whatif).toEqual(doc.actual);
    for (const day of doc.days) expect(day.whatif).toEqual(day.actual);
    expect(doc.delta).toEqual({ attempts: 0, llm_calls: 0, cost_usd: 0, avg_freshness_hours: 0 });
    expect(doc.changed).toEqual({ dropped: 0, added: 0, reason_changed: 0 });
    expect([doc.exact, doc.inexact_because]).toEqual([true, null]);
  });

  it('keeps the log’s verdict under the TTL the log prints, where the store’s report time says otherwise', () => {
    // The log prints a trading TTL of 4 h (the config says 2 h). The store's latest completion of
    // 005930 is 05:00, but the backend saw a younger report (a completion the store lacks): at 10:00
    // it fired a price move, so its TTL had not fired. With the TTL the log prints the what-if keeps
    // that; a 4 h TTL against the store's 5 h age would make it a TTL update.
    const move = attempt({ ts: T0, reason: 'price_move', rate: 3.4, threshold: 3 });
    const skips = [skip('005930', T0 + HOUR_MS, 1, 4), skip('005930', T0 + 2 * HOUR_MS, 2, 4)];
    const doc = replayWhatIf(input([move], skips, trading({ ttlHours: 4 }), { reportState: new Map([['005930', T0 - 5 * HOUR_MS]]) }));
    expect(doc.whatif).toEqual(doc.actual);
    expect(doc.changed).toEqual({ dropped: 0, added: 0, reason_changed: 0 });
    expect(doc.exact).toBe(true);
  });
});

describe('the document', () => {
  it('states from, until and the log end in KST', () => {
    const doc = replayWhatIf(input([attempt({ ts: T0, reason: 'forced' })], [], DEFAULT_RULES));
    expect([doc.from, doc.until, doc.log_end]).toEqual(['2025-11-05T00:00:00+09:00', '2025-11-06T00:00:00+09:00', '2025-11-05T18:00:00+09:00']);
    expect(doc.rules).toEqual(DEFAULT_RULES);
    expect(doc.fix_prediction_cap).toBe(false);
    expect(doc.calls_source).toBe('llm_cost_lines');
  });

  it('has no freshness, and no freshness delta, without a log end', () => {
    const doc = replayWhatIf(input([], [], trading({ ttlHours: 3 }), { logEnd: null, callsSource: 'generation_lines' }));
    expect(doc.log_end).toBeNull();
    expect([doc.actual.avg_freshness_hours, doc.whatif.avg_freshness_hours, doc.delta.avg_freshness_hours]).toEqual([null, null, null]);
    expect(doc.days.map((d) => [d.actual.avg_freshness_hours, d.whatif.avg_freshness_hours])).toEqual([[null, null]]);
    expect(doc.calls_source).toBe('generation_lines');
  });

  it('assumes an added attempt makes one call at $0.001 when the window has no attempt, or at --price-per-call', () => {
    expect(replayWhatIf(input([], [], DEFAULT_RULES)).assumed).toEqual({ duration_s: 0, llm_calls_per_attempt: 1, cost_per_call_usd: 0.001 });
    expect(replayWhatIf(input([], [], DEFAULT_RULES, { pricePerCall: 0.02 })).assumed).toEqual({ duration_s: 0, llm_calls_per_attempt: 1, cost_per_call_usd: 0.02 });
    // A skip that a 1 h TTL turns into an update, with no attempt to learn from: one call, $0.001,
    // completing at once.
    const doc = replayWhatIf(input([], [skip('005930', T0, 1.5, 2)], trading({ ttlHours: 1 })));
    expect([doc.whatif.attempts, doc.whatif.llm_calls, doc.whatif.cost_usd]).toEqual([1, 1, 0.001]);
  });

  it('averages the printed price of the window’s calls for an added attempt', () => {
    // Two calls printed at $0.001 and $0.003: an added attempt is assumed to cost $0.002 a call.
    const forced = attempt({ ts: T0, reason: 'forced' });
    const other = attempt({ ts: T0 + 10 * MIN, reason: 'forced', stockCode: '000660' });
    const doc = replayWhatIf(input([forced, other], [], DEFAULT_RULES, { calls: [callOf(forced, 0.001), callOf(other, 0.003)] }));
    expect(doc.assumed).toEqual({ duration_s: 10, llm_calls_per_attempt: 1, cost_per_call_usd: 0.002 });
  });
});

describe('logged_rules, the rules the log shows (docs/contract.md, whatif)', () => {
  it('are the TTL and thresholds most decisions of each phase print, else the config’s; a phase with a price move ran the price trigger', () => {
    const h = (x: number) => T0 + x * HOUR_MS;
    // Trading: TTL 3 h printed twice, 4 h once; a price move printed at 2.5 %; a direction change at 10 %.
    const attempts = [
      attempt({ ts: h(0), reason: 'ttl_expired', ageHours: 3.2, ttlHours: 3 }),
      attempt({ ts: h(1), reason: 'price_move', rate: 2.7, threshold: 2.5, stockCode: '000660' }),
      attempt({ ts: h(2), reason: 'direction_change', rate: 12, threshold: 10, stockCode: '035720' }),
    ];
    const skips = [skip('005930', h(1), 1, 3), skip('005930', h(2), 2, 4)];
    // After hours (config: no price trigger, TTL 6 h): a price move at 5.5 % printed there.
    const late = attempt({ ts: Date.parse('2025-11-05T17:00:00+09:00'), reason: 'price_move', rate: 5.5, threshold: 5, phase: 'after_hours', stockCode: '051910' });
    const doc = replayWhatIf(input([...attempts, late], skips, DEFAULT_RULES));
    expect(doc.logged_rules.trading).toEqual({ ttlHours: 3, priceThreshold: 2.5, directionThreshold: 0.1, priceTriggerActive: true });
    expect(doc.logged_rules.after_hours).toEqual({ ttlHours: 6, priceThreshold: 5, directionThreshold: 0.2, priceTriggerActive: true });
    // Nothing printed in pre_market: the config's.
    expect(doc.logged_rules.pre_market).toEqual(DEFAULT_RULES.pre_market);
    // by_reason always has all six reasons.
    expect(Object.keys(doc.actual.by_reason).sort()).toEqual(['direction_change', 'forced', 'new_prediction', 'other', 'price_move', 'ttl_expired']);
  });
});
