/**
 * A PostgreSQL store shared by several hosts: concurrent ingest processes (the real binary) end
 * with exactly the union of their records; connection problems are one clear line and exit 2,
 * never with the password.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cli, tempDir, tempStore } from './helpers.js';
import { generateLog } from './support/logs.js';
import { freshDatabase, pgBackend, stopPg, storeContents, type TestPg } from './support/pg.js';
import { spawnBin } from './support/store.js';

/** Commits every few records, so that two processes' transactions interleave many times. */
const SMALL_BATCHES = { CRAVENY_OPS_BATCH_RECORDS: '40' };

let dir = '';
const logs = { a: '', b: '', old: '', current: '' };

beforeAll(() => {
  dir = tempDir();
  logs.a = path.join(dir, 'host-a.log');
  logs.b = path.join(dir, 'host-b.log');
  fs.writeFileSync(logs.a, generateLog(11, 200_000));
  fs.writeFileSync(logs.b, generateLog(22, 200_000));
  // One host's log rotated by rename: backend.log.1 holds the older half.
  const lines = generateLog(33, 200_000).split('\n');
  const cut = lines.findIndex((line, i) => i > lines.length / 2 && /^\d{4}-/.test(line));
  logs.old = path.join(dir, 'backend.log.1');
  logs.current = path.join(dir, 'backend.log');
  fs.writeFileSync(logs.old, lines.slice(0, cut).join('\n') + '\n');
  fs.writeFileSync(logs.current, lines.slice(cut).join('\n'));
});

let database: TestPg | null = null;
afterEach(async () => {
  await database?.drop();
  database = null;
});
afterAll(stopPg);

/** What one SQLite store holds after ingesting the runs one after another. */
async function sequentially(runs: string[][]) {
  const store = tempStore();
  for (const args of runs) {
    const run = await cli(['--db', store, 'ingest', ...args]);
    expect(run.code, run.stderr).toBe(0);
  }
  return storeContents(store);
}

async function concurrently(url: string, runs: string[][]) {
  const results = await Promise.all(runs.map((args) => spawnBin(['--db', url, 'ingest', ...args], { env: SMALL_BATCHES })));
  for (const r of results) expect(r.code, r.stderr).toBe(0);
  return storeContents(url);
}

describe('several ingest processes feeding one PostgreSQL store at once', () => {
  it('end with exactly the union of the records of two hosts', async () => {
    const runs = [
      [logs.a, '--source-host', 'a'],
      [logs.b, '--source-host', 'b'],
    ];
    const expected = await sequentially(runs);
    database = await freshDatabase('union');
    const got = await concurrently(database.url, runs);
    expect(got.records.length).toBeGreaterThan(1000);
    expect(got.records).toEqual(expected.records);
    expect(got.attempts).toEqual(expected.attempts);
  });

  it('end with one copy when two processes ingest the same file of one host', async () => {
    const expected = await sequentially([[logs.a, '--source-host', 'a']]);
    database = await freshDatabase('same');
    const got = await concurrently(database.url, [
      [logs.a, '--source-host', 'a'],
      [logs.a, '--source-host', 'a'],
    ]);
    expect(got.records).toEqual(expected.records);
    expect(got.attempts).toEqual(expected.attempts);
  });

  it('derive the same attempts when one host’s rotated files arrive in two processes at once', async () => {
    const expected = await sequentially([[logs.old, logs.current, '--source-host', 'a']]);
    database = await freshDatabase('rotated');
    const got = await concurrently(database.url, [
      [logs.current, '--source-host', 'a'],
      [logs.old, '--source-host', 'a'],
    ]);
    expect(got.records).toEqual(expected.records);
    expect(got.attempts).toEqual(expected.attempts);
  });
});

describe('a PostgreSQL store that cannot be used', () => {
  const expectOneLine = (run: { code: number; stdout: string; stderr: string }, pattern: RegExp) => {
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(pattern);
    expect(run.stderr).not.toContain('s3cret');
  };

  it('names a refused connection, without the password', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    const run = await cli(['--db', `postgres://ops:s3cret@127.0.0.1:${port}/store`, 'stats', '--json']);
    expectOneLine(run, new RegExp(`the store postgres://ops:\\*\\*\\*@127\\.0\\.0\\.1:${port}/store: connection refused`));
  });

  it('gives up after connect_timeout on a server that never answers', async () => {
    const sockets: net.Socket[] = [];
    const server = net.createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    const started = Date.now();
    const run = await cli(['--db', `postgres://ops:s3cret@127.0.0.1:${port}/store?connect_timeout=1`, 'ingest', logs.a]);
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
    expectOneLine(run, /no answer from 127\.0\.0\.1:\d+ within 1 s/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('is a usage error for a URL that does not parse', async () => {
    const run = await cli(['--db', 'postgres://ops:s3cret@[bad/store', 'stats']);
    expectOneLine(run, /not a valid PostgreSQL URL/);
  });

  it('names failed authentication and a missing database (server only)', async (context) => {
    const backend = await pgBackend();
    if (backend.kind !== 'server') {
      console.info('skipped: in-process PGlite accepts any user and database');
      context.skip();
    }
    const url = new URL(backend.baseUrl);
    url.password = 's3cret';
    expectOneLine(await cli(['--db', url.toString(), 'stats']), /authentication failed for user '.+': check the user name and password/);
    const missing = new URL(backend.baseUrl);
    missing.pathname = '/craveny_ops_no_such_db';
    expectOneLine(await cli(['--db', missing.toString(), 'stats']), /database 'craveny_ops_no_such_db' does not exist/);
  });

  it('lets a read-only user read the store but refuses its ingest with a clear line', async () => {
    database = await freshDatabase('readonly');
    const writable = database.url;
    expect((await cli(['--db', writable, 'ingest', logs.a, '--source-host', 'a'])).code).toBe(0);
    let readOnly = writable;
    let restore = async () => {};
    if (database.kind === 'server') {
      const role = `craveny_ro_${process.pid}_${Date.now().toString(36)}`;
      const schema = (await database.query('select current_schema() as s')).rows[0].s as string;
      await database.query(`create role ${role} login password 's3cret'`);
      await database.query(`grant usage on schema ${schema} to ${role}`);
      await database.query(`grant select on all tables in schema ${schema} to ${role}`);
      const url = new URL(writable);
      url.username = role;
      url.password = 's3cret';
      readOnly = url.toString();
      restore = async () => {
        await database!.query(`drop owned by ${role}`);
        await database!.query(`drop role ${role}`);
      };
    } else {
      // PGlite has one session and ignores the user: a read-only session stands in for the role.
      await database.query('set default_transaction_read_only = on');
      restore = async () => void (await database!.query('set default_transaction_read_only = off'));
    }
    try {
      const read = await cli(['--db', readOnly, 'stats', '--days', '30', '--until', '2025-11-30', '--json']);
      expect(read.code, read.stderr).toBe(0);
      expect(read.json().total_updates).toBeGreaterThan(0);
      const write = await cli(['--db', readOnly, 'ingest', logs.b, '--source-host', 'b']);
      expect(write.code).toBe(2);
      expect(write.stderr).toMatch(/permission denied for user|only accepts reads/);
      expect(write.stderr).not.toContain('s3cret');
    } finally {
      await restore();
    }
  });
});
