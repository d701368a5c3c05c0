/**
 * The one definition of a command's window, for every windowed command and the HTTP API:
 * `--days N --until DAY` (KST calendar days), or `--since 90m|24h|7d|TIME` and `--until DAY|TIME`
 * (an exact `[since, until)`), or `--month YYYY-MM` (a calendar month in KST, any length).
 */
import { UsageError } from '../errors.js';
import { DAY_MS, dayStartMs, HOUR_MS, isDay, isoKst, KST_OFFSET_MS, kstDay, MINUTE_MS, parseDays, windowOf, type Window } from './time.js';
import { plural } from '../render/text.js';

export interface WindowFlags {
  days?: string | number;
  since?: string;
  until?: string;
}

/** A bound given as a day means that whole day; as a time, that instant. */
type Bound = { day: string } | { ms: number };

const DURATION = /^(\d+)\s*(m|min|h|d)$/i;
const UNIT_MS: Record<string, number> = { m: MINUTE_MS, min: MINUTE_MS, h: HOUR_MS, d: DAY_MS };
// 2025-11-04T09:00, 2025-11-04 09:00:30.5, …+09:00, …Z; KST unless an offset is given.
const TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const MONTH = /^(\d{4})-(\d{2})$/;

/** A duration such as 90m, 24h or 7d in milliseconds; null when the text is not one. */
export function parseDuration(text: string): number | null {
  const m = DURATION.exec(text);
  return m ? Number(m[1]) * UNIT_MS[m[2].toLowerCase()] : null;
}

/** A time (KST unless it carries an offset) in UTC milliseconds; null when the text is not one. */
export function parseTime(text: string): number | null {
  const m = TIME.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s = '0', frac = '0', zone] = m;
  const naive = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, Number(frac.padEnd(3, '0')));
  const check = new Date(naive);
  // Rejects 2025-02-30T10:00, month 13 or 00 and 24:00, which Date.UTC would roll over silently.
  if (check.getUTCMonth() !== +mo - 1 || check.getUTCDate() !== +d || check.getUTCHours() !== +h || +mi > 59 || +s > 59) return null;
  if (zone === undefined) return naive - KST_OFFSET_MS;
  if (zone.toUpperCase() === 'Z') return naive;
  const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
  if (+z[2] > 23 || +z[3] > 59) return null;
  return naive - (z[1] === '-' ? -1 : 1) * (+z[2] * HOUR_MS + +z[3] * MINUTE_MS);
}

/** A bound as a day or a time; spaces, impossible days and other forms are refused with the words the API uses too (params.ts). */
function parseBound(text: string, option: string): Bound {
  if (isDay(text)) return { day: text };
  const ms = parseTime(text);
  if (ms === null) throw new UsageError(`--${option} must be a day (YYYY-MM-DD) or a time (YYYY-MM-DDTHH:MM, KST unless it carries an offset), got '${text}'`);
  return { ms };
}

/** A window of exact instants, `[fromMs, untilMs)`; its days are the KST days it touches. */
export function timeWindow(fromMs: number, untilMs: number): Window {
  if (!(untilMs > fromMs)) throw new UsageError(`the window ends (${isoKst(untilMs)}) before it starts (${isoKst(fromMs)})`);
  return { days: (untilMs - fromMs) / DAY_MS, firstDay: kstDay(fromMs), lastDay: kstDay(untilMs - 1), fromMs, untilMs, byTime: true };
}

/**
 * The window the flags ask for. Without `--since`: `--days` calendar days ending with the `--until`
 * day (or, when `--until` is a time, that many 24 hours ending then). With `--since`: from a time,
 * or a duration back from `--until` (or now), until `--until` (a day: its end) or now.
 */
export function parseWindow(flags: WindowFlags, nowMs: number, defaultDays: number): Window {
  if (flags.since !== undefined && flags.days !== undefined) throw new UsageError('--since and --days exclude each other: give one of them');
  const until = flags.until === undefined ? undefined : parseBound(flags.until, 'until');
  if (flags.since === undefined) {
    const days = parseDays(flags.days, defaultDays);
    if (until === undefined) return windowOf(days, kstDay(nowMs));
    if ('day' in until) return windowOf(days, until.day);
    return timeWindow(until.ms - days * DAY_MS, until.ms);
  }
  const untilMs = until === undefined ? nowMs : 'day' in until ? dayStartMs(until.day) + DAY_MS : until.ms;
  const duration = parseDuration(flags.since);
  if (duration !== null) {
    if (duration === 0) throw new UsageError(`--since ${flags.since} is an empty window`);
    return timeWindow(untilMs - duration, untilMs);
  }
  if (!isDay(flags.since) && parseTime(flags.since) === null) {
    throw new UsageError(`--since must be a duration (90m, 24h, 7d), a day (YYYY-MM-DD) or a time (YYYY-MM-DDTHH:MM, KST unless it carries an offset), got '${flags.since}'`);
  }
  const since = parseBound(flags.since, 'since');
  return timeWindow('day' in since ? dayStartMs(since.day) : since.ms, untilMs);
}

/** `--month YYYY-MM`: the calendar month in KST. */
export function monthWindow(text: string): Window & { month: string } {
  const m = MONTH.exec(text.trim());
  if (!m || +m[2] < 1 || +m[2] > 12) throw new UsageError(`--month must be a month as YYYY-MM, got '${text}'`);
  const first = `${m[1]}-${m[2]}-01`;
  const next = +m[2] === 12 ? `${+m[1] + 1}-01-01` : `${m[1]}-${String(+m[2] + 1).padStart(2, '0')}-01`;
  const fromMs = dayStartMs(first);
  const untilMs = dayStartMs(next);
  return { ...windowOf(Math.round((untilMs - fromMs) / DAY_MS), kstDay(untilMs - 1)), month: `${m[1]}-${m[2]}` };
}

/** The window's span for titles: `2025-11-04`, `2025-11-01 to 2025-11-07`, or `2025-11-04 09:00 to 10:30`. */
export function windowSpan(window: Window): string {
  if (!window.byTime) return window.days === 1 ? window.firstDay : `${window.firstDay} to ${window.lastDay}`;
  const from = isoKst(window.fromMs).slice(0, 16).replace('T', ' ');
  const until = isoKst(window.untilMs).slice(0, 16).replace('T', ' ');
  return `${from} to ${until.slice(0, 10) === from.slice(0, 10) ? until.slice(11) : until}`;
}

/** `(7 days, KST)` or `(1.5 hours, KST)`. */
export function windowLength(window: Window): string {
  if (!window.byTime || window.days >= 2) {
    const days = Math.round(window.days * 100) / 100;
    return `${plural(days, 'day')}, KST`;
  }
  const hours = Math.round(window.days * 24 * 100) / 100;
  return `${plural(hours, 'hour')}, KST`;
}

/** The commander option descriptions every windowed command shares. */
export const WINDOW_HELP = {
  since: 'start of the window: a duration back from --until or now (90m, 24h, 7d) or a time (2025-11-04T09:00, KST unless it carries an offset); excludes --days',
  until: 'end of the window: a day (inclusive, default today KST) or a time (exclusive)',
} as const;
