// Frozen once released: later changes go into new numbered migrations.
import type { Kysely } from 'kysely';

// Migrations import nothing from the application; the dialect is read off the database.
function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter.constructor.name === 'PostgresAdapter';
}

/**
 * ingest_runs: when each host last ran an ingest, so that a silent log can be told apart from a
 * stopped ingest job. notified_anomalies: the anomalies a webhook was told of, by kind, stock
 * ('' for none: a primary key cannot hold NULL) and first time, so a cron job alerts once per
 * anomaly, from any host sharing the store.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const big = isPostgres(db) ? 'bigint' : 'integer';
  await db.schema
    .createTable('ingest_runs')
    .addColumn('host', 'text', (c) => c.primaryKey())
    .addColumn('finished_at', big, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('notified_anomalies')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('stock_code', 'text', (c) => c.notNull())
    .addColumn('first_ts', big, (c) => c.notNull())
    .addColumn('notified_at', big, (c) => c.notNull())
    .addPrimaryKeyConstraint('notified_anomalies_key', ['kind', 'stock_code', 'first_ts'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('notified_anomalies').execute();
  await db.schema.dropTable('ingest_runs').execute();
}
