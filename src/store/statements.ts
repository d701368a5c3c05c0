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
  const statement = prepared(raw, text);
  const columns = statement.columns().map((c) => c.name);
  const values = statement.raw(true).all(...(parameters as unknown[])) as unknown[][];
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

export async function firstOf<R>(query: Query<R>, raw: SqliteHandle | undefined): Promise<R | undefined> {
  return (await rowsOf(query, raw))[0];
}

export async function run(query: Query<unknown>, raw: SqliteHandle | undefined): Promise<void> {
  if (!raw) {
    await query.execute();
    return;
  }
  const { sql: text, parameters } = query.compile();
  prepared(raw, text).run(...(parameters as unknown[]));
}
