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
    let interleaved = 0;
    for (let race = 0; race < RACES; race++) {
      const db = path.join(dir, `race-${race}.db`);
      // Scanning in place against a worker, and worker against worker, in turns.
      const [a, b] = await Promise.all([
        spawnBin([...ingestArgs(db), '--json'], { env: race % 2 ? IN_WORKER : SMALL_BATCHES }),
        spawnBin([...ingestArgs(db), '--json'], { env: IN_WORKER }),
      ]);
      expect(a.code, `first ingest: ${a.stderr}`).toBe(0);
      expect(b.code, `second ingest: ${b.stderr}`).toBe(0);
      // Both stored some of the records: their batches interleaved, and compare-and-set kept them apart.
      const added = [a, b].map((run) => JSON.parse(run.stdout).records_added as number);
      expect(added[0] + added[1], `race ${race}`).toBe(reference.records.length);
      if (added[0] > 0 && added[1] > 0) interleaved++;
      const got = snapshot(db);
      expect(got.records.length, `race ${race}`).toBe(reference.records.length);
      expect(got.records).toEqual(reference.records);
      expect(got.attempts).toEqual(reference.attempts);
      expect(got.sources).toEqual(reference.sources);
      expect(doubles(db)).toBe(0);
    }
    // How many races really raced depends on the machine's load; store-checkpoint.test.ts states the
    // compare-and-set itself whatever the timing.
    console.log(`concurrency: ${interleaved} of ${RACES} races had both ingests store records`);
  }, 120_000);
});

/** Records per line of each source in the reference store (of one kind and time range, if given): what a checkpoint at line L covers. */
function recordLinesByFingerprint(db: string, only?: { kind: string; fromMs: number; untilMs: number }): Map<string, number[]> {
  const raw = new SQLite(db, { readonly: true });
  try {
    const rows = (
      only
        ? raw
            .prepare('SELECT s.fingerprint AS fp, r.line_no AS line FROM records r JOIN sources s ON s.id = r.source_id WHERE r.kind = ? AND r.ts >= ? AND r.ts < ?')
            .all(only.kind, only.fromMs, only.untilMs)
        : raw.prepare('SELECT s.fingerprint AS fp, r.line_no AS line FROM records r JOIN sources s ON s.id = r.source_id').all()
    ) as { fp: string; line: number }[];
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
    // Attempts of the stats window that a checkpoint covers: what `stats` must count once that batch is committed.
    const STATS = ['stats', '--days', '7', '--until', '2025-11-05', '--json'];
    const window = { kind: 'attempt', fromMs: Date.parse('2025-10-30T00:00:00+09:00'), untilMs: Date.parse('2025-11-06T00:00:00+09:00') };
    const attemptLines = recordLinesByFingerprint(referenceDb, window);
    const committedAttempts = () =>
      look().sources.reduce((sum, s) => sum + (attemptLines.get(s.fingerprint) ?? []).filter((line) => line <= s.lines).length, 0);
    const finalAttempts = [...attemptLines.values()].reduce((sum, lines) => sum + lines.length, 0);
    expect(finalAttempts).toBeGreaterThan(0);

    let looks = 0;
    let midway = 0;
    const failures: string[] = [];
    const polls = { stats: 0, statsMidway: 0, verify: 0 };
    // stats, as a separate process, for as long as the ingest runs: its total lies between the
    // checkpoints committed before it started and after it ended, and never goes back.
    const pollStats = async () => {
      let previous = 0;
      while (!done) {
        const before = committedAttempts();
        const run = await spawnBin(['--db', db, ...STATS]);
        const after = committedAttempts();
        polls.stats++;
        if (run.code !== 0) {
          failures.push(`stats exited ${run.code}: ${run.stderr}`);
          continue;
        }
        const doc = JSON.parse(run.stdout);
        const total = doc.total_updates;
        if (total < before || total > after || total < previous) failures.push(`stats counted ${total} attempts; committed ${before} before it and ${after} after it, ${previous} seen before`);
        if (doc.succeeded + doc.failed + doc.in_flight !== total) failures.push(`stats: ${doc.succeeded} + ${doc.failed} + ${doc.in_flight} ≠ ${total}`);
        if (total > 0 && total < finalAttempts) polls.statsMidway++;
        previous = total;
      }
    };
    // verify day1 beside it: a rule violation rests on one printed record, so the count of violations never goes back.
    const pollVerify = async () => {
      let previous = 0;
      while (!done) {
        const run = await spawnBin(['--db', db, 'verify', 'day1', '--date', '2025-11-04', '--format', 'json']);
        polls.verify++;
        if (![0, 1, 3].includes(run.code ?? -1)) {
          failures.push(`verify day1 exited ${run.code}: ${run.stderr}`);
          continue;
        }
        const doc = JSON.parse(run.stdout);
        const violations = doc.checks.reduce((sum: number, c: { violation_count: number }) => sum + c.violation_count, 0);
        const expectedCode = { pass: 0, fail: 1, inconclusive: 3 }[doc.status as string];
        if (run.code !== expectedCode) failures.push(`verify day1 said ${doc.status} but exited ${run.code}`);
        if (violations < previous) failures.push(`verify day1 found ${violations} violations after ${previous}`);
        previous = violations;
      }
    };
    const commands = [pollStats(), pollVerify()];
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
    console.log(
      `concurrency: ${looks} consistent reads, ${midway} of them between two batches; ` +
        `${polls.stats} stats polls (${polls.statsMidway} of them counting part of the attempts), ${polls.verify} verify polls`,
    );
    // The reader must really have looked while the ingest was half-way, and every command have run.
    expect(midway).toBeGreaterThan(0);
    expect(polls.stats).toBeGreaterThan(0);
    expect(polls.verify).toBeGreaterThan(0);
    // The last stats poll may end after the ingest: run one more, on the finished store.
    const last = await spawnBin(['--db', db, ...STATS]);
    expect(JSON.parse(last.stdout).total_updates).toBe(finalAttempts);
    expect(snapshot(db).records).toEqual(reference.records);
  }, 120_000);
});
