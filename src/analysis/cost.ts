/**
 * LLM calls and their estimated cost over a window (`craveny-ops cost`): per day, per stock,
 * and projected to 30 days. Calls come from attempts.ts (llmCallsIn), which picks the source.
 */
import type { Kysely } from 'kysely';
import { DEFAULT_PRICE_PER_CALL } from '../config.js';
import { daysBetween, isoKst, kstDay, type Window } from '../market/time.js';
import type { Database } from '../store/schema.js';
import { attemptStartsIn, llmCallsIn, logEnd, type CallsSource } from './attempts.js';
import { roundRate } from './stats.js';

export interface DayCost {
  date: string;
  calls: number;
  cost_usd: number;
  /** Attempts that started that day. */
  updates: number;
}

export interface StockCost {
  stock_code: string;
  calls: number;
  cost_usd: number;
  /** Succeeded attempts / days of the window. */
  updates_per_day: number;
}

/** The contract's `cost --json` document. */
export interface CostDocument {
  from: string;
  until: string;
  log_end: string | null;
  price_per_call: number;
  calls_source: CallsSource;
  total_calls: number;
  total_cost_usd: number;
  days: DayCost[];
  by_stock: StockCost[];
  projected_30d_cost_usd: number;
  /** `cost --month`: the month, and its total projected from the days elapsed (the total once it is over). */
  month?: string;
  projected_month_cost_usd?: number;
}

// Dollars to a millionth: the smallest printed price is $0.001, and sums stay free of float noise.
export const roundUsd = (x: number) => Math.round(x * 1e6) / 1e6;

/**
 * `pricePerCall` is the explicit price (the option, else the config's), or null: then each call
 * costs what its [LLM_COST] line printed, or the default price when it printed nothing.
 */
export async function computeCost(db: Kysely<Database>, window: Window, pricePerCall: number | null): Promise<CostDocument> {
  const { source, calls } = await llmCallsIn(db, window);
  const end = await logEnd(db);
  const attempts = await attemptStartsIn(db, window);

  const days = new Map<string, DayCost>(
    daysBetween(window.firstDay, window.lastDay).map((date) => [date, { date, calls: 0, cost_usd: 0, updates: 0 }]),
  );
  const stocks = new Map<string, StockCost>();
  const stockRow = (code: string) => {
    let row = stocks.get(code);
    if (!row) stocks.set(code, (row = { stock_code: code, calls: 0, cost_usd: 0, updates_per_day: 0 }));
    return row;
  };

  let totalCost = 0;
  for (const call of calls) {
    const cost = pricePerCall ?? call.printedCostUsd ?? DEFAULT_PRICE_PER_CALL;
    totalCost += cost;
    const day = days.get(kstDay(call.ts))!;
    day.calls += 1;
    day.cost_usd += cost;
    if (call.stockCode !== null) {
      const row = stockRow(call.stockCode);
      row.calls += 1;
      row.cost_usd += cost;
    }
  }
  const succeeded = new Map<string, number>();
  for (const a of attempts) {
    days.get(kstDay(a.ts))!.updates += 1;
    stockRow(a.stockCode);
    if (a.succeeded) succeeded.set(a.stockCode, (succeeded.get(a.stockCode) ?? 0) + 1);
  }
  for (const day of days.values()) day.cost_usd = roundUsd(day.cost_usd);
  for (const row of stocks.values()) {
    row.cost_usd = roundUsd(row.cost_usd);
    row.updates_per_day = roundRate((succeeded.get(row.stock_code) ?? 0) / window.days);
  }

  return {
    from: isoKst(window.fromMs),
    until: isoKst(window.untilMs),
    log_end: end === null ? null : isoKst(end),
    price_per_call: pricePerCall ?? DEFAULT_PRICE_PER_CALL,
    calls_source: source,
    total_calls: calls.length,
    total_cost_usd: roundUsd(totalCost),
    days: [...days.values()],
    by_stock: [...stocks.values()].sort((a, b) => b.calls - a.calls || a.stock_code.localeCompare(b.stock_code)),
    projected_30d_cost_usd: roundUsd((totalCost / window.days) * 30),
  };
}

/**
 * `cost --month`: the month's total projected from the KST calendar days elapsed (today counts as
 * elapsed) while the month is the current one; the total itself once it is over (or not begun).
 */
export function withMonthProjection(doc: CostDocument, month: Window & { month: string }, nowMs: number): CostDocument {
  const current = nowMs >= month.fromMs && nowMs < month.untilMs;
  const elapsedDays = current ? daysBetween(month.firstDay, kstDay(nowMs)).length : month.days;
  return { ...doc, month: month.month, projected_month_cost_usd: roundUsd((doc.total_cost_usd / elapsedDays) * month.days) };
}
