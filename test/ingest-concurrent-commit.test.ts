/**
 * Two ingests of one file (cron beside `--follow`, two cron runs overlapping): whichever commits
 * second finds the checkpoint moved under it, drops its batch and resumes from the new checkpoint,
 * so each record is stored once and each run reports only what it stored (cli-contract.md: "running
 * it beside cron ingests of the same files doubles nothing"). Here the other ingest is a real
 * process, run at a known point of this one: once this one has found where the file stands (its
 * stream's row is stored) and before it takes the store's write lock to store what it reads. The
 * point is reached through the clock this run is given, which it reads in between.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ingest } from '../src/ingest/ingest.js';
import { openStore, type Store } from '../src/store/store.js';
import { bin, tempDir } from './helpers.js';
import { attempt, FORCED, succeeded } from './support/analysis-log.js';
import { doubles, snapshot } from './support/store.js';

const opened: Store[] = [];
afterEach(async () => {
  while (opened.length) await opened.pop()!.close();
});

/** Attempt + success of stock i at 10:0i: two records, two lines. */
function lines(from: number, to: number): string {
  let text = '';
  for (let i = from; i < to; i++) {
    const code = String(100000 + i);
    text += attempt(`2025-11-04 10:0${i}:00,000`, code, FORCED) + '\n' + succeeded(`2025-11-04 10:0${i}:05,000`, code) + '\n';
  }
  return text;
}

/** A clock that, read once this run's stream is stored, lets another process ingest `log` first. */
function otherIngestAt(db: string, log: string, then: () => void = () => {}) {
  const streams = () => {
    const reader = new SQLite(db, { readonly: true });
    try {
      return (reader.prepare('SELECT COUNT(*) AS n FROM sources').get() as { n: number }).n;
    } finally {
      reader.close();
    }
  };
  const hook = {
    other: null as ReturnType<typeof bin> | null,
    now: () => {
      if (!hook.other && streams() > 0) {
        hook.other = bin(['--db', db, 'ingest', '--json', log]);
        then();
      }
      return 0;
    },
  };
  return hook;
}

/** A log of three stocks' lines and a migrated store opened in-process. */
async function threeStocksLogged() {
  const dir = tempDir();
  const log = path.join(dir, 'backend.log');
  const db = path.join(dir, 'store.db');
  fs.writeFileSync(log, lines(0, 3));
  expect(bin(['--db', db, 'migrate']).code).toBe(0);
  const store = await openStore(db);
  opened.push(store);
  return { dir, log, db, store };
}

describe('an ingest whose checkpoint another ingest moved', () => {
  it('drops its batch, resumes from the other run’s checkpoint and stores each record once', async () => {
    const { dir, log, db, store } = await threeStocksLogged();

    // Another process ingests the three stocks' lines and commits; then the backend writes two more.
    const other = otherIngestAt(db, log, () => fs.appendFileSync(log, lines(3, 5)));
    const summary = await ingest(store, [log], { logTz: 'Asia/Seoul', host: 'h', now: other.now });

    expect(other.other!.stderr).toBe('');
    expect(other.other!.code).toBe(0);
    expect(JSON.parse(other.other!.stdout).records_added).toBe(6);
    // This run stored only what came after the other's checkpoint, without an error.
    expect(summary.files[0]).toMatchObject({ lines: 4, records: 4 });
    expect(summary.files[0].error).toBeUndefined();
    expect(summary.records_added).toBe(4);

    const reference = path.join(dir, 'reference.db');
    expect(bin(['--db', reference, 'ingest', '--source-host', 'h', log]).code).toBe(0);
    expect(doubles(db)).toBe(0);
    expect(snapshot(db).records).toEqual(snapshot(reference).records);
    expect(snapshot(db).attempts).toEqual(snapshot(reference).attempts);
  });

  it('from standard input, which cannot be read again: stores nothing twice and says to run again', async () => {
    const { log, db, store } = await threeStocksLogged();

    // The same bytes piped in while another process ingests them from the file.
    const other = otherIngestAt(db, log);
    const stdin = Readable.from([fs.readFileSync(log)]);
    const summary = await ingest(store, ['-'], { logTz: 'Asia/Seoul', host: 'h', now: other.now, stdin });

    expect(JSON.parse(other.other!.stdout).records_added).toBe(6);
    expect(summary.files[0].error).toBe('-: another ingest stored the same lines meanwhile: run again to store the rest');
    expect(summary.records_added).toBe(0);
    expect(doubles(db)).toBe(0);
    expect(snapshot(db).records).toHaveLength(6);
  });
});
