/**
 * Concurrency: ingests racing on the same files, and readers running while an ingest commits.
 * Records and checkpoints share one transaction, so a reader sees whole batches or nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { bin, tempDir } from './helpers.js';
import { LogGenerator, seedOf } from './support/logs.js';
import { doubles, snapshot, spawnBin, type Snapshot } from './support/store.js';

const RACES = 5;
const SMALL_BATCHES = { CRAVENY_OPS_BATCH_RECORDS: '40', CRAVENY_OPS_READ_BYTES: '16384' };
/** The same, scanning in a worker thread (src/ingest/scan.ts) as large files are. */
const IN_WORKER = { ...SMALL_BATCHES, CRAVENY_OPS_SCAN_WORKER_BYTES: '0' };
const seed = seedOf('concurrency');
let dir: string;
let files: string[];
let reference: Snapshot;
let referenceDb: string;
const hasStats = bin(['stats', '--help']).code === 0;
const hasVerify = bin(['verify', '--help']).code === 0;

const ingestArgs = (db: string) => ['--db', db, 'ingest', '--source-host', 'race-host', ...files];

beforeAll(async () => {
  dir = tempDir('craveny-race-');
  const generator = new LogGenerator(seed);
  // A rotated pair, as a cron job would pass them: the older file first.
  files = [path.join(dir, 'backend.log.1'), path.join(dir, 'backend.log')];
  fs.writeFileSync(files[0], generator.text(600_000));
  fs.writeFileSync(files[1], generator.text(600_000));
  referenceDb = path.join(dir, 'reference.db');
  const clean = await spawnBin(ingestArgs(referenceDb));
  expect(clean.code, clean.stderr).toBe(0);
  reference = snapshot(referenceDb);
}, 60_000);

describe('two ingests started together on the same files', () => {
  it(`end with exactly one copy of each record (${RACES} races, each on a fresh store)`, async () => {
    for (let race = 0; race < RACES; race++) {
      const db = path.join(dir, `race-${race}.db`);
      // Scanning in place against a worker, and worker against worker, in turns.
      const [a, b] = await Promise.all([spawnBin(ingestArgs(db), { env: race % 2 ? IN_WORKER : SMALL_BATCHES }), spawnBin(ingestArgs(db), { env: IN_WORKER })]);
      expect(a.code, `first ingest: ${a.stderr}`).toBe(0);
      expect(b.code, `second ingest: ${b.stderr}`).toBe(0);
      const got = snapshot(db);
      expect(got.records.length, `race ${race}`).toBe(reference.records.length);
      expect(got.records).toEqual(reference.records);
      expect(got.attempts).toEqual(reference.attempts);
      expect(got.sources).toEqual(reference.sources);
      expect(doubles(db)).toBe(0);
    }
  }, 120_000);
});

/** Records per line of each source in the reference store: what a checkpoint at line L covers. */
function recordLinesByFingerprint(db: string): Map<string, number[]> {
  const raw = new SQLite(db, { readonly: true });
  try {
    const rows = raw
      .prepare('SELECT s.fingerprint AS fp, r.line_no AS line FROM records r JOIN sources s ON s.id = r.source_id')
      .all() as { fp: string; line: number }[];
    const map = new Map<string, number[]>();
    for (const { fp, line } of rows) map.set(fp, [...(map.get(fp) ?? []), line]);
    return map;
  } finally {
    raw.close();
  }
}

describe('readers during an ingest', () => {
  it('never see a half-committed batch: the records of each source are exactly those its checkpoint covers', async () => {
    const expectedLines = recordLinesByFingerprint(referenceDb);
    const db = path.join(dir, 'read-while-writing.db');
    // The schema first, so that the reader can start at once.
    expect(bin(['--db', db, 'migrate']).code).toBe(0);
    const running = spawnBin(ingestArgs(db), { env: SMALL_BATCHES });
    let done = false;
    void running.then(() => (done = true));

    const reader = new SQLite(db, { readonly: true, timeout: 10_000 });
    // One read transaction: the checkpoint and the records as of the same commit.
    const look = reader.transaction(() => ({
      sources: reader.prepare('SELECT id, fingerprint, lines FROM sources').all() as { id: number; fingerprint: string; lines: number }[],
      counts: new Map(
        (reader.prepare('SELECT source_id AS id, COUNT(*) AS n FROM records GROUP BY source_id').all() as { id: number; n: number }[]).map(
          (r) => [r.id, r.n],
        ),
      ),
    }));
    let looks = 0;
    let midway = 0;
    const commands: Promise<void>[] = [];
    const failures: string[] = [];
    // stats and verify, as separate processes, for as long as the ingest runs.
    const poll = async (args: string[], ok: number[]) => {
      while (!done) {
        const run = await spawnBin(['--db', db, ...args]);
        if (!ok.includes(run.code ?? -1)) failures.push(`${args.join(' ')} exited ${run.code}: ${run.stderr}`);
        else JSON.parse(run.stdout);
      }
    };
    if (hasStats) commands.push(poll(['stats', '--days', '7', '--until', '2025-11-05', '--json'], [0]));
    if (hasVerify) commands.push(poll(['verify', 'day1', '--date', '2025-11-04', '--format', 'json'], [0, 1, 3]));
    while (!done) {
      const { sources, counts } = look();
      for (const s of sources) {
        const covered = (expectedLines.get(s.fingerprint) ?? []).filter((line) => line <= s.lines).length;
        expect(counts.get(s.id) ?? 0, `source ${s.id} at line ${s.lines}`).toBe(covered);
        if (covered > 0 && covered < (expectedLines.get(s.fingerprint) ?? []).length) midway++;
      }
      looks++;
      await new Promise((r) => setTimeout(r, 5));
    }
    await Promise.all(commands);
    reader.close();
    const ingest = await running;
    expect(ingest.code, ingest.stderr).toBe(0);
    expect(failures).toEqual([]);
    console.log(`concurrency: ${looks} consistent reads, ${midway} of them between two batches; stats ${hasStats ? 'polled' : 'not registered'}, verify ${hasVerify ? 'polled' : 'not registered'}`);
    // The reader must really have looked while the ingest was half-way.
    expect(midway).toBeGreaterThan(0);
    expect(snapshot(db).records).toEqual(reference.records);
  }, 120_000);
});
