/**
 * Follow mode: `ingest --follow` and `serve --follow` on a log that grows, rotates and is
 * compressed while they run, with a cron ingest beside them; each record exactly once.
 * Runs the built binary (npm run build first).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseInterval } from '../src/ingest/follow.js';
import { bin, BIN, cli, fixture, ROOT, tempDir, tempStore } from './helpers.js';

const DAY = fs.readFileSync(fixture('logs', 'day.log'), 'utf8').split(/(?<=\n)/);
/** Lines `from` to `to` of day.log, 1-based and inclusive. */
const lines = (from: number, to: number) => DAY.slice(from - 1, to).join('');

interface Running {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
}

function start(args: string[]): Running {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { PATH: process.env.PATH } });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => void (out += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => void (err += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exited };
}

/** Polls until `test` holds; fails after `ms` with what was seen. */
async function until(test: () => boolean | Promise<boolean>, what: () => string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const recordsIn = async (db: string) => (await cli(['--db', db, 'stats', '--json', '--days', '7', '--until', '2025-11-04'])).json();

describe('parseInterval', () => {
  it('reads seconds, milliseconds and minutes, 5 s by default', () => {
    expect([parseInterval(undefined), parseInterval('5s'), parseInterval('500ms'), parseInterval('1m'), parseInterval('2')]).toEqual([5000, 5000, 500, 60_000, 2000]);
    for (const bad of ['0s', '5ms', 'soon', '-1s']) expect(() => parseInterval(bad), bad).toThrow(/--interval must be a duration/);
  });
});

describe('ingest --follow', () => {
  it('ingests what is appended, rotated in and compressed, exactly once beside a cron ingest, and stops on SIGINT with exit 0', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'backend.log');
    const rotated = path.join(dir, 'backend.log.1');
    const gz = path.join(dir, 'backend.log.2.gz');
    const db = tempStore();
    fs.writeFileSync(log, lines(1, 30));
    const run = start(['--db', db, 'ingest', '--follow', log, rotated, gz, '--interval', '100ms']);
    const rounds = () => run.out().split('\n').filter((l) => l.includes('records added')).length;
    try {
      await until(() => rounds() >= 1, run.err);
      fs.appendFileSync(log, lines(31, 60));
      await until(() => rounds() >= 2, run.err);
      // A cron ingest of the same files at the same time doubles nothing.
      fs.appendFileSync(log, lines(61, 66));
      expect(bin(['--db', db, 'ingest', log]).code).toBe(0);
      // Lines appended just before a rotation by rename (read from the renamed file), a new file,
      // then the rotated one compressed.
      fs.appendFileSync(log, lines(67, 72));
      fs.renameSync(log, rotated);
      fs.writeFileSync(log, lines(73, 80));
      await until(async () => (await recordsIn(db)).total_updates >= 8, run.err);
      fs.appendFileSync(log, lines(81, DAY.length));
      fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(rotated)));
      fs.rmSync(rotated);
      await until(async () => (await recordsIn(db)).total_updates === 10, run.err);
    } finally {
      run.child.kill('SIGINT');
    }
    expect(await run.exited).toBe(0);
    expect(run.err()).toContain('SIGINT: finishing the current batch and stopping');
    expect(run.out()).toMatch(/stopped after \d+ rounds; records added: \d+\n$/);

    // The same records as one ingest of the whole day.
    const once = tempStore();
    expect(bin(['--db', once, 'ingest', fixture('logs', 'day.log')]).code).toBe(0);
    expect(await recordsIn(db)).toEqual(await recordsIn(once));
    const count = (store: string) => bin(['--db', store, 'attempts', '--json', '--days', '2', '--until', '2025-11-04']).stdout;
    expect(count(db)).toBe(count(once));
  }, 60_000);

  it('refuses stdin and --interval without --follow', async () => {
    const db = tempStore();
    const stdin = await cli(['--db', db, 'ingest', '--follow', '-']);
    expect([stdin.code, stdin.stderr]).toEqual([2, 'craveny-ops: --follow reads files, not stdin (-) (see craveny-ops ingest --help)\n']);
    const interval = await cli(['--db', db, 'ingest', '--interval', '1s', fixture('logs', 'day.log')]);
    expect([interval.code, interval.stderr]).toEqual([2, 'craveny-ops: --interval needs --follow (see craveny-ops ingest --help)\n']);
  });
});

describe('serve --follow', () => {
  it('keeps the API live while the log grows, and stops on SIGTERM with exit 0', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'backend.log');
    fs.writeFileSync(log, lines(1, 30));
    const run = start(['--db', tempStore(), 'serve', '--port', '0', '--follow', log, '--interval', '100ms']);
    try {
      await until(() => /at http:\/\/127\.0\.0\.1:\d+/.test(run.err()), run.err);
      const address = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(run.err())![1];
      const stats = async () => ((await (await fetch(`${address}/admin/report-updates/stats?days=7&until=2025-11-04`)).json()) as { total_updates: number }).total_updates;
      // Lines 1–30 hold attempts #1–#3.
      await until(async () => (await stats()) === 3, run.err);
      fs.appendFileSync(log, lines(31, DAY.length));
      await until(async () => (await stats()) === 10, run.err);
      const metrics = await fetch(`${address}/metrics`);
      expect(metrics.status).toBe(200);
    } finally {
      run.child.kill('SIGTERM');
    }
    expect(await run.exited).toBe(0);
    expect(run.err()).toContain('SIGTERM: finishing open requests and the current batch and stopping');
  }, 60_000);
});
