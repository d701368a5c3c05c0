/**
 * Rotation torture: a writer appends while the test rotates the log by rename (with the writer
 * still writing into the renamed file for a while, as a process holding its descriptor does), by
 * copytruncate (sometimes losing the lines written between the copy and the truncation, as
 * copytruncate does by nature), and by compressing the rotated file (.1 → .2.gz), with ingest
 * runs at random points over the files in a random order. After a final run the store must hold
 * every record that reached a file exactly once; where copytruncate lost lines, the ingest that
 * follows must have said so.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { cli, tempDir, tempStore } from './helpers.js';
import { LogGenerator, rng, seedOf } from './support/logs.js';
import { doubles, snapshot } from './support/store.js';

const ROUNDS = 10;
const STEPS = 40;
const TRUNCATION_WARNING = /warning: .*backend\.log was truncated in place \(copytruncate\)/;

const withoutLineNumbers = (rows: string[]) => rows.map((r) => r.replace(/"line_no":\d+,/, '')).sort();

interface Tally {
  ingests: number;
  renames: number;
  copytruncates: number;
  lossy: number;
  lostLines: number;
  /** Losses the tool cannot see: a truncated file renamed away before the next ingest. */
  unreportable: number;
  lines: number;
}

async function torture(seed: number, tally: Tally): Promise<void> {
  const random = rng(seed);
  const generator = new LogGenerator(seed);
  const dir = tempDir('craveny-rotate-');
  const db = tempStore();
  const live = path.join(dir, 'backend.log');
  const kept: string[] = []; // every line that reached a file and stayed there, in order
  let rotated = 0; // generations: backend.log.1 (plain), backend.log.2.gz …
  let liveIngested = false; // the store has seen the current stream of backend.log
  let lossUnreported = false;
  let truncatedSinceIngest = false;
  let rotationsSinceIngest = 0;
  const trail: string[] = []; // the operations so far, shown when an assertion fails
  const inode = (f: string) => (fs.existsSync(f) ? `${fs.statSync(f).ino}/${fs.statSync(f).size}` : '-');

  const episodes = (n: number) => Array.from({ length: n }, () => generator.next()).flat();
  const append = (file: string, lines: string[]) => fs.appendFileSync(file, lines.map((l) => l + '\n').join(''));
  /** Shifts .N.gz up and compresses .1 into .2.gz, as logrotate's `compress` does. */
  const shift = () => {
    for (let n = rotated; n >= 2; n--) fs.renameSync(`${live}.${n}.gz`, `${live}.${n + 1}.gz`);
    if (rotated >= 1) {
      fs.writeFileSync(`${live}.2.gz`, zlib.gzipSync(fs.readFileSync(`${live}.1`)));
      fs.rmSync(`${live}.1`);
    }
    rotated++;
  };
  const ingest = async () => {
    const files = fs.readdirSync(dir).filter((f) => f.startsWith('backend.log'));
    // Any order: rotated files before or after the live one.
    files.sort(() => random() - 0.5);
    const run = await cli(['--db', db, 'ingest', '--source-host', 'rotating', ...files.map((f) => path.join(dir, f))]);
    expect(run.code, run.stderr).toBe(0);
    trail.push(`ingest ${files.join(' ')} (live ${inode(live)})`);
    if (lossUnreported) expect(run.stderr, `seed ${seed}: copytruncate lost lines and the ingest said nothing after: ${trail.slice(-8).join('; ')}`).toMatch(TRUNCATION_WARNING);
    // With no copytruncate since the last run, a truncation warning would be a false alarm; after two
    // rotations unseen, a new file may have the inode and the name of a stream it has never seen moved.
    if (!truncatedSinceIngest && rotationsSinceIngest < 2) expect(run.stderr, `seed ${seed}: false alarm after: ${trail.slice(-8).join('; ')}`).not.toMatch(TRUNCATION_WARNING);
    lossUnreported = false;
    truncatedSinceIngest = false;
    rotationsSinceIngest = 0;
    if (fs.existsSync(live) && fs.statSync(live).size > 0) liveIngested = true;
    tally.ingests++;
  };

  for (let step = 0; step < STEPS; step++) {
    const op = random();
    if (op < 0.45 || !fs.existsSync(live)) {
      const lines = episodes(1 + Math.floor(random() * 30));
      append(live, lines);
      kept.push(...lines);
      trail.push(`append ${lines.length} (live ${inode(live)})`);
    } else if (op < 0.7) {
      await ingest();
    } else if (op < 0.85) {
      // Rename: the writer keeps its descriptor for a moment and writes into the renamed file.
      shift();
      fs.renameSync(live, `${live}.1`);
      const late = episodes(Math.floor(random() * 3));
      append(`${live}.1`, late);
      kept.push(...late);
      liveIngested = false;
      rotationsSinceIngest++;
      if (lossUnreported) {
        // Truncated, then renamed away before any ingest: the tool knows streams by path and inode
        // together, so this loss goes unreported (a known gap; it takes two rotation methods at once).
        lossUnreported = false;
        tally.unreportable++;
      }
      tally.renames++;
      trail.push(`rename, ${late.length} late lines`);
    } else {
      shift();
      fs.copyFileSync(live, `${live}.1`);
      const lossy = random() < 0.5;
      if (lossy) {
        // Written after the copy and before the truncation: gone, by the nature of copytruncate.
        const lost = episodes(1 + Math.floor(random() * 3));
        append(live, lost);
        tally.lossy++;
        tally.lostLines += lost.length;
        // The tool can tell only about a stream it has seen before.
        if (liveIngested) lossUnreported = true;
      }
      fs.truncateSync(live, 0);
      truncatedSinceIngest = true;
      rotationsSinceIngest++;
      trail.push(`copytruncate${lossy ? ' lossy' : ''} (live ${inode(live)})`);
      liveIngested = false;
      tally.copytruncates++;
      // Most writers append again at once; sometimes the next ingest finds the file empty.
      if (random() < 0.7) {
        const lines = episodes(1 + Math.floor(random() * 5));
        append(live, lines);
        kept.push(...lines);
      }
    }
  }
  await ingest();
  tally.lines += kept.length;

  const reference = tempStore();
  const whole = path.join(tempDir(), 'whole.log');
  fs.writeFileSync(whole, kept.map((l) => l + '\n').join(''));
  expect((await cli(['--db', reference, 'ingest', '--source-host', 'rotating', whole])).code).toBe(0);
  const got = snapshot(db);
  const want = snapshot(reference);
  expect(got.records.length, `seed ${seed}: record count`).toBe(want.records.length);
  expect(withoutLineNumbers(got.records), `seed ${seed}: records`).toEqual(withoutLineNumbers(want.records));
  expect(got.attempts, `seed ${seed}: attempts`).toEqual(want.attempts);
  expect(doubles(db)).toBe(0);
}

describe('rotation torture', () => {
  it(`keeps every record that reached a file exactly once, and reports copytruncate losses (${ROUNDS} rounds of ${STEPS} steps)`, async () => {
    const base = seedOf('rotation');
    const tally: Tally = { ingests: 0, renames: 0, copytruncates: 0, lossy: 0, lostLines: 0, unreportable: 0, lines: 0 };
    for (let round = 0; round < ROUNDS; round++) await torture(base + round, tally);
    console.log(
      `rotation: ${ROUNDS} rounds, ${tally.lines} lines kept, ${tally.ingests} ingests, ${tally.renames} renames, ` +
        `${tally.copytruncates} copytruncates (${tally.lossy} lossy, ${tally.lostLines} lines lost by nature, ${tally.unreportable} of the losses renamed away before an ingest could see them)`,
    );
    expect(tally.renames).toBeGreaterThan(0);
    expect(tally.copytruncates).toBeGreaterThan(0);
  }, 120_000);
});
