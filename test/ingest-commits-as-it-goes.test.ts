/**
 * An ingest stores what it reads batch by batch, so that a long run shows its progress to the
 * other commands (`stats` during a backfill) and a kill loses at most the batch in hand; and it
 * holds no write lock while standard input is idle, so that a pipe waiting on its writer (a
 * `tail -f`, a slow `ssh`) blocks no other ingest or command. Observed from a second connection,
 * as another process would see the store, at each read the run reports.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ingest } from '../src/ingest/ingest.js';
import { openStore, type Store } from '../src/store/store.js';
import { tempDir } from './helpers.js';
import { attempt, FORCED, succeeded } from './support/analysis-log.js';

const opened: Store[] = [];
const readers: SQLite.Database[] = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  while (opened.length) await opened.pop()!.close();
  while (readers.length) readers.pop()!.close();
});

/** `stocks` stocks' attempt and success: two records each, one a line, each line over 64 bytes. */
function log(stocks: number): string {
  let text = '';
  for (let i = 0; i < stocks; i++) {
    const code = String(100000 + i);
    const minute = String(i).padStart(2, '0');
    text += attempt(`2025-11-04 10:${minute}:00,000`, code, FORCED) + '\n' + succeeded(`2025-11-04 10:${minute}:05,000`, code) + '\n';
  }
  return text;
}

async function storeIn(dir: string): Promise<{ store: Store; committed: () => number; writable: () => boolean }> {
  const db = path.join(dir, 'store.db');
  const store = await openStore(db, { create: true });
  opened.push(store);
  const reader = new SQLite(db, { timeout: 0 });
  readers.push(reader);
  const committed = () => (reader.prepare('SELECT COUNT(*) AS n FROM records').get() as { n: number }).n;
  const writable = () => {
    try {
      reader.exec('BEGIN IMMEDIATE; ROLLBACK');
      return true;
    } catch {
      return false;
    }
  };
  return { store, committed, writable };
}

describe('an ingest commits as it goes', () => {
  it('stores each batch once it is full: another connection sees 2, 4, 6, 8 records, then all 10', async () => {
    // Batches of two records; reads of 64 bytes, so that no read holds two line ends.
    vi.stubEnv('CRAVENY_OPS_BATCH_RECORDS', '2');
    vi.stubEnv('CRAVENY_OPS_READ_BYTES', '64');
    const dir = tempDir();
    const file = path.join(dir, 'backend.log');
    fs.writeFileSync(file, log(5));
    const { store, committed } = await storeIn(dir);
    const seen = new Set<number>();
    const summary = await ingest(store, [file], { logTz: 'Asia/Seoul', host: 'h', now: () => 0, onProgress: () => seen.add(committed()) });
    expect(summary.records_added).toBe(10);
    expect([...seen]).toEqual([0, 2, 4, 6, 8]);
    expect(committed()).toBe(10);
  });

  it('holds no write lock while standard input is idle, and stores the stream once it ends', async () => {
    const dir = tempDir();
    const { store, committed, writable } = await storeIn(dir);
    // Twenty stocks: the first half is more than the KiB read before the stream's identity is known.
    const text = log(20);
    const half = text.indexOf('\n', text.length / 2) + 1;
    expect(half).toBeGreaterThan(1024);
    const stdin = new PassThrough();
    stdin.write(text.slice(0, half));
    const idle: boolean[] = [];
    const onProgress = () => {
      if (idle.length) return;
      // The first half is read and the pipe has nothing more yet: the store is free for others.
      idle.push(writable());
      stdin.end(text.slice(half));
    };
    const summary = await ingest(store, ['-'], { logTz: 'Asia/Seoul', host: 'h', now: () => 0, stdin, onProgress });
    expect(idle).toEqual([true]);
    expect(summary.records_added).toBe(40);
    expect(committed()).toBe(40);
  });
});
