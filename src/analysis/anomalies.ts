/**
 * Anomalies: patterns in a window of attempts that a person should act on — update storms, the
 * 20-prediction cap firing trigger 2 on every call, failure spikes, silent failures (placeholder reports),
 * broken trigger rules and logs read in the wrong time zone. Results, never exceptions.
 */
import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import { DEFAULT_PRICE_PER_CALL } from '../config.js';
import { isoKst, KST_ZONE, LocalClock, MINUTE_MS, phaseAt, type Window } from '../market/time.js';
import { REASON_LABELS, type GenerationMode } from '../logs/record.js';
import type { Database } from '../store/schema.js';
import { attemptsIn, llmCallsIn, logEnd, skipPhasesIn, skipsPastTtlIn, trigger2NumbersBefore, type Attempt, type LlmCall, type Trigger2Numbers } from './attempts.js';
import { PhaseCheck } from './phase-check.js';
import { staleLogs } from './stale-logs.js';
import { ruleViolations, type Violation } from './violations.js';
import { plural } from '../render/text.js';

export const ANOMALY_KINDS = [
  'update_storm',
  'repeated_new_prediction',
  'failure_spike',
  'silent_failure',
  'rule_violation',
  'phase_mismatch',
  'stale_logs',
] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

export interface Anomaly {
  kind: AnomalyKind;
  stock_code: string | null;
  first_ts: string;
  last_ts: string;
  count: number;
  /** silent_failure: the generation mode whose placeholder was saved. */
  mode?: GenerationMode;
  /** One line a person can act on. */
  detail: string;
  /** LLM calls the anomaly's attempts made (absent for phase_mismatch, which makes none). */
  llm_calls?: number;
  cost_usd?: number;
  /** With --notify-webhook: not posted by an earlier run (alert once). */
  new?: boolean;
}

export interface AnomaliesDocument {
  from: string;
  /** Exclusive end of the window. */
  until: string;
  log_end: string | null;
  anomalies: Anomaly[];
}

/** The kind as a person reads it: `silent_failure (ab)` says which generator saved the placeholder. */
export const kindLabel = (a: Pick<Anomaly, 'kind' | 'mode'>) => (a.mode ? `${a.kind} (${a.mode})` : a.kind);

const DAY_MS = 86_400_000;
// Code-unit order: ISO times with the same offset sort chronologically, unlike locale collation.
const compare = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
/** Calls dated in the window may belong to an attempt begun before it: attempts from a day before own them. */
const CALLS_LOOKBACK_MS = DAY_MS;

type Db = Kysely<Database>;

/** `now`: the present, which a window reaching it is checked against for stale logs. */
export async function findAnomalies(db: Db, window: Window, config: Config, now: number): Promise<AnomaliesDocument> {
  const range = { fromMs: window.fromMs, untilMs: window.untilMs };
  const end = await logEnd(db);
  const withLookback = await attemptsIn(db, { fromMs: window.fromMs - CALLS_LOOKBACK_MS, untilMs: window.untilMs }, end);
  const attempts = withLookback.filter((a) => a.ts >= window.fromMs);
  const trigger2Before = await trigger2NumbersBefore(db, window.fromMs, attempts.filter((a) => a.reason === 'new_prediction'));
  const lateSkips = await skipsPastTtlIn(db, range, config.rules);
  const skipPhases = await skipPhasesIn(db, range);
  const { calls } = await llmCallsIn(db, range);
  const cost = new CallLedger(withLookback, calls, config.pricePerCall);

  const anomalies = [
    ...updateStorms(attempts, config, cost),
    ...repeatedNewPredictions(attempts, trigger2Before, cost),
    ...failureSpikes(attempts, config, cost),
    ...silentFailures(attempts, config, cost),
    ...violationsByStock(ruleViolations(attempts, lateSkips, config.rules), cost),
    ...phaseMismatches(attempts, skipPhases, config),
    ...(await staleLogs(db, range, { end, now, maxSilenceMinutes: config.anomalies.maxLogSilenceMinutes })),
  ].sort(
    (x, y) =>
      ANOMALY_KINDS.indexOf(x.kind) - ANOMALY_KINDS.indexOf(y.kind) ||
      compare(x.first_ts, y.first_ts) ||
      compare(x.stock_code ?? '', y.stock_code ?? ''),
  );
  return { from: isoKst(window.fromMs), until: isoKst(window.untilMs), log_end: end === null ? null : isoKst(end), anomalies };
}

/**
 * Each LLM call belongs to the latest attempt of its stock (and host) that started at or before it:
 * generations never overlap, so that is the attempt in progress.
 */
class CallLedger {
  private readonly callsOf = new Map<Attempt, LlmCall[]>();
  /** Each host's attempts by stock, in time order. */
  private readonly byHost = new Map<string, Map<string, Attempt[]>>();

  constructor(
    attempts: readonly Attempt[],
    calls: readonly LlmCall[],
    private readonly pricePerCall: number | null,
  ) {
    for (const a of attempts) {
      let stocks = this.byHost.get(a.host);
      if (!stocks) this.byHost.set(a.host, (stocks = new Map()));
      const list = stocks.get(a.stockCode);
      if (list) list.push(a);
      else stocks.set(a.stockCode, [a]);
    }
    for (const call of calls) {
      if (call.stockCode === null) continue;
      const owner = this.latest(call.host, call.stockCode, call.ts);
      if (!owner) continue;
      const owned = this.callsOf.get(owner);
      if (owned) owned.push(call);
      else this.callsOf.set(owner, [call]);
    }
  }

  /** The stock's latest attempt that started at or before `ts`. */
  private latest(host: string, stockCode: string, ts: number): Attempt | undefined {
    const list = this.byHost.get(host)?.get(stockCode);
    return list && latestAtOrBefore(list, ts);
  }

  /** Calls and their price (as the cost command prices them) for a set of attempts. */
  of(attempts: readonly Attempt[]): { llm_calls: number; cost_usd: number } {
    let n = 0;
    let usd = 0;
    for (const a of attempts) {
      for (const call of this.callsOf.get(a) ?? []) {
        n += 1;
        usd += this.pricePerCall ?? call.printedCostUsd ?? DEFAULT_PRICE_PER_CALL;
      }
    }
    return { llm_calls: n, cost_usd: roundUsd(usd) };
  }

  /** Calls of the attempts among the violating decisions (skips make none). */
  ofViolations(violations: readonly Violation[]): { llm_calls: number; cost_usd: number } {
    const attempts = violations.flatMap((v) => {
      const a = v.rule === 'skip_past_ttl' ? undefined : this.latest(v.host, v.stockCode, v.ts);
      return a && a.ts === v.ts ? [a] : [];
    });
    return this.of(attempts);
  }
}

function latestAtOrBefore(sorted: readonly Attempt[], ts: number): Attempt | undefined {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid].ts <= ts) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 ? sorted[lo - 1] : undefined;
}

// Sums of binary fractions drift (0.1 + 0.2); money is printed to a millionth of a dollar.
const roundUsd = (x: number) => Math.round(x * 1e6) / 1e6;
const usd = (x: number) => `$${roundUsd(x)}`;
const callsPhrase = (c: { llm_calls: number; cost_usd: number }) =>
  c.llm_calls === 0 ? 'no LLM calls' : `${plural(c.llm_calls, 'LLM call')}, ${usd(c.cost_usd)}`;
const minutes = (ms: number) => `${Math.round(ms / MINUTE_MS)} min`;
/** " on 2 hosts (web-1, web-2)" when a run spans hosts (a fleet sharing one database); else nothing. */
function onHosts(attempts: readonly Attempt[]): string {
  const hosts = [...new Set(attempts.map((a) => a.host))];
  return hosts.length > 1 ? ` on ${hosts.length} hosts (${hosts.slice(0, 3).join(', ')}${hosts.length > 3 ? ', …' : ''})` : '';
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/**
 * Runs of items, sorted by time, where some span of at most `spanMs` holds at least `minCount`
 * of them; overlapping spans are merged into one run.
 */
export function bursts<T extends { ts: number }>(sorted: readonly T[], spanMs: number, minCount: number): T[][] {
  const runs: T[][] = [];
  let runStart = -1;
  let runEnd = -1;
  let j = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (j < i) j = i;
    while (j + 1 < sorted.length && sorted[j + 1].ts - sorted[i].ts <= spanMs) j++;
    if (j - i + 1 < minCount) continue;
    if (runStart >= 0 && i <= runEnd) runEnd = Math.max(runEnd, j);
    else {
      if (runStart >= 0) runs.push(sorted.slice(runStart, runEnd + 1));
      runStart = i;
      runEnd = j;
    }
  }
  if (runStart >= 0) runs.push(sorted.slice(runStart, runEnd + 1));
  return runs;
}

function span(kind: AnomalyKind, stock: string | null, items: readonly { ts: number }[]): Pick<Anomaly, 'kind' | 'stock_code' | 'first_ts' | 'last_ts' | 'count'> {
  return { kind, stock_code: stock, first_ts: isoKst(items[0].ts), last_ts: isoKst(items[items.length - 1].ts), count: items.length };
}

/** "a ×3, b ×1": values by frequency, largest first. */
function tally(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts]
    .sort((x, y) => y[1] - x[1])
    .map(([v, n]) => `${v} ×${n}`)
    .join(', ');
}

/** The most frequent value, ties to the first seen. */
function mostCommon<T>(values: readonly T[]): { value: T; count: number } {
  const counts = new Map<T, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best = { value: values[0], count: 0 };
  for (const [value, count] of counts) if (count > best.count) best = { value, count };
  return best;
}

function updateStorms(attempts: readonly Attempt[], config: Config, cost: CallLedger): Anomaly[] {
  const { stormAttempts, stormWindowMinutes } = config.anomalies;
  const found: Anomaly[] = [];
  for (const [stock, own] of groupBy(attempts, (a) => a.stockCode)) {
    for (const storm of bursts(own, stormWindowMinutes * MINUTE_MS, stormAttempts + 1)) {
      const calls = cost.of(storm);
      found.push({
        ...span('update_storm', stock, storm),
        detail:
          `${storm.length} updates in ${minutes(storm[storm.length - 1].ts - storm[0].ts)} ` +
          `(limit ${stormAttempts} per ${stormWindowMinutes} min)${onHosts(storm)}, fired by ${tally(storm.map((a) => `${a.reason} (${REASON_LABELS[a.reason]})`))}; ${callsPhrase(calls)}`,
        ...calls,
      });
    }
  }
  return found;
}

/**
 * Trigger 2 with the counts of the stock's previous trigger 2: no prediction was added, yet the
 * report was regenerated — the backend stores at most 20 as based_on_prediction_count.
 */
function repeatedNewPredictions(attempts: readonly Attempt[], before: ReadonlyMap<string, Trigger2Numbers>, cost: CallLedger): Anomaly[] {
  const found: Anomaly[] = [];
  const triggers = attempts.filter((a) => a.reason === 'new_prediction' && a.prevCount !== null && a.curCount !== null);
  // Each host's log is its own sequence of calls: compare within a host, report per stock.
  const repeated = [...groupBy(triggers, (a) => `${a.host}\u0000${a.stockCode}`)]
    .flatMap(([key, own]) =>
      own.filter((a, i) => {
        const previous = i > 0 ? { prev: own[i - 1].prevCount, cur: own[i - 1].curCount } : before.get(key);
        return previous !== undefined && a.prevCount === previous.prev && a.curCount === previous.cur;
      }),
    )
    .sort((x, y) => x.ts - y.ts);
  for (const [stock, repeats] of groupBy(repeated, (a) => a.stockCode)) {
    const numbers = mostCommon(repeats.map((a) => `기존: ${a.prevCount}, 현재: ${a.curCount}`));
    const calls = cost.of(repeats);
    const cap = repeats.some((a) => a.prevCount === 20) ? ' (based_on_prediction_count capped at 20)' : '';
    found.push({
      ...span('repeated_new_prediction', stock, repeats),
      detail:
        `trigger 2 (새 예측 추가) fires with ${numbers.value} on every call${cap}: ` +
        `${plural(repeats.length, 'needless regeneration')}, ${callsPhrase(calls)}`,
      ...calls,
    });
  }
  return found;
}

function failureSpikes(attempts: readonly Attempt[], config: Config, cost: CallLedger): Anomaly[] {
  const { failureSpikeCount, failureWindowMinutes } = config.anomalies;
  const failed = attempts.filter((a) => a.status === 'failed');
  return bursts(failed, failureWindowMinutes * MINUTE_MS, failureSpikeCount).map((spike) => {
    const stocks = [...new Set(spike.map((a) => a.stockCode))];
    const error = mostCommon(spike.map((a) => (a.abandoned ? 'abandoned (no outcome logged)' : (a.error ?? 'failed'))));
    const calls = cost.of(spike);
    const who = stocks.length === 1 ? '' : ` across ${stocks.length} stocks (${stocks.slice(0, 5).join(', ')}${stocks.length > 5 ? ', …' : ''})`;
    return {
      ...span('failure_spike', stocks.length === 1 ? stocks[0] : null, spike),
      detail:
        `${spike.length} failed updates in ${minutes(spike[spike.length - 1].ts - spike[0].ts)}${who}${onHosts(spike)}; ` +
        `most common error (${error.count}×): ${oneLine(error.value)}; ${callsPhrase(calls)}`,
      ...calls,
    };
  });
}

/**
 * Generations that failed while the stock still logged a completion: the backend saved the
 * generator's placeholder and reset last_updated, in single-model and A/B mode alike.
 */
function silentFailures(attempts: readonly Attempt[], config: Config, cost: CallLedger): Anomaly[] {
  const silent = attempts.filter((a) => a.generationFailed && a.completionLogged);
  return [...groupBy(silent, (a) => `${a.stockCode}\u0000${a.generationMode ?? 'single'}`).values()].map((own) => {
    const last = own[own.length - 1];
    const stock = last.stockCode;
    const mode: GenerationMode = last.generationMode ?? 'single';
    const calls = cost.of(own);
    const since = isoKst(last.outcomeTs ?? last.ts).slice(0, 16).replace('T', ' ');
    const phase = phaseAt(last.outcomeTs ?? last.ts);
    const placeholder = mode === 'ab' ? 'empty A/B reports' : '"분석된 뉴스가 없습니다."';
    return {
      ...span('silent_failure', stock, own),
      mode,
      detail:
        `${mode === 'ab' ? 'A/B' : 'single-model'} generation failed ${own.length}× (last error: ${oneLine(last.error ?? 'unknown')}) yet the update was logged as complete: ` +
        `the placeholder report (${placeholder}) is live for ${stock} since ${since} KST with a fresh last_updated, and no TTL trigger will replace it ` +
        `until the phase TTL has passed (${config.rules[phase].ttlHours} h in ${phase}): force an update of ${stock}; ${callsPhrase(calls)}`,
      ...calls,
    };
  });
}

function violationsByStock(violations: readonly Violation[], cost: CallLedger): Anomaly[] {
  return [...groupBy(violations, (v) => v.stockCode)].map(([stock, own]) => {
    // Violating attempts (not skips) made LLM calls; they are the ones the ledger knows.
    const calls = cost.ofViolations(own);
    const more = own.length > 1 ? ` (+${own.length - 1} more)` : '';
    return {
      ...span('rule_violation', stock, own),
      detail: `${own[0].explanation}${more}; ${callsPhrase(calls)}`,
      ...calls,
    };
  });
}

/** Decisions that name a phase not fitting their time: the log was probably ingested with the wrong --log-tz. */
function phaseMismatches(attempts: readonly Attempt[], skips: readonly { ts: number; phase: Attempt['phase'] }[], config: Config): Anomaly[] {
  // The store keeps instants, not the zone they were read in; assume the configured (or default) one.
  const assumed = config.logTz ?? KST_ZONE;
  const check = new PhaseCheck(new LocalClock(assumed));
  const mismatched: { ts: number }[] = [];
  // Both lists are in time order: merged, not sorted.
  let i = 0;
  let j = 0;
  while (i < attempts.length || j < skips.length) {
    const fromAttempts = j >= skips.length || (i < attempts.length && attempts[i].ts <= skips[j].ts);
    const d = fromAttempts ? { ts: attempts[i].ts, phase: attempts[i++].namedPhase } : { ts: skips[j].ts, phase: skips[j++].phase };
    if (d.phase && check.note(d.phase, d.ts)) mismatched.push(d);
  }
  if (mismatched.length === 0) return [];
  const zone = check.suggestZone();
  const advice = zone
    ? `; the log looks written in ${zone}: if it was ingested with --log-tz ${assumed}, re-ingest it into a fresh store with --log-tz ${zone}`
    : '; check the --log-tz the log was ingested with';
  return [
    {
      ...span('phase_mismatch', null, mismatched),
      detail: `${mismatched.length} of ${check.decisions} decisions name a market phase that does not fit their time${advice}`,
    },
  ];
}

const oneLine = (text: string) => {
  const first = text.split('\n')[0].trim();
  return first.length > 120 ? first.slice(0, 119) + '…' : first;
};
