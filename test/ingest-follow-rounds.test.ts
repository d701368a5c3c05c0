/**
 * Follow mode in-process (cli-contract.md, `ingest --follow`): `--interval` (default 5 s, at least
 * 10 ms), a round every interval until the signal stops it, each round an ordinary ingest whose
 * additions are summed, a path that does not exist yet passed over, and every round that read a
 * file recorded as an ingest run (what stale_logs tells a stopped follower by).
 * test/follow.test.ts drives the real process with SIGINT; these are the edges beside it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_INTERVAL_MS, follow, parseInterval, type FollowOptions } from '../src/ingest/follow.js';
import type { IngestSummary } from '../src/ingest/ingest.js';
import { openStore, type Store } from '../src/store/store.js';
import { lastIngestRun } from '../src/store/unattended.js';
import { tempDir } from './helpers.js';
import { attempt, FORCED, succeeded, ttlReason } from './support/analysis-log.js';

describe('--interval', () => {
  it('is 5 s when not given', () => {
    expect(DEFAULT_INTERVAL_MS).toBe(5_000);
    expect(parseInterval(undefined)).toBe(5_000);
  });

  it.each([
    ['10ms', 10],
    ['0.01s', 10],
    ['10', 10_000],
    ['1.5s', 1_500],
    ['1.5', 1_500],
    ['2M', 120_000],
    ['250 MS', 250],
    [' 3s ', 3_000],
    ['10.4ms', 10],
    ['10.5ms', 11],
  ])('reads %j as %d ms', (text, ms) => {
    expect(parseInterval(text)).toBe(ms);
  });

  it.each(['9ms', '9.99ms', '0.009s', '0', '', 's', '5h', '5 seconds', '-10ms', '1e3ms', '.5s', 'x5s', '5sx'])('refuses %j, naming it', (text) => {
    expect(() => parseInterval(text)).toThrow(`--interval must be a duration of at least 10ms such as 5s, 500ms or 1m, got '${text}'`);
  });
});

describe('the rounds', () => {
  const opened: Store[] = [];
  afterEach(async () => {
    while (opened.length) await opened.pop()!.close();
  });

  async function storeIn(dir: string) {
    const store = await openStore(path.join(dir, 'store.db'));
    opened.push(store);
    return store;
  }

  /** Follows `paths` with a 10 ms interval; `each` runs after every round and returns true to stop. */
  async function followRounds(store: Store, paths: string[], each: (summary: IngestSummary, round: number) => boolean, now = 1_000) {
    const controller = new AbortController();
    const seen: IngestSummary[] = [];
    const options: FollowOptions = {
      logTz: 'Asia/Seoul',
      host: 'test-host',
      now: () => now,
      intervalMs: 10,
      signal: controller.signal,
      onRound: (summary) => {
        seen.push(summary);
        if (each(summary, seen.length)) controller.abort();
      },
    };
    const totals = await follow(store, paths, options);
    return { totals, seen };
  }

  it('ingest what is appended between rounds once, and sum what each round added until stopped', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'backend.log');
    // Two attempts naming pre_market at 10:00 KST (trading): two phase mismatches in the first round.
    fs.writeFileSync(log, [attempt('2025-11-04 10:00:00,000', '005930', ttlReason('pre_market', '3.5', 3)), attempt('2025-11-04 10:00:01,000', '000660', ttlReason('pre_market', '3.5', 3))].join('\n') + '\n');
    const store = await storeIn(dir);
    const { totals, seen } = await followRounds(store, [log], (summary, round) => {
      if (round === 1) fs.appendFileSync(log, [succeeded('2025-11-04 10:00:05,000', '005930'), attempt('2025-11-04 10:05:00,000', '035720', FORCED)].join('\n') + '\n');
      return round === 3;
    });
    // Round 1 reads 2 records, round 2 the 2 appended, round 3 nothing new.
    expect(seen.map((s) => [s.records_added, s.phase_mismatches])).toEqual([
      [2, 2],
      [2, 0],
      [0, 0],
    ]);
    expect(totals).toEqual({ rounds: 3, records_added: 4, phase_mismatches: 2 });
  });

  it('do not start once the signal is aborted', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'backend.log');
    fs.writeFileSync(log, attempt('2025-11-04 10:00:00,000', '005930', FORCED) + '\n');
    const store = await storeIn(dir);
    const controller = new AbortController();
    controller.abort();
    const totals = await follow(store, [log], { logTz: 'Asia/Seoul', host: 'h', now: () => 0, intervalMs: 10, signal: controller.signal });
    expect(totals).toEqual({ rounds: 0, records_added: 0, phase_mismatches: 0 });
    expect(await lastIngestRun(store.db)).toBeNull();
  });

  it('pass over a path that does not exist yet (a rotated name before the first rotation)', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'backend.log');
    const rotated = path.join(dir, 'backend.log.1');
    fs.writeFileSync(log, attempt('2025-11-04 10:00:00,000', '005930', FORCED) + '\n');
    const store = await storeIn(dir);
    const { totals, seen } = await followRounds(store, [rotated, log], (_, round) => {
      if (round === 1) fs.writeFileSync(rotated, attempt('2025-11-03 10:00:00,000', '000660', FORCED) + '\n');
      return round === 2;
    });
    expect(seen[0].files.map((f) => [f.path, f.records, f.error])).toEqual([[log, 1, undefined]]);
    expect(seen[1].files.map((f) => [f.path, f.records])).toEqual([
      [rotated, 1],
      [log, 0],
    ]);
    expect(totals.records_added).toBe(2);
  });

  it('record each round that read a file as an ingest run, at that round’s time; a round of failed reads records none', async () => {
    const dir = tempDir();
    const unreadable = path.join(dir, 'a-directory');
    fs.mkdirSync(unreadable);
    const store = await storeIn(dir);
    const failed = await followRounds(store, [unreadable], () => true, 5_000);
    expect(failed.seen[0].files.map((f) => f.error)).toEqual([`${unreadable}: is a directory, not a log file`]);
    expect(await lastIngestRun(store.db)).toBeNull();

    const log = path.join(dir, 'backend.log');
    fs.writeFileSync(log, attempt('2025-11-04 10:00:00,000', '005930', FORCED) + '\n');
    // One file read, one failed: the round still read the logs.
    await followRounds(store, [unreadable, log], () => true, 7_000);
    expect(await lastIngestRun(store.db)).toBe(7_000);
  });
});
