/** The ingest side of the store: checkpoints, records and the attempts derived from them. */
import { PostgresAdapter, sql, type Kysely, type Transaction } from 'kysely';
import { DERIVE_COLUMNS, deriveAttempts, type DeriveRecord } from '../analysis/derive.js';
import type { LogRecord } from '../logs/record.js';
import type { Database, NewAttempt, NewRecord, SourceRow } from './schema.js';
import { cachedStatement, run, shapedRows, shapedRun, type SqliteHandle } from './statements.js';

type Db = Kysely<Database> | Transaction<Database>;

/** The order writeRecordValues writes a record's values in: change both together. */
const RECORD_COLUMNS = [
  'source_id',
  'host',
  'line_no',
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
  'predictions',
  'cost_usd',
  'detail',
] as const satisfies readonly (keyof NewRecord)[];

const ATTEMPT_COLUMNS = [
  'host',
  'stock_code',
  'ts',
  'record_id',
  'reason',
  'reason_text',
  'phase',
  'named_phase',
  'age_h',
  'ttl_h',
  'rate',
  'threshold',
  'prev_count',
  'cur_count',
  'outcome',
  'outcome_ts',
  'completed_ts',
  'generation_mode',
  'generation_failed',
  'completion_logged',
  'error',
] as const satisfies readonly (keyof NewAttempt)[];

/** Rows bound per multi-row statement on SQLite: fewer statement runs, well under its 32766 variables. */
const SQLITE_ROWS_PER_INSERT = 64;

/**
 * The statement inserting `n` rows into `table`, built by kysely once (parameters in column
 * order, checked) and prepared once per connection.
 */
function insertStatement(db: Db, raw: SqliteHandle, table: 'records' | 'attempts', columns: readonly string[], n: number) {
  return cachedStatement(raw, `insert into ${table}: ${n} rows`, () => {
    const template = Object.fromEntries(columns.map((c, i) => [c, i]));
    const compiled = db
      .insertInto(table)
      .values(Array.from({ length: n }, () => template) as never)
      .compile();
    const expected = Array.from({ length: n }, () => columns.map((_, i) => i)).flat();
    if (compiled.parameters.length !== expected.length || compiled.parameters.some((p, i) => p !== expected[i])) {
      throw new Error(`insert into ${table}: unexpected parameter order`);
    }
    return compiled.sql;
  });
}

/** Inserts rows (objects keyed by column) with one multi-row statement per SQLITE_ROWS_PER_INSERT rows. */
function insertPrepared(db: Db, raw: SqliteHandle, table: 'records' | 'attempts', columns: readonly string[], rows: readonly Record<string, unknown>[]): void {
  const width = columns.length;
  let i = 0;
  if (rows.length >= SQLITE_ROWS_PER_INSERT) {
    const many = insertStatement(db, raw, table, columns, SQLITE_ROWS_PER_INSERT);
    const params: unknown[] = new Array(width * SQLITE_ROWS_PER_INSERT);
    for (; i + SQLITE_ROWS_PER_INSERT <= rows.length; i += SQLITE_ROWS_PER_INSERT) {
      let k = 0;
      for (let j = i; j < i + SQLITE_ROWS_PER_INSERT; j++) {
        const row = rows[j];
        for (let c = 0; c < width; c++) params[k++] = row[columns[c]] ?? null;
      }
      many.run(params);
    }
  }
  if (i < rows.length) {
    const one = insertStatement(db, raw, table, columns, 1);
    const params: unknown[] = new Array(width);
    for (; i < rows.length; i++) {
      const row = rows[i];
      for (let c = 0; c < width; c++) params[c] = row[columns[c]] ?? null;
      one.run(params);
    }
  }
}

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

/** Every stored stream, whatever host it is labelled with: a stream is known by its bytes alone. */
export async function allSources(db: Db): Promise<SourceRow[]> {
  return db.selectFrom('sources').selectAll().execute();
}

/** Streams no longer at their inode (the file was truncated and rewritten): known by their bytes alone. */
export async function detachSources(db: Db, ids: number[], inode: string): Promise<void> {
  await db.updateTable('sources').set({ inode: null }).where('id', 'in', ids).where('inode', '=', inode).execute();
}

/** A stream found under another name or inode (rotated, compressed) without new bytes to commit. */
export async function relocateSource(db: Db, id: number, at: { path: string; device: string | null; inode: string | null; trailer: string | null }): Promise<void> {
  await db.updateTable('sources').set({ path: at.path, device: at.device, inode: at.inode, gzip_trailer: at.trailer }).where('id', '=', id).execute();
}

export async function sourceById(db: Db, id: number): Promise<SourceRow | undefined> {
  return db.selectFrom('sources').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Creates a source (resolveSource in src/ingest/identity.ts decides, under a lock, that it is new). */
export async function createSource(
  db: Db,
  source: Omit<SourceRow, 'id' | 'byte_offset' | 'seen_size' | 'lines' | 'last_ts' | 'proof' | 'proof_len' | 'gzip_trailer'>,
): Promise<SourceRow> {
  return db
    .insertInto('sources')
    .values({ ...source, byte_offset: 0, seen_size: 0, lines: 0, last_ts: null, proof: null, proof_len: null, gzip_trailer: null })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Everything a checkpoint move sets: where the stream lives now and how far it was read. */
export type CheckpointUpdate = Omit<SourceRow, 'id' | 'host' | 'created_at'>;

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

/**
 * A record's values in RECORD_COLUMNS order, written into `out` from `k` on: the one place a
 * record becomes a row.
 */
function writeRecordValues(r: LogRecord, sourceId: number, host: string, out: unknown[], k: number): void {
  out[k] = sourceId;
  out[k + 1] = host;
  out[k + 2] = r.lineNo;
  out[k + 3] = r.ts;
  out[k + 4] = r.kind;
  out[k + 5] = r.stockCode;
  out[k + 6] = r.mode;
  out[k + 7] = r.reason;
  out[k + 8] = r.text;
  out[k + 9] = r.phase;
  out[k + 10] = r.ageHours;
  out[k + 11] = r.ttlHours;
  out[k + 12] = r.rate;
  out[k + 13] = r.threshold;
  out[k + 14] = r.prevCount;
  out[k + 15] = r.curCount;
  out[k + 16] = r.predictions;
  out[k + 17] = r.costUsd;
  out[k + 18] = r.detail;
}

export function toRecordRow(r: LogRecord, sourceId: number, host: string): NewRecord {
  const values: unknown[] = new Array(RECORD_COLUMNS.length);
  writeRecordValues(r, sourceId, host, values, 0);
  return Object.fromEntries(RECORD_COLUMNS.map((c, i) => [c, values[i]])) as unknown as NewRecord;
}

/**
 * SQLite: records inserted as the scanner finds them, into the transaction that is open, a
 * multi-row statement at a time. Each record's values go straight into the statement's
 * parameters: a batch that waited in memory for its commit outlived the young generation's
 * collections, and the old generation then grew with the input (~200 MB on 1 GB).
 */
export class RecordWriter {
  private readonly params: unknown[] = new Array(RECORD_COLUMNS.length * SQLITE_ROWS_PER_INSERT);
  private count = 0;

  constructor(
    private readonly db: Db,
    private readonly raw: SqliteHandle,
    private readonly sourceId: number,
    private readonly host: string,
  ) {}

  add(r: LogRecord): void {
    writeRecordValues(r, this.sourceId, this.host, this.params, this.count * RECORD_COLUMNS.length);
    if (++this.count === SQLITE_ROWS_PER_INSERT) this.flush();
  }

  flush(): void {
    const width = RECORD_COLUMNS.length;
    if (this.count === SQLITE_ROWS_PER_INSERT) {
      insertStatement(this.db, this.raw, 'records', RECORD_COLUMNS, SQLITE_ROWS_PER_INSERT).run(this.params);
    } else {
      const one = insertStatement(this.db, this.raw, 'records', RECORD_COLUMNS, 1);
      for (let i = 0; i < this.count; i++) one.run(this.params.slice(i * width, (i + 1) * width));
    }
    this.count = 0;
  }
}

export async function insertRecords(db: Db, records: NewRecord[], raw?: SqliteHandle): Promise<void> {
  if (raw) return insertPrepared(db, raw, 'records', RECORD_COLUMNS, records as Record<string, unknown>[]);
  for (let i = 0; i < records.length; i += INSERT_CHUNK) {
    await db.insertInto('records').values(records.slice(i, i + INSERT_CHUNK)).execute();
  }
}

/**
 * Generator failures name no stock: they belong to the generation in progress, the latest
 * generation start before them. Records may arrive out of order (rotated files in any order),
 * so the failures from `from` up to the next generation start after `to` are attributed again,
 * each by looking up the start before it (failures are few; generation starts are a quarter of
 * all records, and loading them back cost more than the rest of deriving).
 * Returns the stocks whose attempts changed, and the latest time touched.
 */
export async function attributeGenerationFailures(
  db: Db,
  host: string,
  from: number,
  to: number,
  raw?: SqliteHandle,
): Promise<{ stocks: Set<string>; until: number }> {
  const stocks = new Set<string>();
  let until = to;
  const [next] = await shapedRows(raw, 'next generation start', (h: string, t: number) =>
    db.selectFrom('records').select('ts').where('host', '=', h).where('kind', 'in', GENERATION_STARTS).where('ts', '>', t).orderBy('ts').limit(1),
  host, to);
  const failures = db.selectFrom('records').select(['id', 'ts', 'stock_code']).where('kind', '=', 'generation_failed');
  const found = next
    ? await shapedRows(raw, 'generation failures until', (h: string, f: number, u: number) =>
        failures.where('host', '=', h).where('ts', '>=', f).where('ts', '<', u).orderBy('ts').orderBy('id'),
      host, from, next.ts)
    : await shapedRows(raw, 'generation failures', (h: string, f: number) => failures.where('host', '=', h).where('ts', '>=', f).orderBy('ts').orderBy('id'), host, from);
  for (const failure of found) {
    const owner = await generationBefore(db, host, failure, raw);
    if (failure.stock_code === owner) continue;
    await run(db.updateTable('records').set({ stock_code: owner }).where('id', '=', failure.id), raw);
    if (failure.stock_code) stocks.add(failure.stock_code);
    if (owner) stocks.add(owner);
    until = Math.max(until, failure.ts);
  }
  return { stocks, until };
}

/** The stock of the host's latest generation start before a record (in log order: time, then id). */
async function generationBefore(db: Db, host: string, record: { id: number; ts: number }, raw?: SqliteHandle): Promise<string | null> {
  let latest: { id: number; ts: number; stock_code: string | null } | undefined;
  // One kind at a time: each is then a seek down the (kind, ts) index, where `kind in (…)` sorted
  // every earlier start.
  for (const kind of GENERATION_STARTS) {
    const [start] = await shapedRows(raw, 'generation start before', (h: string, k: string, t: number, id: number) =>
      db
      .selectFrom('records')
      .select(['id', 'ts', 'stock_code'])
      .where('host', '=', h)
      .where('kind', '=', k)
      .where('ts', '<=', t) // the range the index seeks; then the order within a millisecond
      .where((eb) => eb.or([eb('ts', '<', t), eb('id', '<', id)]))
      .orderBy('ts', 'desc')
      .orderBy('id', 'desc')
      .limit(1),
    host, kind, record.ts, record.id);
    if (start && (!latest || start.ts > latest.ts || (start.ts === latest.ts && start.id > latest.id))) latest = start;
  }
  return latest?.stock_code ?? null;
}

/**
 * The kinds deriveAttempts reads; the others (skips, [LLM_COST], generation calls and completions,
 * no predictions) are more than half of the records and were loaded back for nothing.
 */
export const DERIVE_KINDS = ['attempt', 'generation_started', 'generation_failed', 'update_succeeded', 'report_failed', 'update_failed'] as const;

/**
 * Rebuilds one stock's attempts after records in [from, to] changed: from its last attempt
 * before `from` (whose outcome may lie in the new records) up to its first attempt after `to`.
 */
export async function rederiveAttempts(db: Db, host: string, stock: string, from: number, to: number, raw?: SqliteHandle): Promise<void> {
  const [before] = await shapedRows(raw, 'attempt before', (h: string, s: string, f: number) =>
    db.selectFrom('attempts').select('ts').where('host', '=', h).where('stock_code', '=', s).where('ts', '<', f).orderBy('ts', 'desc').limit(1),
  host, stock, from);
  const [after] = await shapedRows(raw, 'attempt record after', (h: string, s: string, t: number) =>
    db.selectFrom('records').select('ts').where('host', '=', h).where('stock_code', '=', s).where('kind', '=', 'attempt').where('ts', '>', t).orderBy('ts').limit(1),
  host, stock, to);
  const start = before?.ts ?? from;
  const remove = (h: string, s: string, f: number) => db.deleteFrom('attempts').where('host', '=', h).where('stock_code', '=', s).where('ts', '>=', f);
  const load = (h: string, s: string, f: number) =>
    db.selectFrom('records').select(DERIVE_COLUMNS).where('host', '=', h).where('stock_code', '=', s).where('ts', '>=', f).where('kind', 'in', DERIVE_KINDS);
  let records: DeriveRecord[];
  if (after) {
    await shapedRun(raw, 'remove attempts until', (h: string, s: string, f: number, u: number) => remove(h, s, f).where('ts', '<', u), host, stock, start, after.ts);
    records = await shapedRows(raw, 'derive records until', (h: string, s: string, f: number, u: number) =>
      load(h, s, f).where('ts', '<', u).orderBy('ts').orderBy('id'),
    host, stock, start, after.ts);
  } else {
    await shapedRun(raw, 'remove attempts', remove, host, stock, start);
    records = await shapedRows(raw, 'derive records', (h: string, s: string, f: number) => load(h, s, f).orderBy('ts').orderBy('id'), host, stock, start);
  }
  const attempts = deriveAttempts(records);
  if (raw) return insertPrepared(db, raw, 'attempts', ATTEMPT_COLUMNS, attempts as Record<string, unknown>[]);
  for (let i = 0; i < attempts.length; i += INSERT_CHUNK) {
    await db.insertInto('attempts').values(attempts.slice(i, i + INSERT_CHUNK)).execute();
  }
}
