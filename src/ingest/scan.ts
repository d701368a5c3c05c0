/**
 * An input's bytes → records, one read chunk at a time. A large plain file is scanned in a worker
 * thread while the main thread stores what it found: on two cores, finding report lines and
 * storing them no longer take turns. Small inputs (a cron run's append) are scanned in place,
 * where a worker's start-up would cost more than it saves. Either way each record is handed to
 * `keep` as it is found (none waits in memory for the others of its chunk, which would outlive
 * the young generation's collections and grow the heap with the input), and then a step tells
 * where the scan stands.
 */
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { LocalClock } from '../market/time.js';
import { PACKED_WIDTH, unpackRecord, type LogRecord } from '../logs/record.js';
import { LogScanner, type ScanStats } from '../logs/scanner.js';
import { InputError, readBytes, type Input } from './input.js';

/** Where a scan stands after a chunk, whose records were all kept before it. */
export interface ScanStep {
  /** What a checkpoint committed with the records kept so far records. */
  stats: ScanStats;
  /** Bytes of input the chunk held (for progress). */
  bytes: number;
}

export interface ScanFrom {
  offset: number;
  /** Lines before `offset`: record line numbers go on from there. */
  lines: number;
  /** A stream's last line counts without a newline only when the stream is complete. */
  final: boolean;
  /** The bytes just before `offset` (up to PROOF_BYTES), for the proof of the next checkpoint. */
  tail: Uint8Array;
}

/** What a scan worker is given (src/ingest/scan-worker.ts). */
export interface ScanJob extends ScanFrom {
  fd: number;
  logTz: string;
  readBytes: number;
  /** Steps posted ahead of the main thread at most: memory stays flat when storing is slower. */
  ahead: number;
  /** Records per message at most. */
  recordsPerMessage: number;
}

/** What a scan worker posts: records found (packed), then the step they lead up to; or how it failed. */
export type ScanMessage = { values: unknown[] } | { step: ScanStep } | { end: true } | { error: string };

// Stryker disable all: the worker path runs only in the built bundle (in-process tests have no worker script, so none of it can be killed there); the binary runs it in test/ingest.test.ts ("scanning a large file in a worker thread"), test/concurrency.test.ts and test/crash.test.ts
/** Plain files with at least this much left to read go through a worker; a knob for tests. */
const WORKER_BYTES = 32 << 20;
const workerBytes = () => Number(process.env.CRAVENY_OPS_SCAN_WORKER_BYTES ?? WORKER_BYTES);
/** Read chunks the worker may scan ahead of the main thread. */
const STEPS_AHEAD = 2;
/** Small messages: 1024 records each grew the main thread's young generation by ~18 MB on a dense log. */
const RECORDS_PER_MESSAGE = 256;
/** The worker's young generation, in MB: its objects live for one line, and the default (16 MB semi-spaces) added ~15 MB to the peak. */
const WORKER_YOUNG_MB = 1;
// Stryker restore all

/**
 * The steps of scanning `input` from `from`. Records are kept while the next step is asked for,
 * so that a caller can open the transaction they go into first.
 */
export function scanSteps(input: Input, from: ScanFrom, clock: LocalClock, keep: (r: LogRecord) => void): AsyncIterator<ScanStep> {
  const script = workerScript();
  // Stryker disable next-line all: the worker path (above)
  if (script && input.fd !== null && input.size !== null && input.size - from.offset >= workerBytes()) {
    const job = { ...from, fd: input.fd, logTz: clock.zone, readBytes: readBytes(), ahead: STEPS_AHEAD, recordsPerMessage: RECORDS_PER_MESSAGE };
    return scanInWorker(script, job, keep);
  }
  return scanInPlace(input.chunks(from.offset), from, clock, keep);
}

/** Scans chunks as they come; the worker runs it over its own reads. */
export async function* scanInPlace(
  chunks: AsyncIterable<Buffer> | Iterable<Buffer>,
  from: ScanFrom,
  clock: LocalClock,
  keep: (r: LogRecord) => void,
): AsyncGenerator<ScanStep> {
  const scanner = new LogScanner(clock, keep, { lines: from.lines, consumed: from.offset, tail: from.tail });
  const step = (bytes: number): ScanStep => ({ stats: { ...scanner.stats, malformedLines: [...scanner.stats.malformedLines] }, bytes });
  for await (const chunk of chunks) {
    scanner.push(chunk);
    yield step(chunk.length);
  }
  scanner.finish(from.final);
  yield step(0);
}

// Stryker disable all: the worker path (above)
async function* scanInWorker(script: URL, job: ScanJob, keep: (r: LogRecord) => void): AsyncGenerator<ScanStep> {
  const worker = new Worker(script, { workerData: job, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_MB } });
  const arrived: (ScanMessage | { failed: Error })[] = [];
  let wake: (() => void) | null = null;
  const arrive = (m: (typeof arrived)[number]) => {
    arrived.push(m);
    wake?.();
  };
  worker.on('message', arrive);
  worker.on('error', (error) => arrive({ failed: error }));
  worker.on('exit', (code) => arrive({ failed: new Error(`the scan worker stopped (exit code ${code})`) }));
  try {
    for (;;) {
      while (arrived.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
      const m = arrived.shift()!;
      if ('values' in m) {
        for (let i = 0; i < m.values.length / PACKED_WIDTH; i++) keep(unpackRecord(m.values, i));
      } else if ('step' in m) {
        yield m.step;
        worker.postMessage('next'); // one more step may be scanned ahead
      } else if ('end' in m) {
        return;
      } else if ('error' in m) {
        throw new InputError(m.error);
      } else {
        throw m.failed;
      }
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
// Stryker restore all
