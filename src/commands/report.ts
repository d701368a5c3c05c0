/** `craveny-ops report --html FILE`: the dashboard of a window as one self-contained HTML file. */
import type { Command } from 'commander';
import type { Kysely } from 'kysely';
import { findAnomalies } from '../analysis/anomalies.js';
import { attemptsIn, logEnd } from '../analysis/attempts.js';
import { computeCost } from '../analysis/cost.js';
import { failureCause } from '../analysis/metrics.js';
import { computeStats } from '../analysis/stats.js';
import { verifyDay1 } from '../analysis/verify-day1.js';
import { verifyWeek } from '../analysis/verify-week.js';
import type { Config } from '../config.js';
import { krxDay } from '../market/calendar.js';
import { addDays, daysBetween, isoKst, kstDay, kstHour, type Window } from '../market/time.js';
import { renderHtml, type ReportDocument } from '../render/html.js';
import type { Database } from '../store/schema.js';
import { parsePrice } from './cost.js';
import { configOf, storeSpecOf, withStore, type Context } from './context.js';
import { writeAtomically } from './metrics.js';
import { DEFAULT_DAYS, windowFromFlags } from './stats.js';

/** How many failed attempts the report lists (the newest). */
const FAILURES_SHOWN = 20;
/** The verify week table covers at most the window's last seven days: Day 2–7 of a rollout. */
const WEEK_DAYS = 7;

interface ReportFlags {
  html: string;
  days?: string;
  until?: string;
  pricePerCall?: string;
}

export function register(program: Command, ctx: Context): void {
  program
    .command('report')
    .description('write an HTML dashboard (charts, per-stock table, verification verdicts) as one self-contained file')
    .requiredOption('--html <file>', 'the HTML file to write (- for stdout)')
    .option('--days <n>', `KST calendar days, 1–30 (default ${DEFAULT_DAYS})`)
    .option('--until <YYYY-MM-DD>', 'last day of the window, inclusive (default: today, KST)')
    .option('--price-per-call <usd>', "price of one LLM call in USD (default: the config's pricePerCall, else each line's 비용예상, else 0.001)")
    .action(async (flags: ReportFlags, command: Command) => {
      const window = windowFromFlags(flags, ctx);
      const explicitPrice = flags.pricePerCall === undefined ? null : parsePrice(flags.pricePerCall);
      const config = await configOf(command, ctx);
      const doc = await withStore(storeSpecOf(command, ctx, config), ({ db }) =>
        buildReport(db, window, config, explicitPrice ?? config.pricePerCall, ctx.now()),
      );
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
  const [stats, cost, anomalies, attempts, end] = await Promise.all([
    computeStats(db, window),
    computeCost(db, window, pricePerCall),
    findAnomalies(db, window, config, nowMs),
    attemptsIn(db, window),
    logEnd(db),
  ]);

  const days = daysBetween(window.firstDay, window.lastDay);
  const row = new Map(days.map((d, i) => [d, i]));
  const counts = days.map(() => Array<number>(24).fill(0));
  for (const a of attempts) counts[row.get(kstDay(a.ts))!][kstHour(a.ts)] += 1;

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
    window: { days: window.days, first_day: window.firstDay, last_day: window.lastDay, from: stats.from, until: stats.until },
    log_end: end === null ? null : isoKst(end),
    stats,
    cost,
    heatmap: { days, counts },
    day1,
    week,
    anomalies,
    failures,
  };
}
