/**
 * What the what-if replay carries from decision to decision (cli-contract.md, whatif and Silent
 * failure; backend-logs.md): the report time starts at the stock's latest completion before the
 * window; a kept attempt moves it to its completion, a failed one leaves it, a silent failure (a
 * failed generation whose stock still logged a success) moves it to that success record's time;
 * the TTL trigger compares the replayed age with the what-if TTL. LLM calls: a call of an attempt
 * the what-if drops is not made; calls of attempts begun the day before, and calls of no stock,
 * stay; each costs `--price-per-call`, else its printed price, else $0.001.
 */
import { describe, expect, it } from 'vitest';
import type { DecisionAttempt, LlmCall, Skip } from '../src/analysis/attempts.js';
import { replayWhatIf, type WhatIfInput } from '../src/analysis/whatif.js';
import { DEFAULT_RULES, type PhaseRule, type Rules } from '../src/market/rules.js';
import { HOUR_MS, windowOf } from '../src/market/time.js';

const T0 = Date.parse('2025-11-05T10:00:00+09:00'); // trading
const MIN = 60_000;

function attempt(fields: Partial<DecisionAttempt> & Pick<DecisionAttempt, 'ts' | 'reason'>): DecisionAttempt {
  return {
    host: 'h',
    stockCode: '005930',
    phase: 'trading',
    ageHours: null,
    ttlHours: null,
    rate: null,
    threshold: null,
    prevCount: null,
    curCount: null,
    status: 'succeeded',
    abandoned: false,
    completedTs: fields.ts + 10_000,
    outcomeTs: fields.ts + 10_000,
    generationMode: 'single',
    generationFailed: false,
    completionLogged: true,
    ...fields,
  };
}
const skip = (ts: number, ageHours: number | null, ttlHours: number): Omit<Skip, 'text'> => ({ host: 'h', stockCode: '005930', ts, phase: 'trading', ageHours, ttlHours });
const call = (a: DecisionAttempt, printedCostUsd: number | null = null): LlmCall => ({ host: a.host, stockCode: a.stockCode, ts: a.ts + 5, printedCostUsd });

function input(attempts: DecisionAttempt[], skips: Omit<Skip, 'text'>[], rules: Rules, extra: Partial<WhatIfInput> = {}): WhatIfInput {
  return {
    window: windowOf(1, '2025-11-05'),
    logEnd: Date.parse('2025-11-05T18:00:00+09:00'),
    attempts,
    skips,
    reportState: new Map(),
    calls: attempts.map((a) => call(a)),
    callsSource: 'llm_cost_lines',
    pricePerCall: null,
    actualRules: DEFAULT_RULES,
    rules,
    fixPredictionCap: false,
    ...extra,
  };
}
const trading = (rule: Partial<PhaseRule>): Rules => ({ ...DEFAULT_RULES, trading: { ...DEFAULT_RULES.trading, ...rule } });

describe('the replayed report time', () => {
  it('starts at the latest completion before the window: the TTL fires at exactly the what-if TTL after it', () => {
    // Completed at 08:00; a skip at 11:00 printing 3.0 h of a 4 h TTL. Under a 3 h TTL: an update.
    const state = new Map([['005930', T0 - 2 * HOUR_MS]]);
    const atTtl = replayWhatIf(input([], [skip(T0 + HOUR_MS, 3, 4)], trading({ ttlHours: 3 }), { reportState: state }));
    expect([atTtl.whatif.attempts, atTtl.whatif.by_reason.ttl_expired, atTtl.changed.added]).toEqual([1, 1, 1]);
    const under = replayWhatIf(input([], [skip(T0 + HOUR_MS, 3, 4)], trading({ ttlHours: 3.01 }), { reportState: state }));
    expect(under.whatif.attempts).toBe(0);
  });

  it('is left where it was by a failed attempt', () => {
    // Completed at 08:00; a forced update at 10:00 fails; at 11:00 a price move (its age unprinted) that
    // a 5 % threshold no longer lets fire: its report is 3.0 h old, so a 3 h TTL fires instead.
    const failed = attempt({ ts: T0, reason: 'forced', status: 'failed', completedTs: null, outcomeTs: T0 + 10_000 });
    const move = attempt({ ts: T0 + HOUR_MS, reason: 'price_move', rate: 3.4, threshold: 3 });
    const doc = replayWhatIf(input([failed, move], [], trading({ ttlHours: 3, priceThreshold: 5 }), { reportState: new Map([['005930', T0 - 2 * HOUR_MS]]) }));
    expect(doc.whatif.by_reason).toMatchObject({ forced: 1, ttl_expired: 1, price_move: 0 });
    expect(doc.changed).toEqual({ dropped: 0, added: 0, reason_changed: 1 });
  });

  it('moves to a kept attempt’s completion', () => {
    // The same, but the 10:00 update succeeds at 10:00:10: at 11:00 the report is under 1 h old.
    const forced = attempt({ ts: T0, reason: 'forced' });
    const move = attempt({ ts: T0 + HOUR_MS, reason: 'price_move', rate: 3.4, threshold: 3 });
    const doc = replayWhatIf(input([forced, move], [], trading({ ttlHours: 3, priceThreshold: 5 }), { reportState: new Map([['005930', T0 - 2 * HOUR_MS]]) }));
    expect(doc.whatif.by_reason).toMatchObject({ forced: 1, ttl_expired: 0, price_move: 0 });
    expect(doc.changed).toEqual({ dropped: 1, added: 0, reason_changed: 0 });
  });

  it('moves to a silent failure’s success record, as the backend resets last_updated', () => {
    // The generation fails at 10:00 but 005930 still logs its success at 10:00:10 (the placeholder
    // report). At 12:30:10 a price move the what-if no longer lets fire: 2.5 h after the reset, under a
    // 3 h TTL (it would be 4.5 h after the 08:00 completion): dropped.
    const silent = attempt({ ts: T0, reason: 'forced', status: 'failed', completedTs: null, outcomeTs: T0 + 10_000, generationFailed: true, completionLogged: true });
    const move = attempt({ ts: T0 + 2.5 * HOUR_MS + 10_000, reason: 'price_move', rate: 3.4, threshold: 3 });
    const doc = replayWhatIf(input([silent, move], [], trading({ ttlHours: 3, priceThreshold: 5 }), { reportState: new Map([['005930', T0 - 2 * HOUR_MS]]) }));
    expect(doc.whatif.by_reason).toMatchObject({ forced: 1, ttl_expired: 0, price_move: 0 });
    expect(doc.changed).toEqual({ dropped: 1, added: 0, reason_changed: 0 });
  });

  it('is not moved by a generation failure whose stock logged no success', () => {
    const failed = attempt({ ts: T0, reason: 'forced', status: 'failed', completedTs: null, outcomeTs: T0 + 10_000, generationFailed: true, completionLogged: false });
    const move = attempt({ ts: T0 + 2.5 * HOUR_MS + 10_000, reason: 'price_move', rate: 3.4, threshold: 3 });
    const doc = replayWhatIf(input([failed, move], [], trading({ ttlHours: 3, priceThreshold: 5 }), { reportState: new Map([['005930', T0 - 2 * HOUR_MS]]) }));
    // 4.5 h after 08:00: the TTL fires.
    expect(doc.whatif.by_reason).toMatchObject({ forced: 1, ttl_expired: 1 });
  });
});

describe('the LLM calls of the what-if', () => {
  it('leave out a dropped attempt’s call, and keep a call of an attempt begun the day before and a call of no stock', () => {
    // 23:59:50 the day before: a forced update whose [LLM_COST] line is at 00:00:01 of the window day.
    const lookback = attempt({ ts: Date.parse('2025-11-04T23:59:50+09:00'), reason: 'forced', completedTs: Date.parse('2025-11-05T00:00:20+09:00') });
    const forced = attempt({ ts: T0, reason: 'forced' });
    const move = attempt({ ts: T0 + HOUR_MS, reason: 'price_move', rate: 3.4, threshold: 3 });
    const calls: LlmCall[] = [
      { host: 'h', stockCode: '005930', ts: Date.parse('2025-11-05T00:00:01+09:00'), printedCostUsd: 0.002 },
      call(forced, 0.003),
      call(move, 0.004),
      { host: 'h', stockCode: null, ts: T0 + 2 * HOUR_MS, printedCostUsd: null },
    ];
    const doc = replayWhatIf(input([lookback, forced, move], [], trading({ priceThreshold: 5 }), { calls }));
    expect([doc.actual.attempts, doc.whatif.attempts]).toEqual([2, 1]);
    expect([doc.actual.llm_calls, doc.actual.cost_usd]).toEqual([4, 0.01]);
    // The 11:00 price move is dropped: its $0.004 call goes; the others ($0.002, $0.003, $0.001 by default) stay.
    expect([doc.whatif.llm_calls, doc.whatif.cost_usd]).toEqual([3, 0.006]);
    expect([doc.delta.llm_calls, doc.delta.cost_usd]).toEqual([-1, -0.004]);
  });

  it('cost --price-per-call each when it is given, whatever they printed', () => {
    const forced = attempt({ ts: T0, reason: 'forced' });
    const doc = replayWhatIf(input([forced], [], DEFAULT_RULES, { calls: [call(forced, 0.003)], pricePerCall: 0.05 }));
    expect([doc.actual.cost_usd, doc.whatif.cost_usd, doc.assumed.cost_per_call_usd]).toEqual([0.05, 0.05, 0.05]);
  });

  it('give an added attempt the calls and price of the stock’s previous attempt in the window', () => {
    // An A/B update at 08:00 (two calls at $0.003); a skip at 10:30 printing 2.5 h of a 3 h TTL; under a
    // 2 h TTL it becomes an update, assumed to make the 08:00 update's two calls.
    const ab = attempt({ ts: T0 - 2 * HOUR_MS, reason: 'forced', generationMode: 'ab', completedTs: T0 - 2 * HOUR_MS, outcomeTs: T0 - 2 * HOUR_MS });
    const doc = replayWhatIf(input([ab], [skip(T0 + 30 * MIN, 2.5, 3)], trading({ ttlHours: 2 }), { calls: [call(ab, 0.003), call(ab, 0.003)] }));
    expect(doc.changed.added).toBe(1);
    expect([doc.whatif.llm_calls, doc.whatif.cost_usd]).toEqual([4, 0.012]);
  });
});
