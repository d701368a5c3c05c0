/**
 * Store faults: a read-only store, a store locked by another process, a full disk and a corrupt
 * file each give one clear line and exit 2, and leave a store that passes PRAGMA integrity_check
 * with nothing half-written (the records of every source are exactly those its checkpoint covers).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliError } from '../src/errors.js';
import { ingest } from '../src/ingest/ingest.js';
import { openStore } from '../src/store/store.js';
import { bin, fixture, tempDir } from './helpers.js';
import { generateLog, seedOf } from './support/logs.js';
import { halfWritten, integrity, snapshot, spawnBin } from './support/store.js';

const seed = seedOf('store-faults');
const DAY = fixture('logs', 'day.log');
const asRoot = process.getuid?.() === 0;
/** Root ignores file permissions: the permission faults run the binary as nobody. */
const NOBODY = asRoot ? { uid: 65534, gid: 65534 } : {};
const HOST = ['--source-host', 'fault-host'];

let dir: string;
let log: string;
let referenceDb: string;

beforeAll(() => {
  dir = tempDir('craveny-faults-');
  fs.chmodSync(dir, 0o777);
  log = path.join(dir, 'backend.log');
  fs.writeFileSync(log, generateLog(seed, 1 << 20));
  fs.chmodSync(log, 0o644);
  referenceDb = path.join(dir, 'reference.db');
  // Every file the stores below ever hold, in full: what each checkpoint covers is read off it.
  const run = bin(['--db', referenceDb, 'ingest', ...HOST, DAY, log]);
  expect(run.code, run.stderr).toBe(0);
}, 60_000);

/** A store holding day.log, in a directory of its own that anyone may write. */
function storeWithDay(name: string): string {
  const sub = path.join(dir, name);
  fs.mkdirSync(sub, { mode: 0o777 });
  fs.chmodSync(sub, 0o777);
  const db = path.join(sub, 'store.db');
  expect(bin(['--db', db, 'ingest', ...HOST, DAY]).code).toBe(0);
  return db;
}

const oneLine = (stderr: string) => {
  const lines = stderr.split('\n').filter(Boolean);
  expect(lines, stderr).toHaveLength(1);
  return lines[0];
};

describe('a read-only store', () => {
  it('(the file chmod 444): exit 2, "read-only", and the store is as it was', async () => {
    const db = storeWithDay('read-only-file');
    const before = snapshot(db);
    fs.chmodSync(db, 0o444);
    const run = await spawnBin(['--db', db, 'ingest', ...HOST, log], NOBODY);
    expect(run.code).toBe(2);
    expect(oneLine(run.stderr)).toMatch(new RegExp(`^craveny-ops: cannot (open|write to) the store ${db}: it is read-only`));
    fs.chmodSync(db, 0o644);
    expect(integrity(db)).toBe('ok');
    expect(snapshot(db)).toEqual(before);
  });

  it('(its directory read-only, so no -wal/-shm can be made): exit 2 and a clear line', async () => {
    const db = storeWithDay('read-only-dir');
    const before = snapshot(db);
    fs.chmodSync(db, 0o666);
    fs.chmodSync(path.dirname(db), 0o555);
    const run = await spawnBin(['--db', db, 'ingest', ...HOST, log], NOBODY);
    fs.chmodSync(path.dirname(db), 0o777);
    expect(run.code).toBe(2);
    expect(oneLine(run.stderr)).toMatch(new RegExp(`^craveny-ops: cannot (open|write to) the store ${db}: it (is read-only|cannot be read or written)`));
    expect(integrity(db)).toBe('ok');
    expect(snapshot(db)).toEqual(before);
  });
});

describe('a store locked by another process', () => {
  it('makes ingest wait up to its busy timeout, then exit 2 with "locked by another process"', async () => {
    const db = storeWithDay('locked');
    const holder = new SQLite(db);
    holder.exec('BEGIN IMMEDIATE');
    const run = await spawnBin(['--db', db, 'ingest', ...HOST, log], { env: { CRAVENY_OPS_BUSY_TIMEOUT_MS: '700' } });
    holder.exec('ROLLBACK');
    holder.close();
    expect(run.code).toBe(2);
    expect(oneLine(run.stderr)).toBe(
      `craveny-ops: cannot write to the store ${db}: it is locked by another process (waited 0.7 s): run again once that one has finished`,
    );
    expect(run.ms).toBeGreaterThanOrEqual(700);
    expect(integrity(db)).toBe('ok');
    expect(halfWritten(db, referenceDb)).toEqual([]);
    // Once the lock is gone, the same command completes the store exactly once.
    expect(bin(['--db', db, 'ingest', ...HOST, log]).code).toBe(0);
    expect(halfWritten(db, referenceDb)).toEqual([]);
  });

  it('is waited for when the lock goes within the busy timeout', async () => {
    const db = storeWithDay('briefly-locked');
    const holder = new SQLite(db);
    holder.exec('BEGIN IMMEDIATE');
    setTimeout(() => {
      holder.exec('ROLLBACK');
      holder.close();
    }, 600);
    const run = await spawnBin(['--db', db, 'ingest', ...HOST, log], { env: { CRAVENY_OPS_BUSY_TIMEOUT_MS: '10000' } });
    expect(run.code, run.stderr).toBe(0);
    expect(halfWritten(db, referenceDb)).toEqual([]);
  });
});

describe('a full disk', () => {
  it('simulated with PRAGMA max_page_count: exit 2 "the disk is full", nothing half-written', async () => {
    const db = storeWithDay('max-page-count');
    const store = await openStore(db);
    const { page_count } = (await sql<{ page_count: number }>`PRAGMA page_count`.execute(store.db)).rows[0];
    // Room for a few batches, not for the whole log.
    await sql.raw(`PRAGMA max_page_count = ${page_count + 60}`).execute(store.db);
    process.env.CRAVENY_OPS_BATCH_RECORDS = '200';
    try {
      const failure = await ingest(store, [log], { logTz: 'Asia/Seoul', host: 'fault-host', now: () => Date.now() }).then(
        () => null,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(CliError);
      expect((failure as CliError).exitCode).toBe(2);
      expect((failure as CliError).message).toBe(
        `cannot write to the store ${db}: the disk is full: free some space and run again (nothing was half-written)`,
      );
    } finally {
      delete process.env.CRAVENY_OPS_BATCH_RECORDS;
      await store.close();
    }
    expect(integrity(db)).toBe('ok');
    expect(halfWritten(db, referenceDb)).toEqual([]);
    const partial = new SQLite(db, { readonly: true }).prepare('SELECT COUNT(*) AS n FROM records').get() as { n: number };
    expect(partial.n).toBeGreaterThan(0); // some batches did commit before the disk filled
    // With room again, the same file completes exactly once.
    expect(bin(['--db', db, 'ingest', ...HOST, log]).code).toBe(0);
    expect(halfWritten(db, referenceDb)).toEqual([]);
  });

  const mountPoint = path.join(tempDir('craveny-tmpfs-'), 'small');
  fs.mkdirSync(mountPoint);
  const mounted = asRoot && spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=768k', 'tmpfs', mountPoint]).status === 0;
  afterAll(() => {
    if (mounted) spawnSync('umount', [mountPoint]);
  });
  if (!mounted) console.info(`skipping the real full-disk test: cannot mount a tmpfs${asRoot ? '' : ' (needs root)'}`);

  it.skipIf(!mounted)('on a real 768 KiB tmpfs: exit 2 "the disk is full", nothing half-written', async () => {
    const db = path.join(mountPoint, 'store.db');
    const run = await spawnBin(['--db', db, 'ingest', ...HOST, log], { env: { CRAVENY_OPS_BATCH_RECORDS: '200' } });
    expect(run.code).toBe(2);
    expect(oneLine(run.stderr)).toMatch(new RegExp(`^craveny-ops: cannot (write to|bring) the store ${db}.*: the disk is full`));
    // Checked in place, on the full disk: the last committed state is whole.
    expect(integrity(db)).toBe('ok');
    expect(halfWritten(db, referenceDb)).toEqual([]);
  });
});

describe('a corrupt store file', () => {
  const sha = (file: string) => createHash('sha1').update(fs.readFileSync(file)).digest('hex');

  it('(garbage bytes): exit 2 "not a craveny-ops store, or it is corrupt", and the file is left alone', () => {
    const db = path.join(dir, 'garbage.db');
    fs.writeFileSync(db, Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 7919 + seed) % 251)));
    const before = sha(db);
    for (const args of [['ingest', ...HOST, DAY], ['migrate'], ['stats', '--days', '7', '--until', '2025-11-05']]) {
      const run = bin(['--db', db, ...args]);
      expect(run.code, `${args[0]}: ${run.stderr}`).toBe(2);
      expect(oneLine(run.stderr)).toMatch(new RegExp(`^craveny-ops: cannot open the store ${db}: it is not a craveny-ops store, or it is corrupt`));
    }
    expect(sha(db)).toBe(before);
  });

  it('(a real store with its pages overwritten): exit 2 with the same clear line, never a stack trace', () => {
    const db = storeWithDay('overwritten');
    const size = fs.statSync(db).size;
    const fd = fs.openSync(db, 'r+');
    // Page 1 (the header) kept, everything after it garbage.
    fs.writeSync(fd, Buffer.alloc(size - 4096, 0xa5), 0, size - 4096, 4096);
    fs.closeSync(fd);
    const run = bin(['--db', db, 'ingest', ...HOST, log]);
    expect(run.code, run.stderr).toBe(2);
    expect(oneLine(run.stderr)).toMatch(/it is not a craveny-ops store, or it is corrupt/);
  });
});
