/**
 * `metrics` (docs/commands.md, metrics; cli-contract.md, Definitions) at its edges, each on a log of
 * a few lines: an attempt without an outcome is in flight while it is younger than 30 minutes at the
 * log end and abandoned at 30:00.000; a duration equal to a bucket's bound is in that bucket
 * (Prometheus' `le`); the stocks seen are those of the log end's KST day, from its 00:00:00.000; a
 * skip naming no phase counts in the phase of its time; the current report is each stock's latest
 * completion, whichever host logged it.
 */
import { describe, expect, it } from 'vitest';
import { cli } from './helpers.js';
import { attempt, fleetStoreOf, FORCED, line, noise, skip, storeOf, succeeded } from './support/analysis-log.js';

/** The samples of `metrics` as `name{labels}` → value (labels as printed). */
async function metricsOf(db: string): Promise<Map<string, number>> {
  const run = await cli(['--db', db, 'metrics']);
  expect(run.code, run.stderr).toBe(0);
  const samples = new Map<string, number>();
  for (const l of run.stdout.split('\n')) {
    const m = /^(\w+(?:\{[^}]*\})?) (\S+)$/.exec(l);
    if (m) samples.set(m[1], Number(m[2]));
  }
  return samples;
}

describe('in flight or abandoned, at the log end', () => {
  it('an attempt exactly 30 minutes before the log end is abandoned; one a millisecond younger is in flight', async () => {
    const { db } = await storeOf([
      attempt('2025-11-04 10:00:00,000', '005930', FORCED),
      attempt('2025-11-04 10:00:00,001', '000660', FORCED),
      noise('2025-11-04 10:30:00,000'),
    ]);
    const m = await metricsOf(db);
    expect(m.get('craveny_report_updates_in_flight')).toBe(1);
    expect(m.get('craveny_report_update_failures_total{cause="abandoned"}')).toBe(1);
    expect(m.get('craveny_report_updates_total{reason="forced",phase="trading",outcome="failed"}')).toBe(1);
  });
});

describe('the duration histogram', () => {
  it('puts a duration equal to a bound into that bucket: 1 s, 5 s and 5.001 s', async () => {
    const { db } = await storeOf([
      attempt('2025-11-04 10:00:00,000', '005930', FORCED),
      succeeded('2025-11-04 10:00:01,000', '005930'),
      attempt('2025-11-04 11:00:00,000', '005930', FORCED),
      succeeded('2025-11-04 11:00:05,000', '005930'),
      attempt('2025-11-04 12:00:00,000', '005930', FORCED),
      succeeded('2025-11-04 12:00:05,001', '005930'),
    ]);
    const m = await metricsOf(db);
    const bucket = (le: string) => m.get(`craveny_report_update_duration_seconds_bucket{phase="trading",le="${le}"}`);
    expect([bucket('1'), bucket('2'), bucket('5'), bucket('10'), bucket('+Inf')]).toEqual([1, 1, 2, 3, 3]);
    expect(m.get('craveny_report_update_duration_seconds_count{phase="trading"}')).toBe(3);
    expect(m.get('craveny_report_update_duration_seconds_sum{phase="trading"}')).toBeCloseTo(11.001, 9);
  });
});

describe('stocks seen on the KST day of the log end', () => {
  it('count a skip at 00:00:00.000 of that day, not an attempt a millisecond before it', async () => {
    const { db } = await storeOf([
      attempt('2025-11-03 23:59:59,999', '005930', FORCED),
      succeeded('2025-11-03 23:59:59,999', '005930'),
      skip('2025-11-04 00:00:00,000', '000660', 'pre_market', '1.0', 3),
      noise('2025-11-04 23:00:00,000'),
    ]);
    expect((await metricsOf(db)).get('craveny_stocks_seen')).toBe(1);
  });
});

describe('skips by phase', () => {
  it('count a skip whose text names no phase in the phase of its time', async () => {
    const { db } = await storeOf([
      skip('2025-11-04 10:00:00,000', '005930', 'trading', '1.0', 2),
      // An unrecognised skip reason: no phase printed; 15:31 KST is market_close by the clock.
      line('2025-11-04 15:31:00,000', '종목 000660의 분석 요약이 최신 상태입니다. (업데이트 불필요)'),
    ]);
    const m = await metricsOf(db);
    expect(['pre_market', 'market_open', 'trading', 'market_close', 'after_hours'].map((p) => m.get(`craveny_report_update_skips_total{phase="${p}"}`))).toEqual([
      0, 0, 1, 1, 0,
    ]);
  });
});

describe('the current reports', () => {
  it("are one per stock, its latest completion on any host, aged at the log end", async () => {
    const db = await fleetStoreOf({
      // 005930 completes in trading on web-1, later in after_hours on web-2: one report, the after_hours one.
      'web-1': [attempt('2025-11-04 10:00:00,000', '005930', FORCED), succeeded('2025-11-04 10:00:30,000', '005930')],
      'web-2': [
        attempt('2025-11-04 16:00:00,000', '005930', FORCED),
        succeeded('2025-11-04 16:00:30,000', '005930'),
        attempt('2025-11-04 17:00:00,000', '000660', FORCED),
        succeeded('2025-11-04 17:00:30,000', '000660'),
        noise('2025-11-04 18:00:30,000'),
      ],
    });
    const m = await metricsOf(db);
    expect(m.get('craveny_reports{phase="after_hours"}')).toBe(2);
    expect(m.get('craveny_reports{phase="trading"}')).toBe(0);
    // The older of the two: 005930's, 2 h before the log end.
    expect(m.get('craveny_oldest_report_age_seconds{phase="after_hours"}')).toBe(7200);
  });
});
