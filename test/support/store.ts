/** Reading a store as plain rows for comparisons: ids and wall-clock bookkeeping left out. */
import { spawn } from 'node:child_process';
import SQLite from 'better-sqlite3';
import { BIN, ROOT } from '../helpers.js';

const RECORD_COLUMNS =
  'host, line_no, ts, kind, stock_code, mode, reason, text, phase, age_h, ttl_h, rate, threshold, prev_count, cur_count, predictions, cost_usd, detail';
const ATTEMPT_COLUMNS =
  'host, stock_code, ts, reason, reason_text, phase, named_phase, age_h, ttl_h, rate, threshold, prev_count, cur_count, outcome, outcome_ts, completed_ts, generation_mode, generation_failed, completion_logged, error';

/** A multiset as a sorted list of JSON rows: equal lists mean equal contents, whatever the ids. */
function multiset(rows: unknown[]): string[] {
  return rows.map((r) => JSON.stringify(r)).sort();
}

export interface Snapshot {
  records: string[];
  attempts: string[];
  sources: string[];
}

export function snapshot(file: string): Snapshot {
  const db = new SQLite(file, { readonly: true, fileMustExist: true });
  try {
    return {
      records: multiset(db.prepare(`SELECT ${RECORD_COLUMNS} FROM records`).all()),
      attempts: multiset(db.prepare(`SELECT ${ATTEMPT_COLUMNS} FROM attempts`).all()),
      sources: multiset(db.prepare('SELECT host, path, fingerprint, fp_len, byte_offset, lines, last_ts FROM sources').all()),
    };
  } finally {
    db.close();
  }
}

/** The records as rows (stock, time, kind, text), sorted: equal lists, equal contents. */
export function recordRows(file: string): string[] {
  const db = new SQLite(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT stock_code, ts, kind, text FROM records ORDER BY ts, kind, stock_code, text').all() as unknown[]).map((r) => JSON.stringify(r));
  } finally {
    db.close();
  }
}

/** Records whose (kind, ts, stock, text, line) appear more than once: doubles. */
export function doubles(file: string): number {
  const db = new SQLite(file, { readonly: true, fileMustExist: true });
  try {
    const row = db
      .prepare(
        `SELECT COALESCE(SUM(n - 1), 0) AS extra FROM (
           SELECT COUNT(*) AS n FROM records GROUP BY host, source_id, line_no, ts, kind, stock_code, text HAVING COUNT(*) > 1)`,
      )
      .get() as { extra: number };
    return row.extra;
  } finally {
    db.close();
  }
}

export interface Spawned {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the built binary; with `killAfterMs`, SIGKILLs it then (if it is still running). */
export function spawnBin(args: string[], options: { env?: NodeJS.ProcessEnv; killAfterMs?: number; uid?: number; gid?: number } = {}): Promise<Spawned> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      uid: options.uid,
      gid: options.gid,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = options.killAfterMs === undefined ? null : setTimeout(() => child.kill('SIGKILL'), options.killAfterMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/**
 * Nothing half-written: for every source, the records stored are exactly those of the lines its
 * checkpoint covers (as counted in a reference store holding the whole file). Returns the mismatches.
 */
export function halfWritten(file: string, referenceFile: string): string[] {
  const reference = new SQLite(referenceFile, { readonly: true, fileMustExist: true });
  const store = new SQLite(file, { readonly: true, fileMustExist: true });
  try {
    const lines = new Map<string, number[]>();
    const rows = reference
      .prepare('SELECT s.fingerprint AS fp, r.line_no AS line FROM records r JOIN sources s ON s.id = r.source_id')
      .all() as { fp: string; line: number }[];
    for (const { fp, line } of rows) lines.set(fp, [...(lines.get(fp) ?? []), line]);
    const problems: string[] = [];
    const read = store.transaction(() => {
      const sources = store.prepare('SELECT id, fingerprint, lines FROM sources').all() as { id: number; fingerprint: string; lines: number }[];
      for (const s of sources) {
        const n = (store.prepare('SELECT COUNT(*) AS n FROM records WHERE source_id = ?').get(s.id) as { n: number }).n;
        const covered = (lines.get(s.fingerprint) ?? []).filter((l) => l <= s.lines).length;
        if (n !== covered) problems.push(`source ${s.id}: ${n} records stored, its checkpoint (line ${s.lines}) covers ${covered}`);
      }
      const orphans = (store.prepare('SELECT COUNT(*) AS n FROM records WHERE source_id NOT IN (SELECT id FROM sources)').get() as { n: number }).n;
      if (orphans) problems.push(`${orphans} records without a source`);
    });
    read();
    return problems;
  } finally {
    reference.close();
    store.close();
  }
}

export function integrity(file: string): string {
  const db = new SQLite(file, { readonly: true, fileMustExist: true });
  try {
    return String(db.pragma('integrity_check', { simple: true }));
  } finally {
    db.close();
  }
}
