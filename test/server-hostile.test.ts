/**
 * The HTTP server under hostile clients: its query parameters are read by the very definitions the
 * CLI reads its flags with (src/params.ts), so every value one refuses the other refuses with the
 * same words; slow half-sent requests are cut off and cannot keep /healthz from answering; the
 * banner names the address really bound; a broken store is a 503 and one log line, never a stack.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { buildApp, type ServerLimits } from '../src/server/app.js';
import { openStore, type Store } from '../src/store/store.js';
import { BIN, bin, cli, fixture, ROOT, tempStore } from './helpers.js';

const NOW = Date.parse('2025-11-05T00:00:00+09:00'); // the clock test/helpers pins for cli()

let db: string;
let store: Store;
let app: FastifyInstance;

async function appOn(storeDb: Store['db'], limits?: Partial<ServerLimits>, log?: (line: string) => void) {
  return buildApp({ db: storeDb, config: await loadConfig(undefined, {}), now: () => NOW, limits, log });
}

beforeAll(async () => {
  db = tempStore();
  expect((await cli(['--db', db, 'ingest', fixture('logs', 'day.log')])).code).toBe(0);
  store = await openStore(db);
  app = await appOn(store.db);
});
afterAll(async () => {
  await app?.close();
  await store?.close();
});

const query = (params: Record<string, string>) => new URLSearchParams(params).toString();

describe('one definition of every parameter: the CLI and the API refuse the same values with the same words', () => {
  const REFUSED: Array<[string, string, string[], string]> = [
    // [query parameter, value, the CLI command, the endpoint]
    ...['7.0', ' 7', '7 ', '0x10', '1e1', '+7', '-1', '', '0', '31', '٧', '7d'].map(
      (v) => ['days', v, ['stats'], '/admin/report-updates/stats'] as [string, string, string[], string],
    ),
    ...['Infinity', '-Infinity', 'NaN', '1e308', '0x10', ' 0.001', '0.001 ', '-0.001', '1e3', '100.0001', '1,5', ''].map(
      (v) => ['price_per_call', v, ['cost'], '/admin/report-updates/cost'] as [string, string, string[], string],
    ),
    ...['2025-02-30', '2025-11-4', ' 2025-11-04', '20251104', 'today'].map(
      (v) => ['until', v, ['anomalies'], '/admin/anomalies'] as [string, string, string[], string],
    ),
    ['date', '2025-13-01', ['verify', 'day1'], '/admin/verify/day1'],
    ['from', '2025-11-04T00:00', ['verify', 'week'], '/admin/verify/week'],
  ];

  it.each(REFUSED)('%s=%j: exit 2 with one line, and 400 with the same message as JSON', async (name, value, command, endpoint) => {
    const flag = `--${name.replace(/_/g, '-')}`;
    const run = await cli(['--db', db, ...command, `${flag}=${value}`]);
    expect(run.code).toBe(2);
    const lines = run.stderr.split('\n').filter(Boolean);
    expect(lines, run.stderr).toHaveLength(1);
    // The CLI sends the reader to the command's help; the API's message is the same without that pointer.
    expect(lines[0]).toMatch(new RegExp(` \\(see craveny-ops ${command.join(' ')} --help\\)$`));
    const cliMessage = lines[0].replace(/^craveny-ops: /, '').replace(/ \(see craveny-ops [a-z0-9 ]+ --help\)$/, '');
    expect(cliMessage.startsWith(`${flag} must be `), cliMessage).toBe(true);

    const response = await app.inject({ method: 'GET', url: `${endpoint}?${query({ [name]: value })}` });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json()).toEqual({ error: cliMessage.replace(flag, name) });
  });

  const ACCEPTED: Array<[string, string, number]> = [
    ['price_per_call', '0.002', 0.002],
    ['price_per_call', '$0.002', 0.002],
    ['price_per_call', '2e-3', 0.002],
    ['price_per_call', '0', 0],
    ['price_per_call', '100', 100],
  ];
  it.each(ACCEPTED)('%s=%s is taken by both, with the same document', async (name, value, price) => {
    const run = await cli(['--db', db, 'cost', '--days', '7', '--until', '2025-11-04', '--json', `--price-per-call=${value}`]);
    expect(run.code, run.stderr).toBe(0);
    const response = await app.inject({ method: 'GET', url: `/admin/report-updates/cost?${query({ days: '7', until: '2025-11-04', [name]: value })}` });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(run.json());
    expect(response.json().price_per_call).toBe(price);
    expect(Number.isFinite(response.json().total_cost_usd)).toBe(true);
  });

  it('days=07 and --days 07 are both the 7 days', async () => {
    const run = await cli(['--db', db, 'stats', '--days', '07', '--until', '2025-11-04', '--json']);
    const response = await app.inject({ method: 'GET', url: '/admin/report-updates/stats?days=07&until=2025-11-04' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(run.json());
    expect(response.json().period_days).toBe(7);
  });

  it('the OpenAPI document shows each parameter from its definition, with the route default', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const param = (path: string, name: string) => doc.paths[path].get.parameters.find((p: { name: string }) => p.name === name);
    expect(param('/admin/report-updates/stats', 'days').schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 30, default: 7 });
    expect(param('/admin/anomalies', 'days').schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 30, default: 1 });
    expect(param('/admin/report-updates/cost', 'price_per_call').schema).toMatchObject({ type: 'number', minimum: 0, maximum: 100 });
    expect(param('/admin/report-updates/stats', 'until').schema).toMatchObject({ type: 'string' });
    expect(param('/admin/report-updates/stats', 'since').schema).toMatchObject({ type: 'string' });
    expect(param('/admin/verify/week', 'from').required).toBe(true);
  });
});

/** Opens `n` connections that each send half a request and then nothing. */
async function slowClients(port: number, n: number): Promise<{ sockets: net.Socket[]; closed: () => number }> {
  let closed = 0;
  const sockets = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<net.Socket>((resolve, reject) => {
          const socket = net.connect({ host: '127.0.0.1', port }, () => {
            socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
            resolve(socket);
          });
          socket.on('error', () => {});
          socket.on('close', () => closed++);
          // Read what the server sends (its 408), so that its closing is seen.
          socket.resume();
          socket.once('error', reject);
        }),
    ),
  );
  return { sockets, closed: () => closed };
}

async function listening(limits?: Partial<ServerLimits>) {
  const server = await appOn(store.db, limits);
  await server.listen({ host: '127.0.0.1', port: 0 });
  const port = (server.server.address() as net.AddressInfo).port;
  return { server, port };
}

async function until(condition: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!condition() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  return condition();
}

describe('slow clients', () => {
  it('300 half-sent requests (default limits): /healthz still answers at once', async () => {
    const { server, port } = await listening();
    const slow = await slowClients(port, 300);
    try {
      const started = Date.now();
      const response = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(5_000) });
      expect(response.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(slow.closed()).toBe(0); // they were all still connected
    } finally {
      for (const s of slow.sockets) s.destroy();
      await server.close();
    }
  }, 30_000);

  it('are cut off after the header timeout, and the server keeps answering', async () => {
    const { server, port } = await listening({ headersTimeoutMs: 1_000, requestTimeoutMs: 2_000 });
    const slow = await slowClients(port, 300);
    try {
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      // The timeout, Node's check interval (at most the timeout here) and a margin for a loaded machine.
      await until(() => slow.closed() === 300, 8_000);
      expect(slow.closed()).toBe(300);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    } finally {
      for (const s of slow.sockets) s.destroy();
      await server.close();
    }
  }, 30_000);

  it('connections beyond the cap are refused; room comes back once they go', async () => {
    const { server, port } = await listening({ maxConnections: 20 });
    const held = await slowClients(port, 20);
    try {
      const extra = await slowClients(port, 5);
      expect(await until(() => extra.closed() === 5, 5_000)).toBe(true);
      expect(held.closed()).toBe(0);
      for (const s of held.sockets) s.destroy();
      let open = 20;
      await until(() => {
        server.server.getConnections((_error, n) => (open = n));
        return open === 0;
      }, 5_000);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    } finally {
      for (const s of held.sockets) s.destroy();
      await server.close();
    }
  }, 30_000);

  it('keeps the documented defaults: header 10 s, request 30 s, keep-alive 5 s, 512 connections', async () => {
    const { server } = await listening();
    try {
      expect(server.server.headersTimeout).toBe(10_000);
      expect(server.server.requestTimeout).toBe(30_000);
      expect(server.server.keepAliveTimeout).toBe(5_000);
      expect(server.server.maxConnections).toBe(512);
    } finally {
      await server.close();
    }
  });
});

describe('the banner', () => {
  async function banner(args: string[]): Promise<string> {
    const child = spawn(process.execPath, [BIN, '--db', db, 'serve', '--port', '0', ...args], { cwd: ROOT, env: { PATH: process.env.PATH } });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    try {
      return await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no banner: ${stderr}`)), 20_000);
        child.stderr.on('data', (chunk: string) => {
          stderr += chunk;
          if (stderr.includes('\n')) {
            clearTimeout(timer);
            resolve(stderr.split('\n')[0]);
          }
        });
      });
    } finally {
      const exited = new Promise((r) => child.on('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  }

  it('names the address really bound: every interface, and IPv6 loopback', async () => {
    expect(await banner(['--host', '0.0.0.0', '--token', 'test-token-0123456789abcdef'])).toMatch(
      /^craveny-ops: serving .* at http:\/\/0\.0\.0\.0:\d+ \(API docs http:\/\/0\.0\.0\.0:\d+\/docs, /,
    );
    expect(await banner(['--host', '127.0.0.1'])).toMatch(/ at http:\/\/127\.0\.0\.1:\d+ /);
  }, 60_000);
});

describe('a broken store behind the server', () => {
  it('a corrupt SQLite store: 503 with one line, logged in one line, no stack; the server keeps answering', async () => {
    const file = tempStore();
    expect(bin(['--db', file, 'ingest', fixture('logs', 'day.log')]).code).toBe(0);
    const broken = await openStore(file);
    const size = fs.statSync(file).size;
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(size - 8192, 0xa5), 0, size - 8192, 8192);
    fs.closeSync(fd);
    const lines: string[] = [];
    const server = await appOn(broken.db, undefined, (line) => lines.push(line));
    try {
      for (const url of ['/admin/report-updates/stats?days=7&until=2025-11-05', '/metrics', '/healthz']) {
        const response = await server.inject({ method: 'GET', url });
        expect(response.statusCode, url).toBe(503);
        expect(response.json().error).toMatch(/^store unavailable: cannot read the store: it is not a craveny-ops store, or it is corrupt: move it aside/);
      }
      expect(lines.join('\n')).not.toMatch(/\n\s+at /);
    } finally {
      await server.close();
      await broken.close();
    }
  });
});
