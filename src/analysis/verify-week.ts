/**
 * `verify week`: the Day 2–7 metrics of the monitoring story, one value and verdict per KST day.
 * Thresholds come from the config's `week` section (WeekRules), never from code.
 */
import type { Kysely } from 'kysely';
import type { Config, WeekRules } from '../config.js';
import { krxDay } from '../market/calendar.js';
import { addDays, dayStartMs, daysBetween, HOUR_MS, isoKst } from '../market/time.js';
import type { Database } from '../store/schema.js';
import { attemptSummariesIn, lastCompletionsBefore, llmCallsIn, logEnd, skipsIn, type AttemptSummary, type Skip } from './attempts.js';
import { runStatus, type CheckStatus, type RunStatus } from './verify-day1.js';
import { plural } from '../render/text.js';

export const WEEK_CHECK_IDS = ['daily_updates_per_stock', 'success_rate', 'llm_calls_per_day', 'avg_freshness_hours'] as const;
export type WeekCheckId = (typeof WEEK_CHECK_IDS)[number];
/** market_closed: not a KRX trading day; its value is shown but not judged (unless the config says so). */
export type DayStatus = 'pass' | 'fail' | 'no_data' | 'market_closed';

export interface WeekDay {
  date: string;
  value: number | null;
  status: DayStatus;
  /** Beyond the contract: how the value was made, in words. */
  detail: string;
}

export interface WeekCheck {
  id: WeekCheckId;
  status: CheckStatus;
  days: WeekDay[];
  /** Beyond the contract: what passes, in words. */
  expectation: string;
}

export interface WeekResult {
  kind: 'week';
  from: string;
  to: string;
  status: RunStatus;
  checks: WeekCheck[];
  /** Beyond the contract: the KRX calendar of each day. */
  calendar: { date: string; trading_day: boolean; closed_because: string | null }[];
}

/** Everything one day contributes to the four metrics. */
export interface DayFacts {
  date: string;
  stocksSeen: number;
  succeeded: number;
  failed: number;
  inFlight: number;
  calls: number;
  callsSource: string;
  /** Time-weighted mean report age in hours, or null when no stock's age is defined in the day. */
  freshnessHours: number | null;
  /** Stocks whose age was defined at some point of the day, and the end of the measured span. */
  freshnessStocks: number;
  measuredUntil: number | null;
}

const round = (x: number) => Math.round(x * 10_000) / 10_000;

function dayOf(value: number | null, passes: (v: number) => boolean, date: string, detail: string, noData = 'no decisions this day'): WeekDay {
  if (value === null) return { date, value: null, status: 'no_data', detail: noData };
  return { date, value: round(value), status: passes(value) ? 'pass' : 'fail', detail };
}

function checkStatus(days: readonly WeekDay[]): CheckStatus {
  if (days.some((d) => d.status === 'fail')) return 'fail';
  return days.some((d) => d.status === 'pass') ? 'pass' : 'not_exercised';
}

/** The week verdict from per-day facts (pure). */
export function evaluateWeek(from: string, to: string, facts: readonly DayFacts[], week: WeekRules): WeekResult {
  const u = week.updatesPerStock;
  const c = week.callsPerStock;
  const specs: { id: WeekCheckId; expectation: string; day(f: DayFacts): WeekDay }[] = [
    {
      id: 'daily_updates_per_stock',
      expectation: `${u.min} ≤ succeeded updates per stock seen ≤ ${u.max}`,
      day: (f) =>
        dayOf(f.stocksSeen ? f.succeeded / f.stocksSeen : null, (v) => v >= u.min && v <= u.max, f.date, `${plural(f.succeeded, 'succeeded update')} / ${plural(f.stocksSeen, 'stock')} seen`),
    },
    {
      id: 'success_rate',
      expectation: `success rate > ${week.minSuccessRate}`,
      day: (f) => {
        const decided = f.succeeded + f.failed;
        const inFlight = f.inFlight ? `, ${f.inFlight} in flight not counted` : '';
        return dayOf(decided ? f.succeeded / decided : null, (v) => v > week.minSuccessRate, f.date, `${f.succeeded} succeeded / ${decided} decided${inFlight}`);
      },
    },
    {
      id: 'llm_calls_per_day',
      expectation: `${c.min}·n ≤ LLM calls ≤ ${c.max}·n (n = stocks seen)`,
      day: (f) => {
        const n = f.stocksSeen;
        const hasData = n > 0 || f.calls > 0;
        return dayOf(hasData ? f.calls : null, (v) => v >= c.min * n && v <= c.max * n, f.date, `${plural(f.calls, 'call')} (${f.callsSource}); n = ${n}: ${c.min * n}–${c.max * n}`);
      },
    },
    {
      id: 'avg_freshness_hours',
      expectation: `time-weighted mean report age < ${week.maxFreshnessHours}h`,
      day: (f) =>
        dayOf(
          f.freshnessHours,
          (v) => v < week.maxFreshnessHours,
          f.date,
          `over ${plural(f.freshnessStocks, 'stock')}, until ${isoKst(f.measuredUntil ?? 0)}`,
          f.measuredUntil === null ? 'the log ends before this day' : 'no report age known this day',
        ),
    },
  ];
  const closed = new Set(week.judgeMarketClosedDays ? [] : facts.filter((f) => !krxDay(f.date).trading).map((f) => f.date));
  const checks = specs.map((s): WeekCheck => {
    const days = facts.map((f) => {
      const day = s.day(f);
      return closed.has(f.date) ? { ...day, status: 'market_closed' as const } : day;
    });
    return { id: s.id, status: checkStatus(days), days, expectation: s.expectation };
  });
  return {
    kind: 'week',
    from,
    to,
    status: runStatus(checks.map((ch) => ch.status)),
    checks,
    calendar: facts.map((f) => {
      const k = krxDay(f.date);
      return { date: f.date, trading_day: k.trading, closed_because: k.closedBecause };
    }),
  };
}

/**
 * Time-weighted mean age over [startMs, endMs) across stocks: ∫ Σ age dt / ∫ (stocks with an age) dt.
 * `last` holds each stock's latest completion before startMs (updated in place);
 * `completions` the completions within the span, sorted by time.
 */
export function meanAge(
  startMs: number,
  endMs: number,
  last: Map<string, number>,
  completions: readonly { stock: string; ts: number }[],
): { hours: number | null; stocks: number } {
  let ageArea = 0; // hour²
  let weight = 0; // hours
  const segmentStart = new Map<string, number>();
  const add = (stock: string, untilMs: number) => {
    const l = last.get(stock);
    if (l === undefined) return;
    const from = segmentStart.get(stock) ?? startMs;
    const a0 = (from - l) / HOUR_MS;
    const a1 = (untilMs - l) / HOUR_MS;
    ageArea += (a1 * a1 - a0 * a0) / 2;
    weight += a1 - a0;
  };
  for (const c of completions) {
    if (c.ts < startMs || c.ts >= endMs) continue;
    add(c.stock, c.ts);
    last.set(c.stock, Math.max(last.get(c.stock) ?? -Infinity, c.ts));
    segmentStart.set(c.stock, c.ts);
  }
  let stocks = 0;
  for (const stock of last.keys()) {
    add(stock, endMs);
    stocks++;
  }
  return { hours: weight > 0 ? ageArea / weight : null, stocks };
}

/** Each stock's latest completion before a window (hosts share one report row), for meanAge. */
export function reportStateAt(before: Map<string, { stockCode: string; completedTs: number }>): Map<string, number> {
  const last = new Map<string, number>();
  for (const { stockCode, completedTs } of before.values()) last.set(stockCode, Math.max(last.get(stockCode) ?? -Infinity, completedTs));
  return last;
}

/** The completions at or after `fromMs` of attempts that succeeded, in time order, for meanAge. */
export function completionsFrom(attempts: readonly Pick<AttemptSummary, 'stockCode' | 'completedTs'>[], fromMs: number): { stock: string; ts: number }[] {
  return attempts
    .filter((a) => a.completedTs !== null && a.completedTs >= fromMs)
    .map((a) => ({ stock: a.stockCode, ts: a.completedTs! }))
    .sort((x, y) => x.ts - y.ts);
}

export interface Freshness {
  hours: number | null;
  stocks: number;
  /** The end of the measured span (the log end, if earlier), or null when the log ends before it. */
  measuredUntil: number | null;
}

/**
 * The avg_freshness_hours of `verify week` for each day: the mean report age over the day, clipped
 * at the log end. `last` is the report state at the first day's start; it is not changed.
 */
export function freshnessByDay(days: readonly string[], end: number | null, last: ReadonlyMap<string, number>, completions: readonly { stock: string; ts: number }[]): Freshness[] {
  const state = new Map(last);
  // Each day gets only its own completions (they are in time order): a month of days need not each walk them all.
  let from = 0;
  return days.map((date) => {
    const start = dayStartMs(date);
    const stop = dayStartMs(addDays(date, 1));
    while (from < completions.length && completions[from].ts < start) from++;
    let to = from;
    while (to < completions.length && completions[to].ts < stop) to++;
    return freshnessOver(start, stop, end, state, completions.slice(from, to));
  });
}

/** The same mean over any span [startMs, stopMs) (a whole window); `last` is updated in place. */
export function freshnessOver(startMs: number, stopMs: number, end: number | null, last: Map<string, number>, completions: readonly { stock: string; ts: number }[]): Freshness {
  const measuredUntil = end === null || end <= startMs ? null : Math.min(stopMs, end);
  if (measuredUntil === null) return { hours: null, stocks: 0, measuredUntil };
  return { ...meanAge(startMs, measuredUntil, last, completions), measuredUntil };
}

/** The longest run of `verify week` (CLI and API): a month of days, the bound of every other window option. */
export const MAX_WEEK_DAYS = 30;

/** An attempt completes within minutes of its start: a day's look-back catches those that began before a range and completed in it. */
export const DAY_BEFORE_MS = 24 * HOUR_MS;

export async function verifyWeek(db: Kysely<Database>, from: string, to: string, config: Config): Promise<WeekResult> {
  const days = daysBetween(from, to);
  const fromMs = dayStartMs(from);
  const untilMs = dayStartMs(addDays(to, 1));
  const end = await logEnd(db);
  // lastCompletionsBefore holds the completions before `from`.
  const [attempts, skips, before] = await Promise.all([
    attemptSummariesIn(db, { fromMs: fromMs - DAY_BEFORE_MS, untilMs }, end),
    skipsIn(db, { fromMs, untilMs }),
    lastCompletionsBefore(db, fromMs),
  ]);
  const freshness = freshnessByDay(days, end, reportStateAt(before), completionsFrom(attempts, fromMs));

  const facts: DayFacts[] = [];
  for (const [i, date] of days.entries()) {
    const start = dayStartMs(date);
    const stop = dayStartMs(addDays(date, 1));
    const inDay = <T extends { ts: number }>(x: T) => x.ts >= start && x.ts < stop;
    const dayAttempts: AttemptSummary[] = attempts.filter(inDay);
    const daySkips: Skip[] = skips.filter(inDay);
    // The calls source is decided per day: a week in which the [LLM_COST] lines were deployed
    // would otherwise count nothing on the days before the deploy.
    const { calls, source } = await llmCallsIn(db, { fromMs: start, untilMs: stop });
    facts.push({
      date,
      stocksSeen: new Set([...dayAttempts, ...daySkips].map((d) => d.stockCode)).size,
      succeeded: dayAttempts.filter((a) => a.status === 'succeeded').length,
      failed: dayAttempts.filter((a) => a.status === 'failed').length,
      inFlight: dayAttempts.filter((a) => a.status === 'in_flight').length,
      calls: calls.length,
      callsSource: source,
      freshnessHours: freshness[i].hours,
      freshnessStocks: freshness[i].stocks,
      measuredUntil: freshness[i].measuredUntil,
    });
  }
  return evaluateWeek(from, to, facts, config.week);
}
