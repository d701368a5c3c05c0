/**
 * A worker thread scanning a plain file for src/ingest/scan.ts: it reads through the descriptor
 * the main thread identified the file by, and posts the records it finds (packed, a bounded
 * number per message) and the step each chunk ends with, at most `ahead` steps before the main
 * thread has stored them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { packRecord } from '../logs/record.js';
import { LocalClock } from '../market/time.js';
import { readChunks } from './input.js';
import { scanInPlace, type ScanJob, type ScanMessage } from './scan.js';

async function run(job: ScanJob): Promise<void> {
  const port = parentPort!;
  const post = (m: ScanMessage) => port.postMessage(m);
  let credits = job.ahead;
  let waiting: (() => void) | null = null;
  port.on('message', () => {
    credits += 1;
    waiting?.();
  });
  let values: unknown[] = [];
  let count = 0;
  const flush = () => {
    if (count > 0) post({ values });
    values = [];
    count = 0;
  };
  const keep = (r: Parameters<typeof packRecord>[0]) => {
    packRecord(r, values);
    if (++count >= job.recordsPerMessage) flush();
  };
  try {
    for await (const step of scanInPlace(readChunks(job.fd, job.offset, job.readBytes), job, new LocalClock(job.logTz), keep)) {
      flush();
      while (credits === 0) await new Promise<void>((resolve) => (waiting = resolve));
      waiting = null;
      credits -= 1;
      post({ step });
    }
    post({ end: true });
  } catch (error) {
    post({ error: error instanceof Error ? error.message : String(error) });
  }
  port.close();
}

void run(workerData as ScanJob);
