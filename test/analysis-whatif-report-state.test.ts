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
import type { LlmCall, Skip } from '../src/analysis/attempts.js';
import { replayWhatIf } from '../src/analysis/whatif.js';
import { DEFAULT_RULES } from '../src/market/rules.js';
import { HOUR_MS } from '../src/market/time.js';
import { callOf as call, decisionAttempt, trading, whatIfInput } from './support/whatif.js';

const T0 = Date.parse('2025-11-05T10:00:00+09:00'); // trading
const MIN = 60_000;

const attempt = decisionAttempt;
const skip = (ts: number, ageHours: number | null, ttlHours: number): Omit<Skip, 'text'> => ({ host: 'h', stockCode: '005930', ts, phase: 'trading', ageHours, ttlHours });

const input = whatIfInput;

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

describe('the replayed report time, when the log and the store disagree', () => {
  const state = new Map([['005930', T0 - 2 * HOUR_MS]]); // the store's latest completion: 08:00

  it('follows the printed age over a store that missed a completion, until the replay changes the report', () => {
    // At 10:00 a skip prints 1.0 h of a 4 h TTL: the backend's report dates from 09:00, not 08:00.
    // Under a 1.5 h TTL it stays a skip (1.0 h), though the store's 08:00 would make it 2.0 h.
    const doc = replayWhatIf(input([], [skip(T0, 1, 4)], trading({ ttlHours: 1.5 }), { reportState: state }));
    expect(doc.whatif.attempts).toBe(0);
  });

  it('takes the replayed age once the replay has added an update', () => {
    // 10:00 prints 2.0 h of 4 h: under a 2 h TTL an update, done at once (no attempt to take a median
    // from). 11:30 prints 3.5 h, but the replayed report is 1.5 h old: a skip.
    const doc = replayWhatIf(input([], [skip(T0, 2, 4), skip(T0 + 90 * MIN, 3.5, 4)], trading({ ttlHours: 2 }), { reportState: state }));
    expect([doc.whatif.attempts, doc.changed.added]).toEqual([1, 1]);
  });

  it('dates the report from the first age the log prints when the store has none before it', () => {
    // 12:00 prints 1.5 h: the report dates from 10:30. At 13:00 a price move (its age unprinted) that a
    // 5 % threshold no longer lets fire finds it 2.5 h old: under a 2.5 h TTL, a TTL update; exact.
    const move = attempt({ ts: T0 + 3 * HOUR_MS, reason: 'price_move', rate: 3.4, threshold: 3 });
    const doc = replayWhatIf(input([move], [skip(T0 + 2 * HOUR_MS, 1.5, 2)], trading({ ttlHours: 2.5, priceThreshold: 5 })));
    expect(doc.whatif.by_reason).toMatchObject({ ttl_expired: 1, price_move: 0 });
    expect(doc.exact).toBe(true);
  });

  it('needs no TTL verdict, and stays exact, for a stock of unknown report time when a later trigger fires', () => {
    const move = attempt({ ts: T0, reason: 'price_move', rate: 6, threshold: 3 });
    const doc = replayWhatIf(input([move], [], trading({ ttlHours: 1 })));
    expect([doc.exact, doc.inexact_because, doc.whatif.by_reason.price_move]).toEqual([true, null, 1]);
  });

  it('keeps a silent failure from resetting it when the ages printed after it count from the completion before', () => {
    // A forced update completes at 06:00; a silent failure at 10:00; at 11:00 a skip prints 5.0 h of 6 h —
    // counted from 06:00, so this backend did not reset the report. At 12:00 a price move that a 5 %
    // threshold no longer lets fire finds it 6.0 h old: under a 5.5 h TTL, a TTL update (from 10:00:10 it
    // would be 1.8 h: dropped).
    const early = attempt({ ts: T0 - 4 * HOUR_MS, reason: 'forced', phase: 'pre_market', completedTs: T0 - 4 * HOUR_MS, outcomeTs: T0 - 4 * HOUR_MS });
    const silent = attempt({ ts: T0, reason: 'forced', status: 'failed', completedTs: null, outcomeTs: T0 + 10_000, generationFailed: true, completionLogged: true });
    const move = attempt({ ts: T0 + 2 * HOUR_MS, reason: 'price_move', rate: 3.4, threshold: 3 });
    const doc = replayWhatIf(input([early, silent, move], [skip(T0 + HOUR_MS, 5, 6)], trading({ ttlHours: 5.5, priceThreshold: 5 })));
    expect(doc.whatif.by_reason).toMatchObject({ forced: 2, ttl_expired: 1, price_move: 0 });
  });

  it('gives an added attempt the calls of the stock’s previous attempt begun before the window, by its generation mode', () => {
    // 005930 generated in A/B mode the evening before (two calls); a skip at 10:00 printing 2.5 h of
    // 3 h becomes an update under a 2 h TTL: assumed to make two calls, at $0.001 each (no call in the window).
    const evening = Date.parse('2025-11-04T23:00:00+09:00');
    const before = attempt({ ts: evening, reason: 'forced', generationMode: 'ab', completedTs: T0 - 2.5 * HOUR_MS, outcomeTs: T0 - 2.5 * HOUR_MS });
    const doc = replayWhatIf(input([before], [skip(T0, 2.5, 3)], trading({ ttlHours: 2 }), { calls: [] }));
    expect([doc.changed.added, doc.whatif.llm_calls, doc.whatif.cost_usd]).toEqual([1, 2, 0.002]);
  });
});

describe('the replayed report time at the millisecond', () => {
  it('counts a completion in the decision’s own millisecond as done before it', () => {
    // Completed 06:00; a forced update completes at 10:00:10.000; a price move at 10:00:10.000 that a
    // 5 % threshold no longer lets fire finds a report of age 0, not 4 h: under a 3 h TTL, dropped.
    const forced = attempt({ ts: T0, reason: 'forced' });
    const move = attempt({ ts: T0 + 10_000, reason: 'price_move', rate: 3.4, threshold: 3, stockCode: '005930' });
    const doc = replayWhatIf(input([forced, move], [], trading({ ttlHours: 3, priceThreshold: 5 }), { reportState: new Map([['005930', T0 - 4 * HOUR_MS]]) }));
    expect(doc.whatif.by_reason).toMatchObject({ forced: 1, ttl_expired: 0, price_move: 0 });
  });

  it('gives an added attempt of a stock with no attempt before it the window’s calls per attempt', () => {
    // 005930: an A/B update (two calls) and a single one (one call): 1.5 calls an attempt. 000660 (no
    // attempt; completed 08:00) skips at 10:30 printing 2.5 h of 3 h: under a 2 h TTL an update, 1.5 calls.
    const ab = attempt({ ts: T0, reason: 'forced', generationMode: 'ab' });
    const single = attempt({ ts: T0 + 5 * MIN, reason: 'forced' });
    const other: Omit<Skip, 'text'> = { host: 'h', stockCode: '000660', ts: T0 + 30 * MIN, phase: 'trading', ageHours: 2.5, ttlHours: 3 };
    const doc = replayWhatIf(
      input([ab, single], [other], trading({ ttlHours: 2 }), { calls: [call(ab), call(ab), call(single)], reportState: new Map([['000660', T0 - 2 * HOUR_MS]]) }),
    );
    expect(doc.assumed.llm_calls_per_attempt).toBe(1.5);
    expect([doc.changed.added, doc.actual.llm_calls, doc.whatif.llm_calls, doc.whatif.cost_usd]).toEqual([1, 3, 4.5, 0.0045]);
  });
});
