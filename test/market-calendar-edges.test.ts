/**
 * The KRX calendar beside its edges: every weekday by name, the year-end closing day in each of
 * the ways Dec 31 can fall, Labour Day on each side of 2026, the first and last years the holiday
 * data covers, and the last N trading days across weekends and holidays. Dates and weekdays were
 * read off a calendar; holidays off the official list (2025: Chuseok Oct 5–8 with a substitute on
 * Oct 8, Hangul Day Oct 9; Christmas on a Thursday).
 */
import { describe, expect, it } from 'vitest';
import { calendarWarning, HOLIDAY_COVERAGE, krxDay, tradingDaysThrough } from '../src/market/calendar.js';

describe('a KRX day', () => {
  it('names its weekday, Sunday to Saturday, and trades Monday to Friday', () => {
    const week = ['2025-11-02', '2025-11-03', '2025-11-04', '2025-11-05', '2025-11-06', '2025-11-07', '2025-11-08'];
    expect(week.map((d) => [krxDay(d).weekday, krxDay(d).trading])).toEqual([
      ['Sunday', false],
      ['Monday', true],
      ['Tuesday', true],
      ['Wednesday', true],
      ['Thursday', true],
      ['Friday', true],
      ['Saturday', false],
    ]);
    expect(krxDay('2025-11-02')).toEqual({ date: '2025-11-02', weekday: 'Sunday', trading: false, closedBecause: 'Sunday', covered: true });
  });

  it('gives a weekend the weekend as its reason even when it is also a holiday', () => {
    // 2025-10-05 (Sunday) is the first day of Chuseok.
    expect(krxDay('2025-10-05').closedBecause).toBe('Sunday');
    expect(krxDay('2025-10-08').closedBecause).toMatch(/^public holiday: /);
    expect(krxDay('2025-10-09').closedBecause).toBe('public holiday: 한글날');
    // Two holidays on one day are both named: 2025-05-05 was Children's Day and Buddha's Birthday.
    expect(krxDay('2025-05-05').closedBecause).toBe('public holiday: 어린이날, 부처님 오신 날');
  });
});

describe('the year-end closing day', () => {
  it.each([
    // [Dec 31 falls on, the day closed instead (or itself), the weekday before it that trades]
    ['2024 (Tuesday)', '2024-12-31', '2024-12-30'],
    ['2021 (Friday)', '2021-12-31', '2021-12-30'],
    ['2022 (Saturday)', '2022-12-30', '2022-12-29'],
    ['2023 (Sunday)', '2023-12-29', '2023-12-28'],
  ])('%s: closed on %s, trading on %s', (_, closed, trading) => {
    expect(krxDay(closed)).toMatchObject({ trading: false, closedBecause: 'exchange closure: year-end closing day' });
    expect(krxDay(trading)).toMatchObject({ trading: true, closedBecause: null });
  });

  it('is one day only: when Dec 31 is a weekend, the weekend keeps its own reason', () => {
    expect(krxDay('2022-12-31').closedBecause).toBe('Saturday');
    expect(krxDay('2023-12-31').closedBecause).toBe('Sunday');
    expect(krxDay('2023-12-30').closedBecause).toBe('Saturday');
  });

  it('is known outside the years of the holiday data too (an exchange rule, not a holiday)', () => {
    // 2030-12-31 is a Tuesday; 2017-12-31 a Sunday, so Friday 2017-12-29 closed.
    expect(krxDay('2030-12-31')).toMatchObject({ trading: false, covered: false, closedBecause: 'exchange closure: year-end closing day' });
    expect(krxDay('2030-12-30')).toMatchObject({ trading: true, covered: false });
    expect(krxDay('2017-12-29')).toMatchObject({ trading: false, covered: false, closedBecause: 'exchange closure: year-end closing day' });
  });
});

describe('Labour Day', () => {
  it('is an exchange closure on a weekday before 2026, a public holiday from 2026', () => {
    // 2024-05-01 was a Wednesday, 2025-05-01 a Thursday, 2026-05-01 a Friday.
    expect(krxDay('2024-05-01').closedBecause).toBe('exchange closure: Labour Day');
    expect(krxDay('2026-05-01').closedBecause).toBe('public holiday: 노동절');
    // Outside the data's years before 2026 it is still known: the exchange's own rule.
    expect(krxDay('2017-05-01')).toMatchObject({ trading: false, covered: false, closedBecause: 'exchange closure: Labour Day' });
    // From 2026 it is a public holiday, known only from the holiday data: Monday 2028-05-01, past the
    // data's years, is not known to be closed (and warned about as such).
    expect(krxDay('2028-05-01')).toMatchObject({ weekday: 'Monday', trading: true, covered: false, closedBecause: null });
  });

  it('closes the exchange on May 1 only', () => {
    expect(krxDay('2024-04-30').trading).toBe(true);
    expect(krxDay('2024-05-02').trading).toBe(true);
    // Another month's 1st in a year before 2026: an ordinary Monday.
    expect(krxDay('2025-12-01').trading).toBe(true);
  });
});

describe('the years the holiday data covers', () => {
  it('are the package’s first and last years, and both ends are covered', () => {
    expect(HOLIDAY_COVERAGE).toEqual({ first: 2018, last: 2027 });
    expect(krxDay('2018-01-02').covered).toBe(true);
    expect(krxDay('2027-12-30').covered).toBe(true);
    expect(krxDay('2017-12-28').covered).toBe(false);
    expect(krxDay('2028-01-03').covered).toBe(false);
  });

  it('warns for a weekday outside them, naming the years; a closed day is warned about as closed', () => {
    // 2028-01-04 is a Tuesday.
    expect(calendarWarning('2028-01-04')).toBe('2028-01-04 is outside the years the Korean holiday data covers (2018–2027); it may be a public holiday');
    expect(calendarWarning('2028-01-08')).toBe('2028-01-08 is not a KRX trading day (Saturday)');
    expect(calendarWarning('2025-10-09')).toBe('2025-10-09 is not a KRX trading day (public holiday: 한글날)');
    expect(calendarWarning('2025-12-31')).toBe('2025-12-31 is not a KRX trading day (exchange closure: year-end closing day)');
  });
});

describe('the last N trading days through a day', () => {
  it('lists them oldest first, the day itself included when it trades', () => {
    expect(tradingDaysThrough('2025-11-05', 3)).toEqual(['2025-11-03', '2025-11-04', '2025-11-05']);
    expect(tradingDaysThrough('2025-11-05', 1)).toEqual(['2025-11-05']);
    expect(tradingDaysThrough('2025-11-05', 0)).toEqual([]);
  });

  it('steps over weekends and holidays: through Monday 2025-10-13, back across Chuseok', () => {
    // Oct 3 (Fri) National Foundation Day, Oct 6–9 Chuseok and Hangul Day, Oct 10 trades.
    expect(tradingDaysThrough('2025-10-13', 4)).toEqual(['2025-10-01', '2025-10-02', '2025-10-10', '2025-10-13']);
    // Through a Sunday: it ends with the Friday before.
    expect(tradingDaysThrough('2025-11-09', 2)).toEqual(['2025-11-06', '2025-11-07']);
  });

  it('finds 30 of them, six weeks back', () => {
    const days = tradingDaysThrough('2025-11-28', 30);
    expect(days).toHaveLength(30);
    // Counted back by hand: November has 20 trading days (Nov 3–28, four whole weeks); the ten before
    // them are the weeks of Oct 27–31 and Oct 20–24.
    expect(days[days.length - 1]).toBe('2025-11-28');
    expect(days[0]).toBe('2025-10-20');
    expect(days.slice(0, 6)).toEqual(['2025-10-20', '2025-10-21', '2025-10-22', '2025-10-23', '2025-10-24', '2025-10-27']);
  });
});
