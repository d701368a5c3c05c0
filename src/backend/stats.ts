/**
 * The original admin query's view, from the backend's table once the monitoring columns are
 * filled: stocks whose latest update falls in the window, counted by reason (mapped to the
 * reason categories of the logs) and by market phase. Each row holds only a stock's latest
 * update, so this counts stocks, not every update: the logs (`stats`) count every attempt.
 */
import { UsageError } from '../errors.js';
import { REASONS, REASON_LABELS, type Reason } from '../logs/record.js';
import { reasonOf } from '../logs/vocabulary.js';
import { isPhase, PHASES, type Phase } from '../market/rules.js';
import { assertTimeZone, isoKst, KST_ZONE, LocalClock, type Window } from '../market/time.js';
import { barChart, heading } from '../render/table.js';
import { roundRate } from '../analysis/stats.js';
import { windowSpan } from '../market/window.js';
import { openBackend, summaryRows, TABLE, type SummaryRow } from './database.js';
import { lastUpdatedMs } from './freshness.js';
import { plural } from '../render/text.js';

export interface BackendStatsDocument {
  source: 'backend';
  period_days: number;
  from: string;
  until: string;
  /** Rows (stocks) whose last_updated falls in the window. */
  stocks_updated: number;
  update_reasons: { reason: Reason; label: string; count: number }[];
  market_phases: Record<Phase, number>;
  /** Rows in the window whose last_market_phase is empty or not a phase name. */
  unknown_phase: number;
  /** Rows in the window whose last_update_reason is empty: updated before the backend filled it. */
  unfilled: number;
  /** The admin query's own grouping: each distinct reason text and its count, largest first. */
  by_reason_text: { text: string; reason: Reason; count: number }[];
}

/** The stored reason may be the log's full text or already a category name. */
function categoryOf(text: string): Reason {
  const trimmed = text.trim();
  return (REASONS as readonly string[]).includes(trimmed) ? (trimmed as Reason) : reasonOf(trimmed);
}

export function backendStats(rows: readonly SummaryRow[], window: Window, dbTz: string): BackendStatsDocument {
  const clock = new LocalClock(dbTz);
  const inWindow = rows.filter((r) => {
    const ms = lastUpdatedMs(r.last_updated, clock);
    return ms !== null && ms >= window.fromMs && ms < window.untilMs;
  });
  const reasons = new Map<Reason, number>();
  const texts = new Map<string, number>();
  const market_phases = Object.fromEntries(PHASES.map((p) => [p, 0])) as Record<Phase, number>;
  let unknown_phase = 0;
  let unfilled = 0;
  for (const r of inWindow) {
    const text = r.last_update_reason?.trim();
    if (text) {
      const reason = categoryOf(text);
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      texts.set(text, (texts.get(text) ?? 0) + 1);
    }
    const phase = r.last_market_phase?.trim() ?? '';
    if (isPhase(phase)) market_phases[phase] += 1;
    else unknown_phase += 1;
    // Both monitoring columns still empty: a row the backend has not updated since they were added.
    if (!text && !phase) unfilled += 1;
  }
  return {
    source: 'backend',
    period_days: roundRate(window.days),
    from: isoKst(window.fromMs),
    until: isoKst(window.untilMs),
    stocks_updated: inWindow.length,
    update_reasons: REASONS.filter((r) => reasons.has(r))
      .map((reason) => ({ reason, label: REASON_LABELS[reason], count: reasons.get(reason)! }))
      .sort((a, b) => b.count - a.count),
    market_phases,
    unknown_phase,
    unfilled,
    by_reason_text: [...texts]
      .map(([text, count]) => ({ text, reason: categoryOf(text), count }))
      .sort((a, b) => b.count - a.count || a.text.localeCompare(b.text)),
  };
}

export function needsMigration(location: string): UsageError {
  return new UsageError(
    `the backend database ${location}: ${TABLE} has no last_update_reason/last_market_phase columns yet: run craveny-ops backend migrate --pg URL, and let the backend fill them`,
  );
}

export interface BackendStatsFlags {
  source?: string;
  pg?: string;
  dbTz?: string;
}

/** `stats --source backend`: reads the backend's table and returns what to print (JSON or a table). */
export async function backendStatsOutput(
  flags: BackendStatsFlags,
  options: { window: Window; json: boolean },
  ctx: { env: NodeJS.ProcessEnv; io: { color: boolean; err(text: string): void } },
): Promise<string> {
  if (flags.source !== 'backend') throw new UsageError(`--source must be logs or backend, got '${flags.source}'`);
  const dbTz = assertTimeZone(flags.dbTz ?? KST_ZONE);
  const backend = await openBackend(flags.pg ?? ctx.env.CRAVENY_OPS_BACKEND_PG);
  let doc: BackendStatsDocument;
  try {
    const { rows, hasMonitoringColumns } = await summaryRows(backend);
    if (!hasMonitoringColumns) throw needsMigration(backend.location);
    doc = backendStats(rows, options.window, dbTz);
  } finally {
    await backend.close();
  }
  if (doc.stocks_updated > 0 && doc.unfilled === doc.stocks_updated) {
    ctx.io.err('warning: no row in the window has its reason and phase filled in yet: the backend writes them from its next update on');
  }
  return options.json ? JSON.stringify(doc, null, 2) : renderBackendStats(doc, options.window, ctx.io.color);
}

export function renderBackendStats(doc: BackendStatsDocument, window: Window, color: boolean): string {
  const span = windowSpan(window);
  const out = [
    heading(`Latest report update per stock, ${span} (backend database)`, color),
    `  ${plural(doc.stocks_updated, 'stock')} updated in the window` +
      (doc.unfilled ? `, ${doc.unfilled} not filled in yet (no reason, no phase)` : '') +
      (doc.unknown_phase ? `, ${doc.unknown_phase} without a recorded phase` : ''),
    '',
    heading('Update reasons', color),
    doc.update_reasons.length
      ? barChart(doc.update_reasons.map((r) => ({ label: `${r.reason.padEnd(16)}  ${r.label}`, value: r.count })), { color })
      : '  (none recorded)',
    '',
    heading('Market phases', color),
    barChart(Object.entries(doc.market_phases).map(([phase, count]) => ({ label: phase, value: count })), { color }),
  ];
  return out.join('\n');
}
