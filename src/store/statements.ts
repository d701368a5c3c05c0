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
const rowMakers = new Map<string, (values: unknown[]) => unknown>();

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

function rowMaker(columns: string[]): (values: unknown[]) => unknown {
  const key = columns.join('\u0000');
  let make = rowMakers.get(key);
  if (!make) {
    // Copying a template that already has every property keeps one object shape for all rows;
    // adding properties one by one (what the driver does) walks a chain of shapes per row.
    const template: Record<string, unknown> = Object.fromEntries(columns.map((c) => [c, null]));
    make = (values) => {
      const row = { ...template };
      for (let i = 0; i < columns.length; i++) row[columns[i]] = values[i];
      return row;
    };
    rowMakers.set(key, make);
  }
  return make;
}

/** The rows of a kysely query: through a prepared statement on SQLite. */
export async function rowsOf<R>(query: Query<R>, raw: SqliteHandle | undefined): Promise<R[]> {
  if (!raw) return query.execute();
  const { sql: text, parameters } = query.compile();
  const statement = prepared(raw, text);
  const make = rowMaker(statement.columns().map((c) => c.name));
  return (statement.raw(true).all(...(parameters as unknown[])) as unknown[][]).map(make) as R[];
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
