import { describe, expect, it } from 'vitest';
import { isoKst, kstDay, LocalClock, naiveMsOf, parseDays, phaseAt, phaseFitsTime, windowOf } from '../src/market/time.js';

const naive = (text: string) => naiveMsOf(text);
const utc = (clock: LocalClock, text: string) => new Date(clock.toUtc(naive(text))).toISOString();

describe('a log clock', () => {
  it('reads Asia/Seoul wall time nine hours ahead of UTC', () => {
    expect(utc(new LocalClock('Asia/Seoul'), '2025-11-04 09:15:02,123')).toBe('2025-11-04T00:15:02.123Z');
  });

  it('reads UTC wall time as it is', () => {
    expect(utc(new LocalClock('UTC'), '2025-11-04 09:15:02,123')).toBe('2025-11-04T09:15:02.123Z');
  });

  it('follows a daylight-saving change within the day it happens', () => {
    const ny = new LocalClock('America/New_York');
    // 2025-03-09: clocks went from 02:00 EST (−5) to 03:00 EDT (−4).
    expect(utc(ny, '2025-03-09 01:30:00,000')).toBe('2025-03-09T06:30:00.000Z');
    expect(utc(ny, '2025-03-09 03:30:00,000')).toBe('2025-03-09T07:30:00.000Z');
    expect(utc(ny, '2025-03-09 23:00:00,000')).toBe('2025-03-10T03:00:00.000Z');
    expect(utc(ny, '2025-03-08 23:00:00,000')).toBe('2025-03-09T04:00:00.000Z');
    // 2025-11-02: 02:00 EDT became 01:00 EST; the repeated hour reads as its first occurrence.
    expect(utc(ny, '2025-11-02 00:30:00,000')).toBe('2025-11-02T04:30:00.000Z');
    expect(utc(ny, '2025-11-02 01:30:00,000')).toBe('2025-11-02T05:30:00.000Z');
    expect(utc(ny, '2025-11-02 03:00:00,000')).toBe('2025-11-02T08:00:00.000Z');
  });

  it('rejects impossible timestamps', () => {
    // A day the month does not have is no time, never one in the next month (issue 13).
    expect(naive('2025-02-30 10:00:00,000')).toBeNaN();
    expect(naive('2024-02-29 10:00:00,000')).toBe(Date.UTC(2024, 1, 29, 10));
    expect(naive('2025-04-31 10:00:00,000')).toBeNaN();
    expect(naive('2025-12-31 23:59:59,999')).toBe(Date.UTC(2025, 11, 31, 23, 59, 59, 999));
    expect(naive('2025-13-01 10:00:00,000')).toBeNaN();
    expect(naive('2025-11-04 24:00:00,000')).toBeNaN();
  });
});

describe('KST days and windows', () => {
  it('prints instants in KST with their offset, milliseconds only when there are any', () => {
    expect(isoKst(Date.parse('2025-11-03T15:00:00Z'))).toBe('2025-11-04T00:00:00+09:00');
    expect(isoKst(Date.parse('2025-11-03T15:00:00.250Z'))).toBe('2025-11-04T00:00:00.250+09:00');
  });

  it('puts 23:59:59 KST and midnight on different days', () => {
    expect(kstDay(Date.parse('2025-11-04T23:59:59.999+09:00'))).toBe('2025-11-04');
    expect(kstDay(Date.parse('2025-11-05T00:00:00+09:00'))).toBe('2025-11-05');
  });

  it('makes --days N --until D the N days ending with D, inclusive', () => {
    const w = windowOf(7, '2025-11-04');
    expect([w.firstDay, w.lastDay]).toEqual(['2025-10-29', '2025-11-04']);
    expect(isoKst(w.fromMs)).toBe('2025-10-29T00:00:00+09:00');
    expect(isoKst(w.untilMs)).toBe('2025-11-05T00:00:00+09:00');
  });

  it('takes --days from 1 to 30 only', () => {
    expect(parseDays('1', 7)).toBe(1);
    expect(parseDays('30', 7)).toBe(30);
    expect(parseDays(undefined, 7)).toBe(7);
    for (const bad of ['0', '31', '-1', '2.5', 'x', '']) expect(() => parseDays(bad, 7)).toThrow(/--days must be a whole number from 1 to 30/);
  });
});

describe('market phases by the KST clock', () => {
  it.each([
    ['2025-11-04T08:59:59+09:00', 'pre_market'],
    ['2025-11-04T09:00:00+09:00', 'market_open'],
    ['2025-11-04T09:29:59+09:00', 'market_open'],
    ['2025-11-04T09:30:00+09:00', 'trading'],
    ['2025-11-04T15:29:59+09:00', 'trading'],
    ['2025-11-04T15:30:00+09:00', 'market_close'],
    ['2025-11-04T15:36:00+09:00', 'after_hours'],
    ['2025-11-04T23:59:59+09:00', 'after_hours'],
    ['2025-11-08T10:00:00+09:00', 'trading'], // a Saturday: the phase depends on the clock only
  ])('%s is %s', (time, phase) => {
    expect(phaseAt(Date.parse(time))).toBe(phase);
  });

  it('lets a decision name the neighbouring phase within two minutes of a boundary', () => {
    expect(phaseFitsTime('market_open', Date.parse('2025-11-04T08:58:30+09:00'))).toBe(true);
    expect(phaseFitsTime('market_open', Date.parse('2025-11-04T08:57:00+09:00'))).toBe(false);
    expect(phaseFitsTime('trading', Date.parse('2025-11-04T00:15:00+09:00'))).toBe(false);
  });
});
