/** `craveny-ops attempts`: every attempt of a window, filtered by stock, reason and outcome. */
import type { Command } from 'commander';
import { listAttempts, OUTCOMES, parseFilters, stockSeen, type AttemptFilters, type AttemptsDocument } from '../analysis/attempt-list.js';
import { REASONS } from '../logs/record.js';
import type { Window } from '../market/time.js';
import { parseWindow, WINDOW_HELP, type WindowFlags } from '../market/window.js';
import { toCsv } from '../render/csv.js';
import { displayWidth, formatUsd, heading, outputWidth, paint, table, type Align } from '../render/table.js';
import { plural, visible } from '../render/text.js';
import { wrap } from '../render/wrap.js';
import { parsePrice } from './cost.js';
import { configOf, storeSpecOf, withStore, type Context } from './context.js';
import { formatOption, jsonOption, outputFormat } from './output.js';
import { windowTitle } from './stats.js';

/** "What happened to 005930 today?": a day. */
export const DEFAULT_DAYS = 1;
export const FORMATS = ['table', 'json', 'csv'] as const;
export type AttemptsFormat = (typeof FORMATS)[number];

interface AttemptsFlags extends WindowFlags {
  stock?: string;
  reason?: string;
  outcome?: string;
  pricePerCall?: string;
  json?: boolean;
  format?: AttemptsFormat;
}

export interface AttemptsOptions {
  window: Window;
  filters: AttemptFilters;
  pricePerCall: number | null;
  format: AttemptsFormat;
}

export function parseAttemptsOptions(flags: AttemptsFlags, ctx: Context): AttemptsOptions {
  return {
    window: parseWindow(flags, ctx.now(), DEFAULT_DAYS),
    filters: parseFilters(flags),
    pricePerCall: flags.pricePerCall === undefined ? null : parsePrice(flags.pricePerCall),
    format: outputFormat(flags, FORMATS),
  };
}

export function register(program: Command, ctx: Context): void {
  program
    .command('attempts')
    .description('every update attempt of the window with its reason, phase, outcome, duration, LLM calls, cost and error')
    .option('--stock <code>', 'only this stock (a KRX short code such as 005930)')
    .option('--days <n>', `KST calendar days, 1–30 (default ${DEFAULT_DAYS}: today)`)
    .option('--since <duration|time>', WINDOW_HELP.since)
    .option('--until <day|time>', WINDOW_HELP.until)
    .option('--reason <reason>', `only this reason: ${REASONS.join(', ')}`)
    .option('--outcome <outcome>', `only this outcome: ${OUTCOMES.join(', ')} (abandoned attempts are failed ones)`)
    .option('--price-per-call <usd>', "price of one LLM call in USD (default: the config's pricePerCall, else each line's 비용예상, else 0.001)")
    .addOption(formatOption(FORMATS, 'output: a table, the JSON document, or CSV'))
    .addOption(jsonOption())
    .action(async (flags: AttemptsFlags, command: Command) => {
      const options = parseAttemptsOptions(flags, ctx);
      const config = await configOf(command, ctx);
      const price = options.pricePerCall ?? config.pricePerCall;
      const { doc, unseen } = await withStore(storeSpecOf(command, ctx, config), async ({ db }) => {
        const doc = await listAttempts(db, options.window, options.filters, price);
        const stock = options.filters.stock;
        // Only an empty answer raises the question whether the store knows the stock at all.
        return { doc, unseen: stock !== null && doc.attempts.length === 0 && !(await stockSeen(db, stock)) };
      });
      if (doc.log_end === null) ctx.io.err('warning: the store holds no logs yet; run craveny-ops ingest first');
      else if (unseen) ctx.io.err(`warning: the store has never seen stock ${options.filters.stock}: check the code`);
      ctx.io.out(renderAttempts(doc, options, ctx.io.color, ctx.io.width));
    });
}

export const CSV_COLUMNS = [
  'ts',
  'stock_code',
  'reason',
  'reason_text',
  'phase',
  'outcome',
  'abandoned',
  'silent_failure',
  'completed_ts',
  'duration_s',
  'llm_calls',
  'cost_usd',
  'error',
] as const;

const clock = (iso: string | null, sameDay: boolean) => (iso === null ? '–' : sameDay ? iso.slice(11, 19) : `${iso.slice(5, 10)} ${iso.slice(11, 19)}`);

/**
 * `columns`: a terminal's width, which the table fits and the detail lines wrap at; in a pipe
 * (undefined) the table fits 80 columns and every detail stays on one line, for grep.
 */
export function renderAttempts(doc: AttemptsDocument, options: Pick<AttemptsOptions, 'window' | 'format' | 'filters'>, color: boolean, columns?: number): string {
  const width = outputWidth(columns);
  const wrapAt = columns ?? Infinity;
  if (options.format === 'json') return JSON.stringify(doc, null, 2);
  if (options.format === 'csv') return toCsv(CSV_COLUMNS, doc.attempts.map((a) => CSV_COLUMNS.map((c) => (typeof a[c] === 'boolean' ? String(a[c]) : a[c]))));

  const c = paint(color);
  const what = options.filters.stock === null ? 'Update attempts' : `Update attempts of ${options.filters.stock}`;
  const out = [heading(windowTitle(what, options.window), color), ''];
  if (doc.attempts.length === 0) return [...out, '  no attempts'].join('\n');
  const sameDay = options.window.firstDay === options.window.lastDay;
  const outcome = (a: AttemptsDocument['attempts'][number]) => {
    const text = a.abandoned ? 'abandoned' : a.silent_failure ? 'silent fail' : a.outcome;
    return a.outcome === 'failed' ? c.red(text) : a.outcome === 'in_flight' ? c.yellow(text) : text;
  };
  const cells: Record<string, { align: Align; value: (a: AttemptsDocument['attempts'][number], i: number) => string | number }> = {
    '#': { align: 'right', value: (_a, i) => i + 1 },
    started: { align: 'left', value: (a) => clock(a.ts, sameDay) },
    stock: { align: 'left', value: (a) => a.stock_code },
    reason: { align: 'left', value: (a) => a.reason },
    phase: { align: 'left', value: (a) => a.phase },
    outcome: { align: 'left', value: outcome },
    completed: { align: 'left', value: (a) => clock(a.completed_ts, sameDay) },
    'dur s': { align: 'right', value: (a) => (a.duration_s === null ? '–' : a.duration_s.toFixed(1)) },
    calls: { align: 'right', value: (a) => a.llm_calls },
    cost: { align: 'right', value: (a) => formatUsd(a.cost_usd) },
  };
  const grid = (columns: string[]) =>
    table(
      columns,
      doc.attempts.map((a, i) => columns.map((k) => cells[k].value(a, i))),
      { align: columns.map((k) => cells[k].align), color },
    );
  // Every column on a wide terminal; the ones that the detail lines or the cost repeat go first.
  let shown = grid(Object.keys(cells));
  if (displayWidth(shown.split('\n')[0]) > width) shown = grid(['#', 'started', 'stock', 'reason', 'outcome', 'dur s', 'cost']);
  out.push(shown);
  // The texts do not fit a row: one detail block per attempt, wrapped at the terminal's width.
  out.push('');
  doc.attempts.forEach((a, i) => {
    const label = `  ${i + 1}. `;
    const indent = ' '.repeat(label.length + 2);
    // The reason and error texts are the log's: shown, never acted on by the terminal.
    out.push(...wrap(`${label}${a.phase} · ${visible(a.reason_text)}`, wrapAt, indent));
    if (a.error !== null) out.push(...wrap(`${indent}error: ${visible(a.error)}`, wrapAt, indent + '       '));
  });
  const failed = doc.attempts.filter((a) => a.outcome === 'failed').length;
  out.push('', ...wrap(`  ${plural(doc.attempts.length, 'attempt')}, ${failed} failed; log end ${doc.log_end ?? '–'}`, wrapAt, '  '));
  return out.join('\n');
}
