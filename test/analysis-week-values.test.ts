/**
 * verify week (cli-contract.md): the values behind the thresholds that test/boundaries.test.ts
 * checks. Report age is measured from the latest completion of a stock whichever host logged it
 * (hosts share one report row), an update that started the day before counts its completion,
 * stocks seen include stocks that were only skipped, and a day with no report age has no value.
 */
import { describe, expect, it } from 'vitest';
import { attempt, failed, fleetStoreOf, FORCED, json, noise, skip, succeeded } from './support/analysis-log.js';

const week = (db: string, from: string, to: string, code: number) => json(db, ['verify', 'week', '--from', from, '--to', to], code);
const dayOf = (doc: any, id: string, date: string) => doc.checks.find((c: any) => c.id === id).days.find((d: any) => d.date === date);
const update = (start: string, end: string, code: string) => [attempt(start, code, FORCED), succeeded(end, code)];

describe('avg_freshness_hours: the report age of a stock', () => {
  it('counts from the latest completion of any host: 2 h at midnight, not 4 h', async () => {
    // web-1 completed 005930 at 20:00, web-2 at 22:00 (Monday); the log ends Tuesday 12:00.
    // Tuesday 00:00–12:00: age 2 → 14, a mean of 8 (from web-1's completion it would be 10).
    const db = await fleetStoreOf({
      'web-1': [...update('2025-11-10 19:59:50,000', '2025-11-10 20:00:00,000', '005930'), noise('2025-11-11 12:00:00,000')],
      'web-2': update('2025-11-10 21:59:50,000', '2025-11-10 22:00:00,000', '005930'),
    });
    const doc = await week(db, '2025-11-11', '2025-11-11', 1);
    expect(dayOf(doc, 'avg_freshness_hours', '2025-11-11')).toMatchObject({ value: 8, status: 'fail' });
  });

  it('restarts at a completion after midnight of an update that started the day before', async () => {
    // Known since Monday 20:00; an update from Monday 23:59 completes Tuesday 00:06 (0.1 h); the log ends 12:00.
    // Tuesday: age 4.0 → 4.1 over 0.1 h (area 0.405 h²), then 0 → 11.9 over 11.9 h (area 70.805 h²):
    // 71.21 / 12 = 5.9342. Missing the completion, the age would rise 4 → 16 (mean 10).
    const db = await fleetStoreOf({
      'web-1': [
        ...update('2025-11-10 19:59:50,000', '2025-11-10 20:00:00,000', '005930'),
        ...update('2025-11-10 23:59:00,000', '2025-11-11 00:06:00,000', '005930'),
        noise('2025-11-11 12:00:00,000'),
      ],
    });
    const doc = await week(db, '2025-11-11', '2025-11-11', 1);
    expect(dayOf(doc, 'avg_freshness_hours', '2025-11-11')).toMatchObject({ value: 5.9342, status: 'fail' });
    // The update started on Monday: it is not one of Tuesday's updates.
    expect(dayOf(doc, 'daily_updates_per_stock', '2025-11-11')).toMatchObject({ value: null, status: 'no_data' });
  });

  it('restarts at a completion at exactly 00:00:00.000, which belongs to the day it opens', async () => {
    // Known since Monday 20:00; an update completes at Tuesday 00:00:00.000; the log ends 12:00.
    // Tuesday: age 0 → 12, a mean of 6 (without that completion, 4 → 16: a mean of 10).
    const db = await fleetStoreOf({
      'web-1': [
        ...update('2025-11-10 19:59:50,000', '2025-11-10 20:00:00,000', '005930'),
        ...update('2025-11-10 23:59:50,000', '2025-11-11 00:00:00,000', '005930'),
        noise('2025-11-11 12:00:00,000'),
      ],
    });
    const doc = await week(db, '2025-11-10', '2025-11-11', 1);
    expect(dayOf(doc, 'avg_freshness_hours', '2025-11-11')).toMatchObject({ value: 6, status: 'fail' });
    const tuesdayAlone = await week(db, '2025-11-11', '2025-11-11', 1);
    expect(dayOf(tuesdayAlone, 'avg_freshness_hours', '2025-11-11')).toMatchObject({ value: 6, status: 'fail' });
  });

  it('ignores a success record whose commit then failed: the report was not saved', async () => {
    // Completed Monday 20:00; the 22:00 update logs its completion, then the commit fails. The log ends Tuesday 12:00.
    // Tuesday: the age runs from 20:00, 4 → 16, a mean of 10 (from 22:00:30 it would be about 8).
    const db = await fleetStoreOf({
      'web-1': [
        ...update('2025-11-10 19:59:50,000', '2025-11-10 20:00:00,000', '005930'),
        attempt('2025-11-10 22:00:00,000', '005930', FORCED),
        succeeded('2025-11-10 22:00:30,000', '005930'),
        failed('2025-11-10 22:00:31,000', '005930', '(builtins.Exception) server closed the connection unexpectedly'),
        noise('2025-11-11 12:00:00,000'),
      ],
    });
    const doc = await week(db, '2025-11-11', '2025-11-11', 1);
    expect(dayOf(doc, 'avg_freshness_hours', '2025-11-11')).toMatchObject({ value: 10, status: 'fail' });
  });

  it('has no value on a day no stock has a completed report, nor on a day the log has ended by', async () => {
    // Tuesday: a failed update and a skip, no completion ever; the log ends at Wednesday 00:00:00.000.
    const db = await fleetStoreOf({
      'web-1': [attempt('2025-11-11 10:00:00,000', '005930', FORCED), failed('2025-11-11 10:00:30,000', '005930'), skip('2025-11-11 11:00:00,000', '000660', 'trading', '0.5', 2), noise('2025-11-12 00:00:00,000')],
    });
    const doc = await week(db, '2025-11-11', '2025-11-12', 1);
    expect(dayOf(doc, 'avg_freshness_hours', '2025-11-11')).toMatchObject({ value: null, status: 'no_data', detail: 'no report age known this day' });
    expect(dayOf(doc, 'avg_freshness_hours', '2025-11-12')).toMatchObject({ value: null, status: 'no_data', detail: 'the log ends before this day' });
    expect(doc.checks.find((c: any) => c.id === 'avg_freshness_hours').status).toBe('not_exercised');
  });
});

describe('daily_updates_per_stock: stocks seen are those with an attempt or a skip', () => {
  it('5 succeeded updates of one stock, two more stocks only skipped: 5 / 3 = 1.6667', async () => {
    const lines = [
      ...['10', '11', '12', '13', '14'].flatMap((h) => update(`2025-11-11 ${h}:00:00,000`, `2025-11-11 ${h}:00:30,000`, '005930')),
      skip('2025-11-11 10:30:00,000', '000660', 'trading', '0.5', 2),
      skip('2025-11-11 10:40:00,000', '035720', 'trading', '0.5', 2),
    ].sort();
    const db = await fleetStoreOf({ 'web-1': lines });
    const doc = await week(db, '2025-11-11', '2025-11-11', 1);
    expect(dayOf(doc, 'daily_updates_per_stock', '2025-11-11')).toMatchObject({ value: 1.6667, status: 'fail', detail: '5 succeeded updates / 3 stocks seen' });
    // LLM calls are judged against the same n: 0 calls, 15–30 expected.
    expect(dayOf(doc, 'llm_calls_per_day', '2025-11-11')).toMatchObject({ value: 0, status: 'fail' });
  });

  it('a decision at 00:00:00.000 is seen on the day it opens, not on the day before', async () => {
    // Tuesday: 5 succeeded updates of 005930 (5 / 1 = 5, a pass). Wednesday 00:00:00.000: a skip of 000660 (0 / 1 = 0).
    const lines = [
      ...['10', '11', '12', '13', '14'].flatMap((h) => update(`2025-11-11 ${h}:00:00,000`, `2025-11-11 ${h}:00:30,000`, '005930')),
      skip('2025-11-12 00:00:00,000', '000660', 'pre_market', '0.5', 3),
    ];
    const db = await fleetStoreOf({ 'web-1': lines });
    const doc = await week(db, '2025-11-11', '2025-11-12', 1);
    expect(dayOf(doc, 'daily_updates_per_stock', '2025-11-11')).toMatchObject({ value: 5, status: 'pass' });
    expect(dayOf(doc, 'daily_updates_per_stock', '2025-11-12')).toMatchObject({ value: 0, status: 'fail' });
  });
});
