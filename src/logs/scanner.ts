/**
 * Turns a byte stream of backend logs into records. Report lines are about 3 % of a log,
 * so bytes are searched for the report loggers' names first and only those lines are decoded.
 */
import { isUtf8 } from 'node:buffer';
import { LocalClock } from '../market/time.js';
import { lineNaiveMs, parseLine, unwrap } from './line.js';
import { emptyRecord, type LogRecord } from './record.js';
import { matchMessage, REPORT_LOGGERS } from './vocabulary.js';

const NL = 0x0a;
const MARKERS = REPORT_LOGGERS.map((name) => Buffer.from(` - ${name} - `));
/** Lines longer than this are counted and skipped, so memory stays flat whatever the input. */
export const MAX_LINE_BYTES = 1 << 20;
const MAX_MALFORMED_SAMPLES = 5;
const MAX_TRACEBACK_LINES = 200;
/** Bytes kept before the consumed offset: what a checkpoint's proof hashes (src/ingest/identity.ts). */
export const PROOF_BYTES = 4096;

export interface ScanStats {
  lines: number;
  records: number;
  malformed: number;
  /** Line numbers (1-based) of the first malformed lines. */
  malformedLines: number[];
  longLines: number;
  /** Report lines that are not valid UTF-8 (a log written in CP949, or damaged bytes). */
  invalidUtf8: number;
  /** NUL bytes were seen: binary data, or the hole a copytruncate leaves behind. */
  nulBytes: boolean;
  /** Latest time of any timestamped line (UTC ms), or null. */
  lastTs: number | null;
  /** Bytes fully consumed: up to and including the last complete line. */
  consumed: number;
  /** The last bytes consumed (up to PROOF_BYTES): the proof a checkpoint keeps. */
  tail: Uint8Array;
}

export class LogScanner {
  readonly stats: ScanStats;
  private carry: Buffer | null = null;
  private skippingLongLine = false;
  /**
   * Bytes of the long line being skipped. They count as consumed only once its newline is read: a
   * checkpoint never falls inside a line, so a log appended to in small steps reads every line as a
   * backfill of the same bytes does.
   */
  private skipped = 0;
  /** The last bytes of the long line being skipped, for the proof once it ends. */
  private skippedTail: Buffer = Buffer.alloc(0);
  /** Where the carry and the next chunk are joined, reused: a fresh buffer per chunk cost garbage and peak memory. */
  private work = Buffer.alloc(0);

  constructor(
    private readonly clock: LocalClock,
    private readonly emit: (record: LogRecord) => void,
    start: { lines: number; consumed: number; tail?: Uint8Array } = { lines: 0, consumed: 0 },
  ) {
    this.stats = {
      lines: start.lines,
      records: 0,
      malformed: 0,
      malformedLines: [],
      longLines: 0,
      invalidUtf8: 0,
      nulBytes: false,
      lastTs: null,
      consumed: start.consumed,
      tail: start.tail ?? Buffer.alloc(0),
    };
  }

  /** Scans every complete line of `chunk` (with what was left over before). */
  push(chunk: Buffer): void {
    if (this.skippingLongLine) {
      const nl = chunk.indexOf(NL);
      if (nl < 0) {
        this.skipped += chunk.length;
        this.skippedTail = lastBytes(this.skippedTail, chunk);
        return;
      }
      this.skippedTail = lastBytes(this.skippedTail, chunk.subarray(0, nl + 1));
      this.endLongLine(nl + 1);
      chunk = chunk.subarray(nl + 1);
    }
    const buf = this.carry ? this.join(this.carry, chunk) : chunk;
    const end = buf.lastIndexOf(NL) + 1;
    if (end === 0) {
      // A copy: the chunk (the input's read buffer) and the work buffer are both written over next.
      this.carry = Buffer.from(buf);
      if (buf.length > MAX_LINE_BYTES) this.skipLongLine();
      return;
    }
    let used = this.scan(buf, end, false);
    if (used < end && buf.length - end > MAX_LINE_BYTES) {
      // The partial line will be skipped as too long: what waited for it is read as it stands.
      this.scan(buf.subarray(used, end), end - used, true);
      used = end;
    }
    this.stats.consumed += used;
    if (used > 0) this.stats.tail = lastBytes(this.stats.tail, buf.subarray(0, used));
    this.carry = used < buf.length ? Buffer.from(buf.subarray(used)) : null;
    if (this.carry && used === end && this.carry.length > MAX_LINE_BYTES) this.skipLongLine();
  }

  private join(carry: Buffer, chunk: Buffer): Buffer {
    const length = carry.length + chunk.length;
    if (this.work.length < length) this.work = Buffer.allocUnsafe(Math.max(length, 2 * this.work.length));
    carry.copy(this.work, 0);
    chunk.copy(this.work, carry.length);
    return this.work.subarray(0, length);
  }

  /**
   * Ends the stream: lines held back for a traceback that might have gone on are read as they
   * stand; a last line without a newline is scanned only when the stream is final.
   */
  finish(final: boolean): void {
    // A complete stream that ends inside a long line ends that line.
    if (this.skippingLongLine && final) this.endLongLine(0);
    const carry = this.carry;
    this.carry = null;
    if (!carry || carry.length === 0) return;
    const buf = final && carry[carry.length - 1] !== NL ? Buffer.concat([carry, Buffer.from('\n')]) : carry;
    const end = final ? buf.length : buf.lastIndexOf(NL) + 1;
    if (end === 0) {
      this.carry = carry;
      return;
    }
    this.scan(buf, end, true);
    const done = Math.min(end, carry.length);
    this.stats.consumed += done;
    if (done > 0) this.stats.tail = lastBytes(this.stats.tail, carry.subarray(0, done));
    this.carry = done < carry.length ? carry.subarray(done) : null;
  }

  private skipLongLine(): void {
    this.skipped = this.carry!.length;
    this.skippedTail = lastBytes(Buffer.alloc(0), this.carry!);
    this.carry = null;
    this.skippingLongLine = true;
  }

  /** The long line being skipped ends `rest` bytes into the next chunk: now it counts. */
  private endLongLine(rest: number): void {
    this.stats.consumed += this.skipped + rest;
    this.stats.tail = lastBytes(this.stats.tail, this.skippedTail);
    this.skippedTail = Buffer.alloc(0);
    this.stats.lines += 1;
    this.stats.longLines += 1;
    this.skipped = 0;
    this.skippingLongLine = false;
  }

  /**
   * Scans the complete lines in buf[0, end) and returns how many bytes it is done with: less than
   * `end` when a record's traceback may go on past `end` (unless `final`), so that where a chunk
   * ends never changes a record. Held-back lines are bounded by MAX_LINE_BYTES.
   */
  private scan(buf: Buffer, end: number, final: boolean): number {
    if (!this.stats.nulBytes) {
      const nul = buf.indexOf(0);
      if (nul >= 0 && nul < end) this.stats.nulBytes = true;
    }
    let counted = 0; // lines counted up to this byte offset
    let lineBase = this.stats.lines;
    const next = MARKERS.map((m) => buf.indexOf(m, 0));
    for (;;) {
      let at = -1;
      for (const pos of next) if (pos >= 0 && pos < end && (at < 0 || pos < at)) at = pos;
      if (at < 0) break;
      const start = buf.lastIndexOf(NL, at) + 1;
      const stop = buf.indexOf(NL, at);
      lineBase += this.countLines(buf, counted, start);
      counted = start;
      // A line over the limit is skipped (and counted by countLines) however much of it one read holds.
      if (stop - start <= MAX_LINE_BYTES && !this.handle(buf, start, stop, lineBase + 1, end, final || end - start > MAX_LINE_BYTES)) {
        this.stats.lines = lineBase;
        this.noteLastTimestamp(buf, start);
        return start;
      }
      for (let i = 0; i < next.length; i++) if (next[i] >= 0 && next[i] < stop) next[i] = buf.indexOf(MARKERS[i], stop);
    }
    this.stats.lines = lineBase + this.countLines(buf, counted, end);
    this.noteLastTimestamp(buf, end);
    return end;
  }

  /** Emits the record of one line; false (nothing emitted) when its traceback may not be complete yet. */
  private handle(buf: Buffer, start: number, stop: number, lineNo: number, end: number, final: boolean): boolean {
    // A writer that kept its offset across a copytruncate leaves NULs before its next line.
    while (start < stop && buf[start] === 0) start++;
    const text = buf.toString('utf8', start, stop);
    const line = parseLine(text);
    // The line names a report logger yet is no logging line (an impossible time, a broken frame):
    // counted, never dropped without a word.
    const match = line ? matchMessage(line.logger, line.message) : 'malformed';
    let record: LogRecord | null = null;
    if (line && match && match !== 'malformed') {
      record = emptyRecord(match.kind, this.clock.toUtc(line.naiveMs), lineNo);
      Object.assign(record, match.fields);
      if (line.level === 'ERROR' || match.kind === 'generation_failed' || match.kind === 'update_failed') {
        const tail = tracebackTail(buf, stop + 1, end, final);
        if (tail === undefined) return false; // handled again, and counted, with the next chunk
        record.detail = tail;
      }
    }
    // Decoding turns every invalid sequence into U+FFFD: only a line that shows one can be invalid
    // (or spell U+FFFD itself), and only then are its bytes checked.
    if (text.includes('\uFFFD') && !isUtf8(buf.subarray(start, stop))) this.stats.invalidUtf8 += 1;
    if (match === 'malformed') {
      this.stats.malformed += 1;
      if (this.stats.malformedLines.length < MAX_MALFORMED_SAMPLES) this.stats.malformedLines.push(lineNo);
    }
    if (record) {
      this.stats.records += 1;
      this.emit(record);
    }
    return true;
  }

  /** Lines ending in buf[from, to), `from` being a line start; those over the limit are counted as long. */
  private countLines(buf: Buffer, from: number, to: number): number {
    let n = 0;
    let start = from;
    for (let i = buf.indexOf(NL, from); i >= 0 && i < to; i = buf.indexOf(NL, i + 1)) {
      n++;
      if (i - start > MAX_LINE_BYTES) this.stats.longLines += 1;
      start = i + 1;
    }
    return n;
  }

  private noteLastTimestamp(buf: Buffer, end: number): void {
    let stop = end - 1; // the newline ending the last line
    while (stop > 0) {
      const start = buf.lastIndexOf(NL, stop - 1) + 1;
      // The whole line: a Docker json-file line holds its time only once its JSON is read whole.
      const naive = stop - start > MAX_LINE_BYTES ? NaN : lineNaiveMs(buf.toString('utf8', start, stop));
      if (!Number.isNaN(naive)) {
        const ts = this.clock.toUtc(naive);
        // The last timestamped line in the file's order (its time may be earlier than a line before
        // it): chunks come in order, so the latest chunk's says it, however the reads fell.
        this.stats.lastTs = ts;
        return;
      }
      stop = start - 1;
    }
  }
}


/** The last PROOF_BYTES of `kept` followed by `more` (a copy: both may be written over). */
function lastBytes(kept: Uint8Array, more: Uint8Array): Buffer {
  if (more.length >= PROOF_BYTES) return Buffer.from(more.subarray(more.length - PROOF_BYTES));
  const keep = Math.min(kept.length, PROOF_BYTES - more.length);
  return Buffer.concat([kept.subarray(kept.length - keep), more]);
}

/**
 * The last line of the traceback that follows a record, if one does. Everything up to the next
 * timestamped line belongs to the record: a message of several lines (SQLAlchemy's tab-indented
 * text, `[SQL: …]`, `(Background on this error at: …)`) comes before the traceback.
 * Undefined when the lines run out before the record visibly ends and more may follow (not `final`).
 */
function tracebackTail(buf: Buffer, from: number, end: number, final: boolean): string | null | undefined {
  let tail: string | null = null;
  let traceback = false;
  let pos = from;
  for (let n = 0; n < MAX_TRACEBACK_LINES; n++) {
    const stop = pos < end ? buf.indexOf(NL, pos) : -1;
    if (stop < 0 || stop >= end) {
      if (!final) return undefined;
      break;
    }
    // A line over the limit ends the record, as it does when a read stops before it.
    if (stop - pos > MAX_LINE_BYTES) break;
    const text = unwrap(buf.toString('utf8', pos, Math.min(stop, pos + 2000))).trim();
    if (!Number.isNaN(lineNaiveMs(text)) || text.startsWith('INFO:')) break;
    if (text.startsWith('Traceback')) traceback = true;
    else if (traceback && text) tail = text;
    pos = stop + 1;
  }
  return tail;
}
