/** The entry point: builds the program from src/commands, maps errors to exit codes, and exits. */
import fs from 'node:fs';
import { Command, CommanderError } from 'commander';
import { CliError } from './errors.js';
import { processContext, type Context } from './commands/context.js';
import * as ingest from './commands/ingest.js';
import * as migrate from './commands/migrate.js';
import * as stats from './commands/stats.js';
import * as cost from './commands/cost.js';
import * as verify from './commands/verify.js';
import * as anomalies from './commands/anomalies.js';
import * as serve from './commands/serve.js';
import * as metrics from './commands/metrics.js';
import * as report from './commands/report.js';
import * as backend from './commands/backend.js';
import * as freshness from './commands/freshness.js';

const COMMANDS = [migrate, ingest, stats, cost, verify, anomalies, report, serve, metrics, freshness, backend];

/** The package version; package.json sits one level above src/ and two above dist/src/. */
function packageVersion(): string {
  for (const rel of ['../package.json', '../../package.json']) {
    const file = new URL(rel, import.meta.url);
    if (fs.existsSync(file)) return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
  }
  return '0.0.0';
}
const version = packageVersion();

export function buildProgram(ctx: Context): Command {
  const program = new Command('craveny-ops')
    .description('Operations toolkit for the craveny stock-report backend: update statistics, LLM cost, verification and anomalies from its logs')
    .version(version, '-V, --version')
    .option('--db <path|url>', 'store: a SQLite file or postgres://… URL (env CRAVENY_OPS_DB; default ./craveny-ops.db)')
    .option('--config <file>', 'configuration file (env CRAVENY_OPS_CONFIG; default ./craveny-ops.config.json if present)')
    .showSuggestionAfterError(true)
    .showHelpAfterError('(run craveny-ops --help for the commands and options)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.io.out(s), writeErr: (s) => ctx.io.err(s) });
  for (const command of COMMANDS) command.register(program, ctx);
  for (const sub of program.commands) sub.exitOverride().configureOutput({ writeOut: (s) => ctx.io.out(s), writeErr: (s) => ctx.io.err(s) });
  return program;
}

/** Runs the CLI and returns the exit code: 0 ok, 1 check failed or anomaly found, 2 usage or input error, 3 inconclusive. */
export async function main(argv: string[], ctx: Context = processContext()): Promise<number> {
  const program = buildProgram(ctx);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return ctx.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are successes; every other commander error is a usage error.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof CliError) {
      ctx.io.err(`craveny-ops: ${error.message}`);
      return error.exitCode;
    }
    ctx.io.err(`craveny-ops: unexpected error: ${(error as Error)?.stack ?? String(error)}`);
    return 70;
  }
}
