/** Reads what the what-if replays from the store: the analysis layer's attempts, skips, calls and report state. */
import type { Kysely } from 'kysely';
import type { Rules } from '../market/rules.js';
import type { Window } from '../market/time.js';
import type { Database } from '../store/schema.js';
import { decisionAttemptsIn, lastCompletionsBefore, llmCallsIn, logEnd, skipDecisionsIn, trigger2NumbersBefore } from './attempts.js';
import { DAY_BEFORE_MS, reportStateAt } from './verify-week.js';
import { replayWhatIf, type WhatIfDocument } from './whatif.js';

export interface WhatIfOptions {
  rules: Rules;
  actualRules: Rules;
  fixPredictionCap: boolean;
  pricePerCall: number | null;
}

export async function computeWhatIf(db: Kysely<Database>, window: Window, options: WhatIfOptions): Promise<WhatIfDocument> {
  const end = await logEnd(db);
  const fromMs = window.fromMs - DAY_BEFORE_MS;
  const attempts = await decisionAttemptsIn(db, { fromMs, untilMs: window.untilMs }, end);
  const [skips, before, trigger2Before, { source, calls }] = await Promise.all([
    skipDecisionsIn(db, window),
    lastCompletionsBefore(db, window.fromMs),
    trigger2NumbersBefore(db, window.fromMs, attempts.filter((a) => a.ts >= window.fromMs && a.reason === 'new_prediction')),
    llmCallsIn(db, window, { fromMs, attempts }),
  ]);
  return replayWhatIf({
    window,
    logEnd: end,
    attempts,
    trigger2Before,
    skips,
    reportState: reportStateAt(before),
    calls,
    callsSource: source,
    pricePerCall: options.pricePerCall,
    actualRules: options.actualRules,
    rules: options.rules,
    fixPredictionCap: options.fixPredictionCap,
  });
}
