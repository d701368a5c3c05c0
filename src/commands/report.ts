/** `craveny-ops report --html FILE`: the dashboard of a window as one self-contained HTML file. */
import type { Command } from 'commander';
import type { Kysely } from 'kysely';
import { findAnomalies } from '../analysis/anomalies.js';
import { attemptsIn, logEnd, type Attempt } from '../analysis/attempts.js';
import { computeCost, roundUsd, type CostDocument } from '../analysis/cost.js';
import { durationSeconds, durationStats } from '../analysis/durations.js';
import { failureCause } from '../analysis/metrics.js';
import { computeStats, periodDays } from '../analysis/stats.js';
import { verifyDay1 } from '../analysis/verify-day1.js';
import { verifyWeek } from '../analysis/verify-week.js';
import { computeWhatIf } from '../analysis/whatif-read.js';
import type { Config } from '../config.js';
import { krxDay } from '../market/calendar.js';
import { addDays, DAY_MS, dayStartMs, daysBetween, HOUR_MS, isoKst, kstDay, kstHour, type Window } from '../market/time.js';
import { renderHtml, type DayRow, type MonthCost, type ReportDocument, type StockAttempts } from '../render/html.js';
import { WINDOW_HELP, type WindowFlags } from '../market/window.js';
import type { Database } from '../store/schema.js';
import { DAYS, flagOption, PRICE_PER_CALL } from '../params.js';
import { parsePrice } from './cost.js';
import { configOf, storeSpecOf, withStore, type Context } from './context.js';
import { writeAtomically } from './metrics.js';
import { parseWhatIfOptions } from './whatif.js';
import { DEFAULT_DAYS, windowFromFlags } from './stats.js';

/** How many failed attempts the report lists (the newest). */
const FAILURES_SHOWN = 20;
/** The verify week table covers at most the window's last seven days: Day 2–7 of a rollout. */
const WEEK_DAYS = 7;
/** Attempts listed per stock (the newest); a storm can make thousands, and `attempts --stock` lists them all. */
export const STOCK_ATTEMPTS_SHOWN = 100;

interface ReportFlags extends WindowFlags {
  html: string;
  pricePerCall?: string;
  whatif?: string;
}

export function register(program: Command, ctx: Context): void {
  program
    .command('report')
    .description('write an HTML dashboard (charts, per-stock table, verification verdicts) as one self-contained file')
    .requiredOption('--html <file>', 'the HTML file to write (- for stdout)')
    .addOption(flagOption(DAYS, String(DEFAULT_DAYS)))
    .option('--since <duration|time>', WINDOW_HELP.since)
    .option('--until <day|time>', WINDOW_HELP.until)
    .addOption(flagOption(PRICE_PER_CALL))
    .option('--whatif <file>', "add a what-if section: the window replayed under these rules (as whatif --rules)")
    .action(async (flags: ReportFlags, command: Command) => {
      const window = windowFromFlags(flags, ctx);
      const explicitPrice = flags.pricePerCall === undefined ? null : parsePrice(flags.pricePerCall);
      const config = await configOf(command, ctx);
      const whatif = flags.whatif === undefined ? null : await parseWhatIfOptions({ days: flags.days, since: flags.since, until: flags.until, rules: flags.whatif }, config, ctx);
      const doc = await withStore(storeSpecOf(command, ctx, config), async ({ db }) => {
        const report = await buildReport(db, window, config, explicitPrice ?? config.pricePerCall, ctx.now());
        if (whatif) report.whatif = await computeWhatIf(db, window, { ...whatif, actualRules: config.rules, pricePerCall: explicitPrice ?? config.pricePerCall });
        return report;
      });
      if (doc.log_end === null) ctx.io.err('warning: the store holds no logs yet; run craveny-ops ingest first');
      const html = renderHtml(doc);
      if (flags.html === '-') {
        ctx.io.out(html);
        return;
      }
      writeAtomically(flags.html, html);
      ctx.io.err(`wrote ${flags.html} (${doc.window.first_day} to ${doc.window.last_day}, ${doc.stats.total_updates} attempts, ${Math.round(Buffer.byteLength(html) / 1024)} KiB)`);
    });
}

/** Everything the dashboard shows, from the same analysis functions as the commands. */
export async function buildReport(db: Kysely<Database>, window: Window, config: Config, pricePerCall: number | null, nowMs: number): Promise<ReportDocument> {
  const monthWindow = monthOf(window.lastDay);
  const [stats, cost, anomalies, attempts, end, monthCost] = await Promise.all([
    computeStats(db, window),
    computeCost(db, window, pricePerCall),
    findAnomalies(db, window, config, nowMs),
    attemptsIn(db, window),
    logEnd(db),
    computeCost(db, monthWindow.soFar, pricePerCall),
  ]);

  const days = daysBetween(window.firstDay, window.lastDay);
  const row = new Map(days.map((d, i) => [d, i]));
  const counts = days.map(() => Array<number>(24).fill(0));
  for (const a of attempts) counts[row.get(kstDay(a.ts))!][kstHour(a.ts)] += 1;
  // An hour that starts after the log end was not observed: no attempts there says nothing.
  const observed = days.map((d) => Array.from({ length: 24 }, (_, h) => end !== null && dayStartMs(d) + h * HOUR_MS <= end));

  const failures = attempts
    .filter((a) => a.status === 'failed')
    .slice(-FAILURES_SHOWN)
    .reverse()
    .map((a) => ({ ts: isoKst(a.ts), stock_code: a.stockCode, reason: a.reason, reason_text: a.reasonText, error: a.error, cause: failureCause(a) }));

  // The latest verdicts: Day 1 of the newest trading day with attempts, Day 2–7 over the last week.
  const tradingDay = [...new Set(attempts.map((a) => kstDay(a.ts)))].reverse().find((d) => krxDay(d).trading) ?? null;
  const weekFrom = days.length > WEEK_DAYS ? addDays(window.lastDay, -(WEEK_DAYS - 1)) : window.firstDay;
  const [day1, week] = await Promise.all([
    tradingDay === null ? Promise.resolve(null) : verifyDay1(db, tradingDay, config.rules),
    verifyWeek(db, weekFrom, window.lastDay, config),
  ]);

  return {
    generated_at: isoKst(nowMs),
    window: { days: periodDays(window), first_day: window.firstDay, last_day: window.lastDay, from: stats.from, until: stats.until },
    log_end: end === null ? null : isoKst(end),
    stats,
    cost,
    latency: durationStats(attempts.map(durationSeconds).filter((d): d is number => d !== null)),
    daily: dailyRows(days, attempts, cost, end),
    month: monthProjection(monthWindow, monthCost),
    heatmap: { days, counts, observed },
    day1,
    week,
    anomalies,
    failures,
    stock_attempts: stockAttempts(attempts),
  };
}

const isSilent = (a: Attempt) => a.generationFailed && a.completionLogged;

/** One row per day of the window: outcomes, silent failures, latency, calls and cost, and whether the exchange was open. */
function dailyRows(days: string[], attempts: readonly Attempt[], cost: CostDocument, end: number | null): DayRow[] {
  const byDay = new Map<string, Attempt[]>(days.map((d) => [d, []]));
  for (const a of attempts) byDay.get(kstDay(a.ts))!.push(a);
  const costOf = new Map(cost.days.map((d) => [d.date, d]));
  return days.map((date) => {
    const own = byDay.get(date)!;
    const succeeded = own.filter((a) => a.status === 'succeeded').length;
    const failed = own.filter((a) => a.status === 'failed').length;
    const durations = own.map(durationSeconds).filter((d): d is number => d !== null);
    const k = krxDay(date);
    return {
      date,
      trading: k.trading,
      closed_because: k.closedBecause,
      observed: end !== null && dayStartMs(date) <= end,
      attempts: own.length,
      succeeded,
      failed,
      in_flight: own.length - succeeded - failed,
      success_rate: succeeded + failed ? Math.round((succeeded / (succeeded + failed)) * 10_000) / 10_000 : null,
      silent_failures: own.filter(isSilent).length,
      duration_seconds: durationStats(durations),
      calls: costOf.get(date)?.calls ?? 0,
      cost_usd: costOf.get(date)?.cost_usd ?? 0,
    };
  });
}

/** The calendar month of a day, and the part of it up to that day (the cost so far). */
function monthOf(day: string): { month: string; daysInMonth: number; soFar: Window } {
  const first = `${day.slice(0, 7)}-01`;
  const next = addDays(first, 32).slice(0, 7) + '-01';
  const daysInMonth = Math.round((dayStartMs(next) - dayStartMs(first)) / DAY_MS);
  const elapsed = daysBetween(first, day).length;
  return { month: day.slice(0, 7), daysInMonth, soFar: { days: elapsed, firstDay: first, lastDay: day, fromMs: dayStartMs(first), untilMs: dayStartMs(day) + DAY_MS } };
}

/** The month of the window's last day: its cost from the 1st to that day, projected over the whole month. */
function monthProjection(m: ReturnType<typeof monthOf>, cost: CostDocument): MonthCost {
  return {
    month: m.month,
    through: m.soFar.lastDay,
    days_elapsed: m.soFar.days,
    days_in_month: m.daysInMonth,
    calls: cost.total_calls,
    cost_usd: cost.total_cost_usd,
    projected_cost_usd: roundUsd((cost.total_cost_usd / m.soFar.days) * m.daysInMonth),
  };
}

/** Each stock's attempts in the window, newest first, for the per-stock drill-down. */
function stockAttempts(attempts: readonly Attempt[]): StockAttempts[] {
  const byStock = new Map<string, Attempt[]>();
  for (const a of attempts) {
    const own = byStock.get(a.stockCode);
    if (own) own.push(a);
    else byStock.set(a.stockCode, [a]);
  }
  return [...byStock.keys()].sort().map((code) => {
    const own = byStock.get(code)!;
    return {
      stock_code: code,
      total: own.length,
      failed: own.filter((a) => a.status === 'failed').length,
      attempts: own
        .slice(-STOCK_ATTEMPTS_SHOWN)
        .reverse()
        .map((a) => ({
          ts: isoKst(a.ts),
          reason: a.reason,
          reason_text: a.reasonText,
          phase: a.phase,
          outcome: a.status,
          abandoned: a.abandoned,
          silent_failure: isSilent(a),
          duration_s: durationSeconds(a),
          error: a.error,
        })),
    };
  });
}
