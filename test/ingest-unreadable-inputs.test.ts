/**
 * Inputs that cannot be read, in-process (cli-contract.md, conventions: exit 2 for an input error
 * with a one-line message on stderr naming the problem; `ingest` reads plain, `.gz` or `-`): each
 * such file gets one line naming it and the problem, and the other files of the run are still
 * ingested. What is not a regular file is refused with the way to read it (standard input); gzip
 * is known by its magic bytes, not by its name. test/bad-input.test.ts drives the fixtures of
 * fixtures/bad/ through the binary; these state the edges of src/ingest/input.ts in-process.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cli, tempDir } from './helpers.js';
import { attempt, FORCED, succeeded } from './support/analysis-log.js';

const NOW = Date.parse('2025-11-05T00:00:00+09:00');
const TWO = [attempt('2025-11-04 10:00:00,000', '005930', FORCED), succeeded('2025-11-04 10:00:05,000', '005930')].join('\n') + '\n';

/** Ingests `bad` then a good two-record log in one run, with --json. */
async function withGood(bad: string, options: { stdin?: Buffer } = {}) {
  const dir = tempDir();
  const good = path.join(dir, 'good.log');
  fs.writeFileSync(good, TWO);
  const run = await cli(['--db', path.join(dir, 'store.db'), 'ingest', '--json', bad, good], { now: NOW, ...options });
  return { run, summary: run.json(), good };
}

const closers: (() => void)[] = [];
afterEach(() => {
  vi.unstubAllEnvs();
  while (closers.length) closers.pop()!();
});

describe('a file that cannot be read', () => {
  it.each([
    ['missing', (dir: string) => path.join(dir, 'backend.log'), (p: string) => `${p}: no such file`],
    ['a directory', (dir: string) => dir, (p: string) => `${p}: is a directory, not a log file`],
  ])('%s: exit 2 and one line naming it; the other files are still ingested', async (_, make, message) => {
    const bad = make(tempDir());
    const { run, summary, good } = await withGood(bad);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`craveny-ops: ${message(bad)}\n`);
    expect(summary.files.map((f: { path: string; records: number; error?: string }) => [f.path, f.records, f.error])).toEqual([
      [bad, 0, message(bad)],
      [good, 2, undefined],
    ]);
    expect(summary.records_added).toBe(2);
  });

  it('two of them: both named on the one line, in the order given', async () => {
    const dir = tempDir();
    const a = path.join(dir, 'a.log');
    const b = path.join(dir, 'b.log');
    const run = await cli(['--db', path.join(dir, 'store.db'), 'ingest', a, b], { now: NOW });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`craveny-ops: ${a}: no such file; ${b}: no such file\n`);
  });
});

describe('what is not a regular file', () => {
  const refused = (p: string, kind: string) => `${p}: is ${kind}, not a regular file: pipe it to standard input instead (cat ${p} | craveny-ops ingest -)`;

  it('a FIFO is refused without waiting for a writer, with the way to read it', async () => {
    const fifo = path.join(tempDir(), 'backend.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const { run, summary } = await withGood(fifo);
    expect(run.code).toBe(2);
    expect(summary.files[0].error).toBe(refused(fifo, 'a FIFO'));
    expect(summary.records_added).toBe(2);
  });

  it('a character device (/dev/null) is refused', async () => {
    const { run, summary } = await withGood('/dev/null');
    expect(run.code).toBe(2);
    expect(summary.files[0].error).toBe(refused('/dev/null', 'a character device'));
  });

  it('a socket is refused', async () => {
    const socket = path.join(tempDir(), 'backend.sock');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    closers.push(() => server.close());
    const { run, summary } = await withGood(socket);
    expect(run.code).toBe(2);
    expect(summary.files[0].error).toBe(refused(socket, 'a socket'));
  });
});

describe('gzip', () => {
  it('is known by its magic bytes whatever its name, and its last line counts without a newline (the stream is complete)', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'backend.log.1');
    fs.writeFileSync(log, zlib.gzipSync(TWO.trimEnd()));
    const run = await cli(['--db', path.join(dir, 'store.db'), 'ingest', '--json', log], { now: NOW });
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(run.json().files[0]).toMatchObject({ lines: 2, records: 2 });
  });

  it('from standard input too; plain standard input keeps a last line without a newline for when it is complete', async () => {
    const dir = tempDir();
    const gz = await cli(['--db', path.join(dir, 'gz.db'), 'ingest', '--json', '-'], { now: NOW, stdin: zlib.gzipSync(TWO.trimEnd()) });
    expect(gz.json().records_added).toBe(2);
    const plain = await cli(['--db', path.join(dir, 'plain.db'), 'ingest', '--json', '-'], { now: NOW, stdin: Buffer.from(TWO.trimEnd()) });
    expect(plain.json().files[0]).toMatchObject({ lines: 1, records: 1 });
    // The whole stream given again: its last line is stored, once.
    expect((await cli(['--db', path.join(dir, 'plain.db'), 'ingest', '--json', '-'], { now: NOW, stdin: Buffer.from(TWO) })).json().records_added).toBe(1);
  });

  it('a plain file whose second byte is 0x8b (it opens with Ë) is not gzip', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'backend.log');
    fs.writeFileSync(log, 'Ë\n' + TWO);
    expect(Buffer.from('Ë')).toEqual(Buffer.from([0xc3, 0x8b]));
    const run = await cli(['--db', path.join(dir, 'store.db'), 'ingest', '--json', log], { now: NOW });
    expect(run.code, run.stderr).toBe(0);
    expect(run.json().files[0]).toMatchObject({ lines: 3, records: 2 });
  });

  it('truncated: exit 2, "corrupt or truncated gzip data", the other files still ingested', async () => {
    const gz = path.join(tempDir(), 'backend.log.2.gz');
    const whole = zlib.gzipSync(TWO.repeat(40));
    fs.writeFileSync(gz, whole.subarray(0, whole.length - 12));
    const { run, summary } = await withGood(gz);
    expect(run.code).toBe(2);
    expect(summary.files[0].error).toBe(`${gz}: corrupt or truncated gzip data (unexpected end of file)`);
    expect(run.stderr).toBe(`craveny-ops: ${gz}: corrupt or truncated gzip data (unexpected end of file)\n`);
    expect(summary.records_added).toBe(2);
  });

  it('corrupt: exit 2, "corrupt or truncated gzip data", on standard input too', async () => {
    const gz = path.join(tempDir(), 'backend.log.2.gz');
    // The magic bytes, then bytes that are no deflate stream.
    const corrupt = Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 0x03]), Buffer.from('not deflate at all, not at all'.repeat(4))]);
    fs.writeFileSync(gz, corrupt);
    const { run, summary } = await withGood(gz);
    expect(run.code).toBe(2);
    expect(summary.files[0].error).toMatch(new RegExp(`^${gz.replace(/[.]/g, '\\.')}: corrupt or truncated gzip data \\(.+\\)$`));
    const piped = await cli(['--db', path.join(tempDir(), 'store.db'), 'ingest', '-'], { now: NOW, stdin: corrupt });
    expect(piped.code).toBe(2);
    expect(piped.stderr).toMatch(/^craveny-ops: -: corrupt or truncated gzip data \(.+\)\n$/);
  });

  it('that fails half-way fails again on the next run: what it committed before the damage is not taken for the whole file', async () => {
    // Batches of one record: several commits land before the damage is met.
    vi.stubEnv('CRAVENY_OPS_BATCH_RECORDS', '1');
    vi.stubEnv('CRAVENY_OPS_READ_BYTES', '256');
    const dir = tempDir();
    const gz = path.join(dir, 'backend.log.2.gz');
    const db = path.join(dir, 'store.db');
    const whole = zlib.gzipSync(TWO.repeat(40));
    fs.writeFileSync(gz, whole.subarray(0, whole.length - 12));
    const message = `craveny-ops: ${gz}: corrupt or truncated gzip data (unexpected end of file)\n`;
    for (let run = 1; run <= 2; run++) {
      const again = await cli(['--db', db, 'ingest', gz], { now: NOW });
      expect([run, again.code, again.stderr]).toEqual([run, 2, message]);
    }
  });
});
