import { type Migration, type MigrationProvider, Migrator, type Kysely } from 'kysely';
import * as m0001 from '../../migrations/0001_initial.js';
import * as m0002 from '../../migrations/0002_drop_records_source_index.js';
import * as m0003 from '../../migrations/0003_stream_proofs_and_derivation.js';
import * as m0004 from '../../migrations/0004_ingest_runs_and_notified_anomalies.js';

/** Numbered migrations, listed here so that built and test runs see the same set. */
const MIGRATIONS: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_drop_records_source_index': m0002,
  '0003_stream_proofs_and_derivation': m0003,
  '0004_ingest_runs_and_notified_anomalies': m0004,
};

/** The migrations' names, in order. */
export const MIGRATION_NAMES: readonly string[] = Object.keys(MIGRATIONS).sort();

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/**
 * `schema`: on PostgreSQL, the store's schema. Without it the migrator takes a migration table in
 * any schema of the database for its own, and a second store in the same database never migrates.
 */
export function migratorFor(db: Kysely<any>, schema?: string): Migrator {
  return new Migrator({
    db,
    provider,
    migrationTableName: 'craveny_ops_migrations',
    migrationLockTableName: 'craveny_ops_migrations_lock',
    migrationTableSchema: schema,
  });
}
