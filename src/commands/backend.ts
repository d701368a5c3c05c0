/** `craveny-ops backend migrate`: the monitoring columns on the backend's stock_analysis_summaries. */
import type { Command } from 'commander';
import { openBackend } from '../backend/database.js';
import { describeMigration, dryRun, migrateBackend, valuesToDrop, type BackendMigration, type Direction } from '../backend/migrate.js';
import { TABLE, type Backend } from '../backend/database.js';
import { CliError } from '../errors.js';
import type { Context } from './context.js';
import { plural } from '../render/text.js';

interface MigrateFlags {
  pg?: string;
  dryRun?: boolean;
  down?: boolean;
  yes?: boolean;
  json?: boolean;
}

export interface BackendMigrateOptions {
  url: string | undefined;
  direction: Direction;
  dryRun: boolean;
  json: boolean;
  /** --yes: drop without asking. */
  yes?: boolean;
}

/** Asks on a terminal; resolves to whether the drop may go ahead. */
export type Confirm = (question: string) => Promise<boolean>;

/** The word a person types to drop the columns. */
export const CONFIRM_WORD = 'drop';

export function parseMigrateOptions(flags: MigrateFlags, ctx: Context): BackendMigrateOptions {
  return {
    url: flags.pg ?? ctx.env.CRAVENY_OPS_BACKEND_PG,
    direction: flags.down ? 'down' : 'up',
    dryRun: flags.dryRun === true,
    json: flags.json === true,
    yes: flags.yes === true,
  };
}

/** A dry run only prints the statements: it does not connect, so it works for a change review. */
export async function runMigrate(options: BackendMigrateOptions, ctx?: Context, confirm?: Confirm): Promise<BackendMigration> {
  if (options.dryRun) return dryRun(options.direction);
  const backend = await openBackend(options.url);
  try {
    if (options.direction === 'down') await confirmDrop(backend, options, ctx, confirm);
    return await migrateBackend(backend, options.direction);
  } finally {
    await backend.close();
  }
}

/**
 * `--down` destroys data: it says first how many non-empty values the columns hold, then goes on
 * only with --yes or a typed answer on a terminal; otherwise exit 2 and nothing changes.
 */
async function confirmDrop(backend: Backend, options: BackendMigrateOptions, ctx: Context | undefined, confirm: Confirm | undefined): Promise<void> {
  const counts = await valuesToDrop(backend);
  if (counts.length === 0) return; // Nothing to drop, nothing to lose.
  const total = counts.reduce((n, c) => n + c.values, 0);
  const loss =
    `dropping ${counts.map((c) => `${TABLE}.${c.column}`).join(' and ')} loses ${plural(total, 'non-empty value')} ` +
    `(${counts.map((c) => `${c.values} in ${c.column}`).join(', ')})`;
  if (options.yes) {
    ctx?.io.err(`${loss}; --yes given`);
    return;
  }
  if (confirm && (await confirm(`${loss}. Type '${CONFIRM_WORD}' to drop them: `))) return;
  throw new CliError(`${loss}: run again with --yes to drop them; nothing was changed`, 2);
}

/** The terminal's answer, when stdin and stderr are one; else no way to ask. */
function terminalConfirm(ctx: Context): Confirm | undefined {
  const stdin = ctx.stdin as NodeJS.ReadableStream & { isTTY?: boolean };
  if (stdin.isTTY !== true || !ctx.io.stderrIsTTY) return undefined;
  return async (question) => {
    const readline = await import('node:readline/promises');
    const rl = readline.createInterface({ input: stdin, output: process.stderr, terminal: true });
    try {
      return (await rl.question(question)).trim() === CONFIRM_WORD;
    } finally {
      rl.close();
    }
  };
}

export function register(program: Command, ctx: Context): void {
  const backend = program.command('backend').description("the craveny backend's own PostgreSQL database");
  backend
    .command('migrate')
    .description('add last_update_reason varchar(200) and last_market_phase varchar(20) to stock_analysis_summaries (idempotent, one transaction)')
    .option('--pg <url>', 'the backend database, postgres://user:password@host:5432/db (env CRAVENY_OPS_BACKEND_PG)')
    .option('--dry-run', 'print the SQL without connecting')
    .option('--down', 'drop the two columns instead (says how many values they hold; needs --yes or a typed answer)')
    .option('--yes', 'with --down: drop without asking')
    .option('--json', 'print JSON')
    .action(async (flags: MigrateFlags) => {
      const options = parseMigrateOptions(flags, ctx);
      const result = await runMigrate(options, ctx, terminalConfirm(ctx));
      if (options.json) ctx.io.out(JSON.stringify(result, null, 2));
      else ctx.io.out(describeMigration(result).join('\n'));
    });
}
