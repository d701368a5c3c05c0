import type { Command } from 'commander';
import { CliError, UsageError } from '../errors.js';
import { follow, parseInterval, stopOnSignals } from '../ingest/follow.js';
import { isoKst } from '../market/time.js';
import { ingest, type IngestSummary } from '../ingest/ingest.js';
import { assertTimeZone, KST_ZONE } from '../market/time.js';
import { createProgress } from '../render/progress.js';
import { plural, visible } from '../render/text.js';
import { recordIngestRun } from '../store/unattended.js';
import { configOf, storeSpecOf, withStore, type Context } from './context.js';
import { formatOption, jsonOption, outputFormat, TABLE_OR_JSON, type TableOrJson } from './output.js';

interface IngestFlags {
  follow?: boolean;
  interval?: string;
  logTz?: string;
  json?: boolean;
  format?: TableOrJson;
  sourceHost?: string;
}

export function register(program: Command, ctx: Context): void {
  program
    .command('ingest')
    .description('read backend logs (plain, .gz, or - for stdin) into the store, each record exactly once')
    .argument('<files...>', 'log files; rotated and compressed ones in any order')
    .option('--follow', 'keep running: ingest what is appended, rotated in or compressed every --interval, until SIGINT/SIGTERM')
    .option('--interval <duration>', 'with --follow: how often to look (5s, 500ms, 1m; default 5s)')
    .option('--log-tz <zone>', `IANA time zone the log's timestamps were written in (default ${KST_ZONE})`)
    .option('--source-host <name>', 'the host these logs come from (default: this machine)')
    .addOption(formatOption(TABLE_OR_JSON))
    .addOption(jsonOption())
    .action(async (files: string[], flags: IngestFlags, command: Command) => {
      const format = outputFormat(flags, TABLE_OR_JSON);
      const config = await configOf(command, ctx);
      const logTz = assertTimeZone(flags.logTz ?? config.logTz ?? KST_ZONE);
      if (flags.interval !== undefined && !flags.follow) throw new UsageError('--interval needs --follow');
      if (flags.follow) return runFollow(files, flags, format, logTz, storeSpecOf(command, ctx, config), ctx);
      const summary = await withStore(storeSpecOf(command, ctx, config), async (store) => {
        const progress = await createProgress(ctx.io, files);
        try {
          const result = await ingest(store, files, {
            logTz,
            host: flags.sourceHost ?? ctx.hostname,
            now: ctx.now,
            stdin: ctx.stdin,
            onProgress: progress?.tick,
          });
          // The ingest job is alive (stale_logs tells a stopped job from a silent backend by this).
          if (result.files.some((f) => !f.error)) await recordIngestRun(store.db, ctx.hostname, ctx.now());
          return result;
        } finally {
          progress?.stop();
        }
      }, { create: true });
      if (format === 'json') ctx.io.out(JSON.stringify(summary, null, 2));
      else ctx.io.out(formatSummary(summary));
      warn(ctx, summary, logTz);
      const failed = summary.files.filter((f) => f.error);
      if (failed.length) throw new CliError(failed.map((f) => f.error).join('; '), 2);
    });
}

/** `--follow`: rounds of the ordinary ingest until a signal; a line per round that added records. */
async function runFollow(files: string[], flags: IngestFlags, format: TableOrJson, logTz: string, storeSpec: string, ctx: Context): Promise<void> {
  if (files.includes('-')) throw new UsageError('--follow reads files, not stdin (-)');
  const intervalMs = parseInterval(flags.interval);
  const stop = stopOnSignals((signal) => ctx.io.err(`craveny-ops: ${signal}: finishing the current batch and stopping`));
  try {
    const totals = await withStore(storeSpec, (store) =>
      follow(store, files, {
        logTz,
        host: flags.sourceHost ?? ctx.hostname,
        now: ctx.now,
        intervalMs,
        signal: stop.signal,
        onRound: (summary) => {
          // A file that cannot be read now may be readable next round (being rotated): warn, go on.
          for (const f of summary.files) if (f.error) ctx.io.err(`warning: ${visible(f.error)}`);
          warn(ctx, summary, logTz);
          if (format !== 'json' && summary.records_added > 0) {
            ctx.io.out(`${isoKst(ctx.now())}: ${summary.files.filter((f) => f.records > 0).map((f) => `${f.path} +${f.records}`).join(', ')}; records added: ${summary.records_added}`);
          }
        },
      }),
      { create: true },
    );
    if (format === 'json') ctx.io.out(JSON.stringify({ follow: true, ...totals }, null, 2));
    else ctx.io.out(`stopped after ${plural(totals.rounds, 'round')}; records added: ${totals.records_added}`);
  } finally {
    stop.release();
  }
}

function formatSummary(summary: IngestSummary): string {
  const lines = summary.files.map((f) => {
    if (f.error) return `${visible(f.path)}: not ingested`;
    const malformed = f.malformed
      ? `, ${f.malformed} malformed (line${f.malformed_lines.length > 1 ? 's' : ''} ${f.malformed_lines.join(', ')}${f.malformed > f.malformed_lines.length ? ', …' : ''})`
      : '';
    return `${visible(f.path)}: ${f.lines} new lines, ${f.records} records${malformed}`;
  });
  lines.push(`records added: ${summary.records_added}`);
  return lines.join('\n');
}

function warn(ctx: Context, summary: IngestSummary, logTz: string): void {
  for (const f of summary.files) {
    for (const w of f.warnings) ctx.io.err(`warning: ${visible(w)}`);
    if (f.long_lines) ctx.io.err(`warning: ${visible(f.path)}: skipped ${f.long_lines} line(s) longer than 1 MiB`);
  }
  if (summary.phase_mismatches > 0) {
    const hint = summary.suggested_log_tz
      ? `; the log looks written in ${summary.suggested_log_tz}: ingest it with --log-tz ${summary.suggested_log_tz}`
      : '';
    ctx.io.err(`warning: ${summary.phase_mismatches} decision(s) name a market phase that does not fit their time read as ${logTz}${hint}`);
  }
}
