/**
 * A worker thread scanning a plain file for src/ingest/scan.ts: it reads through the descriptor
 * the main thread identified the file by, and posts each chunk's records (packed) and scan state, at most
 * `ahead` steps before the main thread has stored them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { packRecords } from '../logs/record.js';
import { LocalClock } from '../market/time.js';
import { readChunks } from './input.js';
import { scanInPlace, type ScanJob } from './scan.js';

async function run(job: ScanJob): Promise<void> {
  const port = parentPort!;
  let credits = job.ahead;
  let waiting: (() => void) | null = null;
  port.on('message', () => {
    credits += 1;
    waiting?.();
  });
  try {
    for await (const step of scanInPlace(readChunks(job.fd, job.offset, job.readBytes), job, new LocalClock(job.logTz))) {
      while (credits === 0) await new Promise<void>((resolve) => (waiting = resolve));
      waiting = null;
      credits -= 1;
      port.postMessage({ values: packRecords(step.records), stats: step.stats, bytes: step.bytes });
    }
    port.postMessage({ end: true });
  } catch (error) {
    port.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
  port.close();
}

void run(workerData as ScanJob);
