/**
 * The one home of time at its edges: each field of a log timestamp at the last value it may take
 * and the first it may not, the KST day a window starts and ends on, the digits `--days` accepts,
 * and the zones a log or database may be read in. Expected values are worked out by hand from
 * the contract (KST = UTC+9, no daylight saving; `--days` 1–30 in digits only).
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors.js';
import {
  addDays,
  assertTimeZone,
  dayStartMs,
  daysBetween,
  isDay,
  isoKst,
  kstDay,
  kstHour,
  LocalClock,
  naiveMsOf,
  parseDay,
  parseDays,
  windowOf,
} from '../src/market/time.js';

describe('a log timestamp: each field at its last valid value and one past it', () => {
  it.each([
    // [text, the wall clock it reads as (UTC terms), or null for "no time"]
    ['1970-01-01 00:00:00,000', Date.UTC(1970, 0, 1)],
    ['1969-12-31 23:59:59,999', null], // before the epoch: no backend wrote it
    ['2025-01-04 09:15:02,123', Date.UTC(2025, 0, 4, 9, 15, 2, 123)],
    ['2025-00-04 09:15:02,123', null],
    ['2025-12-04 09:15:02,123', Date.UTC(2025, 11, 4, 9, 15, 2, 123)],
    ['2025-11-01 09:15:02,123', Date.UTC(2025, 10, 1, 9, 15, 2, 123)],
    ['2025-11-00 09:15:02,123', null],
    ['2025-12-31 09:15:02,123', Date.UTC(2025, 11, 31, 9, 15, 2, 123)],
    ['2025-12-32 09:15:02,123', null],
    ['2025-11-30 09:15:02,123', Date.UTC(2025, 10, 30, 9, 15, 2, 123)], // 30 is November's last day
    ['2025-11-31 09:15:02,123', null],
    ['2024-02-29 09:15:02,123', Date.UTC(2024, 1, 29, 9, 15, 2, 123)], // a leap year
    ['2025-11-04 00:00:00,000', Date.UTC(2025, 10, 4)],
    ['2025-11-04 23:59:59,999', Date.UTC(2025, 10, 4, 23, 59, 59, 999)],
    ['2025-11-04 09:59:02,123', Date.UTC(2025, 10, 4, 9, 59, 2, 123)],
    ['2025-11-04 09:60:02,123', null],
    ['2025-11-04 09:15:59,123', Date.UTC(2025, 10, 4, 9, 15, 59, 123)],
    // A leap second (`time.strftime` can print :60) is kept, as the next minute's start, not dropped.
    ['2025-11-04 09:15:60,000', Date.UTC(2025, 10, 4, 9, 16, 0, 0)],
    ['2025-11-04 09:15:61,000', null],
    // Python may use `.` before the milliseconds (a custom datefmt): the same instant.
    ['2025-11-04 09:15:02.123', Date.UTC(2025, 10, 4, 9, 15, 2, 123)],
    // Milliseconds that are not three digits make the time malformed.
    ['2025-11-04 09:15:02,abc', null],
    ['2025-11-04 09:15:02,-12', null],
  ])('%s', (text, expected) => {
    if (expected === null) expect(naiveMsOf(text)).toBeNaN();
    else expect(naiveMsOf(text)).toBe(expected);
  });

  it('reads the milliseconds of a whole line, not only of a bare timestamp', () => {
    expect(naiveMsOf('2025-11-04 09:15:02,007 - backend.services.stock_analysis_service - INFO - x')).toBe(Date.UTC(2025, 10, 4, 9, 15, 2, 7));
    // Without milliseconds the time is the whole second.
    expect(naiveMsOf('2025-11-04 09:15:02')).toBe(Date.UTC(2025, 10, 4, 9, 15, 2));
  });
});

describe('KST days', () => {
  it('names the KST day of an instant: 15:00 UTC is the next KST day', () => {
    expect(kstDay(Date.parse('2025-11-03T14:59:59.999Z'))).toBe('2025-11-03');
    expect(kstDay(Date.parse('2025-11-03T15:00:00Z'))).toBe('2025-11-04');
    // The same day twice gives the same name (asked for every record of a window).
    expect(kstDay(Date.parse('2025-11-04T12:00:00+09:00'))).toBe('2025-11-04');
    expect(kstDay(Date.parse('2025-11-04T12:00:01+09:00'))).toBe('2025-11-04');
  });

  it('puts each instant in its KST hour: 00 at midnight, 23 in the last hour', () => {
    expect(kstHour(Date.parse('2025-11-04T00:00:00+09:00'))).toBe(0);
    expect(kstHour(Date.parse('2025-11-04T08:59:59.999+09:00'))).toBe(8);
    expect(kstHour(Date.parse('2025-11-04T09:00:00+09:00'))).toBe(9);
    expect(kstHour(Date.parse('2025-11-04T23:59:59.999+09:00'))).toBe(23);
  });

  it('starts a KST day at 15:00 UTC of the day before', () => {
    expect(dayStartMs('2025-11-04')).toBe(Date.parse('2025-11-03T15:00:00Z'));
    expect(dayStartMs('2026-01-01')).toBe(Date.parse('2025-12-31T15:00:00Z'));
  });

  it('counts days forward and back across a month and a year', () => {
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2025-11-04', 0)).toBe('2025-11-04');
  });

  it('lists the days from one to another, both included; none when the first is after the last', () => {
    expect(daysBetween('2025-11-04', '2025-11-04')).toEqual(['2025-11-04']);
    expect(daysBetween('2025-12-30', '2026-01-02')).toEqual(['2025-12-30', '2025-12-31', '2026-01-01', '2026-01-02']);
    expect(daysBetween('2025-11-05', '2025-11-04')).toEqual([]);
  });

  it('makes --days 1 --until D exactly the KST day D', () => {
    expect(windowOf(1, '2025-11-04')).toEqual({
      days: 1,
      firstDay: '2025-11-04',
      lastDay: '2025-11-04',
      fromMs: Date.parse('2025-11-04T00:00:00+09:00'),
      untilMs: Date.parse('2025-11-05T00:00:00+09:00'),
    });
  });

  it('prints milliseconds with three digits, and none on a whole second', () => {
    expect(isoKst(Date.parse('2025-11-04T09:15:02.007+09:00'))).toBe('2025-11-04T09:15:02.007+09:00');
    expect(isoKst(Date.parse('2025-12-31T23:59:59+09:00'))).toBe('2025-12-31T23:59:59+09:00');
  });
});

describe('a day written YYYY-MM-DD', () => {
  it('is a real calendar day in exactly that form', () => {
    expect(isDay('2024-02-29')).toBe(true);
    expect(isDay('2025-12-31')).toBe(true);
    for (const bad of ['2025-02-29', '2025-13-01', '2025-11-31', '2025-1-04', '2025-11-4', ' 2025-11-04', '2025-11-04 ', '2025-11-04T00:00', '20251104', 'x2025-11-04']) {
      expect(isDay(bad), bad).toBe(false);
    }
  });

  it('is refused with a usage error that names the option and the text', () => {
    expect(parseDay('2025-11-04')).toBe('2025-11-04');
    expect(() => parseDay('2025-02-30')).toThrow(UsageError);
    expect(() => parseDay('2025-02-30')).toThrow("--date must be a date as YYYY-MM-DD, got '2025-02-30'");
    expect(() => parseDay('tomorrow', 'from')).toThrow("--from must be a date as YYYY-MM-DD, got 'tomorrow'");
  });
});

describe('--days: a whole number from 1 to 30, in digits only', () => {
  it('accepts the digits of 1 to 30, a leading zero included, and a number given as such (the HTTP API)', () => {
    expect(parseDays('05', 7)).toBe(5);
    expect(parseDays('007', 1)).toBe(7);
    expect(parseDays(30, 7)).toBe(30);
    expect(parseDays(1, 7)).toBe(1);
  });

  it('refuses a space, a sign, a point, an exponent, four digits, and numbers outside 1–30, naming the flag', () => {
    for (const bad of [' 5', '5 ', '+5', '5.0', '5e0', '0x5', '0005', '1000', 'five', 0, 31, 2.5]) {
      expect(() => parseDays(bad, 7), String(bad)).toThrow(UsageError);
    }
    expect(() => parseDays(' 5', 7)).toThrow("--days must be a whole number from 1 to 30, got ' 5'");
    expect(() => parseDays('31', 7, 'days')).toThrow("days must be a whole number from 1 to 30, got '31'");
  });
});

describe('time zones of a log or a database', () => {
  it('accepts IANA names, with or without a daylight-saving rule, and refuses others with a usage error', () => {
    for (const zone of ['Asia/Seoul', 'UTC', 'Etc/UTC', 'Europe/London', 'Asia/Tokyo']) expect(assertTimeZone(zone)).toBe(zone);
    expect(() => assertTimeZone('Mars/Olympus_Mons')).toThrow(UsageError);
    expect(() => assertTimeZone('Mars/Olympus_Mons')).toThrow("unknown time zone 'Mars/Olympus_Mons' (use an IANA name such as Asia/Seoul or UTC)");
    expect(() => new LocalClock('KST+9')).toThrow(UsageError);
  });

  it('reads Etc/UTC as UTC, and a zone without daylight saving at its one offset', () => {
    const at = (zone: string, text: string) => new Date(new LocalClock(zone).toUtc(naiveMsOf(text))).toISOString();
    expect(at('Etc/UTC', '2025-11-04 09:15:02,123')).toBe('2025-11-04T09:15:02.123Z');
    expect(at('Asia/Tokyo', '2025-11-04 09:15:02,123')).toBe('2025-11-04T00:15:02.123Z');
    // Kolkata is UTC+5:30: a half-hour offset is kept to the minute.
    expect(at('Asia/Kolkata', '2025-11-04 09:15:02,123')).toBe('2025-11-04T03:45:02.123Z');
  });

  it('reads London in summer (+1) and in winter (+0), and each side of the night the clocks go back', () => {
    const london = new LocalClock('Europe/London');
    const at = (text: string) => new Date(london.toUtc(naiveMsOf(text))).toISOString();
    expect(at('2025-07-01 12:00:00,000')).toBe('2025-07-01T11:00:00.000Z');
    expect(at('2025-07-01 23:59:59,999')).toBe('2025-07-01T22:59:59.999Z');
    expect(at('2025-12-01 12:00:00,000')).toBe('2025-12-01T12:00:00.000Z');
    // 2025-10-26 02:00 BST became 01:00 GMT: 00:30 is still summer time, 03:00 winter time.
    expect(at('2025-10-26 00:30:00,000')).toBe('2025-10-25T23:30:00.000Z');
    expect(at('2025-10-26 03:00:00,000')).toBe('2025-10-26T03:00:00.000Z');
    // 2025-03-30 01:00 GMT became 02:00 BST: 00:30 is winter time, 12:00 summer time.
    expect(at('2025-03-30 00:30:00,000')).toBe('2025-03-30T00:30:00.000Z');
    expect(at('2025-03-30 12:00:00,000')).toBe('2025-03-30T11:00:00.000Z');
  });
});
