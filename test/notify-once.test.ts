/**
 * `anomalies --notify-webhook` alerts once: a receiver on 127.0.0.1 counts the posts of repeated
 * cron runs; the store remembers what was posted (SQLite and PostgreSQL, any host), only after a
 * successful post; retries carry the same Idempotency-Key; a huge answer is not read whole.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { postJson } from '../src/notify/webhook.js';
import { cli, fixture, tempStore } from './helpers.js';
import { freshDatabase, stopPg } from './support/pg.js';

interface Post {
  headers: http.IncomingHttpHeaders;
  body: any;
}

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((s) => {
      const closed = new Promise((done) => s.close(done));
      s.closeAllConnections();
      return closed;
    }),
  );
});
afterAll(() => stopPg());

/** A receiver answering each post with the next status of `statuses` (the last one repeats). */
async function receiver(statuses: number[] = [200]): Promise<{ url: string; posts: Post[] }> {
  const posts: Post[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      posts.push({ headers: req.headers, body: JSON.parse(body) });
      res.writeHead(statuses[Math.min(posts.length - 1, statuses.length - 1)]);
      res.end('ok');
    });
  });
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, posts };
}

const FAST_RETRIES = { CRAVENY_OPS_WEBHOOK_BACKOFF_MS: '5' };
const log = (name: string) => fixture('anomalies', name);

async function ingest(db: string, file: string, hostname = 'cron-1'): Promise<void> {
  const run = await cli(['--db', db, 'ingest', file], { hostname });
  expect(run.code, run.stderr).toBe(0);
}

function anomalies(db: string, url: string, args: string[] = ['--until', '2025-11-05'], hostname = 'cron-1') {
  return cli(['--db', db, 'anomalies', '--json', ...args, '--notify-webhook', url], { hostname, env: FAST_RETRIES });
}

const kinds = (doc: { anomalies: { kind: string; stock_code: string | null }[] }) => doc.anomalies.map((a) => `${a.kind} ${a.stock_code}`);

describe('anomalies --notify-webhook, run by cron again and again', () => {
  it('posts each anomaly once, marks it new only in the first run, and exits 1 in every run', async () => {
    const db = tempStore();
    await ingest(db, log('prediction-cap.log'));
    const hook = await receiver();
    const first = await anomalies(db, hook.url);
    expect(first.code).toBe(1);
    expect(first.json().anomalies.map((a: any) => a.new)).toEqual([true, true, true]);
    expect(hook.posts).toHaveLength(1);
    expect(kinds(hook.posts[0].body)).toEqual(kinds(first.json()));

    for (let run = 0; run < 3; run++) {
      const again = await anomalies(db, hook.url);
      expect(again.code).toBe(1);
      expect(again.stderr).toBe('');
      expect(again.json().anomalies.map((a: any) => a.new)).toEqual([false, false, false]);
    }
    expect(hook.posts).toHaveLength(1);

    // A new anomaly in a wider window: only it is posted; the old ones are still listed, not new.
    await ingest(db, log('failure-burst.log'));
    const wider = await anomalies(db, hook.url, ['--days', '5', '--until', '2025-11-07']);
    expect(wider.code).toBe(1);
    const fresh = wider.json().anomalies.filter((a: any) => a.new);
    expect(fresh.length).toBeGreaterThan(0);
    expect(fresh.every((a: any) => a.first_ts.startsWith('2025-11-07'))).toBe(true);
    expect(wider.json().anomalies.filter((a: any) => !a.new)).toHaveLength(3);
    expect(hook.posts).toHaveLength(2);
    expect(kinds(hook.posts[1].body)).toEqual(kinds({ anomalies: fresh }));
    expect(hook.posts[1].body.text).toMatch(new RegExp(`^craveny-ops on cron-1: ${fresh.length} anomal`));

    // Among them one of no stock (a failure spike): it too is remembered, and not posted again.
    expect(fresh.some((a: any) => a.stock_code === null)).toBe(true);
    const repeat = await anomalies(db, hook.url, ['--days', '5', '--until', '2025-11-07']);
    expect(repeat.code).toBe(1);
    expect(repeat.json().anomalies.filter((a: any) => a.new)).toEqual([]);
    expect(hook.posts).toHaveLength(2);
  });

  it('remembers nothing after a failed post: the next run posts everything again', async () => {
    const db = tempStore();
    await ingest(db, log('prediction-cap.log'));
    const down = await receiver([500]);
    const failed = await anomalies(db, down.url);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toMatch(/HTTP 500 .*\(after 3 attempts\)\n$/);
    expect(down.posts).toHaveLength(3);
    const up = await receiver([200]);
    const next = await anomalies(db, up.url);
    expect(next.code).toBe(1);
    expect(next.json().anomalies.map((a: any) => a.new)).toEqual([true, true, true]);
    expect(up.posts).toHaveLength(1);
  });

  it('retries 5xx answers with the same Idempotency-Key, which names the anomaly set', async () => {
    const db = tempStore();
    await ingest(db, log('prediction-cap.log'));
    const flaky = await receiver([503, 502, 200]);
    const run = await anomalies(db, flaky.url);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    expect(flaky.posts).toHaveLength(3);
    const keys = flaky.posts.map((p) => p.headers['idempotency-key']);
    expect(keys[0]).toMatch(/^craveny-ops-[0-9a-f]{32}$/);
    expect(new Set(keys).size).toBe(1);

    // The same set from another store gets the same key (a receiver drops the duplicate) …
    const other = tempStore();
    await ingest(other, log('prediction-cap.log'));
    const hook = await receiver();
    await anomalies(other, hook.url);
    expect(hook.posts[0].headers['idempotency-key']).toBe(keys[0]);
    // … and another set another key.
    await ingest(other, log('failure-burst.log'));
    await anomalies(other, hook.url, ['--days', '5', '--until', '2025-11-07']);
    expect(hook.posts[1].headers['idempotency-key']).not.toBe(keys[0]);
  });

  it('does not retry a 4xx answer other than 429', async () => {
    const db = tempStore();
    await ingest(db, log('prediction-cap.log'));
    const hook = await receiver([400]);
    expect((await anomalies(db, hook.url)).code).toBe(2);
    expect(hook.posts).toHaveLength(1);
  });
});

describe('posting', () => {
  it('reads at most a few KiB of an endless answer, and returns as soon as it has the status', async () => {
    let served = 0;
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        const chunk = Buffer.alloc(64 * 1024, 120);
        const pump = () => {
          while (!res.destroyed && res.write(chunk)) served += chunk.length;
          if (!res.destroyed) res.once('drain', pump);
        };
        pump();
      });
    });
    servers.push(server);
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const started = Date.now();
    const result = await postJson(new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`), { a: 1 }, { timeoutMs: 5_000, attempts: 1 });
    expect(result).toEqual({ ok: true, status: 200 });
    expect(Date.now() - started).toBeLessThan(4_000);
    // An endless body read whole would have run into the timeout instead.
    expect(served).toBeLessThan(64 << 20);
  });

  it('gives up after its attempts with the pauses between them bounded', async () => {
    const hook = await receiver([503]);
    const started = Date.now();
    const result = await postJson(new URL(hook.url), { a: 1 }, { attempts: 3, backoffMs: 50 });
    expect(result).toEqual({ ok: false, error: 'HTTP 503 Service Unavailable (after 3 attempts)' });
    expect(hook.posts).toHaveLength(3);
    // Pauses of 50 and 100 ms.
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });
});

describe('alert once on PostgreSQL, from two hosts sharing the store', () => {
  it('a second host does not post what the first one posted', async () => {
    const pg = await freshDatabase('notify');
    try {
      await ingest(pg.url, log('prediction-cap.log'), 'cron-a');
      const hook = await receiver();
      const a = await anomalies(pg.url, hook.url, undefined, 'cron-a');
      expect(a.code).toBe(1);
      const b = await anomalies(pg.url, hook.url, undefined, 'cron-b');
      expect(b.code).toBe(1);
      expect(b.json().anomalies.map((x: any) => x.new)).toEqual([false, false, false]);
      expect(hook.posts).toHaveLength(1);
    } finally {
      await pg.drop();
    }
  }, 180_000);
});
