/**
 * Every attempt of a window, one row each, with its outcome, duration, LLM calls and cost
 * (`craveny-ops attempts`, GET /admin/report-updates/attempts): the drill-down behind the counts.
 */
import type { Kysely } from 'kysely';
import { DEFAULT_PRICE_PER_CALL } from '../config.js';
import { UsageError } from '../errors.js';
import { REASONS, type Reason } from '../logs/record.js';
import type { Phase } from '../market/rules.js';
import { isoKst, type Window } from '../market/time.js';
import type { Database } from '../store/schema.js';
import { attemptsIn, llmCallsIn, logEnd, type Attempt, type LlmCall } from './attempts.js';
import { roundUsd } from './cost.js';
import { durationSeconds } from './durations.js';

/** A KRX short code: six digits or capitals (codes issued since 2024 may carry a letter). */
export const STOCK_CODE = /^[0-9A-Z]{6}$/;

export const OUTCOMES = ['succeeded', 'failed', 'in_flight', 'abandoned'] as const;
export type OutcomeFilter = (typeof OUTCOMES)[number];

export interface AttemptFilters {
  stock: string | null;
  reason: Reason | null;
  /** `abandoned` selects the failed attempts that are abandoned. */
  outcome: OutcomeFilter | null;
}

/** The filters as the CLI and the HTTP API take them; a malformed value is a usage error naming it. */
export function parseFilters(raw: { stock?: string; reason?: string; outcome?: string }, prefix = '--'): AttemptFilters {
  const stock = raw.stock?.trim();
  if (stock !== undefined && !STOCK_CODE.test(stock)) {
    throw new UsageError(`${prefix}stock must be a KRX short code of six digits or capital letters (005930, 0001A0), got '${raw.stock}'`);
  }
  if (raw.reason !== undefined && !(REASONS as readonly string[]).includes(raw.reason)) {
    throw new UsageError(`${prefix}reason must be one of ${REASONS.join(', ')}, got '${raw.reason}'`);
  }
  if (raw.outcome !== undefined && !(OUTCOMES as readonly string[]).includes(raw.outcome)) {
    throw new UsageError(`${prefix}outcome must be one of ${OUTCOMES.join(', ')}, got '${raw.outcome}'`);
  }
  return { stock: stock ?? null, reason: (raw.reason as Reason | undefined) ?? null, outcome: (raw.outcome as OutcomeFilter | undefined) ?? null };
}

export interface AttemptRowOut {
  ts: string;
  stock_code: string;
  reason: Reason;
  reason_text: string;
  phase: Phase;
  outcome: Attempt['status'];
  abandoned: boolean;
  silent_failure: boolean;
  completed_ts: string | null;
  duration_s: number | null;
  llm_calls: number;
  cost_usd: number;
  error: string | null;
}

/** The contract's `attempts --json` document. */
export interface AttemptsDocument {
  from: string;
  until: string;
  log_end: string | null;
  attempts: AttemptRowOut[];
}

type Db = Kysely<Database>;
const keyOf = (host: string, stock: string) => `${host}\u0000${stock}`;

/**
 * `pricePerCall` is the explicit price, or null: then each call costs what its [LLM_COST] line
 * printed, else the default price (as in `cost`).
 */
export async function listAttempts(db: Db, window: Window, filters: AttemptFilters, pricePerCall: number | null): Promise<AttemptsDocument> {
  const end = await logEnd(db);
  const all = (await attemptsIn(db, window, end)).filter((a) => filters.stock === null || a.stockCode === filters.stock);

  // An attempt's calls are those dated from its start to its outcome record, or else to the
  // stock's next attempt, which may lie past the window.
  const byStock = new Map<string, Attempt[]>();
  for (const a of all) {
    const key = keyOf(a.host, a.stockCode);
    const list = byStock.get(key);
    if (list) list.push(a);
    else byStock.set(key, [a]);
  }
  const after = await nextAttemptsAfter(db, window.untilMs, filters.stock);
  const spanEnd = new Map<Attempt, { ms: number; inclusive: boolean }>();
  let callsUntil = window.untilMs;
  for (const [key, list] of byStock) {
    list.forEach((a, i) => {
      const next = i + 1 < list.length ? list[i + 1].ts : after.get(key);
      const span = a.outcomeTs !== null ? { ms: a.outcomeTs, inclusive: true } : { ms: next ?? Infinity, inclusive: false };
      spanEnd.set(a, span);
      callsUntil = Math.max(callsUntil, Number.isFinite(span.ms) ? span.ms + 1 : (end ?? 0) + 1);
    });
  }
  const calls = all.length ? (await llmCallsIn(db, { fromMs: window.fromMs, untilMs: callsUntil })).calls : [];
  const callsOf = new Map<Attempt, LlmCall[]>();
  for (const call of calls) {
    if (call.stockCode === null) continue;
    const list = byStock.get(keyOf(call.host, call.stockCode));
    const owner = list && latestAtOrBefore(list, call.ts);
    if (!owner) continue;
    const span = spanEnd.get(owner)!;
    if (call.ts < span.ms || (span.inclusive && call.ts === span.ms)) {
      const own = callsOf.get(owner);
      if (own) own.push(call);
      else callsOf.set(owner, [call]);
    }
  }

  const rows = all.filter((a) => matchesOutcome(a, filters.outcome) && (filters.reason === null || a.reason === filters.reason));
  return {
    from: isoKst(window.fromMs),
    until: isoKst(window.untilMs),
    log_end: end === null ? null : isoKst(end),
    attempts: rows.map((a) => {
      const own = callsOf.get(a) ?? [];
      const cost = own.reduce((sum, c) => sum + (pricePerCall ?? c.printedCostUsd ?? DEFAULT_PRICE_PER_CALL), 0);
      return {
        ts: isoKst(a.ts),
        stock_code: a.stockCode,
        reason: a.reason,
        reason_text: a.reasonText,
        phase: a.phase,
        outcome: a.status,
        abandoned: a.abandoned,
        silent_failure: a.generationFailed && a.completionLogged,
        completed_ts: a.completedTs === null ? null : isoKst(a.completedTs),
        duration_s: durationSeconds(a),
        llm_calls: own.length,
        cost_usd: roundUsd(cost),
        error: a.error,
      };
    }),
  };
}

function matchesOutcome(a: Attempt, outcome: OutcomeFilter | null): boolean {
  if (outcome === null) return true;
  return outcome === 'abandoned' ? a.abandoned : a.status === outcome;
}

/** The attempt of a stock's list (in time order) that started last at or before `ts`. */
function latestAtOrBefore(list: readonly Attempt[], ts: number): Attempt | undefined {
  let lo = 0;
  let hi = list.length - 1;
  let found: Attempt | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].ts <= ts) {
      found = list[mid];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Each stock's first attempt at or after `fromMs` (the end of the spans of the window's last attempts). */
async function nextAttemptsAfter(db: Db, fromMs: number, stock: string | null): Promise<Map<string, number>> {
  let query = db
    .selectFrom('attempts')
    .select(['host', 'stock_code', (eb) => eb.fn.min('ts').as('next')])
    .where('ts', '>=', fromMs)
    .groupBy(['host', 'stock_code']);
  if (stock !== null) query = query.where('stock_code', '=', stock);
  const map = new Map<string, number>();
  for (const r of await query.execute()) if (r.next != null) map.set(keyOf(r.host, r.stock_code), Number(r.next));
  return map;
}

/** Whether the store has any record of a stock (an unknown code is then worth a warning). */
export async function stockSeen(db: Db, stock: string): Promise<boolean> {
  const row = await db.selectFrom('records').select('id').where('stock_code', '=', stock).limit(1).executeTakeFirst();
  return row !== undefined;
}
