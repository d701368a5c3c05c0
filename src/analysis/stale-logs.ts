/**
 * stale_logs: the logs stopped while the window reaches the present. Without it a dead system —
 * the backend no longer writing, or the ingest job no longer running — reads as "no anomalies".
 * Which of the two is told by the last ingest run: recent means ingest runs and finds nothing new.
 */
import type { Kysely } from 'kysely';
import { isoKst, MINUTE_MS } from '../market/time.js';
import type { Database } from '../store/schema.js';
import { lastIngestRun } from '../store/unattended.js';
import type { Anomaly } from './anomalies.js';
import type { TimeRange } from './attempts.js';

export interface Silence {
  /** The log end, or null when no log was ingested (then nothing is said here: the commands warn). */
  end: number | null;
  now: number;
  maxSilenceMinutes: number;
}

const ago = (ms: number) => `${Math.round(ms / MINUTE_MS)} min ago`;
const clock = (ms: number) => isoKst(ms).slice(0, 16).replace('T', ' ');

/** Whether a window reaches the present: only then can silence be told from an old window. */
export function reachesPresent(range: TimeRange, now: number): boolean {
  return range.fromMs <= now && now <= range.untilMs;
}

/** How long the logs have been silent beyond the limit, or null when they are not. */
export function silenceMs({ end, now, maxSilenceMinutes }: Silence): number | null {
  if (end === null) return null;
  const silent = now - end;
  return silent > maxSilenceMinutes * MINUTE_MS ? silent : null;
}

export async function staleLogs(db: Kysely<Database>, range: TimeRange, silence: Silence): Promise<Anomaly[]> {
  const silent = reachesPresent(range, silence.now) ? silenceMs(silence) : null;
  if (silent === null || silence.end === null) return [];
  const lastRun = await lastIngestRun(db);
  const limitMs = silence.maxSilenceMinutes * MINUTE_MS;
  const cause =
    lastRun === null
      ? 'no ingest run is recorded in this store: the ingest job is not running (check its cron job or timer, and that it uses this store)'
      : silence.now - lastRun > limitMs
        ? `ingest last ran at ${clock(lastRun)} (${ago(silence.now - lastRun)}): the ingest job has stopped (check its cron job or timer)`
        : `ingest last ran at ${clock(lastRun)} (${ago(silence.now - lastRun)}) and found nothing newer: the backend stopped writing its log (or writes it elsewhere)`;
  return [
    {
      kind: 'stale_logs',
      stock_code: null,
      // The silence's start: the same silence is one anomaly however many runs see it.
      first_ts: isoKst(silence.end),
      last_ts: isoKst(silence.now),
      count: 1,
      detail: `no log line since ${clock(silence.end)} KST (${ago(silent)}; limit ${silence.maxSilenceMinutes} min); ${cause}`,
    },
  ];
}
