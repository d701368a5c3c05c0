import { describe, expect, it } from 'vitest';
import { calendarWarning, HOLIDAY_COVERAGE, isTradingDay, krxDay } from '../src/market/calendar.js';

describe('the KRX calendar', () => {
  it('trades on an ordinary weekday', () => {
    expect(krxDay('2025-11-04')).toMatchObject({ trading: true, closedBecause: null, covered: true, weekday: 'Tuesday' });
    expect(calendarWarning('2025-11-04')).toBeNull();
  });

  it('is closed on a Saturday and a Sunday, and says so', () => {
    expect(krxDay('2025-11-08')).toMatchObject({ trading: false, closedBecause: 'Saturday' });
    expect(isTradingDay('2025-11-09')).toBe(false);
    expect(calendarWarning('2025-11-08')).toBe('2025-11-08 is not a KRX trading day (Saturday)');
  });

  it('is closed on the Seollal and Chuseok holidays of 2025, substitute holidays included', () => {
    for (const day of ['2025-01-27', '2025-01-28', '2025-01-29', '2025-01-30']) expect(isTradingDay(day), day).toBe(false);
    for (const day of ['2025-10-06', '2025-10-07', '2025-10-08', '2025-10-09']) expect(isTradingDay(day), day).toBe(false);
    expect(krxDay('2025-10-06').closedBecause).toBe('public holiday: 추석');
    expect(krxDay('2025-01-29').closedBecause).toBe('public holiday: 설날');
    expect(isTradingDay('2025-10-10')).toBe(true);
    expect(isTradingDay('2025-01-31')).toBe(true);
  });

  it('is closed on Dec 31, an exchange closure that is no public holiday', () => {
    expect(krxDay('2025-12-31')).toMatchObject({ trading: false, closedBecause: 'exchange closure: year-end closing day' });
    expect(isTradingDay('2025-12-30')).toBe(true);
  });

  it('moves the year-end closure to the last weekday when Dec 31 falls on a weekend', () => {
    // 2023-12-31 was a Sunday: the exchange closed on Friday the 29th and traded on the 28th.
    expect(krxDay('2023-12-29').closedBecause).toBe('exchange closure: year-end closing day');
    expect(isTradingDay('2023-12-28')).toBe(true);
  });

  it('is closed on May 1 2025 as an exchange closure, and on May 1 2026 as the new public holiday', () => {
    expect(krxDay('2025-05-01').closedBecause).toBe('exchange closure: Labour Day');
    expect(krxDay('2026-05-01').closedBecause).toBe('public holiday: 노동절');
    expect(isTradingDay('2025-05-02')).toBe(true);
  });

  it('warns that it cannot know the holidays of a year the holiday data does not cover', () => {
    const outside = '2017-03-07'; // a Tuesday before the package's first year
    expect(krxDay(outside).covered).toBe(false);
    expect(calendarWarning(outside)).toContain(`${HOLIDAY_COVERAGE.first}–${HOLIDAY_COVERAGE.last}`);
    expect(HOLIDAY_COVERAGE.first).toBeLessThanOrEqual(2025);
    expect(HOLIDAY_COVERAGE.last).toBeGreaterThanOrEqual(2026);
  });
});
