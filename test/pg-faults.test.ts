/**
 * PostgreSQL going away under a running command: the connection is cut between craveny-ops and
 * the database (a TCP proxy that can be stopped and started again on the same port, in front of
 * CRAVENY_OPS_TEST_PG or the in-process PGlite). An ingest ends in one line and exit 2 — never an
 * unhandled 'error' event (exit 1, which the contract keeps for failed checks) — and a re-run
 * completes the store exactly once; `serve` answers 503 meanwhile and 200 again once it is back.
 * A URL whose password holds a bare `%` is one line that names it, without the password.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { buildApp } from '../src/server/app.js';
import { openStore } from '../src/store/store.js';
import { cli, tempDir, tempStore } from './helpers.js';
import { generateLog, seedOf } from './support/logs.js';
import { freshDatabase, stopPg, storeContents, type TestPg } from './support/pg.js';
import { spawnBin } from './support/store.js';

/** A TCP proxy to `target` that can drop every connection and refuse new ones, then come back on the same port. */
class Proxy {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  port = 0;
  /** Bytes sent towards the database so far. */
  sent = 0;
  /** When set, stop() once this many bytes have gone towards the database. */
  cutAfter: number | null = null;

  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.target);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      client.on('data', (chunk: Buffer) => {
        this.sent += chunk.length;
        if (this.cutAfter !== null && this.sent >= this.cutAfter) {
          this.cutAfter = null;
          void this.stop();
        }
      });
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  /** PostgreSQL as good as gone: every connection reset, new ones refused. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.resetAndDestroy();
    if (server) await new Promise((resolve) => server.close(resolve));
  }

  url(of: string): string {
    const u = new URL(of);
    u.host = `127.0.0.1:${this.port}`;
    return u.toString();
  }
}

// Small reads and batches: many commits, so that the cut falls between some of them.
const SMALL_BATCHES = { CRAVENY_OPS_BATCH_RECORDS: '40', CRAVENY_OPS_READ_BYTES: '16384' };
let dir = '';
let log = '';
let database: TestPg | null = null;
let proxy: Proxy | null = null;

beforeAll(() => {
  dir = tempDir();
  log = path.join(dir, 'backend.log');
  fs.writeFileSync(log, generateLog(seedOf('pg-faults'), 600_000));
});
afterEach(async () => {
  await proxy?.stop();
  proxy = null;
  await database?.drop();
  database = null;
});
afterAll(stopPg);

async function proxied(label: string): Promise<{ db: TestPg; url: string; proxy: Proxy }> {
  database = await freshDatabase(label);
  const u = new URL(database.url);
  proxy = new Proxy({ host: u.hostname, port: Number(u.port || 5432) });
  await proxy.start();
  return { db: database, url: proxy.url(database.url), proxy };
}

async function count(db: TestPg): Promise<number> {
  try {
    return Number((await db.query('select count(*) as n from records')).rows[0].n);
  } catch {
    return 0; // no table yet
  }
}

describe('PostgreSQL stopping during an ingest', () => {
  it('ends the ingest in one line and exit 2, and a re-run completes the store exactly once', async () => {
    const reference = tempStore();
    expect((await cli(['--db', reference, 'ingest', '--source-host', 'h', log])).code).toBe(0);
    const expected = await storeContents(reference);

    const { db, url, proxy: p } = await proxied('cut');
    // Cut once a quarter of the log has gone towards the database: some batches are in, most are not.
    p.cutAfter = fs.statSync(log).size / 4;
    const run = await spawnBin(['--db', url, 'ingest', '--source-host', 'h', log], { env: SMALL_BATCHES, killAfterMs: 60_000 });
    expect(run.signal).toBeNull();
    expect(run.code, run.stderr).toBe(2);
    const lines = run.stderr.split('\n').filter(Boolean);
    expect(lines, run.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^craveny-ops: .*the store postgres:\/\/.*: (the connection to .* was (lost|closed by the server)|connection refused)/);
    expect(run.stderr).not.toMatch(/Unhandled|\n\s+at /);
    const partial = await count(db);
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(expected.records.length);

    await p.start();
    const again = await spawnBin(['--db', url, 'ingest', '--source-host', 'h', log]);
    expect(again.code, again.stderr).toBe(0);
    const got = await storeContents(url);
    expect(got.records).toEqual(expected.records);
    expect(got.attempts).toEqual(expected.attempts);
  }, 180_000);
});

describe('serve while PostgreSQL goes away and comes back', () => {
  it('answers 503 with one line meanwhile, never crashes, and answers 200 again', async () => {
    const { url, proxy: p } = await proxied('serve');
    expect((await cli(['--db', url, 'ingest', '--source-host', 'h', log])).code).toBe(0);
    const store = await openStore(url);
    const lines: string[] = [];
    const app = await buildApp({ db: store.db, config: await loadConfig(undefined, {}), now: () => Date.now(), log: (line) => lines.push(line) });
    const stats = () => app.inject({ method: 'GET', url: '/admin/report-updates/stats?days=30&until=2025-12-31' });
    try {
      const before = await stats();
      expect(before.statusCode).toBe(200);

      await p.stop();
      for (const url of ['/admin/report-updates/stats?days=30&until=2025-12-31', '/metrics', '/healthz']) {
        const response = await app.inject({ method: 'GET', url });
        expect(response.statusCode, `${url} ${response.body} ${lines.join('\n')}`).toBe(503);
        expect(response.json().error).toMatch(/^store unavailable: /);
        expect(response.json().error).not.toContain('\n');
      }
      expect(lines.join('\n')).not.toMatch(/\n\s+at /);

      await p.start();
      let after = await stats();
      // The pool may hand out one client broken by the cut before it learns of it.
      for (let i = 0; i < 3 && after.statusCode !== 200; i++) after = await stats();
      expect(after.statusCode).toBe(200);
      expect(after.json()).toEqual(before.json());
    } finally {
      await app.close();
      await store.close();
    }
  }, 120_000);
});

describe('a postgres:// URL whose password holds a bare %', () => {
  it.each([
    ['pa%ss', 'password'],
    ['100%', 'password'],
    ['%zz%', 'password'],
  ])('%s: one line naming the problem (percent-encode it), exit 2, the password never shown', async (password, part) => {
    for (const args of [
      ['--db', `postgres://ops:${password}@127.0.0.1:1/store`, 'stats'],
      ['--db', `postgres://ops:${password}@127.0.0.1:1/store`, 'ingest', log],
      ['freshness', '--pg', `postgres://ops:${password}@127.0.0.1:1/backend`],
    ]) {
      const run = await cli(args);
      expect(run.code).toBe(2);
      const lines = run.stderr.split('\n').filter(Boolean);
      expect(lines, run.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(
        new RegExp(`^craveny-ops: the (store|backend database) postgres://ops:\\*\\*\\*@127\\.0\\.0\\.1:1/\\w+: the ${part} in the URL holds a '%' that is not percent-encoded: write each % as %25`),
      );
      expect(run.stdout + run.stderr).not.toContain(password);
    }
  });

  it('an encoded one (%25) is read as the % it stands for', async () => {
    const run = await cli(['--db', 'postgres://ops:pa%25ss@127.0.0.1:1/store', 'stats']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/connection refused/);
    expect(run.stderr).not.toMatch(/percent-encoded/);
  });
});
