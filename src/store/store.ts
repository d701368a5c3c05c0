/** Opening the store: SQLite by default, PostgreSQL for a postgres:// URL; schema brought up to date. */
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { CompiledQuery, type DatabaseConnection, type Driver, Kysely, PostgresDialect, SqliteDialect, SqliteDriver, sql } from 'kysely';
import { CliError, UsageError } from '../errors.js';
import { MIGRATION_NAMES, migratorFor } from './migrations.js';
import { isPostgresUrl, openPool, PgError, redactUrl } from './postgres.js';
import type { Database } from './schema.js';
import { registerSqliteHandle } from './statements.js';
import { rederiveAttempts } from './writes.js';

export { isPostgresUrl, redactUrl };

export type Dialect = 'sqlite' | 'postgres';

export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  /** Where the store is, safe to print (no password). */
  location: string;
  /** PostgreSQL: the schema the store lives in (the first of search_path). */
  schema?: string;
  /** SQLite: the raw handle, for statements the ingest prepares once (store/writes.ts). */
  sqlite?: SQLite.Database;
  close(): Promise<void>;
}

export const DEFAULT_STORE = 'craveny-ops.db';

/**
 * `create: false` (commands that only read): a SQLite store that does not exist is a usage error,
 * not a new empty file — a mistyped --db or a cron job without CRAVENY_OPS_DB would otherwise
 * report on an empty store and leave a stray file behind.
 */
export async function openStore(spec: string, options: { migrate?: boolean; create?: boolean } = {}): Promise<Store> {
  const store = isPostgresUrl(spec) ? await openPostgres(spec) : openSqlite(spec, options.create !== false);
  if (options.migrate !== false) {
    try {
      await migrateToLatest(store);
      await deriveToLatest(store);
    } catch (error) {
      await store.close();
      throw error;
    }
  }
  return store;
}

export async function migrateToLatest(store: Store): Promise<string[]> {
  const migrator = migratorFor(store.db, store.schema);
  const fail = (error: unknown) => {
    const why = error instanceof PgError ? error.reason : storeProblem(error);
    return new CliError(`cannot bring the store ${store.location} up to date: ${why}`, 2);
  };
  // kysely runs SQLite migrations outside any transaction, so a crash half-way used to leave
  // half a schema that no later run could migrate. SQLite DDL is transactional: one IMMEDIATE
  // transaction makes a killed migration leave nothing, and makes two commands starting on a
  // fresh store wait for each other instead of racing to create the same tables. Only taken
  // when something is pending, so readers of an up-to-date (even read-only) store never write.
  const sqlite = store.dialect === 'sqlite';
  if (store.sqlite && isUpToDate(store.sqlite)) return [];
  try {
    if (sqlite && (await migrator.getMigrations()).every((m) => m.executedAt)) return [];
    if (sqlite) await sql`BEGIN IMMEDIATE`.execute(store.db);
  } catch (error) {
    throw fail(error);
  }
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    if (sqlite) await sql`ROLLBACK`.execute(store.db).catch(() => {});
    throw fail(error);
  }
  if (sqlite) await sql`COMMIT`.execute(store.db);
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * The version of the outcome rules (src/analysis/derive.ts) the stored attempts follow. Raise it
 * when the rules change: every store then derives its attempts again, once, from its records.
 * 2: a failure after a completion fails the attempt; JSON parse failures fail the generation.
 */
export const DERIVATION_VERSION = 2;

/**
 * Brings attempts derived by older rules to the current ones, in one transaction that first takes
 * the store's write lock (SQLite) or the version row's (PostgreSQL): two commands starting together
 * derive once, and a crash leaves the old attempts and the old version together.
 */
export async function deriveToLatest(store: Store): Promise<boolean> {
  const current = async (db: Kysely<Database>, lock: boolean) => {
    let query = db.selectFrom('craveny_ops_state').select('value').where('name', '=', 'derivation');
    if (lock && store.dialect === 'postgres') query = query.forUpdate();
    const row = await query.executeTakeFirst();
    return row ? Number(row.value) : 0;
  };
  try {
    if ((await current(store.db, false)) >= DERIVATION_VERSION) return false;
    // No attempts to derive again (a new store): one statement, safe beside another process.
    if (!(await store.db.selectFrom('records').select('id').where('kind', '=', 'attempt').limit(1).executeTakeFirst())) {
      await store.db.updateTable('craveny_ops_state').set({ value: DERIVATION_VERSION }).where('name', '=', 'derivation').where('value', '<', DERIVATION_VERSION).execute();
      return false;
    }
    return await store.db.transaction().execute(async (trx) => {
      if ((await current(trx, true)) >= DERIVATION_VERSION) return false;
      await trx.deleteFrom('attempts').execute();
      const stocks = await trx.selectFrom('records').select(['host', 'stock_code']).distinct().where('kind', '=', 'attempt').execute();
      for (const { host, stock_code } of stocks) {
        if (stock_code !== null) await rederiveAttempts(trx, host, stock_code, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, store.sqlite);
      }
      await trx.updateTable('craveny_ops_state').set({ value: DERIVATION_VERSION }).where('name', '=', 'derivation').execute();
      return true;
    });
  } catch (error) {
    const why = error instanceof PgError ? error.reason : storeProblem(error);
    throw new CliError(`cannot bring the store ${store.location} up to date: ${why}`, 2);
  }
}

/**
 * Whether a SQLite store has run exactly the known migrations, read off the migration table
 * directly: the migrator's own check introspects every table, which cost more than most of a
 * read command's query. Anything else (no table yet, another set) goes the migrator's way.
 */
function isUpToDate(sqlite: SQLite.Database): boolean {
  try {
    const names = sqlite.prepare('select name from craveny_ops_migrations order by name').pluck().all();
    return names.length === MIGRATION_NAMES.length && names.every((name, i) => name === MIGRATION_NAMES[i]);
  } catch {
    return false;
  }
}

/**
 * SQLite ends a transaction by itself on some errors (SQLITE_FULL at commit, for one); kysely's
 * rollback that follows then fails with "no transaction is active" and hides the real error.
 */
class StoreSqliteDriver extends SqliteDriver {
  constructor(private readonly sqlite: SQLite.Database) {
    super({ database: sqlite });
  }

  /**
   * IMMEDIATE: every transaction here writes, and one that began by reading could find, once it
   * writes, that another process committed meanwhile: SQLITE_BUSY at once, whatever the timeout.
   */
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (this.sqlite.inTransaction) await super.rollbackTransaction(connection);
  }
}

class StoreSqliteDialect extends SqliteDialect {
  constructor(private readonly sqlite: SQLite.Database) {
    super({ database: sqlite });
  }

  override createDriver(): Driver {
    return new StoreSqliteDriver(this.sqlite);
  }
}

/**
 * Runs `fn` again while SQLite answers BUSY without waiting (switching a new file to WAL, which two
 * commands starting together on a fresh store both do), up to the busy timeout.
 */
function whenNotBusy<T>(fn: () => T): T {
  const until = Date.now() + busyTimeoutMs();
  for (;;) {
    try {
      return fn();
    } catch (error) {
      if (!String((error as { code?: unknown }).code).startsWith('SQLITE_BUSY') || Date.now() >= until) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
}

function openSqlite(file: string, create: boolean): Store {
  if (!create && !fs.existsSync(file)) {
    throw new UsageError(`no store at ${path.resolve(file)}: run craveny-ops ingest <log files> to create it, or point --db or CRAVENY_OPS_DB at the existing one`);
  }
  const dir = path.dirname(path.resolve(file));
  if (!fs.existsSync(dir)) throw new UsageError(`store directory ${dir} does not exist`);
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) throw new UsageError(`store ${file} is a directory`);
  let sqlite: SQLite.Database;
  try {
    sqlite = new SQLite(file, { timeout: busyTimeoutMs(), fileMustExist: !create });
    whenNotBusy(() => sqlite.pragma('journal_mode = WAL'));
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
  } catch (error) {
    throw new UsageError(`cannot open the store ${file}: ${storeProblem(error)}`);
  }
  const db = new Kysely<Database>({ dialect: new StoreSqliteDialect(sqlite) });
  registerSqliteHandle(db, sqlite);
  return { db, dialect: 'sqlite', location: file, sqlite, close: () => db.destroy() };
}

async function openPostgres(url: string): Promise<Store> {
  const { pool, location, translate } = await openPool(url, { what: 'the store', max: 4 });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    // Several stores can share one database, one per schema (search_path in the URL's options):
    // the migrator must look for its tables in that schema, not in any schema.
    const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
    const schema = rows[0]?.schema;
    if (!schema) throw new UsageError(`the store ${location}: search_path names no existing schema: create it, or fix the URL's options`);
    return { db, dialect: 'postgres', location, schema, close: () => db.destroy() };
  } catch (error) {
    await db.destroy();
    throw translate(error);
  }
}

/** How long a command waits for another one's write to finish; a knob for tests. */
export function busyTimeoutMs(): number {
  return Number(process.env.CRAVENY_OPS_BUSY_TIMEOUT_MS) || 30_000;
}

/** A SQLite failure, from the file rather than from a query (a full disk, a lock, a read-only file…). */
export function isSqliteError(error: unknown): boolean {
  return String((error as { code?: unknown } | null)?.code ?? '').startsWith('SQLITE_');
}

/**
 * A store failure met while a command used it (a corrupt page found by a query, a disk gone
 * read-only, …) as the one line it deserves, exit 2; null for errors that are not about the store.
 */
export function storeFault(error: unknown, location?: string): CliError | null {
  if (error instanceof CliError) return error;
  if (!isSqliteError(error)) return null;
  return new CliError(`cannot read the store${location ? ' ' + location : ''}: ${storeProblem(error)}`, 2);
}

/** What a SQLite failure means to the operator, and what to do; other errors as they are. */
export function storeProblem(error: unknown): string {
  const code = String((error as { code?: unknown } | null)?.code ?? '');
  if (code.startsWith('SQLITE_READONLY')) {
    return 'it is read-only: SQLite needs to write the file and, next to it, its -wal and -shm files (check the permissions of both the file and its directory)';
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return `it is locked by another process (waited ${busyTimeoutMs() / 1000} s): run again once that one has finished`;
  }
  if (code === 'SQLITE_FULL') return 'the disk is full: free some space and run again (nothing was half-written)';
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return 'it is not a craveny-ops store, or it is corrupt: move it aside and ingest the logs again to rebuild it';
  }
  if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_CANTOPEN')) return `it cannot be read or written (${messageOf(error)})`;
  return messageOf(error);
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
