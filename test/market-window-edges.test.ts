/**
 * Windows at their edges (cli-contract.md, Conventions): a window given by times is `[since, until)`
 * and must not be empty, a duration counts back from `--until` or now, a time is KST unless it
 * carries an offset, `--month` is the calendar month in KST, and the title states the span.
 * test/window.test.ts holds the ordinary cases; these are the boundaries beside them.
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors.js';
import { monthWindow, parseDuration, parseTime, parseWindow, timeWindow, windowLength, windowSpan } from '../src/market/window.js';

const kst = (text: string) => Date.parse(`${text}+09:00`);
const NOW = kst('2025-11-04T12:34:56');

describe('a duration: digits and a unit (m, min, h, d), any case, a space allowed between', () => {
  it.each([
    ['1m', 60_000],
    ['90min', 90 * 60_000],
    ['90 min', 90 * 60_000],
    ['2H', 2 * 3_600_000],
    ['2 h', 2 * 3_600_000],
    ['3D', 3 * 86_400_000],
    ['0m', 0],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['h', '-2h', '2', '2w', '2hx', 'x2h', ' 2h', '2h ', '2 hours', '2mins'])('%j is not a duration', (text) => {
    expect(parseDuration(text)).toBeNull();
  });
});

describe('a time: KST unless it carries an offset, every field checked', () => {
  it.each([
    ['2025-11-04t09:00', kst('2025-11-04T09:00:00')],
    ['2025-11-04 09:00:59', kst('2025-11-04T09:00:59')],
    ['2025-11-04T09:00:30.05', kst('2025-11-04T09:00:30.050')],
    ['2025-11-04T09:00:30.123', kst('2025-11-04T09:00:30.123')],
    ['2025-11-04T00:00:00z', Date.parse('2025-11-04T00:00:00Z')],
    ['2025-11-04T09:00+0900', kst('2025-11-04T09:00:00')],
    ['2025-11-04T09:00+05:30', Date.parse('2025-11-04T03:30:00Z')],
    ['2025-11-04T09:00-00:30', Date.parse('2025-11-04T09:30:00Z')],
    ['2025-11-04T09:00+23:59', Date.parse('2025-11-03T09:01:00Z')],
    ['2024-02-29T23:59', kst('2024-02-29T23:59:00')],
  ])('%s', (text, ms) => {
    expect(parseTime(text)).toBe(ms);
  });

  it.each([
    '2025-11-04T09:00:60',
    '2025-11-04T09:00:30.1234',
    '2025-11-04T09:00+24:00',
    '2025-11-04T09:00+09:60',
    '2025-11-04T09:00+9:00',
    '2025-11-31T09:00',
    '2025-11-04T9:00',
    '2025-11-04T09:00 KST',
    ' 2025-11-04T09:00',
    '2025-11-04T09:00 ',
  ])('%j is not a time', (text) => {
    expect(parseTime(text)).toBeNull();
  });
});

describe('a window of times is [since, until), and not empty', () => {
  it('is refused when it ends where it starts', () => {
    const at = kst('2025-11-04T10:00:00');
    expect(() => timeWindow(at, at)).toThrow(UsageError);
    expect(() => timeWindow(at, at)).toThrow('the window ends (2025-11-04T10:00:00+09:00) before it starts (2025-11-04T10:00:00+09:00)');
    expect(() => parseWindow({ since: '2025-11-04T10:00', until: '2025-11-04T10:00' }, NOW, 7)).toThrow(/ends .* before it starts/);
  });

  it('holds one millisecond at least; its days are the KST days it touches, the end excluded', () => {
    const at = kst('2025-11-04T23:59:59.999');
    expect(timeWindow(at, at + 1)).toEqual({ days: 1 / 86_400_000, firstDay: '2025-11-04', lastDay: '2025-11-04', fromMs: at, untilMs: at + 1, byTime: true });
    // Ending at a KST midnight, the window does not touch the day that starts then.
    const w = timeWindow(kst('2025-11-04T21:00:00'), kst('2025-11-05T00:00:00'));
    expect([w.firstDay, w.lastDay, w.days]).toEqual(['2025-11-04', '2025-11-04', 0.125]);
    const across = timeWindow(kst('2025-11-04T21:00:00'), kst('2025-11-05T00:00:00.001'));
    expect([across.firstDay, across.lastDay]).toEqual(['2025-11-04', '2025-11-05']);
  });

  it('without --until ends now: a duration back from now, or a day or time until now', () => {
    expect(parseWindow({ since: '1d' }, NOW, 7)).toMatchObject({ fromMs: NOW - 86_400_000, untilMs: NOW, byTime: true });
    expect(parseWindow({ since: '2025-11-04' }, NOW, 7)).toMatchObject({ fromMs: kst('2025-11-04T00:00:00'), untilMs: NOW, firstDay: '2025-11-04', lastDay: '2025-11-04' });
    expect(parseWindow({ since: '2025-11-04T12:00' }, NOW, 7)).toMatchObject({ fromMs: kst('2025-11-04T12:00:00'), untilMs: NOW });
  });

  it('with --until DAY and a duration ends at that day’s end (midnight KST)', () => {
    expect(parseWindow({ since: '90m', until: '2025-11-03' }, NOW, 7)).toMatchObject({ fromMs: kst('2025-11-03T22:30:00'), untilMs: kst('2025-11-04T00:00:00') });
  });

  it('without --since or --until is the default number of KST days ending today (KST)', () => {
    // 00:30 KST on 2025-11-05 is still 2025-11-04 in UTC: the window ends with the KST day.
    const now = kst('2025-11-05T00:30:00');
    expect(parseWindow({}, now, 7)).toEqual({ days: 7, firstDay: '2025-10-30', lastDay: '2025-11-05', fromMs: kst('2025-10-30T00:00:00'), untilMs: kst('2025-11-06T00:00:00') });
    expect(parseWindow({ days: 3 }, now, 7)).toMatchObject({ days: 3, firstDay: '2025-11-03', lastDay: '2025-11-05' });
  });

  it('names the flag and the text it refuses', () => {
    expect(() => parseWindow({ until: 'tomorrow' }, NOW, 7)).toThrow(
      "--until must be a day (YYYY-MM-DD) or a time (YYYY-MM-DDTHH:MM, KST unless it carries an offset), got 'tomorrow'",
    );
    expect(() => parseWindow({ since: '2025-11-31' }, NOW, 7)).toThrow(
      "--since must be a duration (90m, 24h, 7d), a day (YYYY-MM-DD) or a time (YYYY-MM-DDTHH:MM, KST unless it carries an offset), got '2025-11-31'",
    );
    expect(() => parseWindow({ since: '0h', until: '2025-11-04' }, NOW, 7)).toThrow('--since 0h is an empty window');
    expect(() => parseWindow({ since: '1h', days: 1 }, NOW, 7)).toThrow('--since and --days exclude each other: give one of them');
  });
});

describe('--month: the calendar month in KST', () => {
  it('runs from the 1st at midnight KST to the 1st of the next month, across a year end', () => {
    expect(monthWindow('2025-12')).toEqual({
      days: 31,
      firstDay: '2025-12-01',
      lastDay: '2025-12-31',
      fromMs: kst('2025-12-01T00:00:00'),
      untilMs: kst('2026-01-01T00:00:00'),
      month: '2025-12',
    });
    expect(monthWindow('2025-01')).toMatchObject({ days: 31, firstDay: '2025-01-01', lastDay: '2025-01-31', untilMs: kst('2025-02-01T00:00:00') });
    expect(monthWindow('2025-09')).toMatchObject({ days: 30, lastDay: '2025-09-30', untilMs: kst('2025-10-01T00:00:00') });
    expect(monthWindow('2025-02')).toMatchObject({ days: 28, lastDay: '2025-02-28' });
  });

  it('reads the month with surrounding spaces, and refuses anything else with a usage error', () => {
    expect(monthWindow(' 2025-11 ')).toMatchObject({ month: '2025-11', days: 30 });
    for (const bad of ['2025-11-01', 'x2025-11', '2025-11x', '']) {
      expect(() => monthWindow(bad), bad).toThrow(UsageError);
      expect(() => monthWindow(bad), bad).toThrow(`--month must be a month as YYYY-MM, got '${bad}'`);
    }
  });
});

describe('the span and length a title states', () => {
  it('names one day alone, several days as a range', () => {
    expect(windowSpan(parseWindow({ days: 1, until: '2025-11-04' }, NOW, 7))).toBe('2025-11-04');
    expect(windowSpan(parseWindow({ days: 2, until: '2025-11-04' }, NOW, 7))).toBe('2025-11-03 to 2025-11-04');
  });

  it('gives a window of times its clock times, the end’s date only when it is another day', () => {
    expect(windowSpan(timeWindow(kst('2025-11-04T09:00:00'), kst('2025-11-04T10:30:00')))).toBe('2025-11-04 09:00 to 10:30');
    expect(windowSpan(timeWindow(kst('2025-11-04T21:00:00'), kst('2025-11-05T03:00:00')))).toBe('2025-11-04 21:00 to 2025-11-05 03:00');
  });

  it('states calendar windows in days, and windows of times under two days in hours', () => {
    expect(windowLength(parseWindow({ days: 1, until: '2025-11-04' }, NOW, 7))).toBe('1 day, KST');
    expect(windowLength(parseWindow({ days: 7, until: '2025-11-04' }, NOW, 7))).toBe('7 days, KST');
    expect(windowLength(timeWindow(kst('2025-11-04T09:00:00'), kst('2025-11-04T10:00:00')))).toBe('1 hour, KST');
    expect(windowLength(timeWindow(kst('2025-11-04T09:00:00'), kst('2025-11-04T10:30:00')))).toBe('1.5 hours, KST');
    // 47 h is still hours; 48 h (two days) is days; 60 h is 2.5 days.
    expect(windowLength(timeWindow(kst('2025-11-02T10:00:00'), kst('2025-11-04T09:00:00')))).toBe('47 hours, KST');
    expect(windowLength(timeWindow(kst('2025-11-02T10:00:00'), kst('2025-11-04T10:00:00')))).toBe('2 days, KST');
    expect(windowLength(timeWindow(kst('2025-11-02T10:00:00'), kst('2025-11-04T22:00:00')))).toBe('2.5 days, KST');
  });
});
