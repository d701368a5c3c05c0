/**
 * Running kysely-built queries on SQLite's raw handle. better-sqlite3 prepares every statement
 * kysely sends anew, and builds each row object property by property, which for wide rows costs
 * more than the query itself; here the same SQL is prepared once per handle and rows are read as
 * arrays and copied into objects of one shape (about twice as fast).
 * Statements run on the connection a kysely transaction holds, so they are part of it.
 * PostgreSQL stores have no handle and go through kysely as usual.
 */
import type SQLite from 'better-sqlite3';
import type { CompiledQuery, Kysely } from 'kysely';

export type SqliteHandle = SQLite.Database;

const handles = new WeakMap<Kysely<any>, SqliteHandle>();
const statements = new WeakMap<SqliteHandle, Map<string, SQLite.Statement>>();

/** Called when a SQLite store opens, so that reads given only the kysely instance find the handle. */
export function registerSqliteHandle(db: Kysely<any>, handle: SqliteHandle): void {
  handles.set(db, handle);
}

export function sqliteHandleOf(db: Kysely<any>): SqliteHandle | undefined {
  return handles.get(db);
}

/** The statement cached under `key` on this handle, prepared from `build()` the first time. */
export function cachedStatement(raw: SqliteHandle, key: string, build: () => string): SQLite.Statement {
  let cache = statements.get(raw);
  if (!cache) statements.set(raw, (cache = new Map()));
  let statement = cache.get(key);
  if (!statement) cache.set(key, (statement = raw.prepare(build())));
  return statement;
}

export function prepared(raw: SqliteHandle, sqlText: string): SQLite.Statement {
  return cachedStatement(raw, sqlText, () => sqlText);
}

export interface Query<R> {
  compile(): CompiledQuery<R>;
  execute(): Promise<R[]>;
}

/**
 * The rows of a kysely query, each passed through `map` if given: through a prepared statement on
 * SQLite. With `map`, each row is read through one reused object, so only what `map` makes is
 * allocated (reading a month of attempts spent as much in the garbage collector as in SQLite).
 */
export async function rowsOf<R>(query: Query<R>, raw: SqliteHandle | undefined): Promise<R[]>;
export async function rowsOf<R, T>(query: Query<R>, raw: SqliteHandle | undefined, map: (row: R) => T): Promise<T[]>;
export async function rowsOf<R, T>(query: Query<R>, raw: SqliteHandle | undefined, map?: (row: R) => T): Promise<(R | T)[]> {
  if (!raw) {
    const rows = await query.execute();
    return map ? rows.map(map) : rows;
  }
  const { sql: text, parameters } = query.compile();
  return sqliteRows(raw, text, parameters, map);
}

function sqliteRows<R, T>(raw: SqliteHandle, text: string, parameters: readonly unknown[], map?: (row: R) => T): (R | T)[] {
  const { columns, read } = rowReader(raw, text);
  const values = read(parameters);
  // Objects copied from one template share one shape; adding properties one by one (what the
  // driver does) walks a chain of shapes per row.
  const template: Record<string, unknown> = Object.fromEntries(columns.map((c) => [c, null]));
  const width = columns.length;
  const out: (R | T)[] = new Array(values.length);
  const view = { ...template };
  for (let r = 0; r < values.length; r++) {
    const row = map ? view : { ...template };
    const v = values[r];
    for (let i = 0; i < width; i++) row[columns[i]] = v[i];
    out[r] = map ? map(row as R) : (row as R);
  }
  return out;
}

interface RowReader {
  columns: string[];
  read(parameters: readonly unknown[]): unknown[][];
}

const readers = new WeakMap<SqliteHandle, Map<string, RowReader>>();

/**
 * How the rows of a query come out of SQLite, chosen once per statement: as one JSON text that
 * SQLite writes and JSON.parse reads, where the driver would build an array per row and set each
 * value through V8's API — about 1,500 instructions a value, two thirds of the time of reading a
 * month of attempts. SQLite prints a REAL with 17 significant digits, so every double comes back
 * the same. A query whose columns JSON cannot carry as they are (a BLOB, two of one name) is read
 * row by row as before.
 */
function rowReader(raw: SqliteHandle, text: string): RowReader {
  let cache = readers.get(raw);
  if (!cache) readers.set(raw, (cache = new Map()));
  let reader = cache.get(text);
  if (reader) return reader;
  const statement = prepared(raw, text);
  const info = statement.columns();
  const columns = info.map((c) => c.name);
  const jsonSafe = new Set(columns).size === columns.length && info.every((c) => c.type === null || !/BLOB/i.test(c.type));
  if (jsonSafe) {
    // Built of the statement's own text (values stay bound parameters) and its column names, quoted.
    const list = columns.map((c) => `"${c.replaceAll('"', '""')}"`).join(', ');
    const asJson = `select json_group_array(json_array(${list})) from (${text})`;
    const whole = raw.prepare(asJson).pluck();
    reader = { columns, read: (parameters) => JSON.parse(whole.get(...parameters) as string) as unknown[][] };
  } else {
    reader = { columns, read: (parameters) => statement.raw(true).all(...parameters) as unknown[][] };
  }
  cache.set(text, reader);
  return reader;
}

export async function run(query: Query<unknown>, raw: SqliteHandle | undefined): Promise<void> {
  if (!raw) {
    await query.execute();
    return;
  }
  const { sql: text, parameters } = query.compile();
  prepared(raw, text).run(...(parameters as unknown[]));
}

/** Where each parameter of a compiled shape comes from: the i-th value given, or a constant of the query. */
type Slot = { value: number } | { constant: unknown };
const shapes = new Map<string, { sql: string; slots: Slot[] }>();
const placeholder = (i: number) => `\u0000craveny-ops value ${i}\u0000`;

/**
 * A query whose shape never changes, only its values, as SQL and parameters: kysely builds and
 * compiles it once, from placeholders whose places among the parameters are then known, and
 * later calls put the new values in those places. For the small lookups an ingest makes per
 * stock and per batch, building and compiling a query cost more than running it.
 */
function shaped<V extends unknown[]>(key: string, build: (...values: V) => Query<unknown>, values: V): { text: string; parameters: unknown[] } {
  let shape = shapes.get(key);
  if (!shape) {
    const compiled = build(...(values.map((_, i) => placeholder(i)) as V)).compile();
    const slots = compiled.parameters.map((p): Slot => {
      const i = values.findIndex((_, j) => p === placeholder(j));
      return i >= 0 ? { value: i } : { constant: p };
    });
    shapes.set(key, (shape = { sql: compiled.sql, slots }));
  }
  return { text: shape.sql, parameters: shape.slots.map((s) => ('value' in s ? values[s.value] : s.constant)) };
}

/** rowsOf for a query of one shape (see shaped); `key` names the shape. */
export async function shapedRows<V extends unknown[], R>(raw: SqliteHandle | undefined, key: string, build: (...values: V) => Query<R>, ...values: V): Promise<R[]> {
  if (!raw) return rowsOf(build(...values), raw);
  const { text, parameters } = shaped(key, build, values);
  return sqliteRows<R, R>(raw, text, parameters) as R[];
}

/** run for a statement of one shape (see shaped). */
export async function shapedRun<V extends unknown[]>(raw: SqliteHandle | undefined, key: string, build: (...values: V) => Query<unknown>, ...values: V): Promise<void> {
  if (!raw) return run(build(...values), raw);
  const { text, parameters } = shaped(key, build, values);
  prepared(raw, text).run(...parameters);
}
