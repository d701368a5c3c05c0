/**
 * The values behind `/metrics` and `metrics --textfile`.
 *
 * Time scope, chosen so that Prometheus' rate() and increase() mean something:
 * - counters cover the whole store (every attempt, skip and LLM call ever ingested); the store only
 *   grows, and only decided outcomes are counted, so they never go down;
 * - gauges are taken at the log end (the last line the backend wrote that was ingested), not at the
 *   wall clock: the store knows nothing after it. A stalled ingest shows in the two timestamp gauges.
 */
import { sql, type Kysely } from 'kysely';
import { DEFAULT_ANOMALY_RULES, DEFAULT_PRICE_PER_CALL, type AnomalyRules } from '../config.js';
import { GENERATION_MODES, REASONS, type GenerationMode, type Reason } from '../logs/record.js';
import { PHASES, type Phase } from '../market/rules.js';
import { addDays, DAY_MS, dayStartMs, KST_OFFSET_MS, kstDay, MINUTE_MS, phaseAt } from '../market/time.js';
import type { Database } from '../store/schema.js';
import { ABANDON_AFTER_MS, attemptModeOf, attemptSummariesIn, logEnd, skipsIn, type Attempt } from './attempts.js';
import { roundUsd } from './cost.js';

export const FAILURE_CAUSES = ['generation_failed', 'update_error', 'abandoned'] as const;
export type FailureCause = (typeof FAILURE_CAUSES)[number];
export { GENERATION_MODES };
/**
 * Upper bounds (seconds) of the duration histogram's buckets: a generation takes 1–120 s, so the
 * buckets are dense there; the last two catch commits stuck behind a slow database.
 */
export const DURATION_BUCKETS = [1, 2, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300] as const;

export interface MetricsSnapshot {
  /** Decided attempts by reason, phase and outcome (in-flight ones are a gauge: they change outcome later). */
  updates: { reason: Reason; phase: Phase; outcome: 'succeeded' | 'failed'; count: number }[];
  failures: Record<FailureCause, number>;
  /** Attempts whose generation failed while a completion was logged (the placeholder defect), by generation mode. */
  silentFailures: Record<GenerationMode, number>;
  /** Durations (start to outcome record) of the attempts with an outcome record, by phase, as histogram buckets. */
  durations: { phase: Phase; buckets: number[]; count: number; sumSeconds: number }[];
  skips: Record<Phase, number>;
  inFlight: number;
  llmCalls: number;
  llmCostUsd: number;
  /** Per phase in which each stock's current report was generated: how many, and the oldest's age at the log end. */
  reports: { phase: Phase; count: number; maxAgeSeconds: number }[];
  /** Distinct stocks with an attempt or skip on the KST day of the log end. */
  stocksSeen: number;
  /** Stocks with more than the storm limit of attempts in the storm window that ends at the log end. */
  stocksInStorm: number;
  logEndMs: number | null;
  /** When ingest last read any input (wall clock of that run). */
  lastIngestMs: number | null;
}

type Db = Kysely<Database>;
type StormLimit = Pick<AnomalyRules, 'stormAttempts' | 'stormWindowMinutes'>;
const EVERYTHING = { fromMs: Number.MIN_SAFE_INTEGER, untilMs: Number.MAX_SAFE_INTEGER };

/**
 * `pricePerCall` as for computeCost: an explicit price, or null for each line's printed cost.
 * Everything is counted in the database: a scrape costs the same on a store of a day or of years.
 */
export async function collectMetrics(db: Db, pricePerCall: number | null, storm: StormLimit = DEFAULT_ANOMALY_RULES): Promise<MetricsSnapshot> {
  const end = await logEnd(db);
  const [outcomes, durations, skips, calls, lastIngestMs, stocksSeen, reports, stocksInStorm] = await Promise.all([
    outcomeCounts(db, end),
    durationBuckets(db),
    skipCounts(db),
    llmCallsPerDay(db, pricePerCall),
    lastIngest(db),
    end === null ? Promise.resolve(0) : stocksSeenOn(db, kstDay(end), end),
    end === null ? Promise.resolve([]) : reportAges(db, end),
    end === null ? Promise.resolve(0) : stocksInStormAt(db, end, storm),
  ]);
  return {
    ...outcomes,
    durations,
    skips,
    llmCalls: calls.count,
    llmCostUsd: calls.costUsd,
    reports,
    stocksSeen,
    stocksInStorm,
    logEndMs: end,
    lastIngestMs,
  };
}

/** Attempts by reason, phase and status (as attempts.ts settles them at the log end), with failure causes. */
async function outcomeCounts(db: Db, end: number | null): Promise<Pick<MetricsSnapshot, 'updates' | 'failures' | 'silentFailures' | 'inFlight'>> {
  // An attempt without an outcome record is abandoned once the log runs ABANDON_AFTER_MS past its start.
  // Literals, not parameters: PostgreSQL matches a GROUP BY expression to the selected one only when
  // they are the same text, and SQLite binds numbers as floats (which would make divisions inexact).
  const cutoff = sql.lit(end === null ? Number.MIN_SAFE_INTEGER : Math.trunc(end) - ABANDON_AFTER_MS);
  const status = sql<string>`case when outcome is not null then outcome when ts <= ${cutoff} then 'failed' else 'in_flight' end`;
  const cause = sql<FailureCause>`case when outcome is null then 'abandoned' when generation_failed = 1 then 'generation_failed' else 'update_error' end`;
  const rows = await db
    .selectFrom('attempts')
    .select([
      'reason',
      'phase',
      status.as('status'),
      cause.as('cause'),
      (eb) => eb.fn.countAll<number>().as('n'),
      (eb) => eb.fn.sum<number>(sql`case when generation_failed = 1 and completion_logged = 1 and generation_mode = 'ab' then 1 else 0 end`).as('silent_ab'),
      (eb) => eb.fn.sum<number>(sql`generation_failed * completion_logged`).as('silent'),
    ])
    .groupBy(['reason', 'phase', status, cause])
    .execute();
  const updates = new Map<string, MetricsSnapshot['updates'][number]>();
  const failures = Object.fromEntries(FAILURE_CAUSES.map((c) => [c, 0])) as Record<FailureCause, number>;
  let inFlight = 0;
  const silentFailures: Record<GenerationMode, number> = { single: 0, ab: 0 };
  for (const r of rows) {
    const n = Number(r.n);
    // A generation without a recorded mode can only be a single-model one (A/B mode logs its own start line).
    silentFailures.ab += Number(r.silent_ab ?? 0);
    silentFailures.single += Number(r.silent ?? 0) - Number(r.silent_ab ?? 0);
    if (r.status === 'in_flight') {
      inFlight += n;
      continue;
    }
    const outcome = r.status as 'succeeded' | 'failed';
    const key = `${r.reason}\u0000${r.phase}\u0000${outcome}`;
    const row = updates.get(key) ?? { reason: r.reason as Reason, phase: r.phase as Phase, outcome, count: 0 };
    row.count += n;
    updates.set(key, row);
    if (outcome === 'failed') failures[r.cause] += n;
  }
  // In the vocabulary's order, the same on every dialect.
  const order = (u: MetricsSnapshot['updates'][number]) => [REASONS.indexOf(u.reason), PHASES.indexOf(u.phase), u.outcome === 'succeeded' ? 0 : 1];
  const sorted = [...updates.values()].sort((x, y) => {
    const [a, b] = [order(x), order(y)];
    return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
  });
  return { updates: sorted, failures, silentFailures, inFlight };
}

/**
 * Cumulative bucket counts per phase, counted in the database: one row per phase whatever the
 * store's size. Abandoned attempts have no outcome record, hence no duration (as in durations.ts).
 */
async function durationBuckets(db: Db): Promise<MetricsSnapshot['durations']> {
  const elapsed = sql<number>`outcome_ts - ts`;
  const rows = await db
    .selectFrom('attempts')
    .select((eb) => [
      'phase',
      eb.fn.countAll<number>().as('n'),
      eb.fn.sum<number>(elapsed).as('sum_ms'),
      ...DURATION_BUCKETS.map((le, i) => eb.fn.sum<number>(sql`case when ${elapsed} <= ${sql.lit(le * 1000)} then 1 else 0 end`).as(`b${i}`)),
    ])
    .where('outcome', 'is not', null)
    .where('outcome_ts', 'is not', null)
    .groupBy('phase')
    .execute();
  const byPhase = new Map(rows.map((r) => [r.phase, r as unknown as Record<string, unknown>]));
  return PHASES.map((phase) => {
    const r = byPhase.get(phase);
    return {
      phase,
      buckets: DURATION_BUCKETS.map((_, i) => Number(r?.[`b${i}`] ?? 0)),
      count: Number(r?.n ?? 0),
      sumSeconds: Number(r?.sum_ms ?? 0) / 1000,
    };
  });
}

export function failureCause(a: Attempt): FailureCause {
  if (a.abandoned) return 'abandoned';
  return a.generationFailed ? 'generation_failed' : 'update_error';
}

/**
 * Each stock's current report is its latest completion at or before the log end. One report per
 * stock: hosts sharing the backend's database update the same row (as verify week counts them).
 */
async function reportAges(db: Db, endMs: number): Promise<MetricsSnapshot['reports']> {
  const latest = db
    .selectFrom('attempts')
    .select(['stock_code', (eb) => eb.fn.max('completed_ts').as('completed')])
    .where('outcome', '=', 'succeeded')
    .where('completed_ts', '<=', endMs)
    .groupBy('stock_code')
    .as('latest');
  const rows = await db
    .selectFrom('attempts')
    .innerJoin(latest, (join) => join.onRef('attempts.stock_code', '=', 'latest.stock_code').onRef('attempts.completed_ts', '=', 'latest.completed'))
    .select(['attempts.stock_code', 'attempts.phase', 'attempts.completed_ts'])
    .where('attempts.outcome', '=', 'succeeded')
    .execute();
  const current = new Map<string, { phase: Phase; completedTs: number }>();
  for (const r of rows) current.set(r.stock_code, { phase: r.phase as Phase, completedTs: Number(r.completed_ts) });
  const byPhase = new Map<Phase, { phase: Phase; count: number; maxAgeSeconds: number }>();
  for (const report of current.values()) {
    const row = byPhase.get(report.phase) ?? { phase: report.phase, count: 0, maxAgeSeconds: 0 };
    row.count += 1;
    row.maxAgeSeconds = Math.max(row.maxAgeSeconds, (endMs - report.completedTs) / 1000);
    byPhase.set(report.phase, row);
  }
  return PHASES.filter((p) => byPhase.has(p)).map((p) => byPhase.get(p)!);
}

async function skipCounts(db: Db): Promise<Record<Phase, number>> {
  const rows = await db
    .selectFrom('records')
    .select(['phase', (eb) => eb.fn.countAll().as('n')])
    .where('kind', '=', 'skip')
    .groupBy('phase')
    .execute();
  const counts = Object.fromEntries(PHASES.map((p) => [p, 0])) as Record<Phase, number>;
  for (const r of rows) {
    if (r.phase !== null && r.phase in counts) counts[r.phase as Phase] += Number(r.n);
  }
  // A skip without a printed phase is rare (an unrecognised reason text): take the clock's phase.
  const unnamed = rows.some((r) => r.phase === null || !(r.phase in counts));
  if (unnamed) {
    const all = await skipsIn(db, EVERYTHING);
    for (const s of all) if (s.phase === null || !(s.phase in counts)) counts[phaseAt(s.ts)] += 1;
  }
  return counts;
}

/**
 * LLM calls, with the contract's source rule applied per KST day (as verify week does): a store that
 * spans the deploy of the [LLM_COST] lines counts the days before it from the generation lines.
 */
async function llmCallsPerDay(db: Db, pricePerCall: number | null): Promise<{ count: number; costUsd: number }> {
  const day = sql<number>`(ts + ${sql.lit(KST_OFFSET_MS)}) / ${sql.lit(DAY_MS)}`;
  // An [LLM_COST] line takes the generation mode of its attempt (two calls in A/B mode, as attempts.ts counts them).
  const calls = db
    .selectFrom('records as r')
    .select(['r.ts', 'r.kind', 'r.cost_usd'])
    .select((eb) =>
      eb.fn
        .coalesce(
          'r.mode',
          attemptModeOf(eb),
        )
        .as('mode'),
    )
    .where('r.kind', 'in', ['llm_cost', 'generation_started'])
    .as('calls');
  const rows = await db
    .selectFrom(calls)
    .select([
      day.as('day'),
      'kind',
      'mode',
      (eb) => eb.fn.countAll<number>().as('n'),
      (eb) => eb.fn.count<number>('cost_usd').as('priced'),
      (eb) => eb.fn.sum<number>('cost_usd').as('printed'),
    ])
    .groupBy([day, 'kind', 'mode'])
    .execute();
  const days = new Map<number, { costLines: number; costLinesCost: number; generations: number }>();
  for (const r of rows) {
    const d = days.get(Number(r.day)) ?? { costLines: 0, costLinesCost: 0, generations: 0 };
    const n = Number(r.n);
    if (r.kind === 'llm_cost') {
      const per = r.mode === 'ab' ? 2 : 1;
      d.costLines += per * n;
      d.costLinesCost += per * (pricePerCall !== null ? n * pricePerCall : Number(r.printed ?? 0) + (n - Number(r.priced)) * DEFAULT_PRICE_PER_CALL);
    } else {
      d.generations += r.mode === 'ab' ? 2 * n : n;
    }
    days.set(Number(r.day), d);
  }
  let count = 0;
  let cost = 0;
  for (const d of days.values()) {
    if (d.costLines > 0) {
      count += d.costLines;
      cost += d.costLinesCost;
    } else {
      count += d.generations;
      cost += d.generations * (pricePerCall ?? DEFAULT_PRICE_PER_CALL);
    }
  }
  return { count, costUsd: roundUsd(cost) };
}

/**
 * The storm anomaly's test, at the log end only: scraped every minute, a sliding window is what
 * Prometheus sees, and the query reads one window of the index however large the store.
 */
async function stocksInStormAt(db: Db, endMs: number, storm: StormLimit): Promise<number> {
  const rows = await db
    .selectFrom('attempts')
    .select('stock_code')
    .where('ts', '>=', endMs - storm.stormWindowMinutes * MINUTE_MS)
    .where('ts', '<=', endMs)
    .groupBy('stock_code')
    .having((eb) => eb.fn.countAll(), '>', storm.stormAttempts)
    .execute();
  return rows.length;
}

async function lastIngest(db: Db): Promise<number | null> {
  const row = await db.selectFrom('sources').select((eb) => eb.fn.max('updated_at').as('at')).executeTakeFirst();
  return row?.at == null ? null : Number(row.at);
}

async function stocksSeenOn(db: Db, day: string, end: number): Promise<number> {
  const range = { fromMs: dayStartMs(day), untilMs: dayStartMs(addDays(day, 1)) };
  const [skips, attempts] = await Promise.all([skipsIn(db, range), attemptSummariesIn(db, range, end)]);
  return new Set([...skips, ...attempts].map((d) => d.stockCode)).size;
}
