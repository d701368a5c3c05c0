/**
 * PostgreSQL connections, for the store and for the backend's own database: one pool setup,
 * and one place that turns driver errors into a line a user can act on (exit 2), with the
 * URL's password never printed.
 */
import type Pg_ from 'pg';
import { CliError, UsageError } from '../errors.js';

// Loaded by the first openPool: the driver takes longer to load than node takes to start, and
// most runs never touch PostgreSQL.
let pg: typeof Pg_;

const DEFAULT_CONNECT_TIMEOUT_S = 10;

export function isPostgresUrl(spec: string): boolean {
  return /^postgres(ql)?:\/\//i.test(spec);
}

/** A database URL without its password, for messages. */
export function redactUrl(spec: string): string {
  // Up to the last '@': a password with an unencoded '@' is hidden whole rather than in part.
  return spec.replace(/^(postgres(?:ql)?:\/\/[^:/@]*):.*@/i, '$1:***@');
}

/** An expected PostgreSQL failure: `reason` says what went wrong, the message also where. */
export class PgError extends CliError {
  constructor(
    readonly location: string,
    readonly reason: string,
    readonly code: string | undefined,
    what: string,
  ) {
    super(`${what} ${location}: ${reason}`, 2);
    this.name = 'PgError';
  }
}

export interface PoolOptions {
  /** How messages name the database: 'the store', 'the backend database'. */
  what: string;
  max?: number;
  /** Server-side limit per statement, for read-only work on someone else's database. */
  statementTimeoutMs?: number;
}

export interface Pg {
  /** A pool whose clients report failures as PgError. */
  pool: Pg_.Pool;
  location: string;
  user: string;
  translate(error: unknown): unknown;
}

// Numbers and naive timestamps come back as the database holds them: BIGINT and NUMERIC hold
// milliseconds, counts and sums well inside Number's exact range; a `timestamp without time
// zone` is server-local wall-clock time, which the driver would otherwise read in *this*
// process's zone.
const PARSERS = new Map<number, (text: string) => unknown>([
  [20, Number], // int8
  [1700, Number], // numeric
  [1114, (text: string) => text], // timestamp
]);
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    PARSERS.get(oid) ?? pg.types.getTypeParser(oid, format as 'text')) as typeof Pg_.types.getTypeParser,
};

/** Opens a pool and proves it can connect, or throws one clear PgError. */
export async function openPool(url: string, options: PoolOptions): Promise<Pg> {
  pg ??= (await import('pg')).default;
  const location = redactUrl(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`${options.what} ${location} is not a valid PostgreSQL URL (postgres://user:password@host:5432/database)`);
  }
  // The driver decodes them too, and a bare `%` (a password never percent-encoded) throws there.
  const decode = (text: string, part: string) => {
    try {
      return decodeURIComponent(text);
    } catch {
      throw new UsageError(
        `${options.what} ${location}: the ${part} in the URL holds a '%' that is not percent-encoded: write each % as %25 (and @ : / ? # as %40 %3A %2F %3F %23)`,
      );
    }
  };
  const password = decode(parsed.password, 'password');
  const user = decode(parsed.username, 'user name') || process.env.PGUSER || 'postgres';
  decode(parsed.pathname.slice(1), 'database name');
  const timeoutParam = parsed.searchParams.get('connect_timeout');
  const connectTimeoutS = timeoutParam !== null && Number(timeoutParam) > 0 ? Number(timeoutParam) : DEFAULT_CONNECT_TIMEOUT_S;
  const target = `${parsed.hostname || 'localhost'}:${parsed.port || 5432}`;

  const translate = (error: unknown): unknown => {
    if (error instanceof CliError) return error;
    // The driver's own text is not expected to hold the password, but it is never printed if it does.
    const scrub = (text: string) => (password ? text.split(password).join('***') : text);
    const reason = describe(error, { target, user, database: decodeURIComponent(parsed.pathname.slice(1)), connectTimeoutS }, scrub);
    if (reason === null) return error;
    return new PgError(location, reason, (error as { code?: string }).code, options.what);
  };

  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 4,
    connectionTimeoutMillis: connectTimeoutS * 1000,
    statement_timeout: options.statementTimeoutMs,
    // The server-side limit does not help when the server stops answering altogether.
    query_timeout: options.statementTimeoutMs ? options.statementTimeoutMs + 5_000 : undefined,
    keepAlive: true,
    application_name: 'craveny-ops',
    types,
  });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  // Checking a client out fails too once the server is gone (kysely checks one out per query).
  const connect = pool.connect.bind(pool) as (...args: unknown[]) => unknown;
  (pool as { connect: unknown }).connect = (...args: unknown[]) => {
    const result = connect(...args);
    return result instanceof Promise ? result.catch((error: unknown) => Promise.reject(translate(error))) : result;
  };
  pool.on('connect', (client) => {
    // A client checked out of the pool has no 'error' listener of the pool's: the server going away
    // mid-query would be an unhandled 'error' event that kills the process. The query itself fails
    // (and is reported as PgError below); the pool drops the broken client on release.
    client.on('error', () => {});
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as { query: unknown }).query = (...args: unknown[]) => {
      const result = query(...args);
      // Cursors (streaming) are returned as they are; promises report failures as PgError.
      return result instanceof Promise ? result.catch((error: unknown) => Promise.reject(translate(error))) : result;
    };
  });
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => {});
    throw translate(error);
  }
  return { pool, location, user, translate };
}

interface Target {
  target: string;
  user: string;
  database: string;
  connectTimeoutS: number;
}

/** The reason in words, or null for errors that are not about the database (bugs). */
function describe(error: unknown, t: Target, scrub: (text: string) => string): string | null {
  const e = error as { code?: string; message?: string; cause?: unknown; hostname?: string };
  const message = scrub(e?.message ?? String(error));
  switch (e?.code) {
    case 'ECONNREFUSED':
      return `connection refused at ${t.target}: is PostgreSQL running and listening there?`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `unknown host '${e.hostname ?? t.target}'`;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `cannot reach ${t.target} (${e.code})`;
    case 'ECONNRESET':
    case 'EPIPE':
      return `the connection to ${t.target} was lost (${e.code})`;
    case '28P01':
    case '28000':
      return `authentication failed for user '${t.user}': check the user name and password`;
    case '3D000':
      return `database '${t.database}' does not exist`;
    case '42501':
      return `permission denied for user '${t.user}' (${message}); this needs a user with write access`;
    case '25006':
      return `the database only accepts reads here (${message}); this needs a writable primary and user`;
    case '57014':
      return `a query ran too long and was cancelled (${message})`;
    case '55P03':
      return `timed out waiting for a lock (${message})`;
    case '53300':
      return `the server has no free connections (${message})`;
    case '57P01':
    case '57P02':
    case '57P03':
      return `the server is shutting down or starting up (${message})`;
    case '3F000':
      return `${message}: create the schema first, or fix search_path in the URL's options`;
  }
  if (/timeout expired|connection timeout/i.test(message)) {
    return `no answer from ${t.target} within ${t.connectTimeoutS} s (connect_timeout): is the host and port right, and is a firewall dropping the connection?`;
  }
  if (/Query read timeout/i.test(message)) return `the server stopped answering a query (${message})`;
  // The driver's word for a query on a client whose connection broke a moment before.
  if (/not queryable/i.test(message)) return `the connection to ${t.target} was lost (${message})`;
  if (/Connection terminated/i.test(message)) return `the connection to ${t.target} was closed by the server (${message})`;
  if (/SSL|certificate/i.test(message)) return `SSL: ${message} (see sslmode in the URL)`;
  if (typeof e?.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return `${message} (SQLSTATE ${e.code})`;
  return null;
}
