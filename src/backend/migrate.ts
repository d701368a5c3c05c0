/**
 * The monitoring story's schema change to the backend's table: two nullable columns, added or
 * dropped idempotently in one transaction. ALTER TABLE waits for an exclusive lock and every
 * reader of the table queues behind it, so the lock wait is bounded: on a busy table the
 * migration fails fast and can be retried, instead of stalling the service.
 */
import { sql } from 'kysely';
import { CliError } from '../errors.js';
import { PgError } from '../store/postgres.js';
import { columnsOf, missingTable, TABLE, type Backend } from './database.js';

export const MONITORING_COLUMNS = [
  { name: 'last_update_reason', type: 'varchar(200)', pgType: 'character varying(200)' },
  { name: 'last_market_phase', type: 'varchar(20)', pgType: 'character varying(20)' },
] as const;

const LOCK_TIMEOUT = '5s';

export type Direction = 'up' | 'down';

/** The statements of the migration, as run and as printed by --dry-run. */
export function migrationSql(direction: Direction): string[] {
  const alters = MONITORING_COLUMNS.map((c) =>
    direction === 'up'
      ? `ALTER TABLE ${TABLE} ADD COLUMN IF NOT EXISTS ${c.name} ${c.type};`
      : `ALTER TABLE ${TABLE} DROP COLUMN IF EXISTS ${c.name};`,
  );
  return ['BEGIN;', `SET LOCAL lock_timeout = '${LOCK_TIMEOUT}';`, ...alters, 'COMMIT;'];
}

export interface ColumnChange {
  column: string;
  type: string;
  before: string | null;
  after: string | null;
}

export interface BackendMigration {
  table: string;
  direction: Direction;
  dry_run: boolean;
  sql: string[];
  /** Null for a dry run, which does not connect. */
  changes: ColumnChange[] | null;
  changed: boolean | null;
}

export function dryRun(direction: Direction): BackendMigration {
  return { table: TABLE, direction, dry_run: true, sql: migrationSql(direction), changes: null, changed: null };
}

export async function migrateBackend(backend: Backend, direction: Direction): Promise<BackendMigration> {
  const statements = migrationSql(direction);
  const before = await backend.db.transaction().execute(async (trx) => {
    // Checked inside the transaction: a missing table refuses before anything runs.
    const columns = await columnsOf(trx);
    if (!columns) throw missingTable(backend.location);
    try {
      for (const statement of statements.slice(1, -1)) await sql.raw(statement).execute(trx);
    } catch (error) {
      throw explain(error, direction);
    }
    return columns;
  });
  const after = (await columnsOf(backend.db)) ?? new Map<string, string>();
  const changes = MONITORING_COLUMNS.map((c) => ({
    column: c.name,
    type: c.type,
    before: before.get(c.name) ?? null,
    after: after.get(c.name) ?? null,
  }));
  return {
    table: TABLE,
    direction,
    dry_run: false,
    sql: statements,
    changes,
    changed: changes.some((c) => c.before !== c.after),
  };
}

function explain(error: unknown, direction: Direction): unknown {
  if (!(error instanceof PgError)) return error;
  if (error.code === '55P03') {
    return new CliError(`${error.message}: ${TABLE} is busy (lock not granted within ${LOCK_TIMEOUT}); nothing was changed, try again`, 2);
  }
  if (error.code === '42501') {
    return new CliError(`${error.message}: ${direction === 'up' ? 'adding' : 'dropping'} columns needs the table's owner; nothing was changed`, 2);
  }
  return error;
}

/** What `--down` would lose: the non-empty values of each monitoring column present. */
export async function valuesToDrop(backend: Backend): Promise<{ column: string; values: number }[]> {
  const columns = await columnsOf(backend.db);
  if (!columns) throw missingTable(backend.location);
  const present = MONITORING_COLUMNS.filter((c) => columns.has(c.name));
  const counts = [];
  for (const c of present) {
    const row = await backend.db
      .selectFrom(TABLE)
      .select((eb) => eb.fn.count<string>(c.name).filterWhere(c.name, '<>', '').as('n'))
      .executeTakeFirstOrThrow();
    counts.push({ column: c.name, values: Number(row.n) });
  }
  return counts;
}

/** A one-line account of the change for people. */
export function describeMigration(m: BackendMigration): string[] {
  if (m.dry_run) return m.sql;
  const lines: string[] = [];
  for (const c of m.changes ?? []) {
    if (m.direction === 'up') {
      if (c.before === null) lines.push(`added ${TABLE}.${c.column} ${c.type}`);
      else lines.push(`${TABLE}.${c.column} already present (${c.before})`);
    } else if (c.before !== null) lines.push(`dropped ${TABLE}.${c.column}`);
    else lines.push(`${TABLE}.${c.column} already absent`);
  }
  return lines;
}

