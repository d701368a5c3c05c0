/**
 * Report freshness from the backend's table: each stock's report age at a given time, against
 * the TTL of the market phase at that time — the ground truth that logs can only infer.
 */
import { sql } from 'kysely';
import { UsageError } from '../errors.js';
import type { Phase, Rules } from '../market/rules.js';
import { HOUR_MS, isoKst, KST_ZONE, LocalClock, naiveMsOf, phaseAt } from '../market/time.js';
import { parseTime } from '../market/window.js';
import { columnsOf, missingTable, TABLE, type Backend, type SummaryRow } from './database.js';

export interface FreshnessEntry {
  stock_code: string;
  last_updated: string | null;
  age_hours: number | null;
  stale: boolean;
  /** The row holds the generator's placeholder, not an analysis: a silent failure its last_updated hides. */
  placeholder: boolean;
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

/** What the generator saves instead of an analysis (backend-logs.md, silent failures). */
export const PLACEHOLDER_SUMMARY = '분석된 뉴스가 없습니다.';
/** overall_summary of a row written in A/B mode: the reports themselves are in custom_data. */
export const AB_MARKER = 'A/B 테스트 활성화 (Model A/B 비교 리포트)';
const MODEL_KEY = /^model[\s_-]*[ab]\b/i;

/** A report's summary text, or null when the report is empty or not a report. */
function summaryOf(report: unknown): string | null {
  if (typeof report === 'string') return report.trim() || null;
  if (!report || typeof report !== 'object') return null;
  const text = (report as Record<string, unknown>).overall_summary ?? (report as Record<string, unknown>).summary;
  return typeof text === 'string' && text.trim() ? text.trim() : null;
}

/** The model reports of an A/B row's custom_data: entries named model_a / model_b, at its top level or one level down. */
function modelReports(customData: unknown): unknown[] {
  if (!customData || typeof customData !== 'object') return [];
  const found: unknown[] = [];
  for (const [key, value] of Object.entries(customData as Record<string, unknown>)) {
    if (MODEL_KEY.test(key)) found.push(value);
    else if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [inner, report] of Object.entries(value as Record<string, unknown>)) if (MODEL_KEY.test(inner)) found.push(report);
    }
  }
  return found;
}

/**
 * Whether a row holds the generator's placeholder: its summary is the placeholder, or it is an A/B
 * row and a model's report is the placeholder or empty (or there is none). custom_data is read only
 * for A/B rows: a single-model row keeps the custom_data of an earlier A/B period, stale.
 */
export function isPlaceholder(overallSummary: string | null, customData: unknown): boolean {
  const summary = overallSummary?.trim() ?? '';
  if (summary === PLACEHOLDER_SUMMARY) return true;
  if (summary !== AB_MARKER) return false;
  const reports = modelReports(typeof customData === 'string' ? parseJson(customData) : customData);
  return reports.length === 0 || reports.some((r) => {
    const text = summaryOf(r);
    return text === null || text === PLACEHOLDER_SUMMARY;
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Each stock's placeholder flag; rows of a table without overall_summary hold none. */
export async function placeholderStocks(backend: Backend): Promise<Set<string>> {
  const columns = await columnsOf(backend.db);
  if (!columns) throw missingTable(backend.location);
  if (!columns.has('overall_summary')) return new Set();
  const custom = columns.has('custom_data') ? sql`custom_data::text` : sql`null::text`;
  const { rows } = await sql<{ stock_code: string; overall_summary: string | null; custom_data: string | null }>`
    select stock_code::text as stock_code, overall_summary::text as overall_summary, ${custom} as custom_data
    from ${sql.table(TABLE)}`.execute(backend.db);
  return new Set(rows.filter((r) => isPlaceholder(r.overall_summary, r.custom_data)).map((r) => r.stock_code));
}

export function computeFreshness(
  rows: readonly SummaryRow[],
  atMs: number,
  dbTz: string,
  rules: Rules,
  placeholders: ReadonlySet<string> = new Set(),
): FreshnessDocument {
  const clock = new LocalClock(dbTz);
  const phase = phaseAt(atMs);
  const ttl = rules[phase].ttlHours;
  const stocks = rows.map((row): FreshnessEntry => {
    const updated = lastUpdatedMs(row.last_updated, clock);
    const placeholder = placeholders.has(row.stock_code);
    if (updated === null) return { stock_code: row.stock_code, last_updated: null, age_hours: null, stale: true, placeholder };
    const age = roundHours((atMs - updated) / HOUR_MS);
    return { stock_code: row.stock_code, last_updated: isoKst(updated), age_hours: age, stale: age >= ttl, placeholder };
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
    // parseTime checks every field (Date.parse read 2025-11-31 as December 1st); it reads to the
    // millisecond, so finer digits are cut, as Date.parse did.
    const ms = parseTime(trimmed.replace(/(\.\d{3})\d+/, '$1'));
    if (ms !== null) return ms;
  }
  throw new UsageError(`--at must be a time such as 2025-11-12T14:00:00+09:00 or '2025-11-12 14:00' (KST), got '${text}'`);
}
