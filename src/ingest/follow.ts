/**
 * Follow mode (`ingest --follow`, `serve --follow`): the ordinary ingest, run again every interval
 * over the same paths. Exactly-once, rotation, compression, locking against a cron ingest beside
 * it and the memory bound are all ingest()'s own: follow mode only repeats it.
 */
import fs from 'node:fs';
import { recordIngestRun } from '../store/unattended.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { UsageError } from '../errors.js';
import type { Store } from '../store/store.js';
import { ingest, type IngestOptions, type IngestSummary } from './ingest.js';

export const DEFAULT_INTERVAL_MS = 5_000;

const INTERVAL = /^(\d+(?:\.\d+)?)\s*(ms|s|m)?$/i;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000 };

/** `--interval`: 5s, 500ms, 1m, or bare seconds. */
export function parseInterval(text: string | undefined): number {
  if (text === undefined) return DEFAULT_INTERVAL_MS;
  const m = INTERVAL.exec(text.trim());
  const ms = m ? Number(m[1]) * UNIT_MS[(m[2] ?? 's').toLowerCase()] : NaN;
  if (!(ms >= 10)) throw new UsageError(`--interval must be a duration of at least 10ms such as 5s, 500ms or 1m, got '${text}'`);
  return Math.round(ms);
}

export interface FollowOptions extends IngestOptions {
  intervalMs: number;
  /** Aborted by SIGINT/SIGTERM: the batch under way finishes, then the loop ends. */
  signal: AbortSignal;
  /** After every round, with what it added. */
  onRound?: (summary: IngestSummary) => void;
}

export interface FollowTotals {
  rounds: number;
  records_added: number;
  phase_mismatches: number;
}

/**
 * Ingests `paths` until the signal aborts. A path that does not exist (yet) is passed over: a
 * rotated or compressed name appears only after the first rotation.
 */
export async function follow(store: Store, paths: readonly string[], options: FollowOptions): Promise<FollowTotals> {
  const totals: FollowTotals = { rounds: 0, records_added: 0, phase_mismatches: 0 };
  while (!options.signal.aborted) {
    const present = paths.filter((p) => fs.existsSync(p));
    const summary = await ingest(store, present, options);
    totals.rounds += 1;
    totals.records_added += summary.records_added;
    totals.phase_mismatches += summary.phase_mismatches;
    // Each round is an ingest run: stale_logs tells a stopped follower from a silent backend by it.
    if (summary.files.some((f) => !f.error)) await recordIngestRun(store.db, options.host, options.now());
    options.onRound?.(summary);
    try {
      await sleep(options.intervalMs, undefined, { signal: options.signal });
    } catch {
      break; // aborted while waiting
    }
  }
  return totals;
}

/** An AbortSignal that SIGINT or SIGTERM aborts, and the function that removes the handlers. */
export function stopOnSignals(onSignal?: (signal: NodeJS.Signals) => void): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals) => {
    onSignal?.(signal);
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return {
    signal: controller.signal,
    release: () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    },
  };
}
