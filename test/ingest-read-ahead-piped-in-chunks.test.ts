/**
 * A stream read once (standard input, gzip) that may continue a stored stream is read ahead up to
 * the furthest checkpoint it may continue, proven there, then read again: the bytes read ahead,
 * then the rest of the pipe (src/ingest/read-ahead.ts). cli-contract.md `ingest`: re-running on
 * the same or grown input adds each record exactly once. test/ingest-streams-read-once.test.ts
 * pipes each stream as one chunk; here the pipe delivers 1000 bytes at a time, so that the
 * read-ahead stops inside the stream and the rest comes from the pipe, chunk by chunk.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cli, fixture, tempDir } from './helpers.js';
import { recordRows as records } from './support/store.js';
import { chunksOf, cliPiped, openDescriptors } from './support/piped-stdin.js';

const A = fs.readFileSync(fixture('identity', 'container-a.log'));
const B = fs.readFileSync(fixture('identity', 'container-b.log'));
/** Report records in each container's log (test/stream-identity.test.ts). */
const RECORDS = 50;
/** Lines of container-a.log (it ends with a newline). */
const LINES = A.toString().split('\n').length - 1;
/** The day after the fixtures' day. */
const NOW = Date.parse('2025-11-07T00:00:00+09:00');
const CHUNK = 1000;

afterEach(() => {
  vi.unstubAllEnvs();
});

/** The first `n` bytes of `bytes`, cut after a whole line. */
const upTo = (bytes: Buffer, n: number) => bytes.subarray(0, bytes.indexOf('\n', n) + 1);

async function pipe(db: string, bytes: Buffer) {
  const run = await cliPiped(['--db', db, 'ingest', '--json', '-'], chunksOf(bytes, CHUNK), NOW);
  expect(run.code, run.stderr).toBe(0);
  const summary = run.json();
  return { added: summary.records_added as number, lines: summary.files[0].lines as number, stderr: run.stderr };
}

/** The same records read whole, once each, into a fresh store. */
async function readWhole(...streams: Buffer[]): Promise<string[]> {
  const db = path.join(tempDir(), 'store.db');
  for (const s of streams) await pipe(db, s);
  return records(db);
}

describe('a stream piped in chunks that continues a stored stream', () => {
  it('resumes at its checkpoint: the bytes read ahead past it, then the rest of the pipe, each line and record once', async () => {
    const db = path.join(tempDir(), 'store.db');
    const first = upTo(A, 5000);
    // The checkpoint falls inside a chunk: the read-ahead ends past it, at the chunk's end.
    expect(first.length % CHUNK).not.toBe(0);
    const a1 = await pipe(db, first);
    const a2 = await pipe(db, A);
    expect(a2.stderr).toBe('');
    expect(a1.added + a2.added).toBe(RECORDS);
    expect(a1.lines + a2.lines).toBe(LINES);
    expect(records(db)).toEqual(await readWhole(A));
  });

  it('a checkpoint stored before proofs, beyond the bytes read ahead for another stream, is trusted: the pipe is read on from it', async () => {
    const db = path.join(tempDir(), 'store.db');
    // B up to 3053 bytes, proven; A up to 6095, another stream (they part after byte 1430).
    const b = await pipe(db, upTo(B, 3000));
    const a1 = await pipe(db, upTo(A, 6000));
    expect(a1.stderr).toMatch(/but is another stream/);
    // A's checkpoint as a store from before proofs holds it.
    const raw = new SQLite(db);
    expect(raw.prepare('UPDATE sources SET proof = NULL, proof_len = NULL WHERE byte_offset = ?').run(upTo(A, 6000).length).changes).toBe(1);
    raw.close();
    // A whole: read ahead to B's checkpoint only (B's proof fails), then A resumed at 6095, chunks
    // skipped up to there.
    const a2 = await pipe(db, A);
    expect(a2.stderr).toBe('');
    expect(a1.added + a2.added).toBe(RECORDS);
    expect(a1.lines + a2.lines).toBe(LINES);
    expect(b.added).toBeGreaterThan(0);
    expect(records(db)).toEqual(await readWhole(upTo(B, 3000), A));
  });

  it('a checkpoint stored before proofs, the only one it may continue: nothing to prove, the pipe is read on from it', async () => {
    const db = path.join(tempDir(), 'store.db');
    const a1 = await pipe(db, upTo(A, 6000));
    const raw = new SQLite(db);
    raw.prepare('UPDATE sources SET proof = NULL, proof_len = NULL').run();
    raw.close();
    // 6095 bytes to pass over: the first chunk the pipe gives (its first KiB, rounded up to chunks),
    // whole 1000-byte chunks, then the start of the one the checkpoint falls in.
    const a2 = await pipe(db, A);
    expect(a2.stderr).toBe('');
    expect(a1.added + a2.added).toBe(RECORDS);
    expect(a1.lines + a2.lines).toBe(LINES);
    expect(records(db)).toEqual(await readWhole(A));
  });
});

describe('nothing to read ahead', () => {
  it('a stream that may continue no proven checkpoint writes no temporary file: it is read even where TMPDIR points nowhere', async () => {
    // A container whose temporary directory is missing can still pipe its first logs in.
    const db = path.join(tempDir(), 'store.db');
    vi.stubEnv('TMPDIR', path.join(tempDir(), 'missing'));
    const a = await pipe(db, A);
    expect([a.added, a.lines, a.stderr]).toEqual([RECORDS, LINES, '']);
  });
});

describe('the bytes read ahead are given back', () => {
  it('no descriptor stays open and no temporary directory is left, on standard input and for a gzip file', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'store.db');
    const gz = path.join(dir, 'backend.log.gz');
    fs.writeFileSync(gz, zlib.gzipSync(upTo(A, 5000)));
    expect((await cli(['--db', db, 'ingest', gz], { now: NOW })).code).toBe(0);
    await pipe(db, upTo(B, 5000));
    // The read-ahead file is made where os.tmpdir() says: an empty directory of this test's own.
    const tmp = tempDir();
    vi.stubEnv('TMPDIR', tmp);
    expect(os.tmpdir()).toBe(tmp);

    const before = openDescriptors();
    // B grown, piped: read ahead to A's checkpoint (the furthest), B proven at its own.
    const b = await pipe(db, B);
    expect(openDescriptors()).toBe(before);
    // The gzip file grown (compressed anew, the same first KiB): read ahead to B's checkpoint.
    fs.writeFileSync(gz, zlib.gzipSync(A));
    const a = await cli(['--db', db, 'ingest', '--json', gz], { now: NOW });
    expect([a.code, a.stderr]).toEqual([0, '']);
    expect(openDescriptors()).toBe(before);
    expect(fs.readdirSync(tmp)).toEqual([]);
    // Each resumed, not read whole again.
    expect(records(db)).toEqual(await readWhole(A, B));
    expect(b.added).toBeGreaterThan(0);
  });

  it('also when nothing is read on: a gzip file holding a stream already stored whole adds nothing', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'store.db');
    await pipe(db, A);
    const gz = path.join(dir, 'backend.log.1.gz');
    fs.writeFileSync(gz, zlib.gzipSync(A));
    const before = openDescriptors();
    // Proven at A's checkpoint, its end: the size its trailer declares is the size stored.
    const run = await cli(['--db', db, 'ingest', '--json', gz], { now: NOW });
    expect(openDescriptors()).toBe(before);
    expect([run.code, run.stderr, run.json().records_added]).toEqual([0, '', 0]);
  });

  it('also when the stream fails while read ahead: a truncated gzip of a stored stream fails as one, adding nothing', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'store.db');
    await pipe(db, A);
    const gz = path.join(dir, 'backend.log.1.gz');
    const whole = zlib.gzipSync(A);
    // Its last bytes cut off: it ends before A's checkpoint at 8102 bytes, inside the read-ahead.
    fs.writeFileSync(gz, whole.subarray(0, whole.length - 12));
    const before = openDescriptors();
    const run = await cli(['--db', db, 'ingest', '--json', gz], { now: NOW });
    expect(openDescriptors()).toBe(before);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`craveny-ops: ${gz}: corrupt or truncated gzip data (unexpected end of file)\n`);
    expect(run.json().records_added).toBe(0);
    expect(records(db)).toEqual(await readWhole(A));
  });
});
