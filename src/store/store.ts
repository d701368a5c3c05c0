/** Opening the store: SQLite by default, PostgreSQL for a postgres:// URL; schema brought up to date. */
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { CliError, UsageError } from '../errors.js';
import { migratorFor } from './migrations.js';
import type { Database } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  /** Where the store is, safe to print (no password). */
  location: string;
  close(): Promise<void>;
}

export const DEFAULT_STORE = 'craveny-ops.db';

export function isPostgresUrl(spec: string): boolean {
  return /^postgres(ql)?:\/\//i.test(spec);
}

/** A database URL without its password, for messages. */
export function redactUrl(spec: string): string {
  return spec.replace(/^(postgres(?:ql)?:\/\/[^:/@]*):[^@]*@/i, '$1:***@');
}

export async function openStore(spec: string, options: { migrate?: boolean } = {}): Promise<Store> {
  const store = isPostgresUrl(spec) ? await openPostgres(spec) : openSqlite(spec);
  if (options.migrate !== false) {
    try {
      await migrateToLatest(store);
    } catch (error) {
      await store.close();
      throw error;
    }
  }
  return store;
}

export async function migrateToLatest(store: Store): Promise<string[]> {
  const { error, results } = await migratorFor(store.db).migrateToLatest();
  if (error) {
    throw new CliError(`cannot bring the store ${store.location} up to date: ${messageOf(error)}`, 2);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

function openSqlite(file: string): Store {
  const dir = path.dirname(path.resolve(file));
  if (!fs.existsSync(dir)) throw new UsageError(`store directory ${dir} does not exist`);
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) throw new UsageError(`store ${file} is a directory`);
  let sqlite: SQLite.Database;
  try {
    sqlite = new SQLite(file, { timeout: 30_000 });
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
  } catch (error) {
    throw new UsageError(`cannot open the store ${file}: ${messageOf(error)}`);
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, dialect: 'sqlite', location: file, close: () => db.destroy() };
}

async function openPostgres(url: string): Promise<Store> {
  const pg = await import('pg');
  // BIGINT columns hold milliseconds and ids, well inside Number's exact range.
  pg.default.types.setTypeParser(20, (v: string) => Number(v));
  const pool = new pg.default.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 10_000 });
  const location = redactUrl(url);
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => {});
    throw new UsageError(`cannot connect to the store ${location}: ${messageOf(error)}`);
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', location, close: () => db.destroy() };
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
