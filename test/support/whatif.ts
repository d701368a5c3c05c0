/** What the what-if replay's tests build by hand: attempts and calls as the store gives them to the replay, and its input. */
import type { DecisionAttempt, LlmCall, Skip, Trigger2Numbers } from '../../src/analysis/attempts.js';
import type { WhatIfInput } from '../../src/analysis/whatif.js';
import { DEFAULT_RULES, type PhaseRule, type Rules } from '../../src/market/rules.js';
import { windowOf } from '../../src/market/time.js';

/**
 * An attempt of 005930 on host `h` in the trading phase, single-model, that succeeded 10 s after
 * it started; `fields` say what differs.
 */
export function decisionAttempt(fields: Partial<DecisionAttempt> & Pick<DecisionAttempt, 'ts' | 'reason'>): DecisionAttempt {
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

/** An LLM call of the attempt, made 5 ms after it started. */
export const callOf = (a: DecisionAttempt, printedCostUsd: number | null = null): LlmCall => ({ host: a.host, stockCode: a.stockCode, ts: a.ts + 5, printedCostUsd });

/** The latest trigger-2 numbers before `fromMs` by host and stock, as the store gives them (trigger2NumbersBefore). */
export function trigger2Before(attempts: readonly Pick<DecisionAttempt, 'host' | 'stockCode' | 'ts' | 'reason' | 'prevCount' | 'curCount'>[], fromMs: number): Map<string, Trigger2Numbers> {
  const latest = new Map<string, Trigger2Numbers>();
  for (const a of attempts) {
    if (a.ts < fromMs && a.reason === 'new_prediction' && a.prevCount !== null && a.curCount !== null) latest.set(`${a.host}\u0000${a.stockCode}`, { prev: a.prevCount, cur: a.curCount });
  }
  return latest;
}

/** The what-if of 2025-11-05 (log end 18:00 KST) under `rules`, each attempt making one call with no printed price; `extra` says what differs. */
export function whatIfInput(attempts: DecisionAttempt[], skips: Omit<Skip, 'text'>[], rules: Rules, extra: Partial<WhatIfInput> = {}): WhatIfInput {
  const window = windowOf(1, '2025-11-05');
  return {
    window,
    logEnd: Date.parse('2025-11-05T18:00:00+09:00'),
    attempts,
    trigger2Before: trigger2Before(attempts, window.fromMs),
    skips,
    reportState: new Map(),
    calls: attempts.map((a) => callOf(a)),
    callsSource: 'llm_cost_lines',
    pricePerCall: null,
    actualRules: DEFAULT_RULES,
    rules,
    fixPredictionCap: false,
    ...extra,
  };
}

/** The default rules with the trading phase's changed. */
export const trading = (rule: Partial<PhaseRule>): Rules => ({ ...DEFAULT_RULES, trading: { ...DEFAULT_RULES.trading, ...rule } });
