/** `craveny-ops backend migrate`: the monitoring columns on the backend's stock_analysis_summaries. */
import type { Command } from 'commander';
import { openBackend } from '../backend/database.js';
import { describeMigration, dryRun, migrateBackend, type BackendMigration, type Direction } from '../backend/migrate.js';
import type { Context } from './context.js';

interface MigrateFlags {
  pg?: string;
  dryRun?: boolean;
  down?: boolean;
  json?: boolean;
}

export interface BackendMigrateOptions {
  url: string | undefined;
  direction: Direction;
  dryRun: boolean;
  json: boolean;
}

export function parseMigrateOptions(flags: MigrateFlags, ctx: Context): BackendMigrateOptions {
  return {
    url: flags.pg ?? ctx.env.CRAVENY_OPS_BACKEND_PG,
    direction: flags.down ? 'down' : 'up',
    dryRun: flags.dryRun === true,
    json: flags.json === true,
  };
}

/** A dry run only prints the statements: it does not connect, so it works for a change review. */
export async function runMigrate(options: BackendMigrateOptions): Promise<BackendMigration> {
  if (options.dryRun) return dryRun(options.direction);
  const backend = await openBackend(options.url);
  try {
    return await migrateBackend(backend, options.direction);
  } finally {
    await backend.close();
  }
}

export function register(program: Command, ctx: Context): void {
  const backend = program.command('backend').description("the craveny backend's own PostgreSQL database");
  backend
    .command('migrate')
    .description('add last_update_reason varchar(200) and last_market_phase varchar(20) to stock_analysis_summaries (idempotent, one transaction)')
    .option('--pg <url>', 'the backend database, postgres://user:password@host:5432/db (env CRAVENY_OPS_BACKEND_PG)')
    .option('--dry-run', 'print the SQL without connecting')
    .option('--down', 'drop the two columns instead')
    .option('--json', 'print JSON')
    .action(async (flags: MigrateFlags) => {
      const options = parseMigrateOptions(flags, ctx);
      const result = await runMigrate(options);
      if (options.json) ctx.io.out(JSON.stringify(result, null, 2));
      else ctx.io.out(describeMigration(result).join('\n'));
    });
}
