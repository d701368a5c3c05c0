/**
 * The KRX (Korea Exchange) calendar: which KST days the market trades.
 * Closed: weekends, Korean public holidays (the maintained @hyunbinseo/holidays-kr, from the
 * official gazette), and the exchange's own closures — the year-end closing day, and Labour Day
 * (May 1) before 2026, when it became a public holiday the package lists itself.
 */
import * as presets from '@hyunbinseo/holidays-kr/all';
import { addDays } from './time.js';

type Preset = Readonly<Record<string, readonly string[]>>;

// The package exports one preset per year it knows (y2018, y2019, …): its coverage is read off
// those names, so a package update widens it with no change here.
const HOLIDAYS = new Map<number, Preset>(
  Object.entries(presets as unknown as Record<string, Preset>)
    .filter(([name]) => /^y\d{4}$/.test(name))
    .map(([name, preset]) => [Number(name.slice(1)), preset]),
);
const YEARS = [...HOLIDAYS.keys()].sort((a, b) => a - b);

/** The years the holiday data covers, inclusive. */
export const HOLIDAY_COVERAGE = { first: YEARS[0], last: YEARS[YEARS.length - 1] } as const;

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
/** The year labour day stopped being an exchange-only closure (it is a public holiday from then on). */
const LABOUR_DAY_HOLIDAY_FROM = 2026;

export interface KrxDay {
  date: string;
  weekday: string;
  /** False when the exchange is closed; when `covered` is false, true means "not known to be closed". */
  trading: boolean;
  /** Why it is closed, in words (e.g. "Saturday", "public holiday: 추석"). */
  closedBecause: string | null;
  /** Whether the holiday data covers the year; outside it only weekends and exchange closures are known. */
  covered: boolean;
}

function weekdayOf(day: string): number {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

function holidayNames(day: string): readonly string[] | null {
  return HOLIDAYS.get(Number(day.slice(0, 4)))?.[day] ?? null;
}

/** Closed for a reason other than the year-end rule (which depends on these). */
function ordinaryClosure(day: string): string | null {
  const weekday = weekdayOf(day);
  if (weekday === 0 || weekday === 6) return WEEKDAYS[weekday];
  const names = holidayNames(day);
  if (names) return `public holiday: ${names.join(', ')}`;
  if (day.slice(5) === '05-01' && Number(day.slice(0, 4)) < LABOUR_DAY_HOLIDAY_FROM) return 'exchange closure: Labour Day';
  return null;
}

/**
 * The exchange closes on Dec 31; when that is a weekend or a holiday, the last weekday before it
 * that would otherwise trade is closed instead (KRX business regulation, e.g. 2023-12-29).
 */
function isYearEndClosure(day: string): boolean {
  if (day.slice(5, 7) !== '12') return false;
  let candidate = `${day.slice(0, 4)}-12-31`;
  while (ordinaryClosure(candidate) !== null) candidate = addDays(candidate, -1);
  return candidate === day;
}

export function krxDay(day: string): KrxDay {
  const year = Number(day.slice(0, 4));
  const covered = HOLIDAYS.has(year);
  const closedBecause = ordinaryClosure(day) ?? (isYearEndClosure(day) ? 'exchange closure: year-end closing day' : null);
  return { date: day, weekday: WEEKDAYS[weekdayOf(day)], trading: closedBecause === null, closedBecause, covered };
}

export function isTradingDay(day: string): boolean {
  return krxDay(day).trading;
}

/**
 * The warning a command prints for a day that is not a trading day, or whose holidays are not
 * known (outside the package's years); null for a known trading day.
 */
export function calendarWarning(day: string): string | null {
  const k = krxDay(day);
  if (!k.trading) return `${day} is not a KRX trading day (${k.closedBecause})`;
  if (!k.covered) {
    return (
      `${day} is outside the years the Korean holiday data covers ` +
      `(${HOLIDAY_COVERAGE.first}–${HOLIDAY_COVERAGE.last}); it may be a public holiday`
    );
  }
  return null;
}

/** The last `n` KRX trading days up to and including `through`, oldest first. */
export function tradingDaysThrough(through: string, n: number): string[] {
  const days: string[] = [];
  // Korea's longest closure (Chuseok next to a weekend) is about ten days: this never runs out.
  for (let day = through, looked = 0; days.length < n && looked < n * 7 + 30; day = addDays(day, -1), looked++) {
    if (isTradingDay(day)) days.unshift(day);
  }
  return days;
}
