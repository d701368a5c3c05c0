/** Windows by the hour: --since/--until times beside --days, one definition for every command and the API. */
import { beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors.js';
import { monthWindow, parseDuration, parseTime, parseWindow } from '../src/market/window.js';
import { cli, fixture, tempStore } from './helpers.js';

const kst = (text: string) => Date.parse(`${text}+09:00`);
const NOW = kst('2025-11-04T12:34:56');

describe('parseTime', () => {
  it('reads a time as KST unless it carries an offset', () => {
    expect(parseTime('2025-11-04T09:00')).toBe(kst('2025-11-04T09:00:00'));
    expect(parseTime('2025-11-04 09:00:30.5')).toBe(kst('2025-11-04T09:00:30.500'));
    expect(parseTime('2025-11-04T00:00:00Z')).toBe(kst('2025-11-04T09:00:00'));
    expect(parseTime('2025-11-04T09:00+09:00')).toBe(kst('2025-11-04T09:00:00'));
    expect(parseTime('2025-11-03T19:00-05:00')).toBe(kst('2025-11-04T09:00:00'));
  });

  it('refuses what is not a real time', () => {
    for (const bad of ['2025-02-30T10:00', '2025-13-04T09:00', '2025-00-04T09:00', '2025-99-04T09:00', '2025-11-04T24:00', '2025-11-04T09:60', '2025-11-04', 'yesterday', '2025-11-04T09:00+25:00']) {
      expect(parseTime(bad), bad).toBeNull();
    }
  });
});

describe('parseDuration', () => {
  it('reads minutes, hours and days', () => {
    expect(parseDuration('90m')).toBe(90 * 60_000);
    expect(parseDuration('24h')).toBe(86_400_000);
    expect(parseDuration('7d')).toBe(7 * 86_400_000);
    expect(parseDuration('7 days')).toBeNull();
    expect(parseDuration('1.5h')).toBeNull();
  });
});

describe('parseWindow', () => {
  it('keeps --days/--until DAY as the contract’s calendar days', () => {
    const w = parseWindow({ days: '2', until: '2025-11-04' }, NOW, 7);
    expect([w.fromMs, w.untilMs, w.days, w.byTime]).toEqual([kst('2025-11-03T00:00:00'), kst('2025-11-05T00:00:00'), 2, undefined]);
  });

  it('takes a duration back from now, or from --until', () => {
    const w = parseWindow({ since: '90m' }, NOW, 7);
    expect([w.fromMs, w.untilMs]).toEqual([NOW - 90 * 60_000, NOW]);
    expect(w.days).toBe(0.0625);
    const u = parseWindow({ since: '90m', until: '2025-11-04T10:45' }, NOW, 7);
    expect([u.fromMs, u.untilMs]).toEqual([kst('2025-11-04T09:15:00'), kst('2025-11-04T10:45:00')]);
  });

  it('reads --until DAY with --since as the end of that day (midnight KST)', () => {
    const w = parseWindow({ since: '2025-11-04T21:00', until: '2025-11-04' }, NOW, 7);
    expect([w.fromMs, w.untilMs]).toEqual([kst('2025-11-04T21:00:00'), kst('2025-11-05T00:00:00')]);
    expect([w.firstDay, w.lastDay]).toEqual(['2025-11-04', '2025-11-04']);
  });

  it('reads --until TIME with --days as that many 24 hours before it', () => {
    const w = parseWindow({ days: '1', until: '2025-11-04T09:00Z' }, NOW, 7);
    expect([w.fromMs, w.untilMs]).toEqual([kst('2025-11-03T18:00:00'), kst('2025-11-04T18:00:00')]);
    expect([w.firstDay, w.lastDay]).toEqual(['2025-11-03', '2025-11-04']);
  });

  it('takes --since as a day from its midnight KST', () => {
    const w = parseWindow({ since: '2025-11-03', until: '2025-11-04T06:00' }, NOW, 7);
    expect([w.fromMs, w.untilMs]).toEqual([kst('2025-11-03T00:00:00'), kst('2025-11-04T06:00:00')]);
  });

  it.each([
    [{ since: '2h', days: '3' }, /--since and --days exclude each other/],
    [{ since: 'yesterday' }, /--since must be a duration \(90m, 24h, 7d\), a day \(YYYY-MM-DD\) or a time/],
    [{ since: '0m' }, /empty window/],
    [{ since: '2025-11-05T00:00', until: '2025-11-04' }, /ends .* before it starts/],
    [{ since: '2025-11-04T10:00', until: '2025-11-04T09:00' }, /ends .* before it starts/],
    [{ until: '2025-11-04T25:00' }, /--until must be a day/],
    [{ days: '31' }, /--days must be a whole number from 1 to 30/],
  ])('refuses %o', (flags, message) => {
    expect(() => parseWindow(flags, NOW, 7)).toThrow(UsageError);
    expect(() => parseWindow(flags, NOW, 7)).toThrow(message);
  });
});

describe('monthWindow', () => {
  it('covers the calendar month in KST, whatever its length', () => {
    const feb = monthWindow('2024-02');
    expect([feb.fromMs, feb.untilMs, feb.days, feb.firstDay, feb.lastDay]).toEqual([kst('2024-02-01T00:00:00'), kst('2024-03-01T00:00:00'), 29, '2024-02-01', '2024-02-29']);
    const dec = monthWindow('2025-12');
    expect([dec.untilMs, dec.days]).toEqual([kst('2026-01-01T00:00:00'), 31]);
  });

  it('refuses a month that does not exist', () => {
    for (const bad of ['2025-13', '2025-00', '2025-1', '11-2025']) expect(() => monthWindow(bad), bad).toThrow(/--month must be a month as YYYY-MM/);
  });
});

/*
 * fixtures/logs/day.log's attempts (see test/stats.test.ts): 07:10:12.520, 09:15:00.100, 09:15:08.200,
 * 09:15:38.400, 10:40:05.000, 11:20:00.000, 12:05:00.000, 13:00:00.000, 15:45:00.000, 21:30:00.000.
 */
describe('windowed commands', () => {
  let db: string;
  beforeAll(async () => {
    db = tempStore();
    expect((await cli(['--db', db, 'ingest', fixture('logs', 'day.log')])).code).toBe(0);
  });
  const stats = async (...args: string[]) => {
    const run = await cli(['--db', db, 'stats', '--json', ...args], { now: NOW });
    expect(run.stderr).toBe('');
    return run.json();
  };

  it('counts attempts in [since, until): the end is exclusive', async () => {
    // 09:15:00.100, 09:15:08.200, 09:15:38.400, 10:40:05 — not 11:20:00.000, where the window ends.
    const doc = await stats('--since', '2025-11-04T09:15', '--until', '2025-11-04T11:20');
    expect(doc).toMatchObject({ from: '2025-11-04T09:15:00+09:00', until: '2025-11-04T11:20:00+09:00', total_updates: 4 });
    expect(doc.period_days).toBe(0.0868); // 125 minutes / 1440
  });

  it('reads a time with an offset as that instant', async () => {
    const doc = await stats('--since', '2025-11-04T00:15:00Z', '--until', '2025-11-04T02:20:00Z');
    expect(doc).toMatchObject({ from: '2025-11-04T09:15:00+09:00', until: '2025-11-04T11:20:00+09:00', total_updates: 4 });
  });

  it('includes an attempt one millisecond before the end and excludes one at it', async () => {
    expect((await stats('--since', '2025-11-04T21:00', '--until', '2025-11-04T21:30')).total_updates).toBe(0);
    expect((await stats('--since', '2025-11-04T21:00', '--until', '2025-11-04T21:30:00.001')).total_updates).toBe(1);
    // --until the day: up to midnight KST.
    expect((await stats('--since', '2025-11-04T21:00', '--until', '2025-11-04')).until).toBe('2025-11-05T00:00:00+09:00');
  });

  it('takes --since 90m back from --until', async () => {
    const doc = await stats('--since', '90m', '--until', '2025-11-04T10:45');
    expect(doc).toMatchObject({ from: '2025-11-04T09:15:00+09:00', until: '2025-11-04T10:45:00+09:00', total_updates: 4, period_days: 0.0625 });
  });

  it('gives cost a row for every KST day the window touches', async () => {
    const run = await cli(['--db', db, 'cost', '--json', '--since', '2025-11-03T23:00', '--until', '2025-11-04T08:00'], { now: NOW });
    expect(run.code).toBe(0);
    const doc = run.json();
    expect(doc.days.map((d: { date: string }) => d.date)).toEqual(['2025-11-03', '2025-11-04']);
    expect(doc.total_calls).toBe(1); // the [LLM_COST] line at 07:10:12.530
  });

  it('windows anomalies and attempts the same way', async () => {
    const anomalies = await cli(['--db', db, 'anomalies', '--json', '--since', '2025-11-04T12:00', '--until', '2025-11-04T12:10'], { now: NOW });
    expect(anomalies.json()).toMatchObject({ from: '2025-11-04T12:00:00+09:00', until: '2025-11-04T12:10:00+09:00' });
    const attempts = await cli(['--db', db, 'attempts', '--json', '--since', '2025-11-04T12:00', '--until', '2025-11-04T12:10'], { now: NOW });
    expect(attempts.json().attempts.map((a: { ts: string }) => a.ts)).toEqual(['2025-11-04T12:05:00+09:00']);
  });

  it.each([
    [['stats', '--since', 'yesterday'], /--since must be a duration \(90m, 24h, 7d\), a day \(YYYY-MM-DD\) or a time/],
    [['cost', '--since', '2h', '--days', '1'], /--since and --days exclude each other/],
    [['anomalies', '--since', '2025-11-04T10:00', '--until', '2025-11-04T09:00'], /before it starts/],
    [['attempts', '--until', 'noon'], /--until must be a day/],
    [['report', '--html', '-', '--since', '5x'], /--since must be/],
  ])('refuses %j with one line and exit 2', async (args, message) => {
    const run = await cli(['--db', db, ...args], { now: NOW });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(message);
  });
});
