/** `craveny-ops cost`: LLM calls per day and per stock, their estimated cost, a 30-day projection. */
import type { Command } from 'commander';
import { computeCost, type CostDocument } from '../analysis/cost.js';
import { UsageError } from '../errors.js';
import type { Window } from '../market/time.js';
import { toCsv } from '../render/csv.js';
import { barChart, formatUsd, heading, table } from '../render/table.js';
import { configOf, storeSpecOf, withStore, type Context } from './context.js';
import { warnAboutLogEnd } from './log-end.js';
import { formatOption, jsonOption, outputFormat } from './output.js';
import { DEFAULT_DAYS, windowFromFlags, windowTitle } from './stats.js';

export const FORMATS = ['table', 'json', 'csv'] as const;
export type CostFormat = (typeof FORMATS)[number];

interface CostFlags {
  days?: string;
  until?: string;
  pricePerCall?: string;
  json?: boolean;
  format?: CostFormat;
}

export interface CostOptions {
  window: Window;
  /** The option's price; null when not given (the config's, if any, applies). */
  pricePerCall: number | null;
  format: CostFormat;
}

const PRICE = /^\$?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

export function parsePrice(text: string): number {
  const price = PRICE.test(text.trim()) ? Number(text.trim().replace(/^\$/, '')) : NaN;
  if (!Number.isFinite(price)) throw new UsageError(`--price-per-call must be a price in USD such as 0.001, got '${text}'`);
  return price;
}

export function parseCostOptions(flags: CostFlags, ctx: Context): CostOptions {
  return {
    window: windowFromFlags(flags, ctx),
    pricePerCall: flags.pricePerCall === undefined ? null : parsePrice(flags.pricePerCall),
    format: outputFormat(flags, FORMATS),
  };
}

export function register(program: Command, ctx: Context): void {
  program
    .command('cost')
    .description('LLM calls per day and per stock, estimated cost, 30-day projection')
    .option('--days <n>', `KST calendar days, 1–30 (default ${DEFAULT_DAYS})`)
    .option('--until <YYYY-MM-DD>', 'last day of the window, inclusive (default: today, KST)')
    .option('--price-per-call <usd>', "price of one LLM call in USD (default: the config's pricePerCall, else each line's 비용예상, else 0.001)")
    .addOption(formatOption(FORMATS, 'output: a table, the JSON document, or the days as CSV'))
    .addOption(jsonOption())
    .action(async (flags: CostFlags, command: Command) => {
      const options = parseCostOptions(flags, ctx);
      const config = await configOf(command, ctx);
      const price = options.pricePerCall ?? config.pricePerCall;
      const doc = await withStore(storeSpecOf(command, ctx, config), (store) => computeCost(store.db, options.window, price));
      warnAboutLogEnd(ctx, doc.log_end, options.window, config);
      ctx.io.out(renderCost(doc, options, ctx.io.color));
    });
}

function dayFigures(d: CostDocument['days'][number]): string {
  return `${String(d.calls).padStart(4)} calls ${formatUsd(d.cost_usd).padStart(10)} ${String(d.updates).padStart(4)} attempts`;
}

export function renderCost(doc: CostDocument, options: CostOptions, color: boolean): string {
  if (options.format === 'json') return JSON.stringify(doc, null, 2);
  if (options.format === 'csv') return toCsv(['date', 'calls', 'cost_usd', 'updates'], doc.days.map((d) => [d.date, d.calls, d.cost_usd, d.updates]));

  const source = doc.calls_source === 'llm_cost_lines' ? '[LLM_COST] lines' : 'generation lines (single 1 call, A/B 2)';
  const out: string[] = [heading(windowTitle('LLM calls', options.window), color), ''];
  out.push(`  ${doc.total_calls} call${doc.total_calls === 1 ? '' : 's'}, ${formatUsd(doc.total_cost_usd)} (counted from ${source})`);
  out.push(`  price per call ${formatUsd(doc.price_per_call)}${options.pricePerCall === null && doc.calls_source === 'llm_cost_lines' ? ' where a line prints none' : ''}`);
  out.push(`  projected 30 days: ${formatUsd(doc.projected_30d_cost_usd)}`);

  out.push('', heading('Calls per day', color));
  out.push(
    barChart(
      doc.days.map((d) => ({ label: d.date, value: d.calls, shown: dayFigures(d) })),
      { color },
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
