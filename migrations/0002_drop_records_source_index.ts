// Frozen once released: later changes go into new numbered migrations.
import type { Kysely } from 'kysely';

/**
 * records_source (source_id, line_no) served no query, yet every stored record paid for it: about
 * a tenth of the time of a full ingest (bench/).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('records_source').ifExists().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('records_source').on('records').columns(['source_id', 'line_no']).execute();
}
