/** `cost --month YYYY-MM`: the calendar month in KST, and its projected total. */
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, fixture, tempStore } from './helpers.js';

/*
 * fixtures/attempts/drill-down.log holds eight [LLM_COST] lines, all in November 2025 (KST):
 * 00:00:01 $0.001, 08:50 $0.002, 09:05 $0.001, 09:40 $0.001, 10:30 $0.001, 11:00 $0.003,
 * 11:30 $0.001, 11:58 $0.001 → 8 calls, $0.011, all on 2025-11-04.
 */
const kst = (text: string) => Date.parse(`${text}+09:00`);
let db: string;
beforeAll(async () => {
  db = tempStore();
  expect((await cli(['--db', db, 'ingest', fixture('attempts', 'drill-down.log')])).code).toBe(0);
});
const month = async (now: number, ...args: string[]) => cli(['--db', db, 'cost', ...args], { now });

describe('cost --month', () => {
  it('covers the whole calendar month and projects the current one from the days elapsed', async () => {
    // 2025-11-05 10:00 KST: five days of November have begun → $0.011 / 5 × 30 = $0.066.
    const run = await month(kst('2025-11-05T10:00:00'), '--month', '2025-11', '--json');
    expect(run.code).toBe(0);
    const doc = run.json();
    expect(doc).toMatchObject({
      from: '2025-11-01T00:00:00+09:00',
      until: '2025-12-01T00:00:00+09:00',
      month: '2025-11',
      total_calls: 8,
      total_cost_usd: 0.011,
      projected_month_cost_usd: 0.066,
      projected_30d_cost_usd: 0.011, // total / 30 days × 30
    });
    expect(doc.days).toHaveLength(30);
    expect(doc.days[3]).toEqual({ date: '2025-11-04', calls: 8, cost_usd: 0.011, updates: 7 });
  });

  it('counts the first day of the month as one day elapsed, from its first instant', async () => {
    const doc = (await month(kst('2025-11-01T00:00:00'), '--month', '2025-11', '--json')).json();
    expect(doc.projected_month_cost_usd).toBe(0.33); // $0.011 / 1 × 30
  });

  it('projects a month that is over as its total', async () => {
    const doc = (await month(kst('2025-12-01T00:00:00'), '--month', '2025-11', '--json')).json();
    expect(doc.projected_month_cost_usd).toBe(0.011);
  });

  it('takes a month of any length', async () => {
    const doc = (await month(kst('2025-11-05T10:00:00'), '--month', '2024-02', '--json')).json();
    expect(doc).toMatchObject({ from: '2024-02-01T00:00:00+09:00', until: '2024-03-01T00:00:00+09:00', total_calls: 0, projected_month_cost_usd: 0 });
    expect(doc.days).toHaveLength(29);
    expect((await month(kst('2025-11-05T10:00:00'), '--month', '2025-10', '--json')).json().days).toHaveLength(31);
  });

  it('states the projection in the table', async () => {
    const run = await month(kst('2025-11-05T10:00:00'), '--month', '2025-11');
    expect(run.stdout).toContain('LLM calls, 2025-11-01 to 2025-11-30 (30 days, KST)');
    expect(run.stdout).toContain('projected 2025-11: $0.066');
  });

  it.each([
    [['--month', '2025-13'], /--month must be a month as YYYY-MM, got '2025-13'/],
    [['--month', '2025-11', '--days', '3'], /--month is a window of its own/],
    [['--month', '2025-11', '--since', '2h'], /--month is a window of its own/],
  ])('refuses %j with one line and exit 2', async (args, message) => {
    const run = await month(kst('2025-11-05T10:00:00'), ...args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(message);
  });
});
