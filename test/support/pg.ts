/**
 * A PostgreSQL database for tests: the server named by CRAVENY_OPS_TEST_PG when it answers, else
 * an in-process PGlite served over the wire protocol (so the real `pg` driver, and child
 * processes, talk to it exactly as to a server). Each `freshDatabase()` is empty: on a server, a
 * new schema selected by search_path in the URL; on PGlite (one database, which ignores startup
 * options) the public schema wiped, so tests of one file must not hold two at once.
 */
import pg from 'pg';
import { openStore } from '../../src/store/store.js';

export type PgKind = 'server' | 'pglite';

export interface TestPg {
  kind: PgKind;
  /** The URL of an empty database (schema). */
  url: string;
  /** Runs SQL on it as its owner (superuser), e.g. to load a backend table. */
  query<T extends pg.QueryResultRow = any>(text: string, params?: unknown[]): Promise<pg.QueryResult<T>>;
  drop(): Promise<void>;
}

interface Backend {
  kind: PgKind;
  baseUrl: string;
  stop(): Promise<void>;
}

let backend: Promise<Backend> | null = null;
let counter = 0;

async function reachable(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return null;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await client.end().catch(() => {});
  }
}

async function startPglite(): Promise<Backend> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const db = await PGlite.create();
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 64 });
  await server.start();
  return {
    kind: 'pglite',
    baseUrl: `postgres://postgres@${server.getServerConn()}/postgres`,
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}

async function start(): Promise<Backend> {
  const url = process.env.CRAVENY_OPS_TEST_PG;
  if (url) {
    const problem = await reachable(url);
    if (problem === null) {
      console.info(`PostgreSQL tests: server at ${url.replace(/:[^:@/]*@/, ':***@')}`);
      return { kind: 'server', baseUrl: url, stop: async () => {} };
    }
    console.info(`PostgreSQL tests: CRAVENY_OPS_TEST_PG does not answer (${problem}); using in-process PGlite`);
  } else {
    console.info('PostgreSQL tests: in-process PGlite (set CRAVENY_OPS_TEST_PG to use a server)');
  }
  return startPglite();
}

export function pgBackend(): Promise<Backend> {
  backend ??= start();
  return backend;
}

/** Stops an in-process PGlite (call from afterAll). */
export async function stopPg(): Promise<void> {
  if (!backend) return;
  const b = await backend;
  backend = null;
  await b.stop();
}

function withSearchPath(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

export async function freshDatabase(label = 'test'): Promise<TestPg> {
  const b = await pgBackend();
  const admin = new pg.Pool({ connectionString: b.baseUrl, max: 2 });
  admin.on('error', () => {});
  if (b.kind === 'pglite') {
    await admin.query('drop schema if exists public cascade; create schema public');
    return {
      kind: b.kind,
      url: b.baseUrl,
      query: (text, params) => admin.query(text, params as unknown[]),
      drop: () => admin.end(),
    };
  }
  const schema = `t_${label.replace(/\W/g, '_').toLowerCase()}_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  await admin.query(`create schema ${schema}`);
  const url = withSearchPath(b.baseUrl, schema);
  const scoped = new pg.Pool({ connectionString: url, max: 2 });
  scoped.on('error', () => {});
  return {
    kind: b.kind,
    url,
    query: (text, params) => scoped.query(text, params as unknown[]),
    drop: async () => {
      await scoped.end();
      await admin.query(`drop schema if exists ${schema} cascade`);
      await admin.end();
    },
  };
}

const RECORD_COLUMNS = ['host', 'line_no', 'ts', 'kind', 'stock_code', 'mode', 'reason', 'text', 'phase', 'age_h', 'ttl_h', 'rate', 'threshold', 'prev_count', 'cur_count', 'predictions', 'cost_usd', 'detail'] as const;
const ATTEMPT_COLUMNS = ['host', 'stock_code', 'ts', 'reason', 'reason_text', 'phase', 'named_phase', 'age_h', 'ttl_h', 'rate', 'threshold', 'prev_count', 'cur_count', 'outcome', 'outcome_ts', 'completed_ts', 'generation_mode', 'generation_failed', 'completion_logged', 'error'] as const;

/** A store's records and attempts as sorted JSON rows (ids and bookkeeping times left out), on either dialect. */
export async function storeContents(spec: string): Promise<{ records: string[]; attempts: string[] }> {
  const store = await openStore(spec);
  try {
    const records = await store.db.selectFrom('records').select(RECORD_COLUMNS).execute();
    const attempts = await store.db.selectFrom('attempts').select(ATTEMPT_COLUMNS).execute();
    const sort = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).sort();
    return { records: sort(records), attempts: sort(attempts) };
  } finally {
    await store.close();
  }
}
