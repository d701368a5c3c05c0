/** `craveny-ops cost`: LLM calls per day and per stock, their estimated cost, a 30-day projection. */
import type { Command } from 'commander';
import { computeCost, withMonthProjection, type CostDocument } from '../analysis/cost.js';
import { UsageError } from '../errors.js';
import { DAYS, flagOf, flagOption, PRICE_PER_CALL } from '../params.js';
import type { Window } from '../market/time.js';
import { monthWindow, WINDOW_HELP, type WindowFlags } from '../market/window.js';
import { toCsv } from '../render/csv.js';
import { barChart, formatUsd, heading, outputWidth, table, TERMINAL_WIDTH } from '../render/table.js';
import { configOf, storeSpecOf, withStore, type Context } from './context.js';
import { warnAboutLogEnd } from './log-end.js';
import { formatOption, jsonOption, outputFormat } from './output.js';
import { DEFAULT_DAYS, windowFromFlags, windowTitle } from './stats.js';
import { plural } from '../render/text.js';

export const FORMATS = ['table', 'json', 'csv'] as const;
export type CostFormat = (typeof FORMATS)[number];

interface CostFlags extends WindowFlags {
  month?: string;
  pricePerCall?: string;
  json?: boolean;
  format?: CostFormat;
}

export interface CostOptions {
  window: Window;
  /** `--month`: the window is that calendar month. */
  month: (Window & { month: string }) | null;
  /** The option's price; null when not given (the config's, if any, applies). */
  pricePerCall: number | null;
  format: CostFormat;
}

export const parsePrice = (text: string): number => PRICE_PER_CALL.parse(text, flagOf(PRICE_PER_CALL));

export function parseCostOptions(flags: CostFlags, ctx: Context): CostOptions {
  if (flags.month !== undefined && (flags.days ?? flags.since ?? flags.until) !== undefined) {
    throw new UsageError('--month is a window of its own: give it without --days, --since or --until');
  }
  const month = flags.month === undefined ? null : monthWindow(flags.month);
  return {
    window: month ?? windowFromFlags(flags, ctx),
    month,
    pricePerCall: flags.pricePerCall === undefined ? null : parsePrice(flags.pricePerCall),
    format: outputFormat(flags, FORMATS),
  };
}

export function register(program: Command, ctx: Context): void {
  program
    .command('cost')
    .description('LLM calls per day and per stock, estimated cost, 30-day projection')
    .addOption(flagOption(DAYS, String(DEFAULT_DAYS)))
    .option('--since <duration|time>', WINDOW_HELP.since)
    .option('--until <day|time>', WINDOW_HELP.until)
    .option('--month <YYYY-MM>', 'the calendar month in KST as the window (any length), with its projected total')
    .addOption(flagOption(PRICE_PER_CALL))
    .addOption(formatOption(FORMATS, 'output: a table, the JSON document, or the days as CSV'))
    .addOption(jsonOption())
    .action(async (flags: CostFlags, command: Command) => {
      const options = parseCostOptions(flags, ctx);
      const config = await configOf(command, ctx);
      const price = options.pricePerCall ?? config.pricePerCall;
      const window = await withStore(storeSpecOf(command, ctx, config), (store) => computeCost(store.db, options.window, price));
      const doc = options.month ? withMonthProjection(window, options.month, ctx.now()) : window;
      warnAboutLogEnd(ctx, doc.log_end, options.window, config);
      ctx.io.out(renderCost(doc, options, ctx.io.color, outputWidth(ctx.io.width)));
    });
}

function dayFigures(d: CostDocument['days'][number]): string {
  return `${String(d.calls).padStart(4)} calls ${formatUsd(d.cost_usd).padStart(10)} ${String(d.updates).padStart(4)} attempts`;
}

export function renderCost(doc: CostDocument, options: CostOptions, color: boolean, width = TERMINAL_WIDTH): string {
  if (options.format === 'json') return JSON.stringify(doc, null, 2);
  if (options.format === 'csv') return toCsv(['date', 'calls', 'cost_usd', 'updates'], doc.days.map((d) => [d.date, d.calls, d.cost_usd, d.updates]));

  const source = doc.calls_source === 'llm_cost_lines' ? '[LLM_COST] lines' : 'generation lines (single 1 call, A/B 2)';
  const out: string[] = [heading(windowTitle('LLM calls', options.window), color), ''];
  out.push(`  ${plural(doc.total_calls, 'call')}, ${formatUsd(doc.total_cost_usd)} (counted from ${source})`);
  out.push(`  price per call ${formatUsd(doc.price_per_call)}${options.pricePerCall === null && doc.calls_source === 'llm_cost_lines' ? ' where a line prints none' : ''}`);
  if (doc.projected_month_cost_usd !== undefined) out.push(`  projected ${doc.month}: ${formatUsd(doc.projected_month_cost_usd)}`);
  else out.push(`  projected 30 days: ${formatUsd(doc.projected_30d_cost_usd)}`);

  out.push('', heading('Calls per day', color));
  out.push(
    barChart(
      doc.days.map((d) => ({ label: d.date, value: d.calls, shown: dayFigures(d) })),
      { color, width },
    ),
  );

  if (doc.by_stock.length) {
    out.push('', heading('By stock', color));
    out.push(
      table(
        ['stock', 'calls', 'cost', 'succeeded/day'],
        doc.by_stock.map((s) => [s.stock_code, s.calls, formatUsd(s.cost_usd), s.updates_per_day.toFixed(2)]),
        { align: ['left', 'right', 'right', 'right'], color },
      ),
    );
  }
  return out.join('\n');
}
