/**
 * The values behind `/metrics` and `metrics --textfile`.
 *
 * Time scope, chosen so that Prometheus' rate() and increase() mean something:
 * - counters cover the whole store (every attempt, skip and LLM call ever ingested); the store only
 *   grows, and only decided outcomes are counted, so they never go down;
 * - gauges are taken at the log end (the last line the backend wrote that was ingested), not at the
 *   wall clock: the store knows nothing after it. A stalled ingest shows in the two timestamp gauges.
 */
import type { Kysely } from 'kysely';
import { DEFAULT_PRICE_PER_CALL } from '../config.js';
import type { Reason } from '../logs/record.js';
import { PHASES, type Phase } from '../market/rules.js';
import { addDays, dayStartMs, daysBetween, kstDay, phaseAt } from '../market/time.js';
import type { Database } from '../store/schema.js';
import { attemptsIn, llmCallsIn, logEnd, skipsIn, type Attempt } from './attempts.js';
import { roundUsd } from './cost.js';

export const FAILURE_CAUSES = ['generation_failed', 'update_error', 'abandoned'] as const;
export type FailureCause = (typeof FAILURE_CAUSES)[number];

export interface MetricsSnapshot {
  /** Decided attempts by reason, phase and outcome (in-flight ones are a gauge: they change outcome later). */
  updates: { reason: Reason; phase: Phase; outcome: 'succeeded' | 'failed'; count: number }[];
  failures: Record<FailureCause, number>;
  /** Attempts whose generation failed while a completion was logged (the A/B defect). */
  silentFailures: number;
  skips: Record<Phase, number>;
  inFlight: number;
  llmCalls: number;
  llmCostUsd: number;
  /** Per phase in which each stock's current report was generated: how many, and the oldest's age at the log end. */
  reports: { phase: Phase; count: number; maxAgeSeconds: number }[];
  /** Distinct stocks with an attempt or skip on the KST day of the log end. */
  stocksSeen: number;
  logEndMs: number | null;
  /** When ingest last read any input (wall clock of that run). */
  lastIngestMs: number | null;
}

type Db = Kysely<Database>;
const EVERYTHING = { fromMs: Number.MIN_SAFE_INTEGER, untilMs: Number.MAX_SAFE_INTEGER };

/** `pricePerCall` as for computeCost: an explicit price, or null for each line's printed cost. */
export async function collectMetrics(db: Db, pricePerCall: number | null): Promise<MetricsSnapshot> {
  const end = await logEnd(db);
  const attempts = await attemptsIn(db, EVERYTHING, end);

  const updates = new Map<string, MetricsSnapshot['updates'][number]>();
  const failures = Object.fromEntries(FAILURE_CAUSES.map((c) => [c, 0])) as Record<FailureCause, number>;
  let inFlight = 0;
  let silentFailures = 0;
  for (const a of attempts) {
    if (a.generationFailed && a.completionLogged) silentFailures += 1;
    if (a.status === 'in_flight') {
      inFlight += 1;
      continue;
    }
    const key = `${a.reason}\u0000${a.phase}\u0000${a.status}`;
    const row = updates.get(key) ?? { reason: a.reason, phase: a.phase, outcome: a.status, count: 0 };
    row.count += 1;
    updates.set(key, row);
    if (a.status === 'failed') failures[failureCause(a)] += 1;
  }

  const [skips, calls, lastIngestMs, stocksSeen] = await Promise.all([
    skipCounts(db),
    llmCallsPerDay(db, pricePerCall),
    lastIngest(db),
    end === null ? Promise.resolve(0) : stocksSeenOn(db, kstDay(end), attempts),
  ]);

  return {
    updates: [...updates.values()],
    failures,
    silentFailures,
    skips,
    inFlight,
    llmCalls: calls.count,
    llmCostUsd: calls.costUsd,
    reports: end === null ? [] : reportAges(attempts, end),
    stocksSeen,
    logEndMs: end,
    lastIngestMs,
  };
}

export function failureCause(a: Attempt): FailureCause {
  if (a.abandoned) return 'abandoned';
  return a.generationFailed ? 'generation_failed' : 'update_error';
}

/**
 * Each stock's current report is its latest completion at or before the log end. One report per
 * stock: hosts sharing the backend's database update the same row (as verify week counts them).
 */
function reportAges(attempts: readonly Attempt[], endMs: number): MetricsSnapshot['reports'] {
  const latest = new Map<string, Attempt>();
  for (const a of attempts) {
    if (a.completedTs === null || a.completedTs > endMs) continue;
    const seen = latest.get(a.stockCode);
    if (!seen || a.completedTs > seen.completedTs!) latest.set(a.stockCode, a);
  }
  const byPhase = new Map<Phase, { phase: Phase; count: number; maxAgeSeconds: number }>();
  for (const a of latest.values()) {
    const row = byPhase.get(a.phase) ?? { phase: a.phase, count: 0, maxAgeSeconds: 0 };
    row.count += 1;
    row.maxAgeSeconds = Math.max(row.maxAgeSeconds, (endMs - a.completedTs!) / 1000);
    byPhase.set(a.phase, row);
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
  const span = await db
    .selectFrom('records')
    .select([(eb) => eb.fn.min('ts').as('first'), (eb) => eb.fn.max('ts').as('last')])
    .where('kind', 'in', ['llm_cost', 'generation_started'])
    .executeTakeFirst();
  if (span?.first == null || span.last == null) return { count: 0, costUsd: 0 };
  let count = 0;
  let cost = 0;
  for (const day of daysBetween(kstDay(Number(span.first)), kstDay(Number(span.last)))) {
    const { calls } = await llmCallsIn(db, { fromMs: dayStartMs(day), untilMs: dayStartMs(addDays(day, 1)) });
    count += calls.length;
    for (const call of calls) cost += pricePerCall ?? call.printedCostUsd ?? DEFAULT_PRICE_PER_CALL;
  }
  return { count, costUsd: roundUsd(cost) };
}

async function lastIngest(db: Db): Promise<number | null> {
  const row = await db.selectFrom('sources').select((eb) => eb.fn.max('updated_at').as('at')).executeTakeFirst();
  return row?.at == null ? null : Number(row.at);
}

async function stocksSeenOn(db: Db, day: string, attempts: readonly Attempt[]): Promise<number> {
  const range = { fromMs: dayStartMs(day), untilMs: dayStartMs(addDays(day, 1)) };
  const skips = await skipsIn(db, range);
  const codes = new Set<string>(skips.map((s) => s.stockCode));
  for (const a of attempts) if (a.ts >= range.fromMs && a.ts < range.untilMs) codes.add(a.stockCode);
  return codes.size;
}
