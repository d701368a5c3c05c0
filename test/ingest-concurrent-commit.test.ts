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

describe('an ingest whose checkpoint another ingest moved', () => {
  it('drops its batch, resumes from the other run’s checkpoint and stores each record once', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'backend.log');
    const db = path.join(dir, 'store.db');
    fs.writeFileSync(log, lines(0, 3));
    expect(bin(['--db', db, 'migrate']).code).toBe(0);
    const store = await openStore(db);
    opened.push(store);

    const streams = () => {
      const reader = new SQLite(db, { readonly: true });
      try {
        return (reader.prepare('SELECT COUNT(*) AS n FROM sources').get() as { n: number }).n;
      } finally {
        reader.close();
      }
    };
    let other: ReturnType<typeof bin> | null = null;
    const now = () => {
      if (!other && streams() > 0) {
        // Another process ingests the three stocks' lines and commits; then the backend writes two more.
        other = bin(['--db', db, 'ingest', '--json', log]);
        fs.appendFileSync(log, lines(3, 5));
      }
      return 0;
    };
    const summary = await ingest(store, [log], { logTz: 'Asia/Seoul', host: 'h', now });

    expect(other!.stderr).toBe("");
    expect(other!.code).toBe(0);
    expect(JSON.parse(other!.stdout).records_added).toBe(6);
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
});
