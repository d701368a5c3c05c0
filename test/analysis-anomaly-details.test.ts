/**
 * The detail of each anomaly (cli-contract.md, anomalies: "one line a person can act on"), at the
 * edges of its words: how many hosts and stocks are named before "…", which error is the most
 * common (ties to the first seen), how long an error may be on one line, the reasons of a storm by
 * frequency, one call in the singular, and when a silent failure's placeholder went live.
 */
import { describe, expect, it } from 'vitest';
import { cli } from './helpers.js';
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
  llmCost,
  newPredictionReason,
  noise,
  storeOf,
  succeeded,
  ttlReason,
} from './support/analysis-log.js';

const anomaliesOf = (db: string) => json(db, ['anomalies', '--days', '1', '--until', '2025-11-04'], 1);
const ofKind = (doc: any, kind: string) => doc.anomalies.filter((a: any) => a.kind === kind);

describe('an update storm over a fleet names at most three hosts', () => {
  // Four forced updates of 005930 within 30 minutes, spread over the hosts given (in time order).
  const stormOver = (hosts: string[]) => {
    const logs: Record<string, string[]> = {};
    ['10:00', '10:10', '10:20', '10:30'].forEach((t, i) => {
      const host = hosts[i % hosts.length];
      (logs[host] ??= []).push(attempt(`2025-11-04 ${t}:00,000`, '005930', FORCED), succeeded(`2025-11-04 ${t}:30,000`, '005930'));
    });
    return fleetStoreOf(logs);
  };

  it('three hosts: all three, no ellipsis', async () => {
    const [storm] = ofKind(await anomaliesOf(await stormOver(['web-1', 'web-2', 'web-3'])), 'update_storm');
    expect(storm.detail).toContain('(limit 3 per 60 min) on 3 hosts (web-1, web-2, web-3), fired by');
  });

  it('four hosts: the first three, then "…"', async () => {
    const [storm] = ofKind(await anomaliesOf(await stormOver(['web-1', 'web-2', 'web-3', 'web-4'])), 'update_storm');
    expect(storm.detail).toContain('(limit 3 per 60 min) on 4 hosts (web-1, web-2, web-3, …), fired by');
  });
});

describe("an update storm's reasons and calls", () => {
  it('lists the reasons most frequent first, and one LLM call in the singular', async () => {
    const { db } = await storeOf([
      // The TTL update comes first, but fires once; forced fires three times.
      attempt('2025-11-04 10:00:00,000', '005930', ttlReason('trading', '2.5', 2)),
      llmCost('2025-11-04 10:00:01,000', '005930', 'trading', ttlReason('trading', '2.5', 2)),
      succeeded('2025-11-04 10:00:30,000', '005930'),
      ...['10:10', '10:20', '10:30'].flatMap((t) => [attempt(`2025-11-04 ${t}:00,000`, '005930', FORCED), succeeded(`2025-11-04 ${t}:30,000`, '005930')]),
    ]);
    const [storm] = ofKind(await anomaliesOf(db), 'update_storm');
    expect(storm.detail).toBe(
      '4 updates in 30 min (limit 3 per 60 min), fired by forced (강제 업데이트 또는 리포트 없음) ×3, ttl_expired (시장 단계별 TTL 초과) ×1; 1 LLM call, $0.001',
    );
  });
});

describe("a failure spike's detail", () => {
  // Failures of different stocks ten minutes apart from `start` (hh), each with its error.
  const spike = (hour: string, failures: [code: string, error: string][]) =>
    failures.flatMap(([code, error], i) => [
      attempt(`2025-11-04 ${hour}:${i}0:00,000`, code, FORCED),
      failed(`2025-11-04 ${hour}:${i}0:30,000`, code, error),
    ]);

  it('names five stocks whole and six as the first five and "…"; the most common error, a tie going to the first seen', async () => {
    const { db } = await storeOf(
      [
        ...spike('10', [
          ['005930', 'Error code: 503'],
          ['000660', 'Request timed out.'],
          ['035720', 'Error code: 503'],
          ['035420', 'Request timed out.'],
          ['051910', 'Connection error.'],
        ]),
        ...spike('13', ['005930', '000660', '035720', '035420', '051910', '207940'].map((c) => [c, 'Request timed out.'] as [string, string])),
      ].sort(),
    );
    const [five, six] = ofKind(await anomaliesOf(db), 'failure_spike');
    // 503 and the time-out both fail twice: the 503, seen first, is named.
    expect(five.detail).toBe(
      '5 failed updates in 40 min across 5 stocks (005930, 000660, 035720, 035420, 051910); most common error (2×): Error code: 503; no LLM calls',
    );
    expect(six.detail).toBe(
      '6 failed updates in 50 min across 6 stocks (005930, 000660, 035720, 035420, 051910, …); most common error (6×): Request timed out.; no LLM calls',
    );
  });

  it('keeps an error of 120 characters whole and cuts one of 121 to 119 and "…"; one stock is the entry\'s stock', async () => {
    const e120 = 'E'.repeat(120);
    const e121 = 'F'.repeat(121);
    const { db } = await storeOf(
      [...spike('10', [['005930', e120], ['005930', e120], ['005930', e120]]), ...spike('13', [['000660', e121], ['000660', e121], ['000660', e121]])].sort(),
    );
    const [first, second] = ofKind(await anomaliesOf(db), 'failure_spike');
    expect(first).toMatchObject({ stock_code: '005930', detail: `3 failed updates in 20 min; most common error (3×): ${e120}; no LLM calls` });
    expect(second).toMatchObject({ stock_code: '000660', detail: `3 failed updates in 20 min; most common error (3×): ${'F'.repeat(119)}…; no LLM calls` });
  });

  it('names abandoned attempts (no outcome logged) as their error', async () => {
    const { db } = await storeOf([
      // Three attempts without an outcome record; the log ends an hour after the last: all abandoned.
      attempt('2025-11-04 10:00:00,000', '005930', FORCED),
      attempt('2025-11-04 10:10:00,000', '000660', FORCED),
      attempt('2025-11-04 10:20:00,000', '035720', FORCED),
      noise('2025-11-04 11:20:00,000'),
    ]);
    const [entry] = ofKind(await anomaliesOf(db), 'failure_spike');
    expect(entry.detail).toBe('3 failed updates in 20 min across 3 stocks (005930, 000660, 035720); most common error (3×): abandoned (no outcome logged); no LLM calls');
  });
});

describe('a repeated trigger 2 below the cap', () => {
  it('says one needless regeneration in the singular, two in the plural, without the cap of 20', async () => {
    const trigger2 = (time: string, code: string) => [
      attempt(`2025-11-04 ${time}:00,000`, code, newPredictionReason(5, 6, 'trading')),
      succeeded(`2025-11-04 ${time}:30,000`, code),
    ];
    // 005930 fires with the same numbers twice (one repeat), 000660 three times (two repeats).
    const { db } = await storeOf([...trigger2('10:00', '005930'), ...trigger2('12:00', '005930'), ...['10:05', '12:05', '14:05'].flatMap((t) => trigger2(t, '000660'))].sort());
    const [once, twice] = ofKind(await anomaliesOf(db), 'repeated_new_prediction');
    expect(once).toMatchObject({ stock_code: '005930', count: 1, first_ts: '2025-11-04T12:00:00+09:00' });
    expect(once.detail).toBe('trigger 2 (새 예측 추가) fires with 기존: 5, 현재: 6 on every call: 1 needless regeneration, no LLM calls');
    expect(twice).toMatchObject({ stock_code: '000660', count: 2, first_ts: '2025-11-04T12:05:00+09:00' });
    expect(twice.detail).toBe('trigger 2 (새 예측 추가) fires with 기존: 5, 현재: 6 on every call: 2 needless regenerations, no LLM calls');
  });
});

describe('a single-model silent failure', () => {
  it('is live since its failure, with the TTL of the phase at that time', async () => {
    const { db } = await storeOf([
      // Starts in trading (TTL 2 h); the generation fails at 15:31, in market_close (TTL 1 h). No [LLM_COST]
      // line: the generator's start line is the one call, at the default $0.001.
      attempt('2025-11-04 15:29:00,000', '005930', FORCED),
      generation('2025-11-04 15:29:01,000', '005930'),
      generationFailed('2025-11-04 15:31:00,000', 'Connection error.'),
      succeeded('2025-11-04 15:31:05,000', '005930'),
    ]);
    const [entry] = ofKind(await anomaliesOf(db), 'silent_failure');
    expect(entry).toMatchObject({ stock_code: '005930', mode: 'single', count: 1 });
    expect(entry.detail).toBe(
      'single-model generation failed 1× (last error: Connection error.) yet the update was logged as complete: ' +
        'the placeholder report ("분석된 뉴스가 없습니다.") is live for 005930 since 2025-11-04 15:31 KST with a fresh last_updated, ' +
        'and no TTL trigger will replace it until the phase TTL has passed (1 h in market_close): force an update of 005930; 1 LLM call, $0.001',
    );
  });
});

describe('the kind as a person reads it', () => {
  it("names the generator of a silent failure beside its kind in the text output: silent_failure (ab)", async () => {
    const { db } = await storeOf([
      attempt('2025-11-04 10:00:00,000', '005930', FORCED),
      abGeneration('2025-11-04 10:00:01,000', '005930'),
      generationFailed('2025-11-04 10:00:20,000', 'Connection error.'),
      line('2025-11-04 10:00:25,000', '종목 005930의 A/B 분석 요약 업데이트 완료'),
    ]);
    const run = await cli(['--db', db, 'anomalies', '--days', '1', '--until', '2025-11-04'], { now: LATER });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('silent_failure (ab) 005930: A/B generation failed 1×');
  });
});
