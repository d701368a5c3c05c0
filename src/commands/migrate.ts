import type { Command } from 'commander';
import { migratorFor } from '../store/migrations.js';
import { migrateToLatest, openStore } from '../store/store.js';
import { isoKst } from '../market/time.js';
import { configOf, storeSpecOf, type Context } from './context.js';

export interface MigrationStatus {
  name: string;
  executed_at: string | null;
}

export function register(program: Command, ctx: Context): void {
  program
    .command('migrate')
    .description('bring the store schema up to date (every command does this first)')
    .option('--status', 'list the migrations and whether each has run, without changing anything')
    .option('--json', 'print JSON')
    .action(async (opts: { status?: boolean; json?: boolean }, command: Command) => {
      const spec = storeSpecOf(command, ctx, await configOf(command, ctx));
      const store = await openStore(spec, { migrate: false });
      try {
        if (opts.status) {
          const migrations: MigrationStatus[] = (await migratorFor(store.db, store.schema).getMigrations()).map((m) => ({
            name: m.name,
            executed_at: m.executedAt ? isoKst(m.executedAt.getTime()) : null,
          }));
          if (opts.json) ctx.io.out(JSON.stringify({ store: store.location, migrations }, null, 2));
          else for (const m of migrations) ctx.io.out(`${m.executed_at ? 'applied ' : 'pending '} ${m.name}${m.executed_at ? '  ' + m.executed_at : ''}`);
        } else {
          const applied = await migrateToLatest(store);
          if (opts.json) ctx.io.out(JSON.stringify({ store: store.location, applied }, null, 2));
          else ctx.io.out(`store ${store.location} is up to date`);
        }
      } finally {
        await store.close();
      }
    });
}
