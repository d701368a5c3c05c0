/** `craveny-ops freshness`: each stock's report age from the backend's table, against the phase TTL. */
import type { Command } from 'commander';
import { openBackend } from '../backend/database.js';
import { summaryRows } from '../backend/database.js';
import { computeFreshness, parseAt, PLACEHOLDER_SUMMARY, placeholderStocks, type FreshnessDocument } from '../backend/freshness.js';
import { assertTimeZone, KST_ZONE } from '../market/time.js';
import type { Rules } from '../market/rules.js';
import { heading, paint, styled, table } from '../render/table.js';
import { configOf, type Context } from './context.js';
import { formatOption, jsonOption, outputFormat, TABLE_OR_JSON, type TableOrJson } from './output.js';
import { plural } from '../render/text.js';

interface FreshnessFlags {
  pg?: string;
  at?: string;
  dbTz?: string;
  json?: boolean;
  format?: TableOrJson;
  failOnStale?: boolean;
}

export interface FreshnessOptions {
  url: string | undefined;
  atMs: number;
  dbTz: string;
  rules: Rules;
  json: boolean;
}

export function parseFreshnessOptions(flags: FreshnessFlags, ctx: Context, rules: Rules): FreshnessOptions {
  return {
    url: flags.pg ?? ctx.env.CRAVENY_OPS_BACKEND_PG,
    atMs: flags.at === undefined ? ctx.now() : parseAt(flags.at),
    dbTz: assertTimeZone(flags.dbTz ?? KST_ZONE),
    rules,
    json: outputFormat(flags, TABLE_OR_JSON) === 'json',
  };
}

export async function runFreshness(options: FreshnessOptions): Promise<FreshnessDocument> {
  const backend = await openBackend(options.url);
  try {
    const { rows } = await summaryRows(backend);
    return computeFreshness(rows, options.atMs, options.dbTz, options.rules, await placeholderStocks(backend));
  } finally {
    await backend.close();
  }
}

export function register(program: Command, ctx: Context): void {
  program
    .command('freshness')
    .description("each stock's report age from the backend's stock_analysis_summaries, and whether it is past the TTL of the market phase")
    .option('--pg <url>', 'the backend database, postgres://user:password@host:5432/db (env CRAVENY_OPS_BACKEND_PG)')
    .option('--at <time>', "the time to judge at: ISO 8601 with offset, or 'YYYY-MM-DD HH:MM' in KST (default: now)")
    .option('--db-tz <zone>', `IANA zone of the database's naive last_updated (default ${KST_ZONE})`)
    .addOption(formatOption(TABLE_OR_JSON))
    .addOption(jsonOption())
    .option('--fail-on-stale', 'exit 1 when any stock is stale (for cron and CI)')
    .action(async (flags: FreshnessFlags, command: Command) => {
      const options = parseFreshnessOptions(flags, ctx, (await configOf(command, ctx)).rules);
      const doc = await runFreshness(options);
      const future = doc.stocks.filter((s) => s.age_hours !== null && s.age_hours < 0).length;
      if (future) ctx.io.err(`warning: ${future} report(s) were updated after --at ${doc.at}: their ages are negative`);
      if (doc.stocks.length === 0) ctx.io.err('warning: stock_analysis_summaries has no rows');
      ctx.io.out(options.json ? JSON.stringify(doc, null, 2) : renderFreshness(doc, ctx.io.color));
      if (flags.failOnStale && doc.stocks.some((s) => s.stale)) ctx.exitCode = 1;
    });
}

export function renderFreshness(doc: FreshnessDocument, color: boolean): string {
  const c = paint(color);
  const stale = doc.stocks.filter((s) => s.stale).length;
  const placeholders = doc.stocks.filter((s) => s.placeholder).length;
  const lines = [
    heading(`Report freshness at ${doc.at}`, color),
    `  phase ${doc.phase}, TTL ${doc.ttl_hours} h: ${stale} of ${plural(doc.stocks.length, 'stock')} stale, ` +
      `${placeholders} holding the placeholder report (${PLACEHOLDER_SUMMARY}) instead of an analysis`,
    '',
  ];
  if (doc.stocks.length) {
    lines.push(
      table(
        ['stock', 'last updated (KST)', 'age (h)', 'stale', 'report'],
        doc.stocks.map((s) => [
          s.stock_code,
          s.last_updated === null ? 'never' : s.last_updated.slice(0, 19).replace('T', ' '),
          s.age_hours === null ? '–' : s.age_hours.toFixed(2),
          styled(s.stale ? c.red('stale') : c.green('fresh')),
          styled(s.placeholder ? c.red('placeholder') : 'analysis'),
        ]),
        { align: ['left', 'left', 'right', 'left', 'left'], color },
      ),
    );
  }
  return lines.join('\n');
}
