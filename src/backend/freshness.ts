/**
 * Report freshness from the backend's table: each stock's report age at a given time, against
 * the TTL of the market phase at that time — the ground truth that logs can only infer.
 */
import { UsageError } from '../errors.js';
import type { Phase, Rules } from '../market/rules.js';
import { HOUR_MS, isoKst, KST_ZONE, LocalClock, naiveMsOf, phaseAt } from '../market/time.js';
import type { SummaryRow } from './database.js';

export interface FreshnessEntry {
  stock_code: string;
  last_updated: string | null;
  age_hours: number | null;
  stale: boolean;
}

export interface FreshnessDocument {
  at: string;
  phase: Phase;
  ttl_hours: number;
  stocks: FreshnessEntry[];
}

/** Hours rounded to 0.01 (36 s): `stale` is decided on the printed value, so the two always agree. */
const roundHours = (h: number) => Math.round(h * 100) / 100;

/** A row's `last_updated` as UTC milliseconds: naive text read in the database's zone. */
export function lastUpdatedMs(value: SummaryRow['last_updated'], clock: LocalClock): number | null {
  if (value === null) return null;
  if (typeof value === 'number') return value;
  const naive = naiveMsOf(value);
  return Number.isNaN(naive) ? null : clock.toUtc(naive);
}

export function computeFreshness(rows: readonly SummaryRow[], atMs: number, dbTz: string, rules: Rules): FreshnessDocument {
  const clock = new LocalClock(dbTz);
  const phase = phaseAt(atMs);
  const ttl = rules[phase].ttlHours;
  const stocks = rows.map((row): FreshnessEntry => {
    const updated = lastUpdatedMs(row.last_updated, clock);
    if (updated === null) return { stock_code: row.stock_code, last_updated: null, age_hours: null, stale: true };
    const age = roundHours((atMs - updated) / HOUR_MS);
    return { stock_code: row.stock_code, last_updated: isoKst(updated), age_hours: age, stale: age >= ttl };
  });
  // Stalest first; a stock without any report is the stalest of all.
  stocks.sort((a, b) => (b.age_hours ?? Infinity) - (a.age_hours ?? Infinity) || a.stock_code.localeCompare(b.stock_code));
  return { at: isoKst(atMs), phase, ttl_hours: ttl, stocks };
}

const NAIVE_AT = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?)?$/;

/**
 * --at: ISO 8601 with an offset (`2025-11-12T14:00:00+09:00`, `…Z`), or a naive date and time
 * read in Asia/Seoul (`2025-11-12 14:00`), as every time in this tool's output is.
 */
export function parseAt(text: string): number {
  const trimmed = text.trim();
  const m = NAIVE_AT.exec(trimmed);
  if (m) {
    const [, day, h = '00', min = '00', s = '00', ms = '0'] = m;
    const naive = naiveMsOf(`${day} ${h}:${min}:${s}.${ms.padEnd(3, '0')}`);
    if (!Number.isNaN(naive) && new Date(naive).toISOString().slice(0, 10) === day) return new LocalClock(KST_ZONE).toUtc(naive);
  } else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(trimmed)) {
    const ms = Date.parse(trimmed);
    if (!Number.isNaN(ms)) return ms;
  }
  throw new UsageError(`--at must be a time such as 2025-11-12T14:00:00+09:00 or '2025-11-12 14:00' (KST), got '${text}'`);
}
