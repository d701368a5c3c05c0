/**
 * The one home of time: Asia/Seoul days and windows, market phases by the clock,
 * and the conversion of a log's naive local timestamps to UTC.
 * Every "now" is a parameter so that tests pin the clock.
 */
import { UsageError } from '../errors.js';
import { PHASE_STARTS, type Phase } from './rules.js';

export const KST_ZONE = 'Asia/Seoul';
// Korea has kept UTC+9 without daylight saving since 1988, so KST arithmetic needs no zone database.
export const KST_OFFSET_MS = 9 * 3_600_000;
export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;
export const MINUTE_MS = 60_000;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** ISO 8601 in KST with its offset; milliseconds only when there are any. */
export function isoKst(ms: number): string {
  const d = new Date(ms + KST_OFFSET_MS);
  const base =
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  const millis = d.getUTCMilliseconds();
  return `${base}${millis ? '.' + pad(millis, 3) : ''}+09:00`;
}

/** The KST calendar day of an instant, as YYYY-MM-DD. */
export function kstDay(ms: number): string {
  // Analyses ask this for every record of a window, which spans few days: name each day once.
  const day = Math.floor((ms + KST_OFFSET_MS) / DAY_MS);
  let name = dayNames.get(day);
  if (name === undefined) dayNames.set(day, (name = new Date(day * DAY_MS).toISOString().slice(0, 10)));
  return name;
}
const dayNames = new Map<number, string>();

/** Minutes after KST midnight. */
export function kstMinuteOfDay(ms: number): number {
  return Math.floor((((ms + KST_OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS / MINUTE_MS);
}

/** Hour of the KST day, 0–23. */
export function kstHour(ms: number): number {
  return Math.floor(kstMinuteOfDay(ms) / 60);
}

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether the text is a real calendar day written YYYY-MM-DD. */
export function isDay(text: string): boolean {
  const m = DAY_PATTERN.exec(text);
  if (!m) return false;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3]);
  return new Date(ms).toISOString().slice(0, 10) === text;
}

/** Parses a KST calendar day; a usage error names the option when it is not a real date. */
export function parseDay(text: string, option = 'date'): string {
  if (isDay(text)) return text;
  throw new UsageError(`--${option} must be a date as YYYY-MM-DD, got '${text}'`);
}

/** The instant a KST day starts. */
export function dayStartMs(day: string): number {
  const [y, m, d] = day.split('-').map(Number);
  return Date.UTC(y, m - 1, d) - KST_OFFSET_MS;
}

export function addDays(day: string, n: number): string {
  return kstDay(dayStartMs(day) + n * DAY_MS);
}

/** The days from `from` to `to`, inclusive. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) days.push(day);
  return days;
}

export interface Window {
  days: number;
  /** First day, inclusive. */
  firstDay: string;
  /** Last day, inclusive. */
  lastDay: string;
  fromMs: number;
  /** Exclusive end. */
  untilMs: number;
  /** Given by times (`--since`, `--until TIME`): `days` is then the window's length in days, fractional. */
  byTime?: boolean;
}

/** The N KST calendar days ending with `until`, inclusive (the contract's `--days N --until D`). */
export function windowOf(days: number, until: string): Window {
  const firstDay = addDays(until, -(days - 1));
  return { days, firstDay, lastDay: until, fromMs: dayStartMs(firstDay), untilMs: dayStartMs(until) + DAY_MS };
}

/** `--days` (or ?days=, see src/params.ts): 1–30, written in digits only — no space, point, sign or exponent. */
export function parseDays(text: string | number | undefined, fallback: number, label = '--days'): number {
  if (text === undefined) return fallback;
  const n = /^\d{1,3}$/.test(String(text)) ? Number(text) : NaN;
  if (!(n >= 1 && n <= 30)) throw new UsageError(`${label} must be a whole number from 1 to 30, got '${text}'`);
  return n;
}

export function phaseAt(ms: number): Phase {
  const minute = kstMinuteOfDay(ms);
  // The latest phase started by this minute (an indexed loop: called for every decision of a month).
  let i = PHASE_STARTS.length - 1;
  while (i > 0 && minute < PHASE_STARTS[i][0]) i--;
  return PHASE_STARTS[i][1];
}

/** True when `phase` is the clock's phase at `ms`, give or take `slackMs` around a boundary. */
export function phaseFitsTime(phase: Phase, ms: number, slackMs = 2 * MINUTE_MS): boolean {
  return phaseAt(ms) === phase || phaseAt(ms - slackMs) === phase || phaseAt(ms + slackMs) === phase;
}

/** Zones of a fixed offset, the usual ones for this backend: no zone database (and its start-up cost) needed. */
const FIXED_OFFSETS: ReadonlyMap<string, number> = new Map([
  ['Asia/Seoul', KST_OFFSET_MS],
  ['UTC', 0],
  ['Etc/UTC', 0],
]);

export function assertTimeZone(zone: string): string {
  if (FIXED_OFFSETS.has(zone)) return zone;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone;
  } catch {
    throw new UsageError(`unknown time zone '${zone}' (use an IANA name such as Asia/Seoul or UTC)`);
  }
}

/**
 * Converts naive wall-clock times of one zone to UTC milliseconds.
 * Offsets are looked up once per local hour: the zone database is far too slow per line.
 */
export class LocalClock {
  /** Per local day: its one offset, or null on a day the offset changes (looked up per hour then). */
  private readonly dayOffsets = new Map<number, number | null>();
  private readonly hourOffsets = new Map<number, number>();
  private readonly fixedOffset: number | undefined;
  private readonly format: Intl.DateTimeFormat | undefined;

  constructor(readonly zone: string) {
    assertTimeZone(zone);
    this.fixedOffset = FIXED_OFFSETS.get(zone);
    if (this.fixedOffset !== undefined) return;
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  /** `naiveMs` is the local wall-clock reading expressed as if it were UTC. */
  toUtc(naiveMs: number): number {
    if (this.fixedOffset !== undefined) return naiveMs - this.fixedOffset;
    const day = Math.floor(naiveMs / DAY_MS);
    let offset = this.dayOffsets.get(day);
    if (offset === undefined) {
      const first = this.offsetAtHour(day * 24);
      offset = first === this.offsetAtHour(day * 24 + 23) ? first : null;
      this.dayOffsets.set(day, offset);
    }
    return naiveMs - (offset ?? this.offsetAtHour(Math.floor(naiveMs / HOUR_MS)));
  }

  /** The offset of a local wall-clock hour: the one at (naive − offset), found from a first guess. */
  private offsetAtHour(hour: number): number {
    let offset = this.hourOffsets.get(hour);
    if (offset === undefined) {
      const naive = hour * HOUR_MS;
      offset = this.offsetAt(naive - this.offsetAt(naive));
      this.hourOffsets.set(hour, offset);
    }
    return offset;
  }

  /**
   * The zone's offset at an instant, from the platform's own time-zone database (Intl).
   * date-fns-tz's getTimezoneOffset is an hour off near daylight-saving changes
   * (marnusw/date-fns-tz#182, #227), which would shift a log's times on those nights.
   */
  private offsetAt(instantMs: number): number {
    const parts: Record<string, number> = {};
    for (const p of this.format!.formatToParts(new Date(instantMs))) parts[p.type] = Number(p.value);
    const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
    return wall - (instantMs - (((instantMs % 1000) + 1000) % 1000));
  }
}

/** `2025-11-04 09:15:02,123` (or with `.`) read as a wall-clock instant in UTC terms; NaN if malformed. */
export function naiveMsOf(text: string): number {
  const c = (i: number) => text.charCodeAt(i) - 48;
  const two = (i: number) => c(i) * 10 + c(i + 1);
  const year = c(0) * 1000 + c(1) * 100 + c(2) * 10 + c(3);
  const month = two(5);
  const day = two(8);
  const hour = two(11);
  const minute = two(14);
  const second = two(17);
  const millis = text.length >= 23 ? c(20) * 100 + c(21) * 10 + c(22) : 0;
  if (
    !(month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 && second <= 60) ||
    !(year >= 1970 && millis >= 0 && millis <= 999)
  ) {
    return NaN;
  }
  // 2025-02-30 is no day: Date.UTC would carry it into March.
  if (day > 28 && day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return NaN;
  return Date.UTC(year, month - 1, day, hour, minute, second, millis);
}
