/**
 * An input's bytes → records, one read chunk at a time. A large plain file is scanned in a worker
 * thread while the main thread stores what it found: on two cores, finding report lines and
 * storing them no longer take turns. Small inputs (a cron run's append) are scanned in place,
 * where a worker's start-up would cost more than it saves. Either way the steps are the same.
 */
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { LocalClock } from '../market/time.js';
import { unpackRecords, type LogRecord } from '../logs/record.js';
import { LogScanner, type ScanStats } from '../logs/scanner.js';
import { InputError, readBytes, type Input } from './input.js';

/** What scanning one chunk found, and where the scan stands after it. */
export interface ScanStep {
  records: LogRecord[];
  /** The scanner's state after this chunk: what a checkpoint committed with these records records. */
  stats: ScanStats;
  /** Bytes of input this step consumed from the file (for progress). */
  bytes: number;
}

export interface ScanFrom {
  offset: number;
  /** Lines before `offset`: record line numbers go on from there. */
  lines: number;
  /** A stream's last line counts without a newline only when the stream is complete. */
  final: boolean;
}

/** What a scan worker is given (src/ingest/scan-worker.ts). */
export interface ScanJob extends ScanFrom {
  fd: number;
  logTz: string;
  readBytes: number;
  /** Steps posted ahead of the main thread at most: memory stays flat if storing is slower. */
  ahead: number;
}

/** Plain files with at least this much left to read go through a worker; a knob for tests. */
const WORKER_BYTES = 32 << 20;
const workerBytes = () => Number(process.env.CRAVENY_OPS_SCAN_WORKER_BYTES ?? WORKER_BYTES);
const STEPS_AHEAD = 8;

export function scanSteps(input: Input, from: ScanFrom, clock: LocalClock): AsyncIterable<ScanStep> | Iterable<ScanStep> {
  const script = workerScript();
  if (script && input.fd !== null && input.size !== null && input.size - from.offset >= workerBytes()) {
    return scanInWorker(script, { ...from, fd: input.fd, logTz: clock.zone, readBytes: readBytes(), ahead: STEPS_AHEAD });
  }
  return scanInPlace(input.chunks(from.offset), from, clock);
}

/** Scans chunks as they come; shared with the worker, which runs it over its own reads. */
export async function* scanInPlace(chunks: AsyncIterable<Buffer> | Iterable<Buffer>, from: ScanFrom, clock: LocalClock): AsyncGenerator<ScanStep> {
  let records: LogRecord[] = [];
  const scanner = new LogScanner(clock, (r) => records.push(r), { lines: from.lines, consumed: from.offset });
  const step = (bytes: number): ScanStep => {
    const done = { records, stats: { ...scanner.stats, malformedLines: [...scanner.stats.malformedLines] }, bytes };
    records = [];
    return done;
  };
  for await (const chunk of chunks) {
    scanner.push(chunk);
    yield step(chunk.length);
  }
  scanner.finish(from.final);
  yield step(0);
}

async function* scanInWorker(script: URL, job: ScanJob): AsyncGenerator<ScanStep> {
  const worker = new Worker(script, { workerData: job });
  const arrived: ({ step: ScanStep } | { error: Error } | { end: true })[] = [];
  let wake: (() => void) | null = null;
  const arrive = (m: (typeof arrived)[number]) => {
    arrived.push(m);
    wake?.();
  };
  worker.on('message', (m: { values?: unknown[]; stats?: ScanStats; bytes?: number; error?: string; end?: true }) => {
    if (m.error !== undefined) arrive({ error: new InputError(m.error) });
    else if (m.end) arrive({ end: true });
    else arrive({ step: { records: unpackRecords(m.values!), stats: m.stats!, bytes: m.bytes! } });
  });
  worker.on('error', (error) => arrive({ error }));
  worker.on('exit', (code) => arrive({ error: new Error(`the scan worker stopped (exit code ${code})`) }));
  try {
    for (;;) {
      while (arrived.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
      const m = arrived.shift()!;
      if ('end' in m) return;
      if ('error' in m) throw m.error;
      yield m.step;
      worker.postMessage('next'); // one more step may be scanned ahead
    }
  } finally {
    worker.removeAllListeners();
    await worker.terminate();
  }
}

/**
 * The worker script beside this module: scan-worker.cjs beside the CommonJS bundle, .js beside
 * tsc's output; none when running from the TypeScript sources (tests in-process), which then scan in place.
 */
function workerScript(): URL | null {
  const here = import.meta.url;
  const script = new URL(here.endsWith('.cjs') ? './scan-worker.cjs' : './scan-worker.js', here);
  return fs.existsSync(script) ? script : null;
}
