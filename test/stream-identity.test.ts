/**
 * A file is never mistaken for another (issue 13, part 2): two containers' logs open with the same
 * uvicorn start-up KiB, a container's host name changes every run, inodes are reused by rotation.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../src/store/store.js';
import { cli, fixture, tempDir, tempStore } from './helpers.js';

const A = fixture('identity', 'container-a.log');
const B = fixture('identity', 'container-b.log');
/** Report records in each container's log: ten attempts of five records. */
const RECORDS = 50;

const opened: Store[] = [];
afterEach(async () => {
  while (opened.length) await opened.pop()!.close();
});

/** The day after the fixtures' day: their times are not in the future. */
const NOW = Date.parse('2025-11-07T00:00:00+09:00');

async function ingest(db: string, args: string[], options: { stdin?: Buffer; hostname?: string } = {}) {
  const run = await cli(['--db', db, 'ingest', '--json', ...args], { now: NOW, ...options });
  expect(run.code, run.stderr).toBe(0);
  return { added: run.json().records_added as number, stderr: run.stderr };
}

async function rows(db: string) {
  const store = await openStore(db);
  opened.push(store);
  const records = await store.db.selectFrom('records').select(['host', 'ts', 'kind', 'stock_code']).orderBy('ts').orderBy('kind').execute();
  const attempts = await store.db.selectFrom('attempts').select(['host', 'stock_code', 'ts', 'outcome', 'completed_ts']).orderBy('ts').execute();
  return { records, attempts };
}

const ANOTHER_STREAM = /container-b\.log: starts with the same bytes as the stream read from .*container-a\.log but is another stream \(its bytes differ before that stream's checkpoint at byte \d+\): read whole as a new stream/;

describe('two files that open with the same KiB', () => {
  it('are two streams: the second is read whole, with one warning line', async () => {
    expect(fs.readFileSync(A).subarray(0, 1024)).toEqual(fs.readFileSync(B).subarray(0, 1024));
    expect(fs.statSync(A).size).toBe(fs.statSync(B).size);
    const db = tempStore();
    expect((await ingest(db, [A])).added).toBe(RECORDS);
    const second = await ingest(db, [B]);
    expect(second.added).toBe(RECORDS);
    expect(second.stderr.trim().split('\n')).toHaveLength(1);
    expect(second.stderr).toMatch(ANOTHER_STREAM);
    // Each goes on from its own checkpoint from then on, without a word.
    expect(await ingest(db, [A, B])).toEqual({ added: 0, stderr: '' });
  });

  it('are two streams on standard input too, and a stream given again adds nothing', async () => {
    const db = tempStore();
    expect((await ingest(db, ['-'], { stdin: fs.readFileSync(A) })).added).toBe(RECORDS);
    const second = await ingest(db, ['-'], { stdin: fs.readFileSync(B) });
    expect(second.added).toBe(RECORDS);
    expect(second.stderr).toMatch(/-: starts with the same bytes as the stream read from - but is another stream/);
    expect(await ingest(db, ['-'], { stdin: fs.readFileSync(B) })).toEqual({ added: 0, stderr: '' });
    expect(await ingest(db, ['-'], { stdin: fs.readFileSync(A) })).toEqual({ added: 0, stderr: '' });
  });

  it('are two streams when the second is compressed', async () => {
    const dir = tempDir();
    const gz = path.join(dir, 'container-b.log.1.gz');
    fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(B)));
    const db = tempStore();
    await ingest(db, [A]);
    const second = await ingest(db, [gz]);
    expect(second.added).toBe(RECORDS);
    expect(second.stderr).toMatch(/container-b\.log\.1\.gz: starts with the same bytes/);
    expect((await rows(db)).records.filter((r) => r.stock_code === '000660')).toHaveLength(RECORDS);
  });

  it('each resume from their own checkpoint as they grow, compressed or not', async () => {
    const dir = tempDir();
    const a = path.join(dir, 'a.log');
    const b = path.join(dir, 'b.log');
    const bytesA = fs.readFileSync(A);
    const bytesB = fs.readFileSync(B);
    fs.writeFileSync(a, bytesA.subarray(0, 4000));
    fs.writeFileSync(b, bytesB.subarray(0, 5000));
    const db = tempStore();
    await ingest(db, [a]);
    await ingest(db, [b]);
    fs.writeFileSync(a, bytesA);
    // b grew and was rotated and compressed before the next run.
    fs.rmSync(b);
    fs.writeFileSync(`${b}.1.gz`, zlib.gzipSync(bytesB));
    const later = await ingest(db, [a, `${b}.1.gz`]);
    expect(later.stderr).toBe('');
    const whole = tempStore();
    await ingest(whole, [A]);
    await ingest(whole, [B]);
    expect(await rows(db)).toEqual(await rows(whole));
  });
});

describe('the host a stream is read on', () => {
  it('is a label: a container with a new host name every run counts each record once', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'backend.log');
    const bytes = fs.readFileSync(A);
    const cut = bytes.indexOf('\n', 5000) + 1;
    fs.writeFileSync(log, bytes.subarray(0, cut));
    const db = tempStore();
    const first = await ingest(db, [log], { hostname: 'ingest-7f9c2' });
    fs.writeFileSync(log, bytes);
    const second = await ingest(db, [log], { hostname: 'ingest-d41e8' });
    expect(first.added + second.added).toBe(RECORDS);
    const once = tempStore();
    await ingest(once, [A], { hostname: 'ingest-7f9c2' });
    expect(await rows(db)).toEqual(await rows(once));
  });

  it('given by --source-host, is still the stream’s label, not part of what makes it the same', async () => {
    const db = tempStore();
    await ingest(db, [A, '--source-host', 'web-1']);
    expect((await ingest(db, [A, '--source-host', 'web-2'])).added).toBe(0);
    expect(new Set((await rows(db)).records.map((r) => r.host))).toEqual(new Set(['web-1']));
  });
});

describe('an inode freed by rotation and reused', () => {
  it('is another file, not the old one truncated in place', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'backend.log');
    fs.copyFileSync(A, log);
    const db = tempStore();
    await ingest(db, [log]);
    // Rotated away and compressed; the new backend.log happens to get the freed inode number.
    fs.renameSync(log, `${log}.1`);
    fs.writeFileSync(`${log}.2.gz`, zlib.gzipSync(fs.readFileSync(`${log}.1`)));
    fs.rmSync(`${log}.1`);
    fs.writeFileSync(log, fs.readFileSync(fixture('logs', 'day.log')));
    const store = await openStore(db);
    const [stored] = await store.db.selectFrom('sources').select(['id', 'inode']).execute();
    const born = stored.inode!.split('@')[1];
    expect(born).toBeTruthy();
    await store.db.updateTable('sources').set({ inode: `${fs.statSync(log).ino}@${born}`, path: log }).where('id', '=', stored.id).execute();
    await store.close();
    const run = await ingest(db, [log, `${log}.2.gz`]);
    expect(run.stderr).not.toMatch(/truncated in place/);
    expect(run.added).toBe(63);
  });
});
