/**
 * Update storms and failure spikes as runs (cli-contract.md, anomalies: "one entry per stock and
 * storm"): windows that share even one attempt are one run; a threshold of one makes every failure
 * a spike (the config allows any positive count); entries of one kind and one first time are in
 * stock code order, whichever was found first; a stock's repeated trigger 2 over several hosts is one
 * entry spanning its first to its last repeat in time; silent failures are one entry per stock and mode.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bursts } from '../src/analysis/anomalies.js';
import { cli, tempDir } from './helpers.js';
import {
  abGeneration,
  attempt,
  failed,
  fleetStoreOf,
  FORCED,
  generation,
  generationFailed,
  json,
  LATER,
  line,
  newPredictionReason,
  skip,
  storeOf,
  succeeded,
  ttlReason,
} from './support/analysis-log.js';

const SECOND = 1000;
const HOUR = 3600 * SECOND;
const at = (...seconds: number[]) => seconds.map((s) => ({ ts: s * SECOND }));

describe('runs of a burst', () => {
  it('merge two windows that share only their edge attempt', () => {
    // 0 s to 1800 s holds four (the window from 0 s ends before 4200 s); 1800 s to 5400 s holds four
    // more, counting the one at 1800 s: a single run of seven, not two runs sharing an attempt.
    const items = at(0, 10, 20, 1800, 4200, 4800, 5400);
    expect(bursts(items, HOUR, 4)).toEqual([items]);
  });

  it('with a count of one, make each item a run, merging those within the span', () => {
    expect(bursts(at(0), HOUR, 1)).toEqual([at(0)]);
    expect(bursts(at(0, 3600, 9000), HOUR, 1)).toEqual([at(0, 3600), at(9000)]);
  });
});

describe('a failure spike of one', () => {
  it('is every lone failure when anomalies.failureSpikeCount is 1', async () => {
    const { db } = await storeOf([
      attempt('2025-11-04 10:00:00,000', '005930', FORCED),
      failed('2025-11-04 10:00:30,000', '005930'),
      attempt('2025-11-04 14:00:00,000', '000660', FORCED),
      failed('2025-11-04 14:00:30,000', '000660'),
    ]);
    const config = path.join(tempDir(), 'ops.json');
    fs.writeFileSync(config, JSON.stringify({ anomalies: { failureSpikeCount: 1 } }));
    const run = await cli(['--db', db, 'anomalies', '--days', '1', '--until', '2025-11-04', '--json'], { env: { CRAVENY_OPS_CONFIG: config }, now: LATER });
    expect(run.code, run.stderr).toBe(1);
    expect(run.json().anomalies.map((a: any) => [a.kind, a.stock_code, a.first_ts, a.count])).toEqual([
      ['failure_spike', '005930', '2025-11-04T10:00:00+09:00', 1],
      ['failure_spike', '000660', '2025-11-04T14:00:00+09:00', 1],
    ]);
  });
});

describe('entries of one kind and one first time', () => {
  it('are in stock code order: a skip of 000660 before an update of 005930 in the same millisecond', async () => {
    const { db } = await storeOf([
      // 005930: a TTL update at 1.0 h of 2 h; 000660: a skip at 2.5 h of 2 h. Both violations, both at 11:00.
      attempt('2025-11-04 11:00:00,000', '005930', ttlReason('trading', '1.0', 2)),
      skip('2025-11-04 11:00:00,000', '000660', 'trading', '2.5', 2),
      succeeded('2025-11-04 11:00:30,000', '005930'),
    ]);
    const run = await cli(['--db', db, 'anomalies', '--days', '1', '--until', '2025-11-04', '--json'], { now: LATER });
    expect(run.json().anomalies.map((a: any) => [a.kind, a.stock_code])).toEqual([
      ['rule_violation', '000660'],
      ['rule_violation', '005930'],
    ]);
  });
});

describe('one entry per stock', () => {
  it("spans a stock's repeated trigger 2 over two hosts from the first repeat in time to the last", async () => {
    const trigger2 = (time: string) => [
      attempt(`2025-11-04 ${time}:00,000`, '005930', newPredictionReason(5, 6, 'trading')),
      succeeded(`2025-11-04 ${time}:30,000`, '005930'),
    ];
    // web-1 logs its first trigger 2 first (10:00) but repeats at 12:00 and 14:00; web-2 repeats at 11:00.
    const db = await fleetStoreOf({ 'web-1': ['10:00', '12:00', '14:00'].flatMap(trigger2), 'web-2': ['10:30', '11:00'].flatMap(trigger2) });
    const doc = await json(db, ['anomalies', '--days', '1', '--until', '2025-11-04'], 1);
    expect(doc.anomalies.filter((a: any) => a.kind === 'repeated_new_prediction').map((a: any) => [a.stock_code, a.first_ts, a.last_ts, a.count])).toEqual([
      ['005930', '2025-11-04T11:00:00+09:00', '2025-11-04T14:00:00+09:00', 3],
    ]);
  });

  it('and mode: a single-model and an A/B silent failure of one stock are two entries', async () => {
    const { db } = await storeOf([
      attempt('2025-11-04 10:00:00,000', '005930', FORCED),
      generation('2025-11-04 10:00:01,000', '005930'),
      generationFailed('2025-11-04 10:00:20,000'),
      succeeded('2025-11-04 10:00:25,000', '005930'),
      attempt('2025-11-04 12:00:00,000', '005930', FORCED),
      abGeneration('2025-11-04 12:00:01,000', '005930'),
      generationFailed('2025-11-04 12:00:20,000'),
      line('2025-11-04 12:00:25,000', '종목 005930의 A/B 분석 요약 업데이트 완료'),
    ]);
    const doc = await json(db, ['anomalies', '--days', '1', '--until', '2025-11-04'], 1);
    expect(doc.anomalies.filter((a: any) => a.kind === 'silent_failure').map((a: any) => [a.stock_code, a.mode, a.first_ts, a.count])).toEqual([
      ['005930', 'single', '2025-11-04T10:00:00+09:00', 1],
      ['005930', 'ab', '2025-11-04T12:00:00+09:00', 1],
    ]);
  });
});
