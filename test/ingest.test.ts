import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../src/store/store.js';
import { bin, cli, fixture, tempDir, tempStore } from './helpers.js';

const DAY = fs.readFileSync(fixture('logs', 'day.log'), 'utf8');
const DAY_LINES = DAY.split('\n').slice(0, -1);
/** Report records in day.log (every message kind of the service and the generator). */
const DAY_RECORDS = 63;

const opened: Store[] = [];
afterEach(async () => {
  while (opened.length) await opened.pop()!.close();
});

async function contents(db: string) {
  const store = await openStore(db);
  opened.push(store);
  const records = await store.db
    .selectFrom('records')
    .select(['ts', 'kind', 'stock_code', 'text', 'phase', 'mode'])
    .orderBy('ts')
    .orderBy('kind')
    .execute();
  const attempts = await store.db
    .selectFrom('attempts')
    .select(['stock_code', 'ts', 'reason', 'phase', 'outcome', 'completed_ts', 'generation_failed', 'completion_logged'])
    .orderBy('ts')
    .execute();
  return { records, attempts };
}

async function ingest(db: string, ...args: string[]) {
  const run = await cli(['--db', db, 'ingest', '--json', ...args]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return run.json();
}

/** The store made by ingesting day.log in one go: what every other route must end up with. */
async function reference() {
  const db = tempStore();
  await ingest(db, fixture('logs', 'day.log'));
  return contents(db);
}

const text = (lines: string[]) => lines.map((l) => l + '\n').join('');

describe('ingesting the example day', () => {
  it('derives each attempt and its outcome from the records', async () => {
    const { attempts } = await reference();
    expect(attempts.map((a) => [a.stock_code, a.reason, a.phase, a.outcome])).toEqual([
      ['005930', 'new_prediction', 'pre_market', 'succeeded'],
      ['005930', 'forced', 'market_open', 'succeeded'],
      ['000660', 'forced', 'market_open', 'failed'], // the generator failed (no stock code on its line)
      ['035720', 'forced', 'market_open', 'succeeded'],
      ['000660', 'price_move', 'trading', 'succeeded'],
      ['005930', 'ttl_expired', 'trading', 'succeeded'],
      ['035720', 'direction_change', 'trading', 'failed'], // A/B failed, completion logged anyway
      ['000660', 'forced', 'trading', 'failed'], // exception while saving
      ['005930', 'forced', 'after_hours', 'succeeded'],
      ['000660', 'new_prediction', 'after_hours', null], // no outcome record: abandoned by the log end
    ]);
    expect(attempts[6]).toMatchObject({ generation_failed: 1, completion_logged: 1 });
  });

  it('reports lines, records and no malformed lines', async () => {
    const summary = await ingest(tempStore(), fixture('logs', 'day.log'));
    expect(summary.files).toEqual([
      expect.objectContaining({ path: fixture('logs', 'day.log'), lines: DAY_LINES.length, records: DAY_RECORDS, malformed: 0 }),
    ]);
    expect(summary).toMatchObject({ records_added: DAY_RECORDS, phase_mismatches: 0, suggested_log_tz: null });
  });

  it('attaches the last traceback line to the failure it follows', async () => {
    const db = tempStore();
    await ingest(db, fixture('logs', 'day.log'));
    const store = await openStore(db);
    opened.push(store);
    const details = await store.db.selectFrom('records').select(['kind', 'detail']).where('detail', 'is not', null).execute();
    expect(details).toEqual([
      { kind: 'generation_failed', detail: 'openai.APITimeoutError: Request timed out.' },
      { kind: 'generation_failed', detail: 'openai.APITimeoutError: Request timed out.' },
      { kind: 'update_failed', detail: 'sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) server closed the connection unexpectedly' },
    ]);
  });

  it.each([
    ['PM2', 'pm2-backend-error.log'],
    ['Docker json-file', 'docker-json.log'],
  ])('reads the same records from %s logs', async (_name, file) => {
    const db = tempStore();
    const summary = await ingest(db, fixture('logs', file));
    expect(summary.records_added).toBe(DAY_RECORDS);
    expect(await contents(db)).toEqual(await reference());
  });
});

describe('ingesting again', () => {
  it('adds nothing when the file is unchanged', async () => {
    const db = tempStore();
    await ingest(db, fixture('logs', 'day.log'));
    const again = await ingest(db, fixture('logs', 'day.log'));
    expect(again.records_added).toBe(0);
    expect(again.files[0]).toMatchObject({ lines: 0, records: 0 });
  });

  it('adds exactly the new records of a file that grew', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'backend.log');
    const db = tempStore();
    fs.writeFileSync(log, text(DAY_LINES.slice(0, 40)));
    const first = await ingest(db, log);
    fs.appendFileSync(log, text(DAY_LINES.slice(40)));
    const second = await ingest(db, log);
    expect(first.records_added + second.records_added).toBe(DAY_RECORDS);
    expect(second.files[0].lines).toBe(DAY_LINES.length - 40);
    expect(await contents(db)).toEqual(await reference());
  });

  it('stores a last line without a newline only once it is complete', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'backend.log');
    const db = tempStore();
    const last = DAY_LINES.findLastIndex((l) => l.includes('업데이트 시작'));
    fs.writeFileSync(log, text(DAY_LINES.slice(0, last)) + DAY_LINES[last].slice(0, 60));
    const partial = await ingest(db, log);
    fs.appendFileSync(log, DAY_LINES[last].slice(60) + '\n' + text(DAY_LINES.slice(last + 1)));
    const rest = await ingest(db, log);
    expect(partial.records_added + rest.records_added).toBe(DAY_RECORDS);
    expect(await contents(db)).toEqual(await reference());
  });

  it('reads standard input once, by its content', async () => {
    const db = tempStore();
    const first = await cli(['--db', db, 'ingest', '--json', '-'], { stdin: DAY });
    const second = await cli(['--db', db, 'ingest', '--json', '-'], { stdin: DAY });
    expect(first.json().records_added).toBe(DAY_RECORDS);
    expect(second.json().records_added).toBe(0);
  });

  it('reads gzip from standard input', async () => {
    const db = tempStore();
    const run = await cli(['--db', db, 'ingest', '--json', '-'], { stdin: zlib.gzipSync(DAY) });
    expect(run.json().records_added).toBe(DAY_RECORDS);
  });
});

describe('the log end, ingested at once or as cron finds it', () => {
  it('is the file\'s last timestamped line in both, an earlier line out of order aside', async () => {
    // Another process's lines land out of order: 10:45 is written before 10:40.
    const lines = ['10:30', '10:00', '09:00', '10:45', '10:40'].map((t) => `2025-11-04 ${t}:00,000 - httpx - INFO - HTTP Request`);
    const dir = tempDir('craveny-log-end-');
    const logEnd = async (db: string) => (await cli(['--db', db, 'stats', '--json', '--days', '1', '--until', '2025-11-04'])).json().log_end;

    const whole = path.join(dir, 'whole.log');
    fs.writeFileSync(whole, text(lines));
    const once = tempStore();
    expect((await cli(['--db', once, 'ingest', whole])).code).toBe(0);

    const growing = path.join(dir, 'growing.log');
    const appended = tempStore();
    for (const line of lines) {
      fs.appendFileSync(growing, text([line]));
      expect((await cli(['--db', appended, 'ingest', growing])).code).toBe(0);
    }
    expect(await logEnd(once)).toBe('2025-11-04T10:40:00+09:00');
    expect(await logEnd(appended)).toBe('2025-11-04T10:40:00+09:00');
  });
});

describe('rotation', () => {
  /** Three parts of the day: the cuts fall inside attempts (start in one file, outcome in the next). */
  const parts = [DAY_LINES.slice(0, 30), DAY_LINES.slice(30, 62), DAY_LINES.slice(62)];

  it('follows a rename: backend.log → backend.log.1, new backend.log, given newest first', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'backend.log');
    const db = tempStore();
    fs.writeFileSync(log, text(parts[0]));
    await ingest(db, log);
    fs.appendFileSync(log, text(parts[1])); // written after the last ingest, before the rotation
    fs.renameSync(log, log + '.1');
    fs.writeFileSync(log, text(parts[2]));
    const run = await ingest(db, log, log + '.1');
    expect(run.records_added).toBeGreaterThan(0);
    expect(await contents(db)).toEqual(await reference());
    expect((await ingest(db, log, log + '.1')).records_added).toBe(0);
  });

  it('recognises a rotated file later compressed, and reads only what it had not', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'backend.log');
    const db = tempStore();
    fs.writeFileSync(log + '.1', text(parts[0]));
    await ingest(db, log + '.1');
    fs.appendFileSync(log + '.1', text(parts[1]));
    fs.writeFileSync(log + '.2.gz', zlib.gzipSync(fs.readFileSync(log + '.1')));
    fs.rmSync(log + '.1');
    fs.writeFileSync(log, text(parts[2]));
    await ingest(db, log, log + '.2.gz');
    expect(await contents(db)).toEqual(await reference());
    const again = await ingest(db, log + '.2.gz', log);
    expect(again.records_added).toBe(0);
  });

  it('survives copytruncate, and says that such a rotation can lose lines', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'backend.log');
    const db = tempStore();
    fs.writeFileSync(log, text(parts[0]));
    await ingest(db, log);
    fs.appendFileSync(log, text(parts[1]));
    fs.copyFileSync(log, log + '.1');
    fs.truncateSync(log, 0);
    fs.appendFileSync(log, text(parts[2]));
    const run = await cli(['--db', db, 'ingest', '--json', log, log + '.1']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/backend\.log was truncated in place \(copytruncate\)/);
    expect(await contents(db)).toEqual(await reference());
  });

  it('gives the same store whatever order the files are ingested in', async () => {
    const dir = tempDir();
    const files = parts.map((p, i) => {
      const file = path.join(dir, `backend.log.${2 - i}`);
      fs.writeFileSync(file, text(p));
      return file;
    });
    for (const order of [[0, 1, 2], [2, 1, 0], [1, 2, 0]]) {
      const db = tempStore();
      for (const i of order) await ingest(db, files[i]);
      expect(await contents(db)).toEqual(await reference());
    }
  });
});

describe('a gzip file set aside unread', () => {
  it('is closed only once its stream stops reading: no read of a closed descriptor, however often', async () => {
    const { openInput } = await import('../src/ingest/input.js');
    // Noise that compresses little, so that the stream has reads in flight when the head is known.
    const lines = Array.from({ length: 60_000 }, (_, i) => `2025-11-04 10:00:00,000 - httpx - INFO - GET /${i}/${(i * 7919) % 104729} ${Math.sin(i)}`);
    const file = path.join(tempDir(), 'backend.log.2.gz');
    fs.writeFileSync(file, zlib.gzipSync(lines.join('\n') + '\n'));
    const errors: unknown[] = [];
    const onError = (error: unknown) => errors.push(error);
    process.on('uncaughtException', onError);
    try {
      for (let i = 0; i < 30; i++) {
        const input = await openInput(file);
        expect(input.head.length).toBe(1024);
        await input.close();
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      process.off('uncaughtException', onError);
    }
    expect(errors).toEqual([]);
  });
});

describe('scanning a large file in a worker thread', () => {
  // The built CLI scans files with more than 32 MB left in a worker; the knob makes every file "large".
  const IN_WORKER = { CRAVENY_OPS_SCAN_WORKER_BYTES: '0', CRAVENY_OPS_READ_BYTES: '4096', CRAVENY_OPS_BATCH_RECORDS: '7' };
  const IN_PLACE = { ...IN_WORKER, CRAVENY_OPS_SCAN_WORKER_BYTES: '1e15' };

  /** Ingests day.log with the built CLI in three growing parts (each run resumes at the checkpoint). */
  function ingestInParts(env: NodeJS.ProcessEnv) {
    const dir = tempDir();
    const log = path.join(dir, 'backend.log');
    const db = tempStore();
    const outputs: unknown[] = [];
    const cuts = [0, 20, 45, DAY_LINES.length];
    for (let i = 1; i < cuts.length; i++) {
      fs.appendFileSync(log, text(DAY_LINES.slice(cuts[i - 1], cuts[i])));
      const run = bin(['--db', db, 'ingest', '--json', 'backend.log'], { env, cwd: dir });
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      outputs.push(JSON.parse(run.stdout));
    }
    return { db, outputs };
  }

  it('stores exactly what scanning in place stores, and prints the same summaries', async () => {
    const inWorker = ingestInParts(IN_WORKER);
    const inPlace = ingestInParts(IN_PLACE);
    expect(inWorker.outputs).toEqual(inPlace.outputs);
    expect((inWorker.outputs as { records_added: number }[]).reduce((n, o) => n + o.records_added, 0)).toBe(DAY_RECORDS);
    expect(await contents(inWorker.db)).toEqual(await contents(inPlace.db));
    expect(await contents(inWorker.db)).toEqual(await reference());
  });
});

describe('generator failures (they name no stock)', () => {
  const G = '- backend.llm.investment_report -';
  const S = '- backend.services.stock_analysis_service -';
  // Two generations in the same millisecond, then a failure: it belongs to the later one (000660).
  const older = [
    `2025-11-04 10:00:00,000 ${S} INFO - 종목 005930 업데이트 시작: 강제 업데이트 또는 리포트 없음`,
    `2025-11-04 10:00:00,000 ${S} INFO - 종목 000660 업데이트 시작: 강제 업데이트 또는 리포트 없음`,
    `2025-11-04 10:00:01,000 ${G} INFO - 투자 리포트 생성 시작: 005930 (6건 분석)`,
    `2025-11-04 10:00:01,000 ${G} INFO - 투자 리포트 생성 시작: 000660 (6건 분석)`,
  ];
  const newer = [`2025-11-04 10:00:05,000 ${G} ERROR - 투자 리포트 생성 실패: Request timed out.`];

  async function failureOwner(order: ('older' | 'newer')[]) {
    const dir = tempDir();
    const files = { older: path.join(dir, 'backend.log.1'), newer: path.join(dir, 'backend.log') };
    fs.writeFileSync(files.older, older.join('\n') + '\n');
    fs.writeFileSync(files.newer, newer.join('\n') + '\n');
    const db = tempStore();
    for (const name of order) await ingest(db, files[name]);
    const { records, attempts } = await contents(db);
    return {
      failure: records.find((r) => r.kind === 'generation_failed')?.stock_code,
      failed: attempts.filter((a) => a.generation_failed === 1).map((a) => a.stock_code),
    };
  }

  it('belongs to the latest generation start before it, in log order', async () => {
    expect(await failureOwner(['older', 'newer'])).toEqual({ failure: '000660', failed: ['000660'] });
  });

  it('is attributed again when the file with its generation start arrives after it', async () => {
    expect(await failureOwner(['newer', 'older'])).toEqual({ failure: '000660', failed: ['000660'] });
  });
});

describe('the log time zone', () => {
  it('suggests UTC for a UTC log read as Asia/Seoul', async () => {
    const run = await cli(['--db', tempStore(), 'ingest', '--json', fixture('logs', 'utc.log')]);
    expect(run.code).toBe(0);
    const summary = run.json();
    expect(summary.phase_mismatches).toBeGreaterThanOrEqual(8);
    expect(summary.suggested_log_tz).toBe('UTC');
    expect(run.stderr).toMatch(/--log-tz UTC/);
  });

  it('reads a UTC log with --log-tz UTC into the same records as its KST twin', async () => {
    const db = tempStore();
    const summary = await ingest(db, '--log-tz', 'UTC', fixture('logs', 'utc.log'));
    expect(summary).toMatchObject({ phase_mismatches: 0, suggested_log_tz: null });
    expect(await contents(db)).toEqual(await reference());
  });

  it('rejects an unknown zone', async () => {
    const run = await cli(['--db', tempStore(), 'ingest', '--log-tz', 'Mars/Olympus', fixture('logs', 'day.log')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe("craveny-ops: unknown time zone 'Mars/Olympus' (use an IANA name such as Asia/Seoul or UTC)\n");
  });
});
