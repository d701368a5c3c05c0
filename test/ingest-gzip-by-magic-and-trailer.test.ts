/**
 * Gzip is known by its magic bytes 0x1f 0x8b, both of them, in a file or on standard input
 * (cli-contract.md `ingest`: plain, `.gz` or `-`); an unchanged gzip file is known by its trailer
 * (the CRC-32 and size of its content, its last 8 bytes), so two compressed streams that open
 * alike are still two streams, each read. Standard input larger than one read is read whole.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { cli, fixture, tempDir } from './helpers.js';
import { attempt, FORCED, succeeded } from './support/analysis-log.js';
import { generateLog } from './support/logs.js';

const NOW = Date.parse('2025-11-07T00:00:00+09:00');
const TWO = [attempt('2025-11-04 10:00:00,000', '005930', FORCED), succeeded('2025-11-04 10:00:05,000', '005930')].join('\n') + '\n';

async function ingest(db: string, args: string[], stdin?: Buffer) {
  const run = await cli(['--db', db, 'ingest', '--json', ...args], { now: NOW, stdin });
  expect(run.code, run.stderr).toBe(0);
  return run.json();
}

describe('the magic bytes', () => {
  it.each([
    ['0x1f then another byte', Buffer.from([0x1f, 0x41, 0x0a])],
    ['another byte then 0x8b (Ë)', Buffer.from('Ë\n')],
  ])('a log opening with %s is plain text, in a file and on standard input', async (_, opening) => {
    const dir = tempDir();
    const log = path.join(dir, 'backend.log');
    const bytes = Buffer.concat([opening, Buffer.from(TWO)]);
    fs.writeFileSync(log, bytes);
    // Three lines: the opening one (no logging line) and the two records.
    expect((await ingest(path.join(dir, 'file.db'), [log])).files[0]).toMatchObject({ lines: 3, records: 2 });
    expect((await ingest(path.join(dir, 'stdin.db'), ['-'], bytes)).files[0]).toMatchObject({ lines: 3, records: 2 });
  });
});

describe('two compressed streams that share their first KiB', () => {
  it('are two streams: each is read, the second is not taken for the first one unchanged', async () => {
    const dir = tempDir();
    const a = path.join(dir, 'container-a.log.1.gz');
    const b = path.join(dir, 'container-b.log.1.gz');
    fs.writeFileSync(a, zlib.gzipSync(fs.readFileSync(fixture('identity', 'container-a.log'))));
    fs.writeFileSync(b, zlib.gzipSync(fs.readFileSync(fixture('identity', 'container-b.log'))));
    const db = path.join(dir, 'store.db');
    // Ten attempts of five records in each (test/stream-identity.test.ts).
    expect((await ingest(db, [a])).records_added).toBe(50);
    expect((await ingest(db, [b])).records_added).toBe(50);
    expect((await ingest(db, [a, b])).records_added).toBe(0);
  });
});

describe('standard input larger than one read', () => {
  it('is read whole, plain or compressed, as the same bytes in a file are', async () => {
    const dir = tempDir();
    // About 200 KB: the decompressed stream comes in several chunks.
    const text = generateLog(7, 200_000);
    const log = path.join(dir, 'backend.log');
    fs.writeFileSync(log, text);
    const file = await ingest(path.join(dir, 'file.db'), [log]);
    expect(file.records_added).toBeGreaterThan(100);
    const gz = await ingest(path.join(dir, 'gz.db'), ['-'], zlib.gzipSync(text));
    expect([gz.records_added, gz.files[0].lines]).toEqual([file.records_added, file.files[0].lines]);
  });
});
