/** `craveny-ops stats`: how often reports were updated, why, in which phase, at what interval. */
import type { Command } from 'commander';
import { computeStats, type StatsDocument } from '../analysis/stats.js';
import { backendStatsOutput, type BackendStatsFlags } from '../backend/stats.js';
import type { Window } from '../market/time.js';
import { parseWindow, WINDOW_HELP, windowLength, windowSpan, type WindowFlags } from '../market/window.js';
import type { DurationStats } from '../analysis/durations.js';
import { barChart, heading, outputWidth, table, TERMINAL_WIDTH } from '../render/table.js';
import { DAYS, flagOption } from '../params.js';
import { configOf, storeSpecOf, withStore, type Context } from './context.js';
import { warnAboutLogEnd } from './log-end.js';
import { formatOption, jsonOption, outputFormat, TABLE_OR_JSON, type TableOrJson } from './output.js';
import { plural } from '../render/text.js';

/** The window when --days is not given: the last week, as the admin API's default. */
export const DEFAULT_DAYS = 7;

interface StatsFlags extends WindowFlags {
  json?: boolean;
  format?: TableOrJson;
}

export interface StatsOptions {
  window: Window;
  json: boolean;
}

/** --days/--since and --until as the contract's window; --until defaults to today in KST (or now, with --since). */
export function windowFromFlags(flags: WindowFlags, ctx: Context, defaultDays = DEFAULT_DAYS): Window {
  return parseWindow(flags, ctx.now(), defaultDays);
}

export function parseStatsOptions(flags: StatsFlags, ctx: Context): StatsOptions {
  return { window: windowFromFlags(flags, ctx), json: outputFormat(flags, TABLE_OR_JSON) === 'json' };
}

export function register(program: Command, ctx: Context): void {
  program
    .command('stats')
    .description('report update statistics: totals, reasons, market phases, intervals, per stock')
    .addOption(flagOption(DAYS, String(DEFAULT_DAYS)))
    .option('--since <duration|time>', WINDOW_HELP.since)
    .option('--until <day|time>', WINDOW_HELP.until)
    .addOption(formatOption(TABLE_OR_JSON))
    .addOption(jsonOption())
    .option('--source <logs|backend>', "logs (the store, default) or backend: the backend database's last_update_reason/last_market_phase")
    .option('--pg <url>', 'with --source backend: the backend database (env CRAVENY_OPS_BACKEND_PG)')
    .option('--db-tz <zone>', "with --source backend: IANA zone of the database's naive last_updated (default Asia/Seoul)")
    .action(async (flags: StatsFlags & BackendStatsFlags, command: Command) => {
      const options = parseStatsOptions(flags, ctx);
      if (flags.source !== undefined && flags.source !== 'logs') return void ctx.io.out(await backendStatsOutput(flags, options, ctx));
      const config = await configOf(command, ctx);
      const doc = await withStore(storeSpecOf(command, ctx, config), (store) => computeStats(store.db, options.window));
      warnAboutLogEnd(ctx, doc.log_end, options.window, config);
      ctx.io.out(options.json ? JSON.stringify(doc, null, 2) : renderStats(doc, options.window, ctx.io.color, outputWidth(ctx.io.width)));
    });
}

export function windowTitle(what: string, window: Window): string {
  return `${what}, ${windowSpan(window)} (${windowLength(window)})`;
}

export function renderStats(doc: StatsDocument, window: Window, color: boolean, width = TERMINAL_WIDTH): string {
  const hours = (h: number | null | undefined) => (h == null ? '–' : h.toFixed(2));
  const out: string[] = [heading(windowTitle('Report updates', window), color), ''];
  out.push(
    `  ${plural(doc.total_updates, 'attempt')}: ${doc.succeeded} succeeded, ` +
      `${doc.failed} failed, ${doc.in_flight} in flight`,
  );
  out.push(`  average interval between updates: ${doc.avg_interval_hours.overall === null ? '– (no stock succeeded twice)' : hours(doc.avg_interval_hours.overall) + ' h'}`);

  out.push('', heading('Update reasons', color));
  out.push(
    doc.update_reasons.length
      ? barChart(doc.update_reasons.map((r) => ({ label: `${r.reason.padEnd(16)}  ${r.label}`, value: r.count })), { color, width })
      : '  (no attempts)',
  );

  out.push('', heading('Market phases', color));
  out.push(barChart(Object.entries(doc.market_phases).map(([phase, count]) => ({ label: phase, value: count })), { color, width }));

  // Present in every document this tool writes; a document from elsewhere (the backend source) may lack it.
  if (doc.duration_seconds) {
    const seconds = (s: number | null) => (s === null ? '–' : s.toFixed(1));
    const row = (label: string, d: DurationStats) => [label, d.count, seconds(d.p50), seconds(d.p95), seconds(d.max)];
    out.push('', heading('Duration, start to outcome (s)', color));
    out.push(
      table(
        ['phase', 'attempts', 'p50', 'p95', 'max'],
        [...Object.entries(doc.duration_seconds_by_phase).map(([phase, d]) => row(phase, d)), row('all', doc.duration_seconds)],
        { align: ['left', 'right', 'right', 'right', 'right'], color },
      ),
    );
  }

  if (doc.by_stock.length) {
    out.push('', heading('By stock', color));
    out.push(
      table(
        ['stock', 'updates', 'succeeded', 'failed', 'succeeded/day', 'interval h'],
        doc.by_stock.map((s) => [
          s.stock_code,
          s.updates,
          s.succeeded,
          s.failed,
          s.updates_per_day.toFixed(2),
          hours(doc.avg_interval_hours.by_stock[s.stock_code]),
        ]),
        { align: ['left', 'right', 'right', 'right', 'right', 'right'], color },
      ),
    );
  }
  return out.join('\n');
}
