/**
 * An ingest gives back every descriptor it opened (src/ingest/input.ts `close`): `ingest --follow`
 * and `serve` run it again and again in one process, where each one left open would pile up until
 * the process can open no more files. Counted in /proc/self/fd around each in-process run, for each
 * kind of input: a plain file, a gzip file read whole, one set aside unread (known unchanged by its
 * trailer, while its stream has started reading), one that fails to decompress.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from './helpers.js';
import { attempt, FORCED, succeeded } from './support/analysis-log.js';
import { openDescriptors } from './support/piped-stdin.js';

const NOW = Date.parse('2025-11-05T00:00:00+09:00');
const TWO = [attempt('2025-11-04 10:00:00,000', '005930', FORCED), succeeded('2025-11-04 10:00:05,000', '005930')].join('\n') + '\n';

/** Runs `ingest --json file` and the descriptors it left open. */
async function ingest(db: string, file: string) {
  const before = openDescriptors();
  const run = await cli(['--db', db, 'ingest', '--json', file], { now: NOW });
  return { run, leaked: openDescriptors() - before };
}

describe('no descriptor is left open by an ingest', () => {
  it('of a plain file, read or unchanged', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'store.db');
    const log = path.join(dir, 'backend.log');
    fs.writeFileSync(log, TWO);
    const first = await ingest(db, log);
    expect([first.run.json().records_added, first.leaked]).toEqual([2, 0]);
    const again = await ingest(db, log);
    expect([again.run.json().records_added, again.leaked]).toEqual([0, 0]);
  });

  it('of a gzip file read whole, and of the same file set aside unread on the next run', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'store.db');
    const gz = path.join(dir, 'backend.log.1.gz');
    // Larger than one read of the file stream (64 KiB): the stream is still reading when set aside.
    fs.writeFileSync(gz, zlib.gzipSync(TWO.repeat(2000), { level: 0 }));
    expect(fs.statSync(gz).size).toBeGreaterThan(64 * 1024);
    const first = await ingest(db, gz);
    expect([first.run.code, first.run.json().records_added, first.leaked]).toEqual([0, 4000, 0]);
    const again = await ingest(db, gz);
    expect([again.run.code, again.run.json().records_added, again.leaked]).toEqual([0, 0, 0]);
  });

  it('of a gzip file that fails to decompress at its start', async () => {
    const gz = path.join(tempDir(), 'backend.log.2.gz');
    // The magic bytes, then bytes that are no deflate stream.
    fs.writeFileSync(gz, Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 0x03]), Buffer.from('not deflate at all, not at all'.repeat(4))]));
    const { run, leaked } = await ingest(path.join(tempDir(), 'store.db'), gz);
    expect([run.code, leaked]).toEqual([2, 0]);
    expect(run.stderr).toMatch(/corrupt or truncated gzip data/);
  });
});
