/**
 * Crash safety: `ingest` killed with SIGKILL at random moments, then run again, must leave the
 * same store as one clean run. Small batches (test knobs) make commits frequent, so that many
 * kills land while a batch is being written or committed.
 */
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/store.js';
import { bin, ROOT, tempDir } from './helpers.js';
import { generateLog, rng, seedOf } from './support/logs.js';
import { doubles, snapshot, spawnBin, type Snapshot } from './support/store.js';

const TRIALS = 20;
const MIGRATE_TRIALS = 5;
const SMALL_BATCHES = { CRAVENY_OPS_BATCH_RECORDS: '40', CRAVENY_OPS_READ_BYTES: '16384', CRAVENY_OPS_SCAN_WORKER_BYTES: '1e15' };
/** The same, scanning in a worker thread (src/ingest/scan.ts) as large files are: every other trial. */
const IN_WORKER = { ...SMALL_BATCHES, CRAVENY_OPS_SCAN_WORKER_BYTES: '0' };
const seed = seedOf('crash');
const random = rng(seed);

let dir: string;
let log: string;
let reference: Snapshot;
let cleanMs: number;
let referenceStats = "";

const ingestArgs = (db: string) => ['--db', db, 'ingest', '--source-host', 'crash-host', log];
const statsOf = (db: string) => bin(['--db', db, 'stats', '--days', '30', '--until', '2025-11-10', '--json']);

/** The checkpoint a killed run left (0 when it died before the schema or the first commit). */
function checkpointOf(db: string): number {
  if (!fs.existsSync(db)) return 0;
  const raw = new SQLite(db, { readonly: true });
  try {
    const hasSources = raw.prepare("SELECT 1 FROM sqlite_master WHERE name = 'sources'").get();
    return hasSources ? (raw.prepare('SELECT COALESCE(MAX(byte_offset), 0) AS o FROM sources').get() as { o: number }).o : 0;
  } finally {
    raw.close();
  }
}

beforeAll(async () => {
  dir = tempDir('craveny-crash-');
  log = path.join(dir, 'backend.log');
  fs.writeFileSync(log, generateLog(seed, 2 << 20));
  const db = path.join(dir, 'reference.db');
  const clean = await spawnBin(ingestArgs(db), { env: SMALL_BATCHES });
  expect(clean.stderr).toBe('');
  expect(clean.code).toBe(0);
  cleanMs = clean.ms;
  reference = snapshot(db);
  referenceStats = statsOf(db).stdout;
}, 120_000);

describe('ingest killed with SIGKILL', () => {
  it(`leaves, after a re-run, the same store as a clean run (${TRIALS} trials, some kills mid-commit)`, async () => {
    expect(reference.records.length).toBeGreaterThan(3_000);
    let partial = 0;
    let kills = 0;
    // Where each landed kill left the store: before its first commit, between two commits, after the last.
    const landed = { beforeFirstCommit: 0, midFile: 0, afterLastCommit: 0 };
    for (let trial = 0; trial < TRIALS; trial++) {
      const db = path.join(dir, `trial-${trial}.db`);
      // One or two kills per trial, each at a random moment of what a clean run takes.
      const rounds = 1 + Math.floor(random() * 2);
      for (let k = 0; k < rounds; k++) {
        // Past the first fifth (node starting up) and before a clean run would end.
        const at = Math.floor(cleanMs * (0.2 + 0.8 * random()));
        const run = await spawnBin(ingestArgs(db), { env: trial % 2 ? IN_WORKER : SMALL_BATCHES, killAfterMs: at });
        if (run.signal === 'SIGKILL') {
          kills++;
          const left = checkpointOf(db);
          if (left === 0) landed.beforeFirstCommit++;
          else if (left < fs.statSync(log).size) landed.midFile++;
          else landed.afterLastCommit++;
        } else expect(run.code, run.stderr).toBe(0);
      }
      const offset = checkpointOf(db);
      if (offset > 0 && offset < fs.statSync(log).size) partial++;
      const rerun = await spawnBin(ingestArgs(db), { env: trial % 2 ? IN_WORKER : SMALL_BATCHES });
      expect(rerun.code, rerun.stderr).toBe(0);
      const got = snapshot(db);
      expect(got.records.length, `trial ${trial} (seed ${seed}): record count`).toBe(reference.records.length);
      expect(got.records, `trial ${trial} (seed ${seed}): records`).toEqual(reference.records);
      expect(got.attempts, `trial ${trial} (seed ${seed}): attempts`).toEqual(reference.attempts);
      expect(got.sources, `trial ${trial} (seed ${seed}): checkpoints`).toEqual(reference.sources);
      expect(doubles(db)).toBe(0);
      expect(statsOf(db).stdout, `trial ${trial}: stats --json`).toBe(referenceStats);
    }
    console.log(
      `crash: ${TRIALS} trials (half scanning in a worker thread), ${kills} kills landed ` +
        `(${landed.beforeFirstCommit} before the first commit, ${landed.midFile} between two commits, ${landed.afterLastCommit} after the last), ` +
        `${partial} stores left mid-file, clean run ${cleanMs} ms`,
    );
    // The kills must have exercised something: most trials killed, and stores left between the first and the last batch.
    expect(kills).toBeGreaterThanOrEqual(TRIALS / 2);
    expect(landed.midFile).toBeGreaterThanOrEqual(TRIALS / 4);
    expect(partial).toBeGreaterThan(0);
  }, 300_000);
});

describe('ingest killed inside a commit', () => {
  it('at the k-th write of an open transaction (5 trials) leaves, after a re-run, the same store as a clean run', async () => {
    const { spawn } = await import('node:child_process');
    let inside = 0;
    for (let trial = 0; trial < 5; trial++) {
      const db = path.join(dir, `in-commit-${trial}.db`);
      const k = 20 + Math.floor(random() * 400);
      // The real CLI, in a child whose SQLite kills the process at its k-th write inside a transaction.
      const script = `
        import SQLite from 'better-sqlite3';
        const probe = new SQLite(':memory:');
        const proto = Object.getPrototypeOf(probe.prepare('select 1'));
        const run = proto.run;
        let writes = 0;
        proto.run = function (...args) {
          if (this.database.inTransaction && ++writes === ${k}) {
            process.stdout.write('killed in a transaction\\n');
            process.kill(process.pid, 'SIGKILL');
          }
          return run.apply(this, args);
        };
        const { main } = await import(${JSON.stringify(path.join(ROOT, 'dist/src/cli.js'))});
        process.exitCode = await main(${JSON.stringify(ingestArgs(db))});
      `;
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
        cwd: ROOT,
        env: { ...process.env, ...SMALL_BATCHES },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      const signal = await new Promise((resolve) => child.on('close', (_code, sig) => resolve(sig)));
      if (signal === 'SIGKILL' && out.includes('killed in a transaction')) inside++;
      const rerun = await spawnBin(ingestArgs(db), { env: SMALL_BATCHES });
      expect(rerun.code, rerun.stderr).toBe(0);
      const got = snapshot(db);
      expect(got.records, `in-commit trial ${trial} (seed ${seed}, k ${k})`).toEqual(reference.records);
      expect(got.attempts).toEqual(reference.attempts);
      expect(got.sources).toEqual(reference.sources);
    }
    console.log(`crash: 5 runs killed inside an open write transaction, ${inside} confirmed`);
    expect(inside).toBe(5);
  }, 120_000);
});

describe('a migration interrupted', () => {
  it('by SIGKILL at a random DDL statement of `migrate` on a fresh store leaves a store the next command migrates', async () => {
    const { spawn } = await import('node:child_process');
    // The real `migrate` in a child whose SQLite counts the schema statements it prepares and, given
    // a k, kills the process at the k-th: a kill that surely lands inside a migration, after the store opened.
    const migrateKilledAt = async (db: string, k: number) => {
      const script = `
        import SQLite from 'better-sqlite3';
        const prepare = SQLite.prototype.prepare;
        let ddl = 0;
        SQLite.prototype.prepare = function (source) {
          // Schema statements of the migrations themselves, in their transaction (not the migrator's own bookkeeping).
          if (this.inTransaction && /^\\s*(create|alter|drop)\\b/i.test(source) && !/craveny_ops_migrations/.test(source) && ++ddl === ${k}) {
            process.stdout.write('killed at ddl ' + ddl + '\\n');
            process.kill(process.pid, 'SIGKILL');
          }
          return prepare.call(this, source);
        };
        process.on('exit', () => process.stdout.write('ddl ' + ddl + '\\n'));
        const { main } = await import(${JSON.stringify(path.join(ROOT, 'dist/src/cli.js'))});
        process.exitCode = await main(['--db', ${JSON.stringify(db)}, 'migrate']);
      `;
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      const signal = await new Promise((resolve) => child.on('close', (_code, sig) => resolve(sig)));
      return { signal, out };
    };
    // How many schema statements a whole migration of a fresh store prepares (k = 0 never kills).
    const whole = await migrateKilledAt(path.join(dir, 'migrate-count.db'), 0);
    const statements = Number(/ddl (\d+)/.exec(whole.out)?.[1]);
    expect(statements, whole.out).toBeGreaterThan(1);
    let inside = 0;
    for (let trial = 0; trial < MIGRATE_TRIALS; trial++) {
      const db = path.join(dir, `migrate-${trial}.db`);
      const k = 1 + Math.floor(random() * statements);
      const run = await migrateKilledAt(db, k);
      if (run.signal === 'SIGKILL' && run.out.includes(`killed at ddl ${k}`)) inside++;
      const again = bin(['--db', db, 'migrate', '--json']);
      expect(again.code, again.stderr).toBe(0);
      const status = JSON.parse(bin(['--db', db, 'migrate', '--status', '--json']).stdout);
      expect(status.migrations.every((m: { executed_at: string | null }) => m.executed_at !== null)).toBe(true);
      const integrity = new SQLite(db, { readonly: true }).pragma('integrity_check', { simple: true });
      expect(integrity).toBe('ok');
    }
    console.log(`crash: ${MIGRATE_TRIALS} migrate runs killed at a random one of their ${statements} schema statements, ${inside} confirmed inside a migration`);
    expect(inside).toBe(MIGRATE_TRIALS);
  }, 60_000);

  it('by SIGKILL in the middle of a migration (after part of its DDL) is rolled back and redone', async () => {
    const db = path.join(dir, 'half-migrated.db');
    // A child process opens the store with the real code, and stops for good when the first
    // migration is about to create its second table (the first exists by then); it is killed there.
    const script = `
      import SQLite from 'better-sqlite3';
      const prepare = SQLite.prototype.prepare;
      SQLite.prototype.prepare = function (source) {
        if (/create table "records"/i.test(source)) {
          process.stdout.write('half\\n');
          for (;;) {}
        }
        return prepare.call(this, source);
      };
      const { openStore } = await import(${JSON.stringify(path.join(ROOT, 'dist/src/store/store.js'))});
      await openStore(${JSON.stringify(db)});
    `;
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d) => String(d).includes('half') && resolve());
      child.on('close', () => reject(new Error(`the migrating child ended before the kill: ${err}`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));

    const migrate = bin(['--db', db, 'migrate']);
    expect(migrate.stderr).toBe('');
    expect(migrate.code).toBe(0);
    const ingest = bin(['--db', db, 'ingest', '--json', path.join(ROOT, 'fixtures/logs/day.log')]);
    expect(ingest.code, ingest.stderr).toBe(0);
    expect(JSON.parse(ingest.stdout).records_added).toBeGreaterThan(0);
    expect(new SQLite(db, { readonly: true }).pragma('integrity_check', { simple: true })).toBe('ok');
  }, 30_000);

  it('that fails half-way is rolled back whole, and the next command migrates cleanly', async () => {
    const file = path.join(tempDir(), 'failing.db');
    // An index named like the first migration's last one makes it fail after all its tables exist.
    const raw = new SQLite(file);
    raw.exec('CREATE TABLE squatter (x INTEGER); CREATE INDEX attempts_completed ON squatter (x);');
    raw.close();
    await expect(openStore(file)).rejects.toThrow(/cannot bring the store .*failing\.db up to date: .*attempts_completed/);
    const afterFailure = new SQLite(file);
    const tables = afterFailure.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
    expect(tables.map((t) => t.name)).not.toContain('sources');
    expect(tables.map((t) => t.name)).not.toContain('records');
    afterFailure.exec('DROP TABLE squatter');
    afterFailure.close();

    const store = await openStore(file);
    try {
      const names = (await store.db.introspection.getTables()).map((t) => t.name);
      expect(names).toEqual(expect.arrayContaining(['sources', 'records', 'attempts']));
    } finally {
      await store.close();
    }
  });
});
