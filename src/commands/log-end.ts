/**
 * The warning a windowed command prints when its window holds less than it seems to: no logs at
 * all, logs that end before the window, or logs that stopped while the window reaches the present.
 * Figures after the log end are missing, not zero.
 */
import { reachesPresent, silenceMs } from '../analysis/stale-logs.js';
import type { Config } from '../config.js';
import { isoKst, MINUTE_MS } from '../market/time.js';
import type { Context } from './context.js';

export function warnAboutLogEnd(ctx: Context, logEnd: string | null, window: { fromMs: number; untilMs: number }, config: Config): void {
  if (logEnd === null) return void ctx.io.err('warning: the store holds no logs yet; run craveny-ops ingest first');
  const end = Date.parse(logEnd);
  const now = ctx.now();
  const silent = reachesPresent(window, now) ? silenceMs({ end, now, maxSilenceMinutes: config.anomalies.maxLogSilenceMinutes }) : null;
  if (silent !== null) {
    ctx.io.err(
      `warning: the logs end at ${isoKst(end)}, ${Math.round(silent / MINUTE_MS)} min ago: the window holds nothing after that; ` +
        'ingest the latest logs first (anomalies reports this as stale_logs)',
    );
  } else if (end < window.fromMs) {
    ctx.io.err(`warning: the logs end at ${isoKst(end)}, before the window; ingest the latest logs first`);
  }
}
