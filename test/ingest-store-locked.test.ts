/**
 * The store failing is no problem of one file (cli-contract.md, exit codes: 2 with a one-line
 * message naming the problem): an ingest that cannot write its store stops with one line naming the
 * store and why, instead of reporting each file as unreadable. test/store-faults.test.ts drives the
 * built binary through a full disk, a read-only store and a lock; this is the lock in-process.
 */
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cli, tempDir } from './helpers.js';
import { attempt, FORCED } from './support/analysis-log.js';

const NOW = Date.parse('2025-11-05T00:00:00+09:00');

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('a store another process is writing to', () => {
  it('stops the ingest after the busy timeout: exit 2, one line naming the store and the lock', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'store.db');
    const a = path.join(dir, 'a.log');
    const b = path.join(dir, 'b.log');
    fs.writeFileSync(a, attempt('2025-11-04 10:00:00,000', '005930', FORCED) + '\n');
    fs.writeFileSync(b, attempt('2025-11-04 11:00:00,000', '000660', FORCED) + '\n');
    // The store exists and is up to date: only the ingest's own writes wait for the lock.
    expect((await cli(['--db', db, 'ingest', a], { now: NOW })).code).toBe(0);
    fs.appendFileSync(a, attempt('2025-11-04 10:01:00,000', '035720', FORCED) + '\n');
    vi.stubEnv('CRAVENY_OPS_BUSY_TIMEOUT_MS', '300');
    const other = new SQLite(db);
    other.exec('BEGIN IMMEDIATE');
    try {
      const run = await cli(['--db', db, 'ingest', a, b], { now: NOW });
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(`craveny-ops: cannot write to the store ${db}: it is locked by another process (waited 0.3 s): run again once that one has finished\n`);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    // Nothing was half-written: once the lock is gone the same run adds what it could not.
    const again = await cli(['--db', db, 'ingest', '--json', a, b], { now: NOW });
    expect(again.code, again.stderr).toBe(0);
    expect(again.json().records_added).toBe(2);
  });
});
