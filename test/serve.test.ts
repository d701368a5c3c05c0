/** `craveny-ops serve`: the admin API equals the commands' --json, errors are JSON, tokens guard it, OpenAPI validates. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { buildApp } from '../src/server/app.js';
import { openStore, type Store } from '../src/store/store.js';
import { BIN, cli, fixture, ROOT, tempStore } from './helpers.js';

const parsePrometheus = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => unknown[];
const NOW = Date.parse('2025-11-05T00:00:00+09:00'); // the clock test/helpers pins for cli()
const TOKEN = 'test-token-0123456789abcdef';

let db: string;
let store: Store;
let app: FastifyInstance;

beforeAll(async () => {
  db = tempStore();
  expect((await cli(['--db', db, 'ingest', fixture('logs', 'day.log')])).code).toBe(0);
  store = await openStore(db);
  app = await buildApp({ db: store.db, config: await loadConfig(undefined, {}), now: () => NOW });
});
afterAll(async () => {
  await app?.close();
  await store?.close();
});

const get = async (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });

describe('the admin API documents', () => {
  it('returns exactly the stats --json document for the same window', async () => {
    const response = await get('/admin/report-updates/stats?days=7&until=2025-11-04');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const command = await cli(['--db', db, 'stats', '--json', '--days', '7', '--until', '2025-11-04']);
    expect(response.json()).toEqual(command.json());
    expect(response.json().total_updates).toBe(10);
  });

  it('defaults to the last 7 days ending today (KST), as stats does', async () => {
    const response = await get('/admin/report-updates/stats');
    expect(response.json()).toEqual((await cli(['--db', db, 'stats', '--json'])).json());
    expect(response.json()).toMatchObject({ period_days: 7, until: '2025-11-06T00:00:00+09:00' });
  });

  it('returns the cost --json document, with an explicit price too', async () => {
    for (const [query, args] of [
      ['days=3&until=2025-11-04', ['--days', '3', '--until', '2025-11-04']],
      ['days=1&until=2025-11-04&price_per_call=0.02', ['--days', '1', '--until', '2025-11-04', '--price-per-call', '0.02']],
    ] as const) {
      const response = await get(`/admin/report-updates/cost?${query}`);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual((await cli(['--db', db, 'cost', '--json', ...args])).json());
    }
  });

  it('returns the verify day1 and verify week documents, whatever their verdict', async () => {
    const day1 = await get('/admin/verify/day1?date=2025-11-04');
    expect(day1.statusCode).toBe(200);
    expect(day1.json()).toEqual((await cli(['--db', db, 'verify', 'day1', '--date', '2025-11-04', '--json'])).json());
    // Without a date: the latest trading day with data, as the command picks it.
    expect((await get('/admin/verify/day1')).json().date).toBe('2025-11-04');

    const week = await get('/admin/verify/week?from=2025-11-03&to=2025-11-05');
    expect(week.statusCode).toBe(200);
    expect(week.json()).toEqual((await cli(['--db', db, 'verify', 'week', '--from', '2025-11-03', '--to', '2025-11-05', '--json'])).json());
    expect((await get('/admin/verify/week?from=2025-11-03')).json().to).toBe('2025-11-08');
  });

  it('returns the anomalies --json document with status 200 even when anomalies are found', async () => {
    const response = await get('/admin/anomalies?days=1&until=2025-11-04');
    expect(response.statusCode).toBe(200);
    const command = await cli(['--db', db, 'anomalies', '--json', '--days', '1', '--until', '2025-11-04']);
    expect(command.code).toBe(1);
    expect(response.json()).toEqual(command.json());
    expect(response.json().anomalies.length).toBeGreaterThan(0);
  });
});

describe('bad requests', () => {
  it.each([
    ['days=0', /^days must be a whole number from 1 to 30, got '0'$/],
    ['days=31', /^days must be a whole number from 1 to 30, got '31'$/],
    ['days=abc', /^days must be a whole number from 1 to 30, got 'abc'$/],
    ['days=1.5', /^days must be a whole number from 1 to 30, got '1.5'$/],
    ['days=', /^days must be a whole number from 1 to 30, got ''$/],
    ['days=1&days=2', /^query parameter days is given more than once$/],
    ['until=2025-02-30', /^until must be a day \(YYYY-MM-DD\) or a time \(YYYY-MM-DDTHH:MM, KST unless it carries an offset\), got '2025-02-30'$/],
    ['until=yesterday', /^until must be a day \(YYYY-MM-DD\) or a time \(YYYY-MM-DDTHH:MM, KST unless it carries an offset\), got 'yesterday'$/],
    ['day=3', /^unknown query parameter day$/],
  ])('answers stats?%s with 400 and a JSON error naming the parameter', async (query, message) => {
    const response = await get(`/admin/report-updates/stats?${query}`);
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(Object.keys(response.json())).toEqual(['error']);
    expect(response.json().error).toMatch(message);
  });

  it('answers a verify week of 30 days and refuses 31 with 400', async () => {
    const thirty = await get('/admin/verify/week?from=2025-10-06&to=2025-11-04');
    expect(thirty.statusCode).toBe(200);
    expect(thirty.json().checks[0].days).toHaveLength(30);
    const thirtyOne = await get('/admin/verify/week?from=2025-10-06&to=2025-11-05');
    expect(thirtyOne.statusCode).toBe(400);
    expect(thirtyOne.json().error).toBe('from 2025-10-06 to 2025-11-05 spans 31 days; at most 30');
  });

  it.each([
    ['/admin/verify/week', /from is required/],
    ['/admin/verify/week?from=2025-11-04&to=2025-11-01', /before/],
    ['/admin/verify/week?from=2025-10-01&to=2025-11-04', /at most 30/],
    ['/admin/verify/day1?date=2025-13-01', /^date must be a date as YYYY-MM-DD, got '2025-13-01'$/],
    ['/admin/report-updates/cost?price_per_call=-1', /^price_per_call must be a price in USD from 0 to 100 such as 0.001, got '-1'$/],
    ['/admin/anomalies?days=99', /^days must be a whole number from 1 to 30, got '99'$/],
  ])('answers %s with 400 and a JSON error', async (url, message) => {
    const response = await get(url);
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatch(message);
  });

  it('answers an unknown path with 404 and a JSON error', async () => {
    const response = await get('/admin/nothing');
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: 'no such endpoint: GET /admin/nothing' });
  });
});

describe('monitoring endpoints', () => {
  it('serves /metrics as Prometheus text 0.0.4, the same text as the metrics command', async () => {
    const response = await get('/metrics');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(parsePrometheus(response.body).length).toBeGreaterThan(8);
    expect(response.body).toBe((await cli(['--db', db, 'metrics'])).stdout);
  });

  it('answers /healthz with the log end', async () => {
    const response = await get('/healthz');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok', log_end: '2025-11-04T23:59:00+09:00' });
  });

  it('publishes a valid OpenAPI 3 document describing every endpoint', async () => {
    const response = await get('/openapi.json');
    expect(response.statusCode).toBe(200);
    const doc = response.json();
    expect(doc.openapi).toMatch(/^3\./);
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeTruthy();
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/admin/anomalies',
        '/admin/report-updates/attempts',
        '/admin/report-updates/cost',
        '/admin/report-updates/stats',
        '/admin/report-updates/whatif',
        '/admin/verify/day1',
        '/admin/verify/week',
        '/healthz',
        '/metrics',
        '/openapi.json',
      ].sort(),
    );
    const days = doc.paths['/admin/report-updates/stats'].get.parameters.find((p: { name: string }) => p.name === 'days');
    expect(days).toMatchObject({ in: 'query', schema: { type: 'integer', minimum: 1, maximum: 30 } });
  });

  it('serves a docs page whose assets come from the server itself', async () => {
    const page = await get('/docs/');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toMatch(/swagger-ui/i);
    expect(page.body).not.toMatch(/(src|href)="https?:/);
  });
});

describe('with an access token', () => {
  let guarded: FastifyInstance;
  beforeAll(async () => {
    guarded = await buildApp({ db: store.db, config: await loadConfig(undefined, {}), now: () => NOW, token: TOKEN });
  });
  afterAll(async () => guarded?.close());

  it('refuses every endpoint but /healthz without the bearer token', async () => {
    for (const url of ['/admin/report-updates/stats?days=1', '/metrics', '/openapi.json', '/docs/', '/admin/verify/day1']) {
      const response = await guarded.inject({ url });
      expect(response.statusCode, url).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer');
      expect(response.json().error).toMatch(/bearer token/);
    }
    expect((await guarded.inject({ url: '/healthz' })).statusCode).toBe(200);
    expect((await guarded.inject({ url: '/healthz?verbose=1' })).statusCode).toBe(200);
  });

  it('lets only /healthz itself through: a path that merely starts with it needs the token too', async () => {
    // Without the token nobody learns which paths exist, nor reaches one past /healthz.
    for (const url of ['/healthzx', '/healthz/../metrics', '/healthz%2F..%2Fmetrics', '/healthz/../admin/report-updates/stats?days=1']) {
      const response = await guarded.inject({ url });
      expect(response.statusCode, url).toBe(401);
    }
  });

  it('refuses a wrong token and accepts the right one', async () => {
    const url = '/admin/report-updates/stats?days=7&until=2025-11-04';
    expect((await guarded.inject({ url, headers: { authorization: `Bearer ${TOKEN}x` } })).statusCode).toBe(401);
    expect((await guarded.inject({ url, headers: { authorization: TOKEN } })).statusCode).toBe(401);
    const ok = await guarded.inject({ url, headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().total_updates).toBe(10);
  });

  it('declares the bearer scheme in its OpenAPI document', async () => {
    const doc = (await guarded.inject({ url: '/openapi.json', headers: { authorization: `Bearer ${TOKEN}` } })).json();
    expect(doc.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer' });
    expect(doc.security).toEqual([{ bearer: [] }]);
    expect(doc.paths['/healthz'].get.security).toEqual([]);
  });
});

describe('craveny-ops serve, the command', () => {
  it('refuses a non-loopback address without a token (exit 2, before opening anything)', async () => {
    const run = await cli(['--db', db, 'serve', '--host', '0.0.0.0']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/refusing to serve on 0\.0\.0\.0, which is not a loopback address, without an access token: pass --token/);
  });

  it('refuses a token too short to guard anything', async () => {
    const run = await cli(['--db', db, 'serve', '--host', '0.0.0.0', '--token', 'secret']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--token must be at least 16 characters/);
  });

  it('refuses a port that is not one', async () => {
    const run = await cli(['--db', db, 'serve', '--port', '70000']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--port must be a TCP port/);
  });

  it('serves on loopback, answers over real HTTP, and stops cleanly on SIGTERM', async () => {
    if (!fs.existsSync(path.join(ROOT, 'dist', 'src', 'cli.js'))) throw new Error('run `npm run build` first (npm test does)');
    const child = spawn(process.execPath, [BIN, '--db', db, 'serve', '--port', '0'], { cwd: ROOT, env: { PATH: process.env.PATH } });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    const address = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no address announced: ${stderr}`)), 20_000);
      child.stderr.on('data', (chunk: string) => {
        stderr += chunk;
        const m = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child.on('exit', () => reject(new Error(`exited early: ${stderr}`)));
    });
    try {
      const stats = await fetch(`${address}/admin/report-updates/stats?days=7&until=2025-11-04`);
      expect(stats.status).toBe(200);
      expect(await stats.json()).toEqual((await cli(['--db', db, 'stats', '--json', '--days', '7', '--until', '2025-11-04'])).json());
      expect((await fetch(`${address}/healthz`)).status).toBe(200);
    } finally {
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
    expect(stderr).toMatch(/GET \/admin\/report-updates\/stats\?days=7&until=2025-11-04 200/);
    expect(stderr).toMatch(/SIGTERM: finishing open requests and stopping/);
  });
});
