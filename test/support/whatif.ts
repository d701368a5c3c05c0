/** What the what-if replay's tests build by hand: an attempt as the store gives it to the replay. */
import type { DecisionAttempt } from '../../src/analysis/attempts.js';

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
