/** The scanner run in-process, as the scanner tests drive it: no store, no files. */
import { LocalClock } from '../../src/market/time.js';
import type { LogRecord } from '../../src/logs/record.js';
import { LogScanner } from '../../src/logs/scanner.js';

/** A log line of 2025-11-04 as the backend writes it (`time` as in `10:00:00,000`). */
export const at = (time: string, logger: string, level: string, message: string) => `2025-11-04 ${time} - ${logger} - ${level} - ${message}`;

/** Scans the input (times read as UTC) in reads of `step` bytes (all at once by default); returns the records and stats. */
export function scan(input: string | Buffer, step = Infinity, final = true) {
  const records: LogRecord[] = [];
  const scanner = new LogScanner(new LocalClock('UTC'), (r) => records.push(r));
  const bytes = Buffer.from(input);
  for (let i = 0; i < bytes.length; i += Math.min(step, bytes.length)) scanner.push(bytes.subarray(i, Math.min(i + step, bytes.length)));
  scanner.finish(final);
  return { records, stats: scanner.stats };
}
