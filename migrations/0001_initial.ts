// Frozen once released: later changes go into new numbered migrations.
import type { CreateTableBuilder, Kysely } from 'kysely';

// Migrations import nothing from the application; the dialect is read off the database.
function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter.constructor.name === 'PostgresAdapter';
}

export async function up(db: Kysely<any>): Promise<void> {
  const pg = isPostgres(db);
  const id = (t: CreateTableBuilder<string, never>): CreateTableBuilder<string, 'id'> =>
    pg
      ? t.addColumn('id', 'bigint', (c) => c.generatedByDefaultAsIdentity().primaryKey())
      : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
  const big = pg ? 'bigint' : 'integer';
  // PostgreSQL's `real` is a 4-byte float (3.4 would read back as 3.4000001); SQLite's is 8 bytes.
  const real = pg ? 'double precision' : 'real';

  // A source is one stream of log bytes, known by the fingerprint of its first bytes,
  // whatever its name: the checkpoint survives renames and compression.
  await id(db.schema.createTable('sources'))
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('fp_len', 'integer', (c) => c.notNull())
    .addColumn('device', 'text')
    .addColumn('inode', 'text')
    .addColumn('byte_offset', big, (c) => c.notNull())
    .addColumn('seen_size', big, (c) => c.notNull())
    .addColumn('lines', big, (c) => c.notNull())
    .addColumn('last_ts', big)
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('updated_at', big, (c) => c.notNull())
    .addUniqueConstraint('sources_host_fingerprint', ['host', 'fingerprint'])
    .execute();

  await id(db.schema.createTable('records'))
    .addColumn('source_id', big, (c) => c.notNull().references('sources.id'))
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('line_no', big, (c) => c.notNull())
    .addColumn('ts', big, (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('stock_code', 'text')
    .addColumn('mode', 'text')
    .addColumn('reason', 'text')
    .addColumn('text', 'text')
    .addColumn('phase', 'text')
    .addColumn('age_h', real)
    .addColumn('ttl_h', real)
    .addColumn('rate', real)
    .addColumn('threshold', real)
    .addColumn('prev_count', 'integer')
    .addColumn('cur_count', 'integer')
    .addColumn('predictions', 'integer')
    .addColumn('cost_usd', real)
    .addColumn('detail', 'text')
    .execute();
  await db.schema.createIndex('records_kind_ts').on('records').columns(['kind', 'ts']).execute();
  await db.schema.createIndex('records_host_stock_ts').on('records').columns(['host', 'stock_code', 'ts']).execute();
  await db.schema.createIndex('records_source').on('records').columns(['source_id', 'line_no']).execute();

  // Derived from records by the ingest transaction that stores them; rebuilt for any time range.
  await id(db.schema.createTable('attempts'))
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('stock_code', 'text', (c) => c.notNull())
    .addColumn('ts', big, (c) => c.notNull())
    .addColumn('record_id', big, (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('reason_text', 'text', (c) => c.notNull())
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('named_phase', 'text')
    .addColumn('age_h', real)
    .addColumn('ttl_h', real)
    .addColumn('rate', real)
    .addColumn('threshold', real)
    .addColumn('prev_count', 'integer')
    .addColumn('cur_count', 'integer')
    .addColumn('outcome', 'text')
    .addColumn('outcome_ts', big)
    .addColumn('completed_ts', big)
    .addColumn('generation_mode', 'text')
    .addColumn('generation_failed', 'integer', (c) => c.notNull())
    .addColumn('completion_logged', 'integer', (c) => c.notNull())
    .addColumn('error', 'text')
    .execute();
  await db.schema.createIndex('attempts_ts').on('attempts').columns(['ts']).execute();
  await db.schema.createIndex('attempts_host_stock_ts').on('attempts').columns(['host', 'stock_code', 'ts']).execute();
  await db.schema.createIndex('attempts_completed').on('attempts').columns(['completed_ts']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('attempts').execute();
  await db.schema.dropTable('records').execute();
  await db.schema.dropTable('sources').execute();
}
