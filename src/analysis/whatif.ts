/**
 * What-if: the window's decisions replayed under other rules (cli-contract.md, `whatif`), with
 * what they would have cost and how fresh reports would have been. Pure: it takes what the
 * analysis layer reads (attempts, skips, LLM calls, report state) and returns the document;
 * whatif-read.ts reads them from the store.
 */
import { DEFAULT_PRICE_PER_CALL } from '../config.js';
import { REASONS, type Reason } from '../logs/record.js';
import { PHASES, type Phase, type Rules } from '../market/rules.js';
import { daysBetween, HOUR_MS, isoKst, kstDay, phaseAt, type Window } from '../market/time.js';
import { countAtOrBefore, type CallsSource, type DecisionAttempt as Attempt, type LlmCall, type Skip, type Trigger2Numbers } from './attempts.js';
import { roundUsd } from './cost.js';
import { durationSeconds, nearestRank } from './durations.js';
import { completionsFrom, freshnessByDay, freshnessOver } from './verify-week.js';
import { plural } from '../render/text.js';

export interface WhatIfInput {
  window: Window;
  logEnd: number | null;
  /**
   * Attempts from a day before the window to its end, in time order: those before the window own
   * the calls and completions of generations in progress at its start.
   */
  attempts: readonly Attempt[];
  /** Each stock's latest trigger-2 numbers before the window (by host and stock), which its first trigger 2 in it is compared with. */
  trigger2Before: ReadonlyMap<string, Trigger2Numbers>;
  /** Skips in the window, in time order. */
  skips: readonly Omit<Skip, 'text'>[];
  /** Each stock's latest completion before the window: its actual report state at the start. */
  reportState: ReadonlyMap<string, number>;
  /** LLM calls in the window. */
  calls: readonly LlmCall[];
  callsSource: CallsSource;
  /** The explicit price of a call, or null: each call's printed price, else the default. */
  pricePerCall: number | null;
  /** The rules the backend ran with where the log prints none (the config's). */
  actualRules: Rules;
  rules: Rules;
  fixPredictionCap: boolean;
}

export interface Figures {
  attempts: number;
  by_reason: Record<Reason, number>;
  llm_calls: number;
  cost_usd: number;
  avg_freshness_hours: number | null;
}

export interface WhatIfDay {
  date: string;
  actual: Figures;
  whatif: Figures;
  /** Beyond the contract: false when this day's what-if figures are bounds. */
  exact: boolean;
}

export interface WhatIfDocument {
  from: string;
  until: string;
  log_end: string | null;
  rules: Rules;
  fix_prediction_cap: boolean;
  exact: boolean;
  inexact_because: string | null;
  actual: Figures;
  whatif: Figures;
  delta: { attempts: number; llm_calls: number; cost_usd: number; avg_freshness_hours: number | null };
  days: WhatIfDay[];
  /** Beyond the contract: how the counts were made, and what an attempt the log lacks is assumed to be. */
  calls_source: CallsSource;
  assumed: { duration_s: number; llm_calls_per_attempt: number; cost_per_call_usd: number };
  /** Beyond the contract: decisions the what-if changed — attempts dropped, attempts added, attempts with another reason. */
  changed: { dropped: number; added: number; reason_changed: number };
  /** Beyond the contract: the rules the log shows — each phase's most printed TTL and thresholds, else the config's. */
  logged_rules: Rules;
}

/** One call of the backend's decision: a logged attempt or skip of one stock. */
interface Decision {
  ts: number;
  host: string;
  stock: string;
  phase: Phase;
  attempt: Attempt | null;
  /** The attempt's place in the input's attempts (-1 for a skip): per-attempt tallies are arrays by it. */
  index: number;
  /** The printed TTL (skips and TTL attempts), the printed age, for the log's own verdicts. */
  ttlHours: number | null;
  ageHours: number | null;
}

/** What the replay made of one decision. */
interface Replayed {
  decision: Decision;
  /** The trigger that fired, or null for a skip. */
  reason: Reason | null;
  /** A decision whose what-if verdict the log cannot show (a lowered threshold, an unknown report time). */
  unknown: 'threshold' | 'state' | null;
}

/** Trigger order of the backend (stock_analysis_service.py): a decision reached step k if it fired at k or later. */
const STEP: Record<Reason | 'skip', number> = { forced: 1, other: 1, new_prediction: 2, ttl_expired: 3, price_move: 4, direction_change: 5, skip: 6 };

// Figures to four decimals, as verify week's values; dollars to a millionth (cost.ts).
const round = (x: number) => Math.round(x * 10_000) / 10_000;

/**
 * The time the backend reset the report's last_updated: its completion, or, when `silent` says the
 * backend does so, a silent failure's saved placeholder (backend-logs.md: it resets last_updated).
 */
function resetTs(a: Attempt, silent: boolean): number | null {
  if (a.completedTs !== null) return a.completedTs;
  return silent && a.completionLogged && a.generationFailed && !a.abandoned ? a.outcomeTs : null;
}

/**
 * Whether this backend's silent failures reset the report's age, as the printed ages say: each
 * decision that printed an age after a silent failure votes for the reading it matches better.
 * Without such decisions, as backend-logs.md says: they do.
 */
function silentFailuresReset(byStock: ReadonlyMap<string, readonly Decision[]>, attempts: readonly Attempt[]): boolean {
  const resets = new Map<string, { ts: number; silent: boolean }[]>();
  for (const a of attempts) {
    const ts = resetTs(a, true);
    if (ts === null) continue;
    const list = resets.get(a.stockCode);
    const reset = { ts, silent: a.completedTs === null };
    if (list) list.push(reset);
    else resets.set(a.stockCode, [reset]);
  }
  let votes = 0;
  for (const [stock, decisions] of byStock) {
    const list = (resets.get(stock) ?? []).sort((x, y) => x.ts - y.ts);
    let i = 0;
    let succeeded: number | null = null;
    let silent: number | null = null;
    for (const d of decisions) {
      for (; i < list.length && list[i].ts <= d.ts; i++) {
        if (list[i].silent) silent = list[i].ts;
        else {
          succeeded = list[i].ts;
          silent = null;
        }
      }
      if (d.ageHours === null || silent === null) continue;
      const ifReset = Math.abs((d.ts - silent) / HOUR_MS - d.ageHours);
      const ifNot = succeeded === null ? Infinity : Math.abs((d.ts - succeeded) / HOUR_MS - d.ageHours);
      votes += ifReset < ifNot ? 1 : ifNot < ifReset ? -1 : 0;
    }
  }
  return votes >= 0;
}

// Ages are printed to 0.1 h: a computed age within half of that is the same age, more precisely.
const PRINT_SLACK_H = 0.05 + 1e-9;

/** The printed value most decisions of each phase show, else the config's: the rules the log ran under. */
function loggedRules(byStock: ReadonlyMap<string, readonly Decision[]>, actual: Rules): { ttl: Record<Phase, number>; price: Record<Phase, number>; direction: Record<Phase, number>; priceActive: Record<Phase, boolean> } {
  type Tally = Record<Phase, Map<number, number>>;
  const tally = (): Tally => Object.fromEntries(PHASES.map((p) => [p, new Map<number, number>()])) as Tally;
  const tallies = { ttl: tally(), price: tally(), direction: tally() };
  const count = (t: Tally, phase: Phase, v: number | null) => v !== null && t[phase].set(v, (t[phase].get(v) ?? 0) + 1);
  for (const decisions of byStock.values()) {
    for (const d of decisions) {
      count(tallies.ttl, d.phase, d.ttlHours);
      const a = d.attempt;
      if (a?.reason === 'price_move') count(tallies.price, d.phase, a.threshold);
      if (a?.reason === 'direction_change') count(tallies.direction, d.phase, a.threshold === null ? null : a.threshold / 100);
    }
  }
  const mostPrinted = (t: Tally, fallback: (p: Phase) => number) =>
    Object.fromEntries(
      PHASES.map((p) => {
        let best: [number, number] | null = null;
        for (const [v, n] of t[p]) if (best === null || n > best[1]) best = [v, n];
        return [p, best ? best[0] : fallback(p)];
      }),
    ) as Record<Phase, number>;
  // A phase with a price-move attempt evaluated the price trigger, whatever the config says.
  const priceActive = Object.fromEntries(PHASES.map((p) => [p, actual[p].priceTriggerActive || tallies.price[p].size > 0])) as Record<Phase, boolean>;
  return {
    priceActive,
    ttl: mostPrinted(tallies.ttl, (p) => actual[p].ttlHours),
    price: mostPrinted(tallies.price, (p) => actual[p].priceThreshold),
    direction: mostPrinted(tallies.direction, (p) => actual[p].directionThreshold),
  };
}

/** rate (printed in percent) ≥ a threshold, free of the float noise of 0.15 × 100. */
const atLeast = (ratePercent: number, thresholdPercent: number) => Math.round(Math.abs(ratePercent) * 1e6) >= Math.round(thresholdPercent * 1e6);

/** Each stock's decisions in time order, attempts before skips of the same millisecond. */
function decisionsByStock(input: WhatIfInput): Map<string, Decision[]> {
  const byStock = new Map<string, Decision[]>();
  const add = (d: Decision) => {
    const list = byStock.get(d.stock);
    if (list) list.push(d);
    else byStock.set(d.stock, [d]);
  };
  input.attempts.forEach((a, index) => {
    if (a.ts < input.window.fromMs) return;
    add({ ts: a.ts, host: a.host, stock: a.stockCode, phase: a.phase, attempt: a, index, ttlHours: a.reason === 'ttl_expired' ? a.ttlHours : null, ageHours: a.ageHours });
  });
  for (const s of input.skips) add({ ts: s.ts, host: s.host, stock: s.stockCode, phase: s.phase ?? phaseAt(s.ts), attempt: null, index: -1, ttlHours: s.ttlHours, ageHours: s.ageHours });
  for (const list of byStock.values()) list.sort((x, y) => x.ts - y.ts || (x.attempt ? 0 : 1) - (y.attempt ? 0 : 1));
  return byStock;
}

/**
 * Replays one stock's decisions. Until the replay first changes the stock's report time, a
 * trigger whose rule is unchanged keeps the log's own verdict: the backend saw the very state the
 * replay would rebuild, so with the actual rules every decision comes out as logged.
 */
function replayStock(decisions: readonly Decision[], start: { resets: number[]; seeded: number | null }, silent: boolean, input: WhatIfInput, logged: ReturnType<typeof loggedRules>, medianMs: number, previousTrigger2: Map<string, { prev: number | null; cur: number | null }>): { replayed: Replayed[]; added: { stock: string; ts: number }[] } {
  const { rules } = input;
  // Report resets not yet applied, ascending; `last` the latest applied.
  const pending = [...start.resets].sort((x, y) => x - y);
  let last: number | null = start.seeded;
  let diverged = false;
  const addReset = (ts: number) => {
    let i = pending.length;
    while (i > 0 && pending[i - 1] > ts) i--;
    pending.splice(i, 0, ts);
  };
  const replayed: Replayed[] = [];
  const added: { stock: string; ts: number }[] = [];

  for (const d of decisions) {
    while (pending.length && pending[0] <= d.ts) last = Math.max(last ?? -Infinity, pending.shift()!);
    const a = d.attempt;
    const rule = rules[d.phase];
    const loggedStep = STEP[a ? a.reason : 'skip'];
    let reason: Reason | null = null;
    let unknown: Replayed['unknown'] = null;
    let capRepeat = false;
    if (a?.reason === 'new_prediction') {
      const key = `${a.host}\u0000${a.stockCode}`;
      const before = previousTrigger2.get(key);
      capRepeat = before !== undefined && a.prevCount !== null && a.curCount !== null && before.prev === a.prevCount && before.cur === a.curCount;
      previousTrigger2.set(key, { prev: a.prevCount, cur: a.curCount });
    }
    if (a && (a.reason === 'forced' || a.reason === 'other')) reason = a.reason;
    else if (a?.reason === 'new_prediction' && !(input.fixPredictionCap && capRepeat)) reason = 'new_prediction';
    else {
      // Trigger 3: the report's age against the phase's TTL.
      let ttl: boolean | null;
      const unchanged = !diverged && rule.ttlHours === (d.ttlHours ?? logged.ttl[d.phase]);
      if (unchanged && loggedStep >= STEP.ttl_expired) ttl = loggedStep === STEP.ttl_expired;
      else {
        const computedMs = last === null ? null : d.ts - last;
        // Until the replay diverges, the age the backend printed is the truth; the computed one is
        // preferred only when it agrees with it (the report time the replay rebuilt is the backend's).
        const useComputed = diverged || d.ageHours === null || (computedMs !== null && Math.abs(computedMs / HOUR_MS - d.ageHours) <= PRINT_SLACK_H);
        if (useComputed) ttl = computedMs === null ? null : computedMs >= rule.ttlHours * HOUR_MS;
        else ttl = d.ageHours! >= rule.ttlHours;
      }
      if (ttl === null) unknown = 'state';
      if (ttl) reason = 'ttl_expired';
      else {
        // Triggers 4 and 5 fire only where the log shows their rate: a logged price_move or direction_change.
        const priceUnchanged = rule.priceTriggerActive === logged.priceActive[d.phase] && rule.priceThreshold === logged.price[d.phase];
        const directionUnchanged = rule.directionThreshold === logged.direction[d.phase];
        if (a?.reason === 'price_move' && rule.priceTriggerActive) {
          // An unchanged rule keeps the log's verdict, even one that broke it (a rate under its threshold).
          if (priceUnchanged) reason = 'price_move';
          else if (a.rate !== null) reason = atLeast(a.rate, rule.priceThreshold) ? 'price_move' : null;
          else unknown ??= 'threshold';
        }
        if (reason === null && a?.reason === 'direction_change') {
          if (directionUnchanged) reason = 'direction_change';
          else if (a.rate !== null) reason = atLeast(a.rate, rule.directionThreshold * 100) ? 'direction_change' : null;
          else unknown ??= 'threshold';
        }
        // A lowered threshold might have fired on a decision whose rate the log does not print. Not on
        // a repeated trigger 2: it added no prediction, and the price it compares is checked by the
        // stock's other decisions of the day.
        if (reason === null && !capRepeat) {
          const priceLowered = rule.priceTriggerActive && (!logged.priceActive[d.phase] || rule.priceThreshold < logged.price[d.phase]);
          const priceUnseen = a?.reason !== 'price_move';
          const directionUnseen = a?.reason !== 'direction_change';
          if ((priceLowered && priceUnseen) || (rule.directionThreshold < logged.direction[d.phase] && directionUnseen)) unknown ??= 'threshold';
        }
      }
    }
    // An unknown TTL verdict matters only when nothing else fired: a later trigger makes it an attempt either way.
    if (unknown === 'state' && reason !== null) unknown = null;
    replayed.push({ decision: d, reason, unknown });

    // The report time this decision leaves behind.
    if (a && reason !== null) {
      const reset = resetTs(a, silent);
      if (reset !== null) addReset(reset);
    } else if (a) {
      if (resetTs(a, silent) !== null) diverged = true;
    } else if (reason !== null) {
      added.push({ stock: d.stock, ts: d.ts + medianMs });
      addReset(d.ts + medianMs);
      diverged = true;
    }
  }
  return { replayed, added };
}

/**
 * The places of the attempts by host, then stock, in time order, and the latest of a stock at or
 * before a time. Per-attempt tallies are arrays by place: maps keyed by objects cost a hash each.
 */
class AttemptIndex {
  private readonly byHost = new Map<string, Map<string, number[]>>();

  constructor(private readonly attempts: readonly Attempt[]) {
    attempts.forEach((a, i) => {
      let stocks = this.byHost.get(a.host);
      if (!stocks) this.byHost.set(a.host, (stocks = new Map()));
      const list = stocks.get(a.stockCode);
      if (list) list.push(i);
      else stocks.set(a.stockCode, [i]);
    });
  }

  /** The place of the latest attempt of the stock on the host that started at or before `ts`, or -1. */
  latestAtOrBefore(host: string, stock: string, ts: number): number {
    const list = this.byHost.get(host)?.get(stock);
    if (!list) return -1;
    const n = countAtOrBefore(list.length, (i) => this.attempts[list[i]].ts, ts);
    return n > 0 ? list[n - 1] : -1;
  }
}

/** Each LLM call's attempt (its place, or -1): the latest of its stock and host that started at or before it (generations never overlap). */
function callOwners(index: AttemptIndex, calls: readonly LlmCall[]): Int32Array {
  return Int32Array.from(calls, (call) => (call.stockCode === null ? -1 : index.latestAtOrBefore(call.host, call.stockCode, call.ts)));
}

function emptyTally(): { attempts: number; by_reason: Record<Reason, number>; llm_calls: number; cost_usd: number } {
  return { attempts: 0, by_reason: Object.fromEntries(REASONS.map((r) => [r, 0])) as Record<Reason, number>, llm_calls: 0, cost_usd: 0 };
}

export function replayWhatIf(input: WhatIfInput): WhatIfDocument {
  const { window } = input;
  const days = daysBetween(window.firstDay, window.lastDay);
  const inWindow = input.attempts.filter((a) => a.ts >= window.fromMs);
  const priceOf = (call: LlmCall) => input.pricePerCall ?? call.printedCostUsd ?? DEFAULT_PRICE_PER_CALL;

  // What an attempt the log lacks is assumed to be: the window's median attempt.
  const durations = Float64Array.from(inWindow.map(durationSeconds).filter((s): s is number => s !== null)).sort();
  const medianS = nearestRank(durations, 50) ?? 0;
  const actualCost = input.calls.reduce((sum, c) => sum + priceOf(c), 0);
  const callsPerAttempt = inWindow.length ? input.calls.length / inWindow.length : 1;
  const costPerCall = input.pricePerCall ?? (input.calls.length ? actualCost / input.calls.length : DEFAULT_PRICE_PER_CALL);

  // Replay, stock by stock.
  const byStock = decisionsByStock(input);
  const logged = loggedRules(byStock, input.actualRules);
  const previousTrigger2 = new Map<string, { prev: number | null; cur: number | null }>(input.trigger2Before);
  const silent = silentFailuresReset(byStock, input.attempts);
  const lookbackResets = new Map<string, number[]>();
  for (const a of input.attempts) {
    const reset = resetTs(a, silent);
    if (a.ts >= window.fromMs || reset === null) continue;
    const list = lookbackResets.get(a.stockCode);
    if (list) list.push(reset);
    else lookbackResets.set(a.stockCode, [reset]);
  }
  const replayed: Replayed[] = [];
  const added: { stock: string; ts: number }[] = [];
  for (const [stock, decisions] of byStock) {
    const resets = lookbackResets.get(stock) ?? [];
    const state = input.reportState.get(stock) ?? null;
    if (state !== null) resets.push(state);
    // A stock with no completion in the store: its report time from the first age the log prints
    // (to 0.1 h), if that comes before the window's first reset of it.
    let seeded: number | null = null;
    if (resets.length === 0) {
      const firstReset = Math.min(...decisions.map((d) => (d.attempt ? (resetTs(d.attempt, silent) ?? Infinity) : Infinity)));
      const aged = decisions.find((d) => d.ageHours !== null && d.ts <= firstReset);
      if (aged) seeded = aged.ts - aged.ageHours! * HOUR_MS;
    }
    const result = replayStock(decisions, { resets, seeded }, silent, input, logged, medianS * 1000, previousTrigger2);
    for (const r of result.replayed) replayed.push(r);
    for (const a of result.added) added.push(a);
  }

  // Tallies per day.
  const actual = new Map(days.map((d) => [d, emptyTally()]));
  const whatif = new Map(days.map((d) => [d, emptyTally()]));
  const unknownDays = new Set<string>();
  const index = new AttemptIndex(input.attempts);
  const owners = callOwners(index, input.calls);
  // What each attempt's calls were and cost. An attempt the what-if adds is assumed to make the calls
  // of its stock's previous attempt: the window's attempt's own calls, an earlier one's by its
  // generation mode; the window's average only for a stock with no attempt before it.
  const spentCalls = new Float64Array(input.attempts.length);
  const spentCost = new Float64Array(input.attempts.length);
  input.calls.forEach((call, i) => {
    if (owners[i] < 0) return;
    spentCalls[owners[i]] += 1;
    spentCost[owners[i]] += priceOf(call);
  });
  const addedSpend = (d: Decision) => {
    const previous = index.latestAtOrBefore(d.host, d.stock, d.ts);
    if (previous >= 0 && input.attempts[previous].ts >= window.fromMs) return { calls: spentCalls[previous], cost: spentCost[previous] };
    const mode = previous >= 0 ? input.attempts[previous].generationMode : undefined;
    const calls = mode === 'ab' ? 2 : mode === 'single' ? 1 : callsPerAttempt;
    return { calls, cost: calls * costPerCall };
  };
  const kept = new Uint8Array(input.attempts.length);
  const changed = { dropped: 0, added: 0, reason_changed: 0 };
  const unknowns = { threshold: 0, state: 0 };
  for (const r of replayed) {
    const day = kstDay(r.decision.ts);
    const a = r.decision.attempt;
    if (r.unknown) {
      unknowns[r.unknown]++;
      unknownDays.add(day);
    }
    if (a) {
      const t = actual.get(day)!;
      t.attempts++;
      t.by_reason[a.reason]++;
    }
    if (r.reason === null) {
      if (a) changed.dropped++;
      continue;
    }
    const w = whatif.get(day)!;
    w.attempts++;
    w.by_reason[r.reason]++;
    if (a) {
      kept[r.decision.index] = 1;
      if (a.reason !== r.reason) changed.reason_changed++;
    } else {
      changed.added++;
      const spend = addedSpend(r.decision);
      w.llm_calls += spend.calls;
      w.cost_usd += spend.cost;
    }
  }
  input.calls.forEach((call, i) => {
    const day = kstDay(call.ts);
    const price = priceOf(call);
    const t = actual.get(day)!;
    t.llm_calls++;
    t.cost_usd += price;
    const owner = owners[i];
    // A call of an attempt the what-if drops is not made; calls of other attempts stay.
    if (owner >= 0 && input.attempts[owner].ts >= window.fromMs && !kept[owner]) return;
    const w = whatif.get(day)!;
    w.llm_calls++;
    w.cost_usd += price;
  });

  // Freshness, as verify week measures it, over the actual and the replayed completions.
  const lookback = input.attempts.filter((a) => a.ts < window.fromMs);
  const actualCompletions = completionsFrom(input.attempts, window.fromMs);
  const whatifCompletions: { stock: string; ts: number }[] = [
    ...completionsFrom(lookback, window.fromMs),
    ...completionsFrom(
      input.attempts.filter((_, i) => kept[i]),
      window.fromMs,
    ),
    ...added,
  ].sort((x, y) => x.ts - y.ts);
  const state = new Map(input.reportState);
  const actualDays = freshnessByDay(days, input.logEnd, state, actualCompletions);
  const whatifDays = freshnessByDay(days, input.logEnd, state, whatifCompletions);
  const actualTotal = freshnessOver(window.fromMs, window.untilMs, input.logEnd, new Map(state), actualCompletions);
  const whatifTotal = freshnessOver(window.fromMs, window.untilMs, input.logEnd, new Map(state), whatifCompletions);

  const figures = (t: ReturnType<typeof emptyTally>, hours: number | null): Figures => ({
    attempts: t.attempts,
    by_reason: t.by_reason,
    llm_calls: round(t.llm_calls),
    cost_usd: roundUsd(t.cost_usd),
    avg_freshness_hours: hours === null ? null : round(hours),
  });
  const sum = (tallies: Iterable<ReturnType<typeof emptyTally>>) => {
    const total = emptyTally();
    for (const t of tallies) {
      total.attempts += t.attempts;
      total.llm_calls += t.llm_calls;
      total.cost_usd += t.cost_usd;
      for (const r of REASONS) total.by_reason[r] += t.by_reason[r];
    }
    return total;
  };
  const actualFigures = figures(sum(actual.values()), actualTotal.hours);
  const whatifFigures = figures(sum(whatif.values()), whatifTotal.hours);
  const exact = unknowns.threshold + unknowns.state === 0;

  return {
    from: isoKst(window.fromMs),
    until: isoKst(window.untilMs),
    log_end: input.logEnd === null ? null : isoKst(input.logEnd),
    rules: input.rules,
    fix_prediction_cap: input.fixPredictionCap,
    exact,
    inexact_because: exact ? null : inexactBecause(unknowns),
    actual: actualFigures,
    whatif: whatifFigures,
    delta: {
      attempts: whatifFigures.attempts - actualFigures.attempts,
      llm_calls: round(whatifFigures.llm_calls - actualFigures.llm_calls),
      cost_usd: roundUsd(whatifFigures.cost_usd - actualFigures.cost_usd),
      avg_freshness_hours:
        whatifFigures.avg_freshness_hours === null || actualFigures.avg_freshness_hours === null
          ? null
          : round(whatifFigures.avg_freshness_hours - actualFigures.avg_freshness_hours),
    },
    days: days.map((date, i) => ({
      date,
      actual: figures(actual.get(date)!, actualDays[i].hours),
      whatif: figures(whatif.get(date)!, whatifDays[i].hours),
      exact: !unknownDays.has(date),
    })),
    calls_source: input.callsSource,
    assumed: { duration_s: medianS, llm_calls_per_attempt: round(callsPerAttempt), cost_per_call_usd: roundUsd(costPerCall) },
    changed,
    logged_rules: Object.fromEntries(
      PHASES.map((p) => [p, { ttlHours: logged.ttl[p], priceThreshold: logged.price[p], directionThreshold: logged.direction[p], priceTriggerActive: logged.priceActive[p] }]),
    ) as Rules,
  };
}


/** The decisions the what-if changed, in one sentence (the terminal's and the HTML report's). */
export function changedSentence(doc: Pick<WhatIfDocument, 'changed' | 'assumed'>): string {
  const { dropped, added, reason_changed } = doc.changed;
  return (
    `${plural(dropped, 'attempt')} dropped, ${added} added (assumed to succeed after ${doc.assumed.duration_s.toFixed(0)} s ` +
    `with the LLM calls of their stock's previous attempt), ${reason_changed} fired by another trigger`
  );
}

/** Why the what-if figures are bounds, in one sentence a person can act on. */
function inexactBecause(unknowns: { threshold: number; state: number }): string {
  const why: string[] = [];
  if (unknowns.threshold) {
    why.push(
      `${plural(unknowns.threshold, 'decision')} met a lowered price or direction threshold that the log cannot show them crossing (it prints the rate only of the attempts that trigger fired)`,
    );
  }
  if (unknowns.state) why.push(`${plural(unknowns.state, 'decision')} of stocks with no known report time needed a what-if TTL verdict`);
  return `${why.join('; ')}: counted as skips, so attempts, LLM calls and cost are lower bounds and average freshness an upper bound`;
}
