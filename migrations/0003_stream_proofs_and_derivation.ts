// Frozen once released: later changes go into new numbered migrations.
import { sql, type Kysely } from 'kysely';

// Migrations import nothing from the application; the dialect is read off the database.
function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter.constructor.name === 'PostgresAdapter';
}

/**
 * A stream is no longer known by its first KiB and host: two containers' logs open with the same
 * uvicorn lines, and a container's host name changes every run. A checkpoint now keeps a proof
 * (a hash of the `proof_len` bytes just before its offset) that a file must match to resume it;
 * the host is a label. So (host, fingerprint) is no longer unique. `gzip_trailer` (CRC-32 and size
 * of a gzip file read to its end) lets an unchanged .gz be known without decompressing it again.
 *
 * `craveny_ops_state` holds the version of the rules attempts were derived by: the application
 * derives them again, once, when it is behind (1: the rules before this migration).
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    await db.schema.alterTable('sources').dropConstraint('sources_host_fingerprint').execute();
    await db.schema.alterTable('sources').addColumn('proof', 'text').execute();
    await db.schema.alterTable('sources').addColumn('proof_len', 'integer').execute();
    await db.schema.alterTable('sources').addColumn('gzip_trailer', 'text').execute();
  } else {
    // SQLite cannot drop a table constraint: the table is built again. Records reference it, so
    // their foreign keys are checked at commit, once the same ids are back.
    await sql`PRAGMA defer_foreign_keys = ON`.execute(db);
    await sql`CREATE TEMP TABLE sources_0003 AS SELECT * FROM sources`.execute(db);
    await db.schema.dropTable('sources').execute();
    await db.schema
      .createTable('sources')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('host', 'text', (c) => c.notNull())
      .addColumn('path', 'text', (c) => c.notNull())
      .addColumn('fingerprint', 'text', (c) => c.notNull())
      .addColumn('fp_len', 'integer', (c) => c.notNull())
      .addColumn('device', 'text')
      .addColumn('inode', 'text')
      .addColumn('byte_offset', 'integer', (c) => c.notNull())
      .addColumn('seen_size', 'integer', (c) => c.notNull())
      .addColumn('lines', 'integer', (c) => c.notNull())
      .addColumn('last_ts', 'integer')
      .addColumn('created_at', 'integer', (c) => c.notNull())
      .addColumn('updated_at', 'integer', (c) => c.notNull())
      .addColumn('proof', 'text')
      .addColumn('proof_len', 'integer')
      .addColumn('gzip_trailer', 'text')
      .execute();
    await sql`INSERT INTO sources (id, host, path, fingerprint, fp_len, device, inode, byte_offset, seen_size, lines, last_ts, created_at, updated_at)
      SELECT id, host, path, fingerprint, fp_len, device, inode, byte_offset, seen_size, lines, last_ts, created_at, updated_at FROM sources_0003`.execute(db);
    await sql`DROP TABLE sources_0003`.execute(db);
  }
  await db.schema.createIndex('sources_fingerprint').on('sources').column('fingerprint').execute();
  await db.schema
    .createTable('craveny_ops_state')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'integer', (c) => c.notNull())
    .execute();
  await db.insertInto('craveny_ops_state').values({ name: 'derivation', value: 1 }).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('craveny_ops_state').execute();
  await db.schema.dropIndex('sources_fingerprint').execute();
  await db.schema.alterTable('sources').dropColumn('gzip_trailer').execute();
  await db.schema.alterTable('sources').dropColumn('proof_len').execute();
  await db.schema.alterTable('sources').dropColumn('proof').execute();
  // The unique constraint is not restored: streams sharing a first KiB may now be stored apart.
}
