/**
 * The update statistics of a window (`craveny-ops stats`, GET /admin/report-updates/stats):
 * counts of attempts by outcome, reason and phase, intervals between completions, per-stock rows.
 */
import type { Kysely } from 'kysely';
import { REASONS, REASON_LABELS, type Reason } from '../logs/record.js';
import { PHASES, type Phase } from '../market/rules.js';
import { HOUR_MS, isoKst, type Window } from '../market/time.js';
import type { Database } from '../store/schema.js';
import { attemptSummariesIn, logEnd, type AttemptSummary } from './attempts.js';
import { durationSeconds, durationStats, type DurationStats } from './durations.js';

export interface ReasonCount {
  reason: Reason;
  label: string;
  count: number;
}

export interface StockStats {
  stock_code: string;
  updates: number;
  succeeded: number;
  failed: number;
  updates_per_day: number;
}

/** The contract's `stats --json` document. */
export interface StatsDocument {
  period_days: number;
  from: string;
  until: string;
  /** The log end (contract): a window past it holds no data after it, which is not "no updates". */
  log_end: string | null;
  total_updates: number;
  succeeded: number;
  failed: number;
  in_flight: number;
  update_reasons: ReasonCount[];
  market_phases: Record<Phase, number>;
  avg_interval_hours: { overall: number | null; by_stock: Record<string, number> };
  by_stock: StockStats[];
  /** Start to outcome record of the attempts that have one (succeeded or failed, not abandoned). */
  duration_seconds: DurationStats;
  duration_seconds_by_phase: Record<Phase, DurationStats>;
}

// Rounded so that JSON carries no binary float noise (2.0799722222222223 → 2.08).
export const roundHours = (h: number) => Math.round(h * 100) / 100;
export const roundRate = (x: number) => Math.round(x * 10_000) / 10_000;
/** A window's length in days: whole for calendar days, a fraction for a window given by times. */
export const periodDays = (window: Window) => roundRate(window.days);

export async function computeStats(db: Kysely<Database>, window: Window): Promise<StatsDocument> {
  const end = await logEnd(db);
  return statsOf(await attemptSummariesIn(db, window, end), window, end);
}

/** The document from attempts already read (those that started in the window). */
export function statsOf(attempts: readonly AttemptSummary[], window: Window, end: number | null): StatsDocument {
  const count = (status: AttemptSummary['status']) => attempts.filter((a) => a.status === status).length;

  const reasonCounts = new Map<Reason, number>();
  for (const a of attempts) reasonCounts.set(a.reason, (reasonCounts.get(a.reason) ?? 0) + 1);
  // Largest first; ties keep the vocabulary's order so the output is stable.
  const update_reasons = REASONS.filter((r) => reasonCounts.has(r))
    .map((reason) => ({ reason, label: REASON_LABELS[reason], count: reasonCounts.get(reason)! }))
    .sort((a, b) => b.count - a.count);

  const market_phases = Object.fromEntries(PHASES.map((p) => [p, 0])) as Record<Phase, number>;
  for (const a of attempts) market_phases[a.phase] += 1;

  return {
    period_days: periodDays(window),
    from: isoKst(window.fromMs),
    until: isoKst(window.untilMs),
    log_end: end === null ? null : isoKst(end),
    total_updates: attempts.length,
    succeeded: count('succeeded'),
    failed: count('failed'),
    in_flight: count('in_flight'),
    update_reasons,
    market_phases,
    avg_interval_hours: intervalsOf(attempts),
    by_stock: stockRows(attempts, window.days),
    ...durationsOf(attempts),
  };
}

function durationsOf(attempts: readonly AttemptSummary[]): Pick<StatsDocument, 'duration_seconds' | 'duration_seconds_by_phase'> {
  const all: number[] = [];
  const byPhase = Object.fromEntries(PHASES.map((p) => [p, [] as number[]])) as Record<Phase, number[]>;
  for (const a of attempts) {
    const s = durationSeconds(a);
    if (s === null) continue;
    all.push(s);
    byPhase[a.phase].push(s);
  }
  return {
    duration_seconds: durationStats(all),
    duration_seconds_by_phase: Object.fromEntries(PHASES.map((p) => [p, durationStats(byPhase[p])])) as Record<Phase, DurationStats>,
  };
}

/** Per stock, the gaps between consecutive completions of its succeeded attempts. */
function intervalsOf(attempts: readonly AttemptSummary[]): StatsDocument['avg_interval_hours'] {
  const completions = new Map<string, number[]>();
  for (const a of attempts) {
    if (a.status !== 'succeeded' || a.completedTs === null) continue;
    const list = completions.get(a.stockCode) ?? [];
    list.push(a.completedTs);
    completions.set(a.stockCode, list);
  }
  const pooled: number[] = [];
  const by_stock: Record<string, number> = {};
  for (const code of [...completions.keys()].sort()) {
    const times = completions.get(code)!.sort((x, y) => x - y);
    if (times.length < 2) continue;
    // Gaps stay in whole milliseconds until the mean, so the hours round the same on every run.
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    pooled.push(...gaps);
    by_stock[code] = roundHours(mean(gaps) / HOUR_MS);
  }
  return { overall: pooled.length ? roundHours(mean(pooled) / HOUR_MS) : null, by_stock };
}

function stockRows(attempts: readonly AttemptSummary[], days: number): StockStats[] {
  const rows = new Map<string, StockStats>();
  for (const a of attempts) {
    let row = rows.get(a.stockCode);
    if (!row) rows.set(a.stockCode, (row = { stock_code: a.stockCode, updates: 0, succeeded: 0, failed: 0, updates_per_day: 0 }));
    row.updates += 1;
    if (a.status === 'succeeded') row.succeeded += 1;
    if (a.status === 'failed') row.failed += 1;
  }
  for (const row of rows.values()) row.updates_per_day = roundRate(row.succeeded / days);
  return [...rows.values()].sort((a, b) => b.updates - a.updates || a.stock_code.localeCompare(b.stock_code));
}

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
