/** `anomalies --notify-webhook`: the post, and what a failed post does (against a local HTTP server). */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { postJson, redactWebhookUrl } from '../src/notify/webhook.js';
import { cli, fixture, tempStore } from './helpers.js';

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const servers: http.Server[] = [];
afterEach(async () => {
  // Keep-alive and never-answered connections would hold close() open.
  await Promise.all(
    servers.splice(0).map((s) => {
      const closed = new Promise((done) => s.close(done));
      s.closeAllConnections();
      return closed;
    }),
  );
});

/** A webhook on 127.0.0.1 answering every request with `status` (or never, with `null`). */
async function webhook(status: number | null = 200): Promise<{ base: string; received: Received[] }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      if (status === null) return;
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(status < 300 ? 'ok' : 'internal_error');
    });
  });
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

/** A loopback port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

/** Retries as in production, with pauses of milliseconds. */
const FAST_RETRIES = { CRAVENY_OPS_WEBHOOK_BACKOFF_MS: '5' };

async function storeWith(name: string): Promise<string> {
  const db = tempStore();
  expect((await cli(['--db', db, 'ingest', fixture('anomalies', name)])).code).toBe(0);
  return db;
}

describe('anomalies --notify-webhook', () => {
  it('posts the JSON document with a Slack text field when anomalies are found, and still exits 1', async () => {
    const db = await storeWith('prediction-cap.log');
    const hook = await webhook(200);
    const run = await cli(['--db', db, 'anomalies', '--until', '2025-11-05', '--json', '--notify-webhook', `${hook.base}/hooks/ops`], { hostname: 'backend-1' });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    expect(hook.received).toHaveLength(1);
    const [post] = hook.received;
    expect(post.method).toBe('POST');
    expect(post.url).toBe('/hooks/ops');
    expect(post.headers['content-type']).toMatch(/^application\/json/);
    const { text, ...doc } = JSON.parse(post.body);
    expect(doc).toEqual(run.json());
    expect(text.split('\n')).toEqual([
      'craveny-ops on backend-1: 3 anomalies, 2025-11-05 (KST)',
      expect.stringMatching(/^• update_storm 005930 ×6 \(2025-11-05 10:02:00–10:52:00\): 6 updates in 50 min/),
      expect.stringMatching(/^• repeated_new_prediction 005930 ×5 \(2025-11-05 10:11:00–10:52:00\): trigger 2/),
      expect.stringMatching(/^• repeated_new_prediction 000660 ×4 \(2025-11-05 11:30:00–16:20:00\): trigger 2/),
    ]);
  });

  it('posts nothing when nothing is found', async () => {
    const db = await storeWith('healthy.log');
    const hook = await webhook(200);
    const run = await cli(['--db', db, 'anomalies', '--until', '2025-11-04', '--notify-webhook', `${hook.base}/hooks/ops`]);
    expect(run.code).toBe(0);
    expect(hook.received).toEqual([]);
  });

  it('reports a 5xx answer, after its retries, on one stderr line naming the URL, exits 2, and still prints the anomalies', async () => {
    const db = await storeWith('ab-silent.log');
    const hook = await webhook(500);
    const run = await cli(['--db', db, 'anomalies', '--until', '2025-11-06', '--json', '--notify-webhook', `${hook.base}/hooks/ops`], { env: FAST_RETRIES });
    expect(run.code).toBe(2);
    expect(run.json().anomalies.map((a: any) => a.kind)).toEqual(['silent_failure', 'silent_failure']);
    expect(run.stderr).toBe(`craveny-ops: cannot notify the webhook ${hook.base}/hooks/ops: HTTP 500 Internal Server Error (after 3 attempts)\n`);
    expect(hook.received).toHaveLength(3);
  });

  it('reports a refused connection the same way', async () => {
    const db = await storeWith('failure-burst.log');
    const url = `http://127.0.0.1:${await closedPort()}/hooks/ops`;
    const run = await cli(['--db', db, 'anomalies', '--until', '2025-11-07', '--notify-webhook', url], { env: FAST_RETRIES });
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/failure_spike/);
    expect(run.stderr).toMatch(new RegExp(`^craveny-ops: cannot notify the webhook ${url.replace(/\./g, '\\.')}: fetch failed: ECONNREFUSED \\(after 3 attempts\\)\n$`));
  });

  it('keeps credentials out of the message and sends user:password as Basic authentication', async () => {
    const db = await storeWith('failure-burst.log');
    const hook = await webhook(403);
    const secretPath = '/services/T0AAA1111/B0BBB2222/Xq9sVv3kZp7LmN4rT8wY2cQe';
    const url = `${hook.base.replace('//', '//ops:hunter2@')}${secretPath}?token=abc123`;
    const run = await cli(['--db', db, 'anomalies', '--until', '2025-11-07', '--notify-webhook', url]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`craveny-ops: cannot notify the webhook ${hook.base}/services/T0AAA1111/B0BBB2222/***?***: HTTP 403 Forbidden\n`);
    for (const secret of ['hunter2', 'Xq9sVv3kZp7LmN4rT8wY2cQe', 'abc123']) expect(run.stderr).not.toContain(secret);
    expect(hook.received[0].headers.authorization).toBe(`Basic ${Buffer.from('ops:hunter2').toString('base64')}`);
    expect(hook.received[0].url).toBe(`${secretPath}?token=abc123`);
  });
});

describe('postJson', () => {
  it('gives up after its timeout when the server never answers', async () => {
    const hook = await webhook(null);
    const started = Date.now();
    const result = await postJson(new URL(`${hook.base}/slow`), { text: 'hi' }, { timeoutMs: 200, attempts: 1 });
    expect(result).toEqual({ ok: false, error: 'no answer within 0.2 s' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('answers ok with the status of a 2xx answer', async () => {
    const hook = await webhook(204);
    expect(await postJson(new URL(`${hook.base}/x`), { a: 1 })).toEqual({ ok: true, status: 204 });
    expect(JSON.parse(hook.received[0].body)).toEqual({ a: 1 });
  });
});

describe('redactWebhookUrl', () => {
  it('drops user, password and query and masks long path segments', () => {
    expect(redactWebhookUrl(new URL('https://u:p@hooks.slack.com/services/T0001/B0002/abcdefghijklmnopqrstuvwx?x=1'))).toBe(
      'https://hooks.slack.com/services/T0001/B0002/***?***',
    );
    expect(redactWebhookUrl(new URL('http://127.0.0.1:8080/hooks/ops'))).toBe('http://127.0.0.1:8080/hooks/ops');
  });
});
