/** `craveny-ops whatif`: the window's decisions replayed under other rules — cost and freshness, actual vs what-if. */
import type { Command } from 'commander';
import { changedSentence, type Figures, type WhatIfDocument } from '../analysis/whatif.js';
import { computeWhatIf } from '../analysis/whatif-read.js';
import { readRulesFile, ruleChanges, whatIfRules } from '../analysis/whatif-rules.js';
import type { Config } from '../config.js';
import { UsageError } from '../errors.js';
import { REASONS } from '../logs/record.js';
import type { Rules } from '../market/rules.js';
import type { Window } from '../market/time.js';
import { formatUsd, heading, paint, table } from '../render/table.js';
import { wrap } from '../render/wrap.js';
import { configOf, storeSpecOf, withStore, type Context } from './context.js';
import { parsePrice } from './cost.js';
import { formatOption, jsonOption, outputFormat, TABLE_OR_JSON, type TableOrJson } from './output.js';
import { DEFAULT_DAYS, windowFromFlags, windowTitle } from './stats.js';
import { WINDOW_HELP, type WindowFlags } from '../market/window.js';

interface WhatIfFlags extends WindowFlags {
  rules?: string;
  set?: string[];
  fixPredictionCap?: boolean;
  pricePerCall?: string;
  json?: boolean;
  format?: TableOrJson;
}

export interface WhatIfCommandOptions {
  window: Window;
  rules: Rules;
  fixPredictionCap: boolean;
  pricePerCall: number | null;
  json: boolean;
}

/** The flags as options; the what-if table is the config's rules changed by --rules or --set. */
export async function parseWhatIfOptions(flags: WhatIfFlags, config: Config, ctx: Context): Promise<WhatIfCommandOptions> {
  const sets = flags.set ?? [];
  if (flags.rules !== undefined && sets.length) throw new UsageError('--rules and --set exclude each other: give the whole table in the file, or change keys with --set');
  if (flags.rules === undefined && !sets.length && !flags.fixPredictionCap) {
    throw new UsageError('nothing to replay: give --rules FILE, --set PHASE.KEY=VALUE or --fix-prediction-cap');
  }
  const json = outputFormat(flags, TABLE_OR_JSON) === 'json';
  const window = windowFromFlags(flags, ctx);
  const document = flags.rules === undefined ? null : await readRulesFile(flags.rules);
  return {
    window,
    rules: whatIfRules(config.rules, document, sets),
    fixPredictionCap: flags.fixPredictionCap === true,
    pricePerCall: flags.pricePerCall === undefined ? config.pricePerCall : parsePrice(flags.pricePerCall),
    json,
  };
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function register(program: Command, ctx: Context): void {
  program
    .command('whatif')
    .description('replay the window under other trigger rules: LLM calls, cost and report freshness, actual vs what-if')
    .option('--days <n>', `KST calendar days, 1–30 (default ${DEFAULT_DAYS})`)
    .option('--since <duration|time>', WINDOW_HELP.since)
    .option('--until <day|time>', WINDOW_HELP.until)
    .option('--rules <file>', "the what-if rules: JSON in the config's `rules` shape (or a config file); keys left out keep the actual rules")
    .option('--set <phase.key=value>', 'change one rule, e.g. trading.ttlHours=3 (repeatable; keys: ttlHours, priceThreshold, directionThreshold, priceTriggerActive)', collect)
    .option('--fix-prediction-cap', 'replay as if the 20-prediction cap defect were fixed (a repeated 새 예측 추가 no longer fires)')
    .option('--price-per-call <usd>', "price of one LLM call in USD (default: the config's pricePerCall, else each line's 비용예상, else 0.001)")
    .addOption(formatOption(TABLE_OR_JSON))
    .addOption(jsonOption())
    .action(async (flags: WhatIfFlags, command: Command) => {
      const config = await configOf(command, ctx);
      const options = await parseWhatIfOptions(flags, config, ctx);
      const doc = await withStore(storeSpecOf(command, ctx, config), (store) =>
        computeWhatIf(store.db, options.window, { rules: options.rules, actualRules: config.rules, fixPredictionCap: options.fixPredictionCap, pricePerCall: options.pricePerCall }),
      );
      ctx.io.out(options.json ? JSON.stringify(doc, null, 2) : renderWhatIf(doc, options.window, ctx.io.color, ctx.io.width));
    });
}

const hours = (h: number | null) => (h === null ? '–' : h.toFixed(2));
const signed = (x: number, text: string) => (x > 0 ? `+${text}` : text);

/**
 * A delta, coloured by what it means: fewer calls, lower cost and younger reports are green.
 * Every delta here is "more is worse", so one colouring serves all.
 */
function delta(x: number | null, text: (v: number) => string, color: boolean): string {
  if (x === null) return '–';
  const c = paint(color);
  const shown = signed(x, text(x));
  return x > 0 ? c.red(shown) : x < 0 ? c.green(shown) : shown;
}

const number = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(2));

/** `wrapAt`: a terminal's width, at which the sentences above the tables wrap; a pipe keeps each on one line, for grep. */
export function renderWhatIf(doc: WhatIfDocument, window: Window, color: boolean, wrapAt?: number): string {
  const out: string[] = [heading(windowTitle('What-if', window), color), ''];
  const changes = ruleChanges(doc.logged_rules, doc.rules);
  if (doc.fix_prediction_cap) changes.push('20-prediction cap fixed');
  const sentences = [
    `  rules: ${changes.length ? changes.join(', ') : 'unchanged'}`,
    doc.exact ? '  exact: every what-if figure follows from the log' : `  BOUNDS, not exact: ${doc.inexact_because}`,
    `  ${changedSentence(doc)}`,
  ];
  for (const sentence of sentences) out.push(...wrap(sentence, wrapAt ?? Infinity, '    '));

  const row = (label: string, get: (f: Figures) => number | null, text: (v: number) => string) => {
    const a = get(doc.actual);
    const w = get(doc.whatif);
    return [label, a === null ? '–' : text(a), w === null ? '–' : text(w), delta(a === null || w === null ? null : w - a, text, color)];
  };
  const rows = [
    row('attempts', (f) => f.attempts, number),
    ...REASONS.filter((r) => doc.actual.by_reason[r] || doc.whatif.by_reason[r]).map((r) => row(`  ${r}`, (f) => f.by_reason[r], number)),
    row('LLM calls', (f) => f.llm_calls, number),
    row('cost', (f) => f.cost_usd, (v) => (v < 0 ? `-${formatUsd(-v)}` : formatUsd(v))),
    row('avg freshness h', (f) => f.avg_freshness_hours, (v) => v.toFixed(2)),
  ];
  out.push('', heading('Totals', color));
  out.push(table(['', 'actual', 'what-if', 'delta'], rows, { align: ['left', 'right', 'right', 'right'], color }));

  out.push('', heading('By day', color));
  out.push(
    table(
      ['day', 'calls', 'what-if', 'delta', 'fresh h', 'what-if', 'delta'],
      doc.days.map((d) => [
        d.exact ? d.date : `${d.date} ≥`,
        number(d.actual.llm_calls),
        number(d.whatif.llm_calls),
        delta(d.whatif.llm_calls - d.actual.llm_calls, number, color),
        hours(d.actual.avg_freshness_hours),
        hours(d.whatif.avg_freshness_hours),
        delta(d.actual.avg_freshness_hours === null || d.whatif.avg_freshness_hours === null ? null : d.whatif.avg_freshness_hours - d.actual.avg_freshness_hours, (v) => v.toFixed(2), color),
      ]),
      { align: ['left', 'right', 'right', 'right', 'right', 'right', 'right'], color },
    ),
  );
  if (doc.days.some((d) => !d.exact)) out.push('  ≥: a day whose what-if calls are a lower bound (and freshness an upper bound)');
  return out.join('\n');
}
