/**
 * The progress of an ingest (a bar on a terminal; cli-contract.md conventions: none off a TTY) is fed
 * the bytes each read holds: over a run they add up to the bytes read, each once — a whole file on
 * the first run, only what was appended on the next, nothing for a file that did not change.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ingest } from '../src/ingest/ingest.js';
import { openStore, type Store } from '../src/store/store.js';
import { tempDir } from './helpers.js';
import { attempt, FORCED, succeeded } from './support/analysis-log.js';

const opened: Store[] = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  while (opened.length) await opened.pop()!.close();
});

async function run(store: Store, log: string) {
  let bytes = 0;
  const ticks: number[] = [];
  const summary = await ingest(store, [log], { logTz: 'Asia/Seoul', host: 'h', now: () => 0, onProgress: (n) => ticks.push(n) });
  for (const n of ticks) bytes += n;
  return { bytes, ticks, summary };
}

describe('the progress of an ingest', () => {
  it('adds up to the bytes read, each once', async () => {
    // Reads of 100 bytes: several ticks for one file.
    vi.stubEnv('CRAVENY_OPS_READ_BYTES', '100');
    const dir = tempDir();
    const log = path.join(dir, 'backend.log');
    fs.writeFileSync(log, [attempt('2025-11-04 10:00:00,000', '005930', FORCED), succeeded('2025-11-04 10:00:05,000', '005930')].join('\n') + '\n');
    const size = fs.statSync(log).size;
    const store = await openStore(path.join(dir, 'store.db'));
    opened.push(store);
    const first = await run(store, log);
    expect(first.bytes).toBe(size);
    // No tick of 0 bytes: the end of the input is no progress.
    expect(first.ticks.length).toBeGreaterThan(1);
    expect(first.ticks.every((n) => n > 0)).toBe(true);
    const appended = attempt('2025-11-04 10:01:00,000', '000660', FORCED) + '\n';
    fs.appendFileSync(log, appended);
    expect((await run(store, log)).bytes).toBe(Buffer.byteLength(appended));
    const unchanged = await run(store, log);
    expect([unchanged.bytes, unchanged.summary.records_added]).toEqual([0, 0]);
  });
});
