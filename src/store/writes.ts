/** The ingest side of the store: checkpoints, records and the attempts derived from them. */
import { PostgresAdapter, sql, type Kysely, type Transaction } from 'kysely';
import { deriveAttempts, type DeriveRecord } from '../analysis/derive.js';
import type { Database, NewRecord, SourceRow } from './schema.js';

type Db = Kysely<Database> | Transaction<Database>;

const INSERT_CHUNK = 500;
const GENERATION_STARTS = ['generation_started', 'generation_call'] as const;

/**
 * PostgreSQL: one ingest transaction per host at a time. Attempts are derived from all of a host's
 * records, which a concurrent transaction of the same host could not see; other hosts go on in
 * parallel. (SQLite lets one writer in at a time anyway.)
 */
export async function lockHost(trx: Transaction<Database>, host: string): Promise<void> {
  if (trx.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`select pg_advisory_xact_lock(hashtext(${'craveny-ops ingest ' + host}))`.execute(trx);
  }
}

export async function sourcesOfHost(db: Db, host: string): Promise<SourceRow[]> {
  return db.selectFrom('sources').selectAll().where('host', '=', host).execute();
}

export async function sourceById(db: Db, id: number): Promise<SourceRow | undefined> {
  return db.selectFrom('sources').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Creates the source, or returns the one another process created for the same bytes meanwhile. */
export async function createSource(
  db: Db,
  source: Omit<SourceRow, 'id' | 'byte_offset' | 'seen_size' | 'lines' | 'last_ts'>,
): Promise<SourceRow> {
  await db
    .insertInto('sources')
    .values({ ...source, byte_offset: 0, seen_size: 0, lines: 0, last_ts: null })
    .onConflict((oc) => oc.columns(['host', 'fingerprint']).doNothing())
    .execute();
  return db
    .selectFrom('sources')
    .selectAll()
    .where('host', '=', source.host)
    .where('fingerprint', '=', source.fingerprint)
    .executeTakeFirstOrThrow();
}

export interface CheckpointUpdate {
  path: string;
  fingerprint: string;
  fp_len: number;
  device: string | null;
  inode: string | null;
  byte_offset: number;
  seen_size: number;
  lines: number;
  last_ts: number | null;
  updated_at: number;
}

/**
 * Moves a checkpoint from `expectedOffset`; false if another process moved it first,
 * in which case the caller rolls back the batch it was about to commit.
 */
export async function advanceCheckpoint(db: Db, id: number, expectedOffset: number, update: CheckpointUpdate): Promise<boolean> {
  const result = await db
    .updateTable('sources')
    .set(update)
    .where('id', '=', id)
    .where('byte_offset', '=', expectedOffset)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function insertRecords(db: Db, records: NewRecord[]): Promise<void> {
  for (let i = 0; i < records.length; i += INSERT_CHUNK) {
    await db.insertInto('records').values(records.slice(i, i + INSERT_CHUNK)).execute();
  }
}

/**
 * Generator failures name no stock: they belong to the generation in progress, the latest
 * generation start before them. Records may arrive out of order (rotated files in any order),
 * so the failures from `from` up to the next generation start after `to` are attributed again.
 * Returns the stocks whose attempts changed, and the latest time touched.
 */
export async function attributeGenerationFailures(
  db: Db,
  host: string,
  from: number,
  to: number,
): Promise<{ stocks: Set<string>; until: number }> {
  const stocks = new Set<string>();
  let until = to;
  const prior = await db
    .selectFrom('records')
    .select('stock_code')
    .where('host', '=', host)
    .where('kind', 'in', GENERATION_STARTS)
    .where('ts', '<', from)
    .orderBy('ts', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  const next = await db
    .selectFrom('records')
    .select('ts')
    .where('host', '=', host)
    .where('kind', 'in', GENERATION_STARTS)
    .where('ts', '>', to)
    .orderBy('ts')
    .limit(1)
    .executeTakeFirst();
  let query = db
    .selectFrom('records')
    .select(['id', 'ts', 'kind', 'stock_code'])
    .where('host', '=', host)
    .where('kind', 'in', [...GENERATION_STARTS, 'generation_failed'])
    .where('ts', '>=', from);
  if (next) query = query.where('ts', '<', next.ts);
  const rows = await query.orderBy('ts').orderBy('id').execute();
  let current = prior?.stock_code ?? null;
  for (const row of rows) {
    if (row.kind !== 'generation_failed') {
      current = row.stock_code;
    } else if (row.stock_code !== current) {
      await db.updateTable('records').set({ stock_code: current }).where('id', '=', row.id).execute();
      if (row.stock_code) stocks.add(row.stock_code);
      if (current) stocks.add(current);
      until = Math.max(until, row.ts);
    }
  }
  return { stocks, until };
}

const DERIVE_COLUMNS = [
  'id',
  'host',
  'ts',
  'kind',
  'stock_code',
  'mode',
  'reason',
  'text',
  'phase',
  'age_h',
  'ttl_h',
  'rate',
  'threshold',
  'prev_count',
  'cur_count',
] as const;

/**
 * Rebuilds one stock's attempts after records in [from, to] changed: from its last attempt
 * before `from` (whose outcome may lie in the new records) up to its first attempt after `to`.
 */
export async function rederiveAttempts(db: Db, host: string, stock: string, from: number, to: number): Promise<void> {
  const before = await db
    .selectFrom('attempts')
    .select('ts')
    .where('host', '=', host)
    .where('stock_code', '=', stock)
    .where('ts', '<', from)
    .orderBy('ts', 'desc')
    .limit(1)
    .executeTakeFirst();
  const after = await db
    .selectFrom('records')
    .select('ts')
    .where('host', '=', host)
    .where('stock_code', '=', stock)
    .where('kind', '=', 'attempt')
    .where('ts', '>', to)
    .orderBy('ts')
    .limit(1)
    .executeTakeFirst();
  const start = before?.ts ?? from;
  let remove = db.deleteFrom('attempts').where('host', '=', host).where('stock_code', '=', stock).where('ts', '>=', start);
  let load = db
    .selectFrom('records')
    .select(DERIVE_COLUMNS)
    .where('host', '=', host)
    .where('stock_code', '=', stock)
    .where('ts', '>=', start);
  if (after) {
    remove = remove.where('ts', '<', after.ts);
    load = load.where('ts', '<', after.ts);
  }
  await remove.execute();
  const records: DeriveRecord[] = await load.orderBy('ts').orderBy('id').execute();
  const attempts = deriveAttempts(records);
  for (let i = 0; i < attempts.length; i += INSERT_CHUNK) {
    await db.insertInto('attempts').values(attempts.slice(i, i + INSERT_CHUNK)).execute();
  }
}
