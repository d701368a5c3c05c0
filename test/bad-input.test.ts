/**
 * Bad input, one fixture per kind (fixtures/bad/): each gives one clear line naming the file and
 * the problem, the other files of the run are still ingested, and the exit code follows the
 * contract: 2 when a file could not be read, 0 when it was read, useful or not.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { BIN, cli, fixture, ROOT, tempDir, tempStore } from './helpers.js';
import { LogGenerator } from './support/logs.js';
import { snapshot, spawnBin } from './support/store.js';

const bad = (name: string) => fixture('bad', name);
const DAY = fixture('logs', 'day.log');
const DAY_RECORDS = 63;

const recordCount = (db: string) => (new SQLite(db, { readonly: true }).prepare('SELECT COUNT(*) AS n FROM records').get() as { n: number }).n;
const warnings = (stderr: string) => stderr.split('\n').filter(Boolean);

interface Case {
  file: string;
  code: number;
  /** The one line that names the file and the problem. */
  message: RegExp;
  records?: number;
}

const CASES: Case[] = [
  { file: 'binary-garbage.log', code: 0, message: /binary-garbage\.log: no line looks like backend logging output/, records: 0 },
  { file: 'invalid-utf8.log', code: 0, message: /invalid-utf8\.log: 1 report line\(s\) are not valid UTF-8/, records: 2 },
  { file: 'cp949.log', code: 0, message: /cp949\.log: \d+ report line\(s\) are not valid UTF-8 .*CP949.*iconv -f cp949 -t utf-8/, records: 0 },
  { file: 'nul-bytes.log', code: 0, message: /nul-bytes\.log: contains NUL bytes/, records: 2 },
  { file: 'out-of-order.log', code: 0, message: /out-of-order\.log: time goes back by more than an hour 1 time\(s\) \(first at line \d+\)/, records: DAY_RECORDS },
  { file: 'future.log', code: 0, message: /future\.log: 11 record\(s\) dated more than a day after now \(latest 2031-11-04T/, records: 11 },
  { file: 'truncated.log.gz', code: 2, message: /truncated\.log\.gz: corrupt or truncated gzip data \(unexpected end of file\)/ },
  { file: 'corrupt.log.gz', code: 2, message: /corrupt\.log\.gz: corrupt or truncated gzip data/ },
];

describe('each kind of bad input', () => {
  for (const c of CASES) {
    it(`${c.file}: exit ${c.code} and one line naming the file and the problem`, async () => {
      const db = tempStore();
      const run = await cli(['--db', db, 'ingest', bad(c.file)]);
      expect(run.code).toBe(c.code);
      const lines = warnings(run.stderr);
      expect(lines.filter((l) => c.message.test(l)), run.stderr).toHaveLength(1);
      // Nothing is printed over several lines: every message is one line.
      for (const l of lines) expect(l).toMatch(/^(warning|craveny-ops): /);
      if (c.records !== undefined) expect(recordCount(db)).toBe(c.records);
    });
  }

  it('an empty file is read (exit 0), says it had no lines, and warns of nothing', async () => {
    const run = await cli(['--db', tempStore(), 'ingest', bad('empty.log')]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/empty\.log: 0 new lines, 0 records/);
  });

  it('a missing file: exit 2, "no such file"', async () => {
    const run = await cli(['--db', tempStore(), 'ingest', '/nonexistent/backend.log']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('craveny-ops: /nonexistent/backend.log: no such file\n');
  });

  it('a directory: exit 2, "is a directory"', async () => {
    const dir = tempDir();
    const run = await cli(['--db', tempStore(), 'ingest', dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`craveny-ops: ${dir}: is a directory, not a log file\n`);
  });

  it('an unreadable file: exit 2, "permission denied" (run as nobody when the tests run as root)', async () => {
    const dir = tempDir();
    fs.chmodSync(dir, 0o777);
    const file = path.join(dir, 'secret.log');
    fs.copyFileSync(DAY, file);
    fs.chmodSync(file, 0o000);
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const run = await spawnBin(['--db', path.join(dir, 'store.db'), 'ingest', file], asNobody);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`craveny-ops: ${file}: permission denied\n`);
  });

  it('CRLF line endings give the same records as LF', async () => {
    const dir = tempDir();
    const lf = path.join(dir, 'lf.log');
    fs.writeFileSync(lf, fs.readFileSync(bad('crlf.log'), 'utf8').replaceAll('\r\n', '\n'));
    const a = tempStore();
    const b = tempStore();
    expect((await cli(['--db', a, 'ingest', bad('crlf.log')])).code).toBe(0);
    expect((await cli(['--db', b, 'ingest', lf])).code).toBe(0);
    const crlf = snapshot(a);
    expect(crlf.records.length).toBeGreaterThan(20);
    expect(crlf.records.join('\n')).not.toContain('\\r');
    expect(crlf.records).toEqual(snapshot(b).records);
    expect(crlf.attempts).toEqual(snapshot(b).attempts);
  });

  it('records out of order give the same attempts as the same records in order', async () => {
    const a = tempStore();
    const b = tempStore();
    await cli(['--db', a, 'ingest', bad('out-of-order.log')]);
    await cli(['--db', b, 'ingest', DAY]);
    expect(snapshot(a).attempts).toEqual(snapshot(b).attempts);
  });

  it('the hole a copytruncate leaves (NUL bytes) does not hide the record after it', async () => {
    const db = tempStore();
    await cli(['--db', db, 'ingest', bad('nul-bytes.log')]);
    const kinds = new SQLite(db, { readonly: true }).prepare('SELECT kind FROM records ORDER BY line_no').all();
    expect(kinds).toEqual([{ kind: 'attempt' }, { kind: 'skip' }]);
  });
});

describe('a run mixing bad and good files', () => {
  it('ingests the good ones, names every bad one, and exits 2 because some could not be read', async () => {
    const db = tempStore();
    const files = [...CASES.map((c) => bad(c.file)), bad('empty.log'), '/nonexistent/backend.log', tempDir(), DAY];
    const run = await cli(['--db', db, 'ingest', '--json', ...files]);
    expect(run.code).toBe(2);
    const summary = run.json();
    const day = summary.files.find((f: { path: string }) => f.path === DAY);
    expect(day.records).toBe(DAY_RECORDS);
    for (const c of CASES) expect(run.stderr).toMatch(c.message);
    // The fatal problems come as one line: every file that could not be read, named.
    const fatal = warnings(run.stderr).filter((l) => l.startsWith('craveny-ops: '));
    expect(fatal).toHaveLength(1);
    for (const name of ['truncated.log.gz', 'corrupt.log.gz', '/nonexistent/backend.log', 'is a directory']) expect(fatal[0]).toContain(name);
    expect(summary.files.filter((f: { error?: string }) => f.error)).toHaveLength(4);
  });
});

describe('a 50 MB line', () => {
  it('is skipped with a warning, memory stays flat, and the lines after it are still read', () => {
    const dir = tempDir();
    const file = path.join(dir, 'long.log');
    const generator = new LogGenerator(50);
    const before = generator.text(20_000);
    const after = generator.text(20_000);
    const fd = fs.openSync(file, 'w');
    fs.writeSync(fd, before);
    const block = Buffer.alloc(1 << 20, 'x');
    fs.writeSync(fd, '2025-11-04 23:59:59,000 - backend.crawlers.news_crawler - INFO - ');
    for (let i = 0; i < 50; i++) fs.writeSync(fd, block);
    fs.writeSync(fd, '\n' + after);
    fs.closeSync(fd);
    const expected = tempStore();
    const control = path.join(dir, 'control.log');
    fs.writeFileSync(control, before + after);
    // GNU time reports the peak resident memory (KiB) of the real binary.
    const peakRssMiB = (stderr: string) => Number(/maxrss=(\d+)/.exec(stderr)![1]) / 1024;
    const controlRun = spawnSync('/usr/bin/time', ['-f', 'maxrss=%M', process.execPath, BIN, '--db', expected, 'ingest', '--source-host', 'h', control], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(controlRun.status, controlRun.stderr).toBe(0);

    const db = tempStore();
    const run = spawnSync('/usr/bin/time', ['-f', 'maxrss=%M', process.execPath, BIN, '--db', db, 'ingest', '--json', '--source-host', 'h', file], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/warning: .*long\.log: skipped 1 line\(s\) longer than 1 MiB/);
    const maxRssMiB = peakRssMiB(run.stderr);
    const controlMiB = peakRssMiB(controlRun.stderr);
    console.log(`bad input: 50 MB line ingested with a peak RSS of ${maxRssMiB.toFixed(0)} MiB (${controlMiB.toFixed(0)} MiB without it)`);
    // Tight enough to catch a doubling (about 80 MiB is seen) or the 50 MB line held in memory.
    expect(maxRssMiB).toBeLessThan(120);
    expect(maxRssMiB - controlMiB).toBeLessThan(40);
    expect(JSON.parse(run.stdout).files[0].long_lines).toBe(1);
    // Same records as the file without the long line (line numbers shift by one after it).
    const strip = (rows: string[]) => rows.map((r) => r.replace(/"line_no":\d+,/, '')).sort();
    expect(strip(snapshot(db).records)).toEqual(strip(snapshot(expected).records));
  }, 60_000);
});
