/**
 * Which file is which through rotation (cli-contract.md `ingest`: re-running on the same, grown or
 * rotated files adds each record exactly once; backend-logs.md: files rotate by rename or by
 * copytruncate). The edges of "files mistaken for one another": a copytruncate is told once; an
 * inode number seen again under another name or on another device is another file, not a truncation;
 * a checkpoint stored before checkpoints carried a proof of their bytes is still resumed from.
 * test/stream-identity.test.ts and test/ingest.test.ts state the ordinary routes.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import SQLite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from './helpers.js';
import { attempt, FORCED, noise, succeeded } from './support/analysis-log.js';

/** 2025-11-05 00:00 KST: after every line below, so that none is "in the future". */
const NOW = Date.parse('2025-11-05T00:00:00+09:00');

const lines = (...l: string[]) => l.join('\n') + '\n';

async function ingest(db: string, ...files: string[]) {
  const run = await cli(['--db', db, 'ingest', '--json', ...files], { now: NOW });
  expect(run.code, run.stderr).toBe(0);
  return { ...run.json(), stderr: run.stderr };
}

/** Edits the stored sources as an older version or another machine would have left them. */
function editSources(db: string, sql: string, ...params: unknown[]) {
  const raw = new SQLite(db);
  try {
    raw.prepare(sql).run(...params);
  } finally {
    raw.close();
  }
}

const TRUNCATED = (log: string) =>
  `warning: ${log} was truncated in place (copytruncate): lines written between the copy and the truncation cannot be recovered`;

/** Three report records at 10:00, 10:01, 10:02 KST (a few hundred bytes: under the 4 KiB proof). */
const FIRST = lines(attempt('2025-11-04 10:00:00,000', '005930', FORCED), succeeded('2025-11-04 10:01:00,000', '005930'), attempt('2025-11-04 10:02:00,000', '000660', FORCED));

describe('a file truncated in place', () => {
  it('is told once when left empty, and what is written into it afterwards is read from its first byte', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'backend.log');
    const db = path.join(dir, 'store.db');
    fs.writeFileSync(log, FIRST);
    expect((await ingest(db, log)).records_added).toBe(3);
    fs.truncateSync(log, 0);
    const emptied = await ingest(db, log);
    expect(emptied.stderr).toBe(`${TRUNCATED(log)}\n`);
    expect(emptied.files[0].warnings).toHaveLength(1);
    // Still empty at the next run: the same truncation, not another.
    expect((await ingest(db, log)).stderr).toBe('');
    // New lines written after the truncation: a new stream, read whole, without a word.
    fs.writeFileSync(log, lines(attempt('2025-11-04 11:00:00,000', '035720', FORCED)));
    const refilled = await ingest(db, log);
    expect([refilled.records_added, refilled.stderr]).toEqual([1, '']);
  });

  it('is told when refilled with more bytes than it had, and those are read whole as a new stream', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'backend.log');
    const db = path.join(dir, 'store.db');
    fs.writeFileSync(log, FIRST);
    await ingest(db, log);
    // Same inode, same name, other bytes, longer than the checkpoint: not the stream that was read.
    fs.writeFileSync(log, lines(noise('2025-11-04 11:00:00,000'), ...['005380', '035720', '051910', '068270'].map((code, i) => attempt(`2025-11-04 11:0${i}:00,000`, code, FORCED))));
    const run = await ingest(db, log);
    expect(run.records_added).toBe(4);
    expect(run.files[0].warnings).toEqual([TRUNCATED(log).slice('warning: '.length)]);
  });

  it('is not told for a gzip file (its content is never rewritten in place)', async () => {
    const dir = tempDir();
    const gz = path.join(dir, 'backend.log.2.gz');
    const db = path.join(dir, 'store.db');
    fs.writeFileSync(gz, zlib.gzipSync(FIRST));
    await ingest(db, gz);
    // The same name and inode, rewritten with another compressed stream.
    fs.writeFileSync(gz, zlib.gzipSync(lines(attempt('2025-11-04 12:00:00,000', '035720', FORCED))));
    const run = await ingest(db, gz);
    expect([run.records_added, run.stderr]).toEqual([1, '']);
  });
});

describe('an inode number met again', () => {
  /** A stored stream at `at`, then `log` holding other bytes under the inode identity `inode`. */
  async function storedThenOther(edit: (db: string, log: string, inode: string, device: string) => void) {
    const dir = tempDir();
    const old = path.join(dir, 'backend.log.1');
    const log = path.join(dir, 'backend.log');
    const db = path.join(dir, 'store.db');
    fs.writeFileSync(old, FIRST);
    await ingest(db, old);
    fs.writeFileSync(log, lines(attempt('2025-11-04 11:00:00,000', '035720', FORCED), attempt('2025-11-04 11:01:00,000', '005380', FORCED)));
    // The identity ingest gives a plain file: the inode number with its birth time where the file system keeps one.
    const stat = fs.statSync(log);
    const inode = stat.birthtimeMs > 0 ? `${stat.ino}@${stat.birthtimeMs}` : String(stat.ino);
    edit(db, log, inode, String(stat.dev));
    return { db, log, run: await ingest(db, log) };
  }

  it('under another name is another file: read whole, no truncation told', async () => {
    // The old stream kept its name (backend.log.1) but its inode identity is now backend.log's.
    const { run } = await storedThenOther((db, _log, inode) => editSources(db, 'UPDATE sources SET inode = ?', inode));
    expect([run.records_added, run.stderr]).toEqual([2, '']);
  });

  it('on another device is another file: read whole, no truncation told', async () => {
    const { run } = await storedThenOther((db, log, inode, device) => editSources(db, 'UPDATE sources SET inode = ?, path = ?, device = ?', inode, log, `${device}1`));
    expect([run.records_added, run.stderr]).toEqual([2, '']);
  });

  it('under the same name on the same device is that file truncated in place', async () => {
    // The control of the two above: only the name and the device differ there.
    const { log, run } = await storedThenOther((db, log, inode, device) => editSources(db, 'UPDATE sources SET inode = ?, path = ?, device = ?', inode, log, device));
    expect(run.records_added).toBe(2);
    expect(run.stderr).toBe(`${TRUNCATED(log)}\n`);
  });
});

describe('a file renamed by rotation without new lines', () => {
  it('is known under its new name: a new file that gets its inode number under the old name is not taken for it truncated', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'backend.log');
    const db = path.join(dir, 'store.db');
    fs.writeFileSync(log, FIRST);
    await ingest(db, log);
    // Rotated by rename, nothing written since the last run: read again under the new name, it adds nothing.
    fs.renameSync(log, `${log}.1`);
    expect((await ingest(db, `${log}.1`)).records_added).toBe(0);
    // The rotated file is deleted and a new backend.log gets the freed inode number (a file system
    // without birth times): the stored stream lives at backend.log.1 now, so this is a new file.
    const rotatedInode = (() => {
      const raw = new SQLite(db, { readonly: true });
      try {
        return (raw.prepare('SELECT inode FROM sources').get() as { inode: string }).inode;
      } finally {
        raw.close();
      }
    })();
    fs.rmSync(`${log}.1`);
    fs.writeFileSync(log, lines(attempt('2025-11-04 11:00:00,000', '035720', FORCED), attempt('2025-11-04 11:01:00,000', '005380', FORCED)));
    const stat = fs.statSync(log);
    const reused = stat.birthtimeMs > 0 ? `${stat.ino}@${stat.birthtimeMs}` : String(stat.ino);
    editSources(db, 'UPDATE sources SET inode = ? WHERE inode = ?', reused, rotatedInode);
    const run = await ingest(db, log);
    expect([run.records_added, run.stderr]).toEqual([2, '']);
  });
});

describe('a checkpoint stored before checkpoints carried a proof', () => {
  /** Ingests FIRST, then forgets the proof, as a store of that version holds it. */
  async function legacy(write: (file: string, content: string) => void, name: string) {
    const dir = tempDir();
    const log = path.join(dir, name);
    const db = path.join(dir, 'store.db');
    write(log, FIRST);
    expect((await ingest(db, log)).records_added).toBe(3);
    editSources(db, 'UPDATE sources SET proof = NULL, proof_len = NULL');
    return { log, db };
  }

  it('is trusted: a plain file that grew adds only its new records, and the next checkpoint is proven again', async () => {
    const { log, db } = await legacy(fs.writeFileSync, 'backend.log');
    fs.appendFileSync(log, lines(succeeded('2025-11-04 10:03:00,000', '000660')));
    const grown = await ingest(db, log);
    expect([grown.records_added, grown.stderr]).toEqual([1, '']);
    // The checkpoint this run stored carries the proof of its bytes: the run after resumes from it too.
    fs.appendFileSync(log, lines(attempt('2025-11-04 10:04:00,000', '035720', FORCED)));
    expect((await ingest(db, log)).records_added).toBe(1);
    expect((await ingest(db, log)).records_added).toBe(0);
  });

  it('is trusted for a stream read once (gzip): it adds only what follows the checkpoint', async () => {
    const { log, db } = await legacy((file, content) => fs.writeFileSync(file, zlib.gzipSync(content)), 'backend.log.1.gz');
    fs.writeFileSync(log, zlib.gzipSync(FIRST + lines(succeeded('2025-11-04 10:03:00,000', '000660'))));
    const grown = await ingest(db, log);
    expect([grown.records_added, grown.stderr]).toEqual([1, '']);
  });
});
