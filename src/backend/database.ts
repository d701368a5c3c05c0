/**
 * The backend's own PostgreSQL database, table `stock_analysis_summaries`: opened read-mostly
 * (statements time out rather than hang on someone else's server), its columns inspected, and
 * its rows read with `last_updated` as the naive server-local text it is.
 */
import { Kysely, PostgresDialect, sql } from 'kysely';
import { UsageError } from '../errors.js';
import { openPool } from '../store/postgres.js';

export const TABLE = 'stock_analysis_summaries';
const STATEMENT_TIMEOUT_MS = 30_000;

export interface Backend {
  db: Kysely<any>;
  location: string;
  close(): Promise<void>;
}

export async function openBackend(url: string | undefined): Promise<Backend> {
  if (!url) throw new UsageError('--pg <url> is required: the backend database, postgres://user:password@host:5432/craveny (or set CRAVENY_OPS_BACKEND_PG)');
  if (!/^postgres(ql)?:\/\//i.test(url)) throw new UsageError(`--pg must be a postgres:// URL, got '${url.replace(/:[^:@/]*@/, ':***@')}'`);
  const { pool, location } = await openPool(url, { what: 'the backend database', max: 2, statementTimeoutMs: STATEMENT_TIMEOUT_MS });
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
  return { db, location, close: () => db.destroy() };
}

/** The table's columns and their types (`character varying(200)`), or null when the table is missing. */
export async function columnsOf(db: Kysely<any>): Promise<Map<string, string> | null> {
  // to_regclass resolves the name through search_path, as the backend's own queries do.
  const { rows } = await sql<{ column: string | null; type: string | null }>`
    select a.attname as column, format_type(a.atttypid, a.atttypmod) as type
    from (select to_regclass(${TABLE}) as oid) t
    left join pg_attribute a on a.attrelid = t.oid and a.attnum > 0 and not a.attisdropped
    where t.oid is not null`.execute(db);
  if (rows.length === 0) return null;
  return new Map(rows.filter((r) => r.column !== null).map((r) => [r.column!, r.type!]));
}

export function missingTable(location: string): UsageError {
  return new UsageError(`the backend database ${location} has no table ${TABLE}: is this the craveny database (and search_path right)?`);
}

export interface SummaryRow {
  stock_code: string;
  /** Naive wall-clock text `YYYY-MM-DD HH:MM:SS.mmm` in the server's zone, or epoch ms when the column has a zone. */
  last_updated: string | number | null;
  last_update_reason: string | null;
  last_market_phase: string | null;
}

/** Every row of the table (one per stock); the monitoring columns are null where they do not exist yet. */
export async function summaryRows(backend: Backend): Promise<{ rows: SummaryRow[]; hasMonitoringColumns: boolean }> {
  const columns = await columnsOf(backend.db);
  if (!columns) throw missingTable(backend.location);
  const hasMonitoringColumns = columns.has('last_update_reason') && columns.has('last_market_phase');
  // Formatted by the server: the text does not depend on the session's DateStyle.
  const updated =
    columns.get('last_updated') === 'timestamp with time zone'
      ? sql`(extract(epoch from last_updated) * 1000)::float8`
      : sql`to_char(last_updated, 'YYYY-MM-DD HH24:MI:SS.MS')`;
  const monitoring = hasMonitoringColumns
    ? sql`last_update_reason::text, last_market_phase::text`
    : sql`null::text as last_update_reason, null::text as last_market_phase`;
  const { rows } = await sql<SummaryRow>`
    select stock_code::text as stock_code, ${updated} as last_updated, ${monitoring}
    from ${sql.table(TABLE)} order by stock_code`.execute(backend.db);
  return { rows, hasMonitoringColumns };
}
