/** What bad input did to a read: one warning line per problem, naming the file. */
import { isoKst } from '../market/time.js';
import type { LogRecord } from '../logs/record.js';
import type { LogScanner } from '../logs/scanner.js';

/** Multi-process logs reorder a little; a step back larger than this is worth a word. */
const BACKWARDS_SLACK_MS = 60 * 60_000;
/** A wrong --log-tz shifts times by at most 14 h; beyond a day ahead the times themselves are wrong. */
const FUTURE_SLACK_MS = 24 * 60 * 60_000;

/** Record times that cannot be right: stored as written, but the operator is told. */
export class Timeline {
  future = 0;
  latest = -Infinity;
  backwards = 0;
  firstBackwardsLine = 0;
  private previous = -Infinity;
  constructor(private readonly now: number) {}

  note(r: LogRecord): void {
    if (r.ts > this.now + FUTURE_SLACK_MS) this.future++;
    if (r.ts > this.latest) this.latest = r.ts;
    if (r.ts < this.previous - BACKWARDS_SLACK_MS && this.backwards++ === 0) this.firstBackwardsLine = r.lineNo;
    this.previous = r.ts;
  }
}

/** One line per problem, naming the file: what bad input did to this read. */
export function badInputWarnings(path: string, stats: LogScanner['stats'], nothingTimestamped: boolean, timeline: Timeline): string[] {
  const warnings: string[] = [];
  if (nothingTimestamped) {
    warnings.push(`${path}: no line looks like backend logging output ('YYYY-MM-DD HH:MM:SS,mmm - logger - LEVEL - message'): is it the right file?`);
  }
  if (stats.nulBytes) warnings.push(`${path}: contains NUL bytes (binary data, or the hole a copytruncate leaves): lines around them may be damaged`);
  if (stats.invalidUtf8) {
    warnings.push(
      `${path}: ${stats.invalidUtf8} report line(s) are not valid UTF-8 (their bad bytes read as U+FFFD); a log written in CP949/EUC-KR must be converted first: iconv -f cp949 -t utf-8`,
    );
  }
  if (timeline.future) {
    warnings.push(`${path}: ${timeline.future} record(s) dated more than a day after now (latest ${isoKst(timeline.latest)}): stored as written; check the server clock and --log-tz`);
  }
  if (timeline.backwards) {
    warnings.push(`${path}: time goes back by more than an hour ${timeline.backwards} time(s) (first at line ${timeline.firstBackwardsLine}): stored as written; were files concatenated out of order?`);
  }
  return warnings;
}
