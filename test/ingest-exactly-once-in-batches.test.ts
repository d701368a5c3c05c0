/**
 * Exactly once, whatever the batches (cli-contract.md `ingest`: re-running on the same, grown or
 * rotated files adds each record exactly once; `--json` prints lines, records, malformed per file,
 * records_added, phase_mismatches). Records and the checkpoint are committed together batch by
 * batch: with a batch of one record and reads of 64 bytes a file must end up in the store exactly as
 * it does read in one go, attempts derived across batch edges included, and the numbers printed
 * must be the same. The test knobs CRAVENY_OPS_BATCH_RECORDS and CRAVENY_OPS_READ_BYTES set the sizes.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cli, fixture, tempDir } from './helpers.js';
import { attempt, FORCED, line, noise, SERVICE, skip, succeeded, ttlReason } from './support/analysis-log.js';
import { snapshot } from './support/store.js';

const DAY = fs.readFileSync(fixture('logs', 'day.log'));
const DAY_LINES = DAY.toString('utf8').split('\n').slice(0, -1);
/** Report records in day.log (test/ingest.test.ts). */
const DAY_RECORDS = 63;
const NOW = Date.parse('2025-11-05T00:00:00+09:00');

afterEach(() => {
  vi.unstubAllEnvs();
});

async function ingest(db: string, args: string[], stdin?: Buffer) {
  const run = await cli(['--db', db, 'ingest', '--json', ...args], { now: NOW, stdin });
  expect(run.code, run.stderr).toBe(0);
  return run.json();
}

/** The records and attempts a store holds (ids, paths and bookkeeping left out). */
const contents = (db: string) => {
  const { records, attempts } = snapshot(db);
  return { records, attempts };
};

function tiny() {
  // One record per transaction, 64 bytes per read: every batch edge falls inside an attempt.
  vi.stubEnv('CRAVENY_OPS_BATCH_RECORDS', '1');
  vi.stubEnv('CRAVENY_OPS_READ_BYTES', '64');
}

/** day.log ingested in one batch with the default sizes: what every other route must give. */
async function reference() {
  const db = path.join(tempDir(), 'store.db');
  const summary = await ingest(db, [fixture('logs', 'day.log')]);
  return { db, summary };
}

describe('batches of one record', () => {
  it('store exactly what one batch stores, and print the same numbers', async () => {
    const whole = await reference();
    tiny();
    const db = path.join(tempDir(), 'store.db');
    const summary = await ingest(db, [fixture('logs', 'day.log')]);
    expect(summary).toEqual(whole.summary);
    expect(summary.records_added).toBe(DAY_RECORDS);
    expect(contents(db)).toEqual(contents(whole.db));
    // And the checkpoint each batch left says the file is read: nothing more is added.
    expect((await ingest(db, [fixture('logs', 'day.log')])).records_added).toBe(0);
  });

  it('store exactly what one batch stores when the file is read as it grows, and standard input too', async () => {
    const whole = await reference();
    tiny();
    const dir = tempDir();
    const log = path.join(dir, 'backend.log');
    const db = path.join(dir, 'store.db');
    let added = 0;
    for (const [from, to] of [[0, 17], [17, 41], [41, DAY_LINES.length]]) {
      fs.appendFileSync(log, DAY_LINES.slice(from, to).map((l) => l + '\n').join(''));
      const summary = await ingest(db, [log]);
      // Each run's lines are the lines it read: those appended since the last.
      expect(summary.files[0].lines).toBe(to - from);
      added += summary.records_added;
    }
    expect(added).toBe(DAY_RECORDS);
    expect(contents(db)).toEqual(contents(whole.db));

    const piped = path.join(tempDir(), 'store.db');
    expect((await ingest(piped, ['-'], DAY)).records_added).toBe(DAY_RECORDS);
    expect((await ingest(piped, ['-'], zlib.gzipSync(DAY))).records_added).toBe(0);
    expect(contents(piped)).toEqual(contents(whole.db));
  });

  it('count the phase mismatches of the decisions in every batch, once', async () => {
    tiny();
    const dir = tempDir();
    const log = path.join(dir, 'backend.log');
    // 10:00 KST is trading. A skip and an attempt that name pre_market disagree with it (two
    // mismatches); an attempt naming trading, a success and a forced attempt (it names no phase) do not.
    fs.writeFileSync(
      log,
      [
        skip('2025-11-04 10:00:00,000', '005930', 'pre_market', '1.0', 3),
        attempt('2025-11-04 10:00:01,000', '000660', ttlReason('pre_market', '3.5', 3)),
        attempt('2025-11-04 10:00:02,000', '035720', ttlReason('trading', '2.5', 2)),
        succeeded('2025-11-04 10:00:03,000', '035720'),
        attempt('2025-11-04 10:00:04,000', '005380', FORCED),
      ].join('\n') + '\n',
    );
    const summary = await ingest(path.join(dir, 'store.db'), [log]);
    expect([summary.records_added, summary.phase_mismatches]).toEqual([5, 2]);
  });
});

describe('the numbers of a run', () => {
  it('records_added is the sum over the files of the records each added', async () => {
    const dir = tempDir();
    const a = path.join(dir, 'a.log');
    const b = path.join(dir, 'b.log');
    fs.writeFileSync(a, [attempt('2025-11-04 10:00:00,000', '005930', FORCED), succeeded('2025-11-04 10:00:05,000', '005930')].join('\n') + '\n');
    fs.writeFileSync(b, [noise('2025-11-04 11:00:00,000'), attempt('2025-11-04 11:00:01,000', '000660', FORCED), attempt('2025-11-04 11:00:02,000', '035720', FORCED), attempt('2025-11-04 11:00:03,000', '005380', FORCED)].join('\n') + '\n');
    const summary = await ingest(path.join(dir, 'store.db'), [a, b]);
    expect(summary.files.map((f: { lines: number; records: number }) => [f.lines, f.records])).toEqual([
      [2, 2],
      [4, 3],
    ]);
    expect(summary.records_added).toBe(5);
  });

  it('malformed report lines are counted per run and named by their line number in the file', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'backend.log');
    const db = path.join(dir, 'store.db');
    // A report logger's line whose message is no report (`종목 59`: not a six-digit code) is malformed.
    const bad = (time: string) => line(`2025-11-04 ${time}`, '종목 59 업데이트 시작: x', 'INFO', SERVICE);
    fs.writeFileSync(log, [attempt('2025-11-04 10:00:00,000', '005930', FORCED), bad('10:00:01,000'), bad('10:00:02,000')].join('\n') + '\n');
    const first = (await ingest(db, [log])).files[0];
    expect([first.lines, first.records, first.malformed, first.malformed_lines]).toEqual([3, 1, 2, [2, 3]]);
    // Appended: lines 4 and 5. The second run counts only its own, numbered from the file's start.
    fs.appendFileSync(log, [noise('2025-11-04 10:01:00,000'), bad('10:01:01,000')].join('\n') + '\n');
    const second = (await ingest(db, [log])).files[0];
    expect([second.lines, second.records, second.malformed, second.malformed_lines]).toEqual([2, 0, 1, [5]]);
  });

  it('lines longer than 1 MiB are skipped, counted in long_lines and named in a warning', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'backend.log');
    const long = noise('2025-11-04 10:00:00,000') + 'x'.repeat(1 << 20);
    fs.writeFileSync(log, [attempt('2025-11-04 09:59:00,000', '005930', FORCED), long, attempt('2025-11-04 10:01:00,000', '000660', FORCED)].join('\n') + '\n');
    const run = await cli(['--db', path.join(dir, 'store.db'), 'ingest', '--json', log], { now: NOW });
    expect(run.code, run.stderr).toBe(0);
    const file = run.json().files[0];
    expect([file.lines, file.records, file.long_lines]).toEqual([3, 2, 1]);
    expect(run.stderr).toBe(`warning: ${log}: skipped 1 line(s) longer than 1 MiB\n`);
  });

  it('an empty file adds nothing and is no error', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'backend.log');
    fs.writeFileSync(log, '');
    const run = await cli(['--db', path.join(dir, 'store.db'), 'ingest', '--json', log], { now: NOW });
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(run.json()).toEqual({
      files: [{ path: log, lines: 0, records: 0, malformed: 0, malformed_lines: [], long_lines: 0, warnings: [] }],
      records_added: 0,
      phase_mismatches: 0,
      suggested_log_tz: null,
    });
  });
});

describe('a stream whose first KiB was not yet written', () => {
  it('is known by its whole first KiB once it has one: a file sharing only its first lines is another stream, without a word', async () => {
    const dir = tempDir();
    const a = path.join(dir, 'a.log');
    const b = path.join(dir, 'b.log');
    const db = path.join(dir, 'store.db');
    const opening = [noise('2025-11-04 09:00:00,000'), noise('2025-11-04 09:00:01,000')].join('\n') + '\n';
    const rest = (code: string) => Array.from({ length: 12 }, (_, i) => attempt(`2025-11-04 10:${String(i).padStart(2, '0')}:00,000`, code, FORCED)).join('\n') + '\n';
    // a.log is read while shorter than a KiB, then again once it has grown past one.
    fs.writeFileSync(a, opening);
    await ingest(db, [a]);
    fs.appendFileSync(a, rest('005930'));
    expect(fs.statSync(a).size).toBeGreaterThan(1024);
    expect((await ingest(db, [a])).records_added).toBe(12);
    // b.log opens with the same two lines and goes on otherwise: its first KiB is not a.log's.
    fs.writeFileSync(b, opening + rest('000660'));
    const run = await cli(['--db', db, 'ingest', '--json', b], { now: NOW });
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(run.json().records_added).toBe(12);
  });
});
