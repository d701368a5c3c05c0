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
