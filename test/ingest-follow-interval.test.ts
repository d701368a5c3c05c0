/**
 * `ingest --follow` runs a round every `--interval` (cli-contract.md): rounds are at least an
 * interval apart, and a stop that comes while it waits ends the wait at once (SIGINT/SIGTERM exit
 * promptly, not an interval later).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { follow } from '../src/ingest/follow.js';
import { openStore, type Store } from '../src/store/store.js';
import { tempDir } from './helpers.js';
import { attempt, FORCED } from './support/analysis-log.js';

const opened: Store[] = [];
afterEach(async () => {
  while (opened.length) await opened.pop()!.close();
});

async function setUp() {
  const dir = tempDir();
  const log = path.join(dir, 'backend.log');
  fs.writeFileSync(log, attempt('2025-11-04 10:00:00,000', '005930', FORCED) + '\n');
  const store = await openStore(path.join(dir, 'store.db'));
  opened.push(store);
  return { store, log };
}

describe('the interval of --follow', () => {
  it('separates the rounds: each starts at least an interval after the one before ended', async () => {
    const { store, log } = await setUp();
    const controller = new AbortController();
    const ended: number[] = [];
    const started: number[] = [];
    const options = { logTz: 'Asia/Seoul', host: 'h', now: () => 0, intervalMs: 150, signal: controller.signal };
    const totals = await follow(store, [log], {
      ...options,
      now: () => {
        started.push(performance.now());
        return 0;
      },
      onRound: () => {
        ended.push(performance.now());
        if (ended.length === 3) controller.abort();
      },
    });
    expect(totals.rounds).toBe(3);
    // A round's first use of the clock comes after the wait that followed the round before.
    const firstOfRound = (round: number) => started.find((t) => t > ended[round - 1])!;
    for (const round of [1, 2]) expect(firstOfRound(round) - ended[round - 1]).toBeGreaterThanOrEqual(140);
  });

  it('is cut short by a stop: the loop ends at once, not an interval later', async () => {
    const { store, log } = await setUp();
    const controller = new AbortController();
    const begun = performance.now();
    const totals = await follow(store, [log], {
      logTz: 'Asia/Seoul',
      host: 'h',
      now: () => 0,
      intervalMs: 20_000,
      signal: controller.signal,
      // Stopped while the first wait is under way.
      onRound: () => void setTimeout(() => controller.abort(), 50),
    });
    expect(totals.rounds).toBe(1);
    expect(performance.now() - begun).toBeLessThan(10_000);
  });
});
