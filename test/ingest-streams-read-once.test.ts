/**
 * Streams read once from their start (standard input, gzip) resume exactly once (cli-contract.md
 * `ingest`: `-` for stdin, `.gz`; re-running on the same, grown or rotated input adds each record
 * exactly once). Such a stream cannot be read at an offset: its bytes are read ahead up to the
 * furthest checkpoint it may continue, each stored stream's proof is checked against them, and the
 * stream is read again from the checkpoint it does continue. Two containers' logs that share their
 * first KiB (fixtures/identity/) are given as growing pipes, interleaved, with reads of 64 bytes so
 * that every edge falls inside a read: the store must end up as if each were read whole once.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cli, fixture, tempDir } from './helpers.js';
import { recordRows as records } from './support/store.js';

const A = fs.readFileSync(fixture('identity', 'container-a.log'));
const B = fs.readFileSync(fixture('identity', 'container-b.log'));
/** Report records in each container's log (test/stream-identity.test.ts). */
const RECORDS = 50;
/** The day after the fixtures' day. */
const NOW = Date.parse('2025-11-07T00:00:00+09:00');

afterEach(() => {
  vi.unstubAllEnvs();
});

async function pipe(db: string, bytes: Buffer) {
  const run = await cli(['--db', db, 'ingest', '--json', '-'], { now: NOW, stdin: bytes });
  expect(run.code, run.stderr).toBe(0);
  return { added: run.json().records_added as number, stderr: run.stderr };
}

/** The first `n` bytes of `bytes`, cut after a whole line. */
const upTo = (bytes: Buffer, n: number) => bytes.subarray(0, bytes.indexOf('\n', n) + 1);

describe('two streams sharing their first KiB, piped as they grow', () => {
  it('each resume from their own checkpoint, read again from the bytes read ahead: every record once', async () => {
    vi.stubEnv('CRAVENY_OPS_READ_BYTES', '64');
    // The two logs are the same for their first 1430 bytes, then differ.
    expect(A.subarray(0, 1430)).toEqual(B.subarray(0, 1430));
    const db = path.join(tempDir(), 'store.db');
    const a1 = await pipe(db, upTo(A, 3000));
    expect(a1.stderr).toBe('');
    // B's bytes differ before A's checkpoint: another stream, read whole, with one warning.
    const b1 = await pipe(db, upTo(B, 6000));
    expect(b1.stderr).toMatch(/^warning: -: starts with the same bytes as the stream read from - but is another stream/);
    // A whole: read ahead to B's checkpoint (the furthest), A's proven, read again from A's checkpoint.
    const a2 = await pipe(db, A);
    // B whole, compressed: B's own checkpoint is the furthest.
    const b2 = await pipe(db, zlib.gzipSync(B));
    expect([a2.stderr, b2.stderr]).toEqual(['', '']);
    expect(a1.added + a2.added).toBe(RECORDS);
    expect(b1.added + b2.added).toBe(RECORDS);
    // Given again, whole, in either form: nothing is added.
    expect((await pipe(db, zlib.gzipSync(A))).added).toBe(0);
    expect((await pipe(db, B)).added).toBe(0);

    const whole = path.join(tempDir(), 'store.db');
    await pipe(whole, A);
    await pipe(whole, B);
    expect(records(db)).toEqual(records(whole));
  });

  it('a stream shorter than the furthest checkpoint is proven against the checkpoints it reaches', async () => {
    vi.stubEnv('CRAVENY_OPS_READ_BYTES', '64');
    const db = path.join(tempDir(), 'store.db');
    // A is stored up to 5000 bytes, B whole (8102: further than A's stream will be when given).
    await pipe(db, upTo(A, 5000));
    await pipe(db, B);
    // A up to 6000: it ends before B's checkpoint, and continues its own from 5000.
    const a = await pipe(db, upTo(A, 6000));
    expect(a.stderr).toBe('');
    const reference = path.join(tempDir(), 'store.db');
    const expected = (await pipe(reference, upTo(A, 6000))).added - (await pipe(path.join(tempDir(), 'store.db'), upTo(A, 5000))).added;
    expect(a.added).toBe(expected);
    expect(a.added).toBeGreaterThan(0);
  });
});
