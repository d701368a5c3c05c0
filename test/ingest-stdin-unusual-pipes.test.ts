/**
 * Standard input as a shell can hand it over (cli-contract.md `ingest`: `-` for stdin; gzip is known
 * by its magic bytes, not by a name, which stdin does not have; an input that cannot be read exits 2
 * with one line naming it and the problem).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';
import { attempt, FORCED, succeeded } from './support/analysis-log.js';
import { cliPiped } from './support/piped-stdin.js';

const NOW = Date.parse('2025-11-05T00:00:00+09:00');
const TWO = [attempt('2025-11-04 10:00:00,000', '005930', FORCED), succeeded('2025-11-04 10:00:05,000', '005930')].join('\n') + '\n';

const ingest = (stdin: Buffer[] | NodeJS.ReadableStream) => cliPiped(['--db', path.join(tempDir(), 'store.db'), 'ingest', '--json', '-'], stdin, NOW);

describe('standard input', () => {
  it('gzip whose two magic bytes arrive alone, in a first chunk of their own, is decompressed', async () => {
    const gz = zlib.gzipSync(TWO);
    const run = await ingest([gz.subarray(0, 2), gz.subarray(2)]);
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(run.json().files[0]).toMatchObject({ lines: 2, records: 2 });
  });

  it('gzip whose first chunk is its first byte alone is decompressed too (the magic bytes are read across chunks)', async () => {
    const gz = zlib.gzipSync(TWO);
    const run = await ingest([gz.subarray(0, 1), gz.subarray(1, 2), gz.subarray(2)]);
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(run.json().files[0]).toMatchObject({ lines: 2, records: 2 });
    const split = await ingest([gz.subarray(0, 1), gz.subarray(1)]);
    expect(split.json().files[0]).toMatchObject({ lines: 2, records: 2 });
  });

  it('plain whose first chunk is one byte stays plain', async () => {
    const run = await ingest([Buffer.from(TWO.slice(0, 1)), Buffer.from(TWO.slice(1))]);
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(run.json().files[0]).toMatchObject({ lines: 2, records: 2 });
  });

  it.each([
    ['plain', (b: Buffer) => b],
    ['gzip', (b: Buffer) => zlib.gzipSync(b)],
  ])('%s, failing to read part-way: exit 2, one line naming stdin and the error, nothing stored', async (_, encode) => {
    // Enough lines that the failure comes after the first KiB (the stream's identity) is read.
    const bytes = encode(Buffer.from(Array.from({ length: 40 }, (_, i) => attempt(`2025-11-04 10:${String(i).padStart(2, '0')}:00,000`, String(100000 + i), FORCED)).join('\n') + '\n'));
    const cut = Math.min(bytes.length - 1, 1500);
    expect(cut).toBeGreaterThan(2);
    async function* failing() {
      yield bytes.subarray(0, cut);
      throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
    }
    const db = path.join(tempDir(), 'store.db');
    const run = await cliPiped(['--db', db, 'ingest', '--json', '-'], Readable.from(failing()), NOW);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('craveny-ops: -: EIO: i/o error, read\n');
    expect(run.json().records_added).toBe(0);
  });

  it('plain stays plain: a later chunk opening with the gzip magic bytes is read as lines, not decompressed', async () => {
    const [first, second] = TWO.split('\n');
    // A stray binary line between the two records, at the start of the pipe's second chunk.
    const run = await ingest([Buffer.from(`${first}\n`), Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.from(` stray bytes\n${second}\n`)])]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json().files[0]).toMatchObject({ lines: 3, records: 2 });
  });

  // A read refused for permission: root cannot be refused in-process, so the read fails as the system
  // would fail it (test/bad-input.test.ts does it for files through the binary, as nobody).
  it.each(['EACCES', 'EPERM'])('whose read is refused (%s): exit 2, one line saying permission denied', async (code) => {
    async function* refused() {
      yield Buffer.from(TWO);
      throw Object.assign(new Error(`${code}: operation not permitted, read`), { code });
    }
    const run = await ingest(Readable.from(refused()));
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('craveny-ops: -: permission denied\n');
  });

  it('redirected from a directory (ingest - < dir): exit 2, one line saying so', async () => {
    const run = await ingest(fs.createReadStream(tempDir()));
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('craveny-ops: -: is a directory, not a log file\n');
  });
});
