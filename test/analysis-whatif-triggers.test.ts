/**
 * The what-if replay's triggers, one decision at a time (cli-contract.md, whatif; backend-logs.md,
 * The update decision): a forced (or unrecognised) attempt stays one whatever the rules; trigger 2
 * stays one unless `--fix-prediction-cap` and its 기존/현재 repeat the stock's previous trigger 2 on
 * that backend; a logged price move fires while its printed rate reaches the what-if threshold and
 * the price trigger is on in that phase; a logged direction change fires while its printed change
 * reaches the what-if threshold (a fraction, printed in percent: 15.0 % reaches 0.15); the figures
 * are bounds, said in words, when a lowered threshold or an unknown report time decides; each day
 * counts its own decisions. Pure: the decisions are given as the store would give them.
 */
import { describe, expect, it } from 'vitest';
import type { Skip } from '../src/analysis/attempts.js';
import { replayWhatIf } from '../src/analysis/whatif.js';
import { DEFAULT_RULES, type Phase, type Rules } from '../src/market/rules.js';
import { HOUR_MS, windowOf } from '../src/market/time.js';
import { decisionAttempt, trading, whatIfInput } from './support/whatif.js';

/** 2025-11-05 10:00 KST: the trading phase (TTL 2 h, price 3.0 %, direction 0.15 by default). */
const T0 = Date.parse('2025-11-05T10:00:00+09:00');
const MIN = 60_000;

const attempt = decisionAttempt;

const skip = (ts: number, ageHours: number, ttlHours: number, phase: Phase = 'trading'): Omit<Skip, 'text'> => ({ host: 'h', stockCode: '005930', ts, phase, ageHours, ttlHours });

const input = whatIfInput;

/** Every TTL a week long and no price trigger: only triggers 1, 2 and 5 can fire. */
const QUIET: Rules = Object.fromEntries(Object.entries(DEFAULT_RULES).map(([p, r]) => [p, { ...r, ttlHours: 168, priceTriggerActive: false }])) as Rules;

describe('triggers 1 and 2 (cli-contract.md, whatif)', () => {
  it('keep a forced attempt and an attempt of an unrecognised reason, whatever the rules', () => {
    const forced = attempt({ ts: T0, reason: 'forced' });
    const other = attempt({ ts: T0 + HOUR_MS, reason: 'other' });
    const doc = replayWhatIf(input([forced, other], [], QUIET));
    expect(doc.whatif.attempts).toBe(2);
    expect([doc.whatif.by_reason.forced, doc.whatif.by_reason.other]).toEqual([1, 1]);
    expect(doc.changed).toEqual({ dropped: 0, added: 0, reason_changed: 0 });
    expect(doc.whatif.llm_calls).toBe(2);
  });

  it('keep a repeated trigger 2 without --fix-prediction-cap', () => {
    const first = attempt({ ts: T0, reason: 'new_prediction', prevCount: 20, curCount: 72 });
    const repeat = attempt({ ts: T0 + 30 * MIN, reason: 'new_prediction', prevCount: 20, curCount: 72 });
    const doc = replayWhatIf(input([first, repeat], [], QUIET));
    expect(doc.whatif.by_reason.new_prediction).toBe(2);
  });

  it('with --fix-prediction-cap drop only a trigger 2 whose 기존 and 현재 both repeat the previous one', () => {
    // 10:00 (20 → 72), 10:30 the same numbers: the cap defect, dropped (its report is 30 min old, under
    // any TTL here). 11:00 (20 → 73) and 11:30 (21 → 73) each differ from the one before in one number: kept.
    const attempts = [
      attempt({ ts: T0, reason: 'new_prediction', prevCount: 20, curCount: 72 }),
      attempt({ ts: T0 + 30 * MIN, reason: 'new_prediction', prevCount: 20, curCount: 72 }),
      attempt({ ts: T0 + 60 * MIN, reason: 'new_prediction', prevCount: 20, curCount: 73 }),
      attempt({ ts: T0 + 90 * MIN, reason: 'new_prediction', prevCount: 21, curCount: 73 }),
    ];
    const doc = replayWhatIf(input(attempts, [], QUIET, { fixPredictionCap: true }));
    expect(doc.fix_prediction_cap).toBe(true);
    expect(doc.whatif.by_reason.new_prediction).toBe(3);
    expect(doc.changed).toEqual({ dropped: 1, added: 0, reason_changed: 0 });
    // The dropped attempt's call is not made.
    expect([doc.actual.llm_calls, doc.whatif.llm_calls]).toEqual([4, 3]);
    expect(doc.exact).toBe(true);
  });

  it('with --fix-prediction-cap let the TTL decide a repeated trigger 2: an update when the report is at least the TTL old', () => {
    // The report completed at 10:00:10; the repeat at 12:00:10 finds it exactly 2 h old (trading TTL 2 h).
    const first = attempt({ ts: T0, reason: 'new_prediction', prevCount: 20, curCount: 72 });
    const repeat = attempt({ ts: T0 + 2 * HOUR_MS + 10_000, reason: 'new_prediction', prevCount: 20, curCount: 72 });
    const doc = replayWhatIf(input([first, repeat], [], DEFAULT_RULES, { fixPredictionCap: true }));
    expect(doc.whatif.by_reason).toMatchObject({ new_prediction: 1, ttl_expired: 1 });
    expect(doc.changed).toEqual({ dropped: 0, added: 0, reason_changed: 1 });
  });

  it('with --fix-prediction-cap compare a trigger 2 with the previous one of the same backend only', () => {
    // Two hosts of one stock, each with its own database: host b's (20 → 72) repeats nothing of b's.
    const a1 = attempt({ ts: T0, reason: 'new_prediction', prevCount: 20, curCount: 72, host: 'a' });
    const b1 = attempt({ ts: T0 + 30 * MIN, reason: 'new_prediction', prevCount: 20, curCount: 72, host: 'b' });
    const doc = replayWhatIf(input([a1, b1], [], QUIET, { fixPredictionCap: true }));
    expect(doc.whatif.by_reason.new_prediction).toBe(2);
  });
});

describe('trigger 4, the price move', () => {
  const move = attempt({ ts: T0 + HOUR_MS, reason: 'price_move', rate: 4.2, threshold: 3.0 });
  const forced = attempt({ ts: T0, reason: 'forced' });

  it('does not fire where the what-if turns the price trigger off, however large the printed move', () => {
    const doc = replayWhatIf(input([forced, move], [], trading({ priceTriggerActive: false })));
    // The report is 1 h old at 11:00, under the trading TTL of 2 h: nothing else fires.
    expect(doc.whatif.by_reason.price_move).toBe(0);
    expect(doc.changed.dropped).toBe(1);
    expect(doc.exact).toBe(true);
  });

  it('fires on a printed rate of exactly the what-if threshold, not on one just under it', () => {
    expect(replayWhatIf(input([forced, move], [], trading({ priceThreshold: 4.2 }))).whatif.by_reason.price_move).toBe(1);
    expect(replayWhatIf(input([forced, move], [], trading({ priceThreshold: 4.21 }))).whatif.by_reason.price_move).toBe(0);
  });

  it('keeps the log’s own verdict under the rule the log shows, even on a rate under its printed threshold', () => {
    // The backend fired at 2.9 % under a printed 3.0 %: with the actual rules the what-if keeps it.
    const odd = attempt({ ts: T0 + HOUR_MS, reason: 'price_move', rate: 2.9, threshold: 3.0 });
    const doc = replayWhatIf(input([forced, odd], [], DEFAULT_RULES));
    expect(doc.whatif).toEqual(doc.actual);
  });
});

describe('trigger 5, the direction change', () => {
  const forced = attempt({ ts: T0, reason: 'forced' });
  // Printed 변화: 15.0%, 임계값: 10.0%: the log ran with 0.10 in trading.
  const change = attempt({ ts: T0 + HOUR_MS, reason: 'direction_change', rate: 15.0, threshold: 10.0 });

  it('fires on a printed change of exactly the what-if threshold (15.0 % reaches 0.15), not past it', () => {
    expect(replayWhatIf(input([forced, change], [], trading({ directionThreshold: 0.15 }))).whatif.by_reason.direction_change).toBe(1);
    expect(replayWhatIf(input([forced, change], [], trading({ directionThreshold: 0.16 }))).whatif.by_reason.direction_change).toBe(0);
  });

  it('compares in the printed decimals: 14.0 % reaches 0.14, though 0.14 × 100 is 14.000000000000002 in floating point', () => {
    const fourteen = attempt({ ts: T0 + HOUR_MS, reason: 'direction_change', rate: 14.0, threshold: 10.0 });
    expect(replayWhatIf(input([forced, fourteen], [], trading({ directionThreshold: 0.14 }))).whatif.by_reason.direction_change).toBe(1);
    // A fall of the share counts by its size.
    const fall = attempt({ ts: T0 + HOUR_MS, reason: 'direction_change', rate: -14.0, threshold: 10.0 });
    expect(replayWhatIf(input([forced, fall], [], trading({ directionThreshold: 0.14 }))).whatif.by_reason.direction_change).toBe(1);
  });

  it('is reached after a price trigger that no longer fires', () => {
    // A logged price move of 3.4 % (the log's price rule: 3.0 %) under a 5 % what-if threshold does not
    // fire; no direction change was logged for it, so it is dropped and the figures stay exact.
    const move = attempt({ ts: T0 + HOUR_MS, reason: 'price_move', rate: 3.4, threshold: 3.0 });
    const doc = replayWhatIf(input([forced, move], [], trading({ priceThreshold: 5 })));
    expect(doc.whatif.by_reason.price_move).toBe(0);
    expect(doc.whatif.by_reason.direction_change).toBe(0);
    expect(doc.exact).toBe(true);
  });

  it('is unknown after a price trigger that no longer fires when the direction threshold is lowered', () => {
    // The backend stopped at the price trigger (step 4) and never computed the direction change
    // (step 5): under a lowered direction threshold the log cannot show whether it would fire.
    const move = attempt({ ts: T0 + HOUR_MS, reason: 'price_move', rate: 3.4, threshold: 3.0 });
    const doc = replayWhatIf(input([forced, move], [], trading({ priceThreshold: 5, directionThreshold: 0.1 })));
    expect(doc.whatif.by_reason.price_move).toBe(0);
    expect(doc.whatif.attempts).toBe(1);
    expect(doc.exact).toBe(false);
    expect(doc.inexact_because).toMatch(/^1 decision met a lowered price or direction threshold/);
  });
});

describe('bounds, said in words', () => {
  it('counts every decision a lowered threshold leaves unknown, in the plural', () => {
    const forced = attempt({ ts: T0, reason: 'forced' });
    const doc = replayWhatIf(input([forced], [skip(T0 + HOUR_MS, 1, 2), skip(T0 + 90 * MIN, 1.5, 2)], trading({ directionThreshold: 0.1 })));
    expect(doc.exact).toBe(false);
    expect(doc.inexact_because).toBe(
      '2 decisions met a lowered price or direction threshold that the log cannot show them crossing (it prints the rate only of the attempts that trigger fired): ' +
        'counted as skips, so attempts, LLM calls and cost are lower bounds and average freshness an upper bound',
    );
    expect(doc.days.map((d) => d.exact)).toEqual([false]);
  });

  it('joins both reasons in one sentence', () => {
    // 000660 has no known report time and a price move the what-if no longer lets fire (7 % > 6 %);
    // 005930's skip meets a lowered direction threshold.
    const move = attempt({ ts: T0, reason: 'price_move', rate: 6, threshold: 3, stockCode: '000660' });
    const forced = attempt({ ts: T0, reason: 'forced' });
    const doc = replayWhatIf(input([forced, move], [skip(T0 + HOUR_MS, 1, 2)], trading({ ttlHours: 1, priceThreshold: 7, directionThreshold: 0.1 })));
    expect(doc.inexact_because).toBe(
      '1 decision met a lowered price or direction threshold that the log cannot show them crossing (it prints the rate only of the attempts that trigger fired); ' +
        '1 decision of stocks with no known report time needed a what-if TTL verdict: ' +
        'counted as skips, so attempts, LLM calls and cost are lower bounds and average freshness an upper bound',
    );
  });
});

describe('the days of a window', () => {
  it('each count their own decisions and calls; the delta is what-if minus actual', () => {
    // Two days: a forced update each day at 10:00; on the second day a TTL attempt at 12:30 that a
    // 3 h TTL drops (the report is 2.5 h old).
    const day2 = Date.parse('2025-11-06T10:00:00+09:00');
    const attempts = [
      attempt({ ts: T0, reason: 'forced' }),
      attempt({ ts: day2, reason: 'forced' }),
      attempt({ ts: day2 + 2.5 * HOUR_MS, reason: 'ttl_expired', ageHours: 2.5, ttlHours: 2 }),
    ];
    const doc = replayWhatIf(input(attempts, [], trading({ ttlHours: 3 }), { window: windowOf(2, '2025-11-06'), logEnd: Date.parse('2025-11-06T18:00:00+09:00') }));
    expect(doc.days.map((d) => [d.date, d.actual.attempts, d.whatif.attempts, d.actual.llm_calls, d.whatif.llm_calls])).toEqual([
      ['2025-11-05', 1, 1, 1, 1],
      ['2025-11-06', 2, 1, 2, 1],
    ]);
    expect([doc.actual.attempts, doc.whatif.attempts, doc.delta.attempts, doc.delta.llm_calls, doc.delta.cost_usd]).toEqual([3, 2, -1, -1, -0.001]);
    expect(doc.days.map((d) => d.exact)).toEqual([true, true]);
    // The report made at 12:30:10 is missing under the what-if: reports are older on the second day.
    expect(doc.days[0].whatif.avg_freshness_hours).toBe(doc.days[0].actual.avg_freshness_hours);
    expect(doc.days[1].whatif.avg_freshness_hours!).toBeGreaterThan(doc.days[1].actual.avg_freshness_hours!);
  });
});

describe('unchanged rules and printed values at their edges', () => {
  const forced = attempt({ ts: T0, reason: 'forced' });

  it('keeps a logged direction change under the direction threshold the log shows, even one under its printed threshold', () => {
    // The backend fired at 12.0 % under a printed 15.0 %; only the TTL changes in the what-if.
    const odd = attempt({ ts: T0 + HOUR_MS, reason: 'direction_change', rate: 12, threshold: 15 });
    expect(replayWhatIf(input([forced, odd], [], trading({ ttlHours: 3 }))).whatif.by_reason.direction_change).toBe(1);
  });

  it('fires the TTL on a printed age of exactly the what-if TTL', () => {
    // The store's 08:00 completion disagrees with the printed 1.5 h (the backend saw 08:30): the printed age decides.
    const state = new Map([['005930', T0 - 2 * HOUR_MS]]);
    const doc = replayWhatIf(input([], [skip(T0, 1.5, 4)], trading({ ttlHours: 1.5 }), { reportState: state }));
    expect([doc.whatif.by_reason.ttl_expired, doc.changed.added]).toEqual([1, 1]);
  });

  it('gives bounds where the what-if turns on a price trigger the log never ran in that phase', () => {
    // After hours the config has no price trigger and the log printed no price move there.
    const late = skip(Date.parse('2025-11-05T17:00:00+09:00'), 1, 6, 'after_hours');
    const rules: Rules = { ...DEFAULT_RULES, after_hours: { ...DEFAULT_RULES.after_hours, priceTriggerActive: true } };
    const doc = replayWhatIf(input([forced], [late], rules));
    expect(doc.exact).toBe(false);
    expect(doc.inexact_because).toMatch(/^1 decision met a lowered price or direction threshold/);
  });

  it('is not exact when only a stock’s unknown report time decided', () => {
    // No completion, no printed age; the price move no longer fires (7 % > 6 %); a 1 h TTL needs the age.
    const move = attempt({ ts: T0, reason: 'price_move', rate: 6, threshold: 3 });
    const doc = replayWhatIf(input([move], [], trading({ ttlHours: 1, priceThreshold: 7 })));
    expect([doc.exact, doc.days[0].exact]).toEqual([false, false]);
    expect(doc.inexact_because).toMatch(/^1 decision of stocks with no known report time needed a what-if TTL verdict: /);
  });
});
