/**
 * Lines over 1 MiB at the scanner (src/logs/scanner.ts; test/whole-lines.test.ts states the same
 * through ingest): a line of exactly 1 MiB is read, a longer one is counted and skipped whoever
 * wrote it, it ends a traceback, it is no candidate for the log end — and none of that depends on
 * where the reads fall or on the stream being read in one run or resumed run after run from each
 * checkpoint (a backfill and cron appends store the same). A checkpoint's proof is the last 4 KiB
 * of the bytes consumed, and it counts a skipped line only once its newline is read.
 */
import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../src/logs/record.js';
import { LogScanner, MAX_LINE_BYTES, PROOF_BYTES } from '../src/logs/scanner.js';
import { LocalClock } from '../src/market/time.js';

const S = 'backend.services.stock_analysis_service';
const G = 'backend.llm.investment_report';
const MiB = 1 << 20;
const at = (time: string, logger: string, level: string, message: string) => `2025-11-04 ${time} - ${logger} - ${level} - ${message}`;
/** A line of exactly `bytes` bytes before its newline. */
const lineOf = (head: string, fill: string, bytes: number) => head + fill.repeat(bytes - Buffer.byteLength(head));

const LINES = [
  at('10:00:00,000', S, 'INFO', '종목 005930 업데이트 시작: 강제 업데이트 또는 리포트 없음'), // 1
  lineOf(at('10:20:00,000', S, 'INFO', '종목 005930 업데이트 시작: '), 'x', 1.5 * MiB), // 2: a report line over 1 MiB: skipped
  at('10:30:00,000', S, 'INFO', '종목 000660 업데이트 시작: 강제 업데이트 또는 리포트 없음'), // 3
  lineOf(at('10:40:00,000', 'backend.crawlers.news_saver', 'INFO', ''), 'y', MiB + 1), // 4: another logger's, one byte over: skipped
  lineOf(at('10:50:00,000', S, 'INFO', '종목 035720 업데이트 시작: '), 'w', MiB), // 5: a report line of exactly 1 MiB: read
  at('11:00:00,000', G, 'ERROR', '투자 리포트 생성 실패: Request timed out.'), // 6
  'Traceback (most recent call last):', // 7
  'openai.APITimeoutError: Request timed out.', // 8
  lineOf('  File "/app/backend/llm/investment_report.py", line 212, in ', 'v', MiB + 1), // 9: over the limit: ends the record
  'ValueError: not part of the record above', // 10
  lineOf(at('11:10:00,000', 'httpx', 'INFO', ''), 'u', MiB), // 11: exactly 1 MiB: the log end
];
const BYTES = Buffer.from(LINES.join('\n') + '\n');
const UTC = new LocalClock('UTC');

const EXPECTED_RECORDS = [
  ['attempt', 1, '005930', 'forced', null],
  ['attempt', 3, '000660', 'forced', null],
  ['attempt', 5, '035720', 'other', null],
  ['generation_failed', 6, null, null, 'openai.APITimeoutError: Request timed out.'],
];
const text = (...lines: string[]) => lines.join('\n') + '\n';
const view = (records: LogRecord[]) => records.map((r) => [r.kind, r.lineNo, r.stockCode, r.reason, r.detail]);

/** Scans `bytes` from a checkpoint in reads of `step` bytes; the stream is complete when `final`. */
function scanFrom(bytes: Buffer, state: { lines: number; consumed: number; tail: Uint8Array }, step: number, final: boolean, records: LogRecord[]) {
  const scanner = new LogScanner(UTC, (r) => records.push(r), state);
  for (let i = state.consumed; i < bytes.length; i += step) scanner.push(bytes.subarray(i, Math.min(i + step, bytes.length)));
  scanner.finish(final);
  return scanner.stats;
}

describe('a line over 1 MiB', () => {
  it('has its limit at 1 MiB and a proof of 4 KiB', () => {
    expect([MAX_LINE_BYTES, PROOF_BYTES]).toEqual([MiB, 4096]);
    expect(LINES.map((l) => Buffer.byteLength(l) > MiB)).toEqual([false, true, false, true, false, false, false, false, true, false, false]);
  });

  it.each([BYTES.length, 3 * MiB, MiB, MiB - 1, 65_536, 8_192])(
    'is skipped and counted, a line of exactly 1 MiB read, in reads of %d bytes',
    (step) => {
      const records: LogRecord[] = [];
      const stats = scanFrom(BYTES, { lines: 0, consumed: 0, tail: Buffer.alloc(0) }, step, false, records);
      expect(view(records)).toEqual(EXPECTED_RECORDS);
      expect([stats.lines, stats.longLines, stats.records, stats.malformed, stats.consumed]).toEqual([11, 3, 4, 0, BYTES.length]);
      // The last timestamped line of exactly 1 MiB is read: it is the log end.
      expect(stats.lastTs).toBe(Date.parse('2025-11-04T11:10:00Z'));
      expect(Buffer.from(stats.tail)).toEqual(BYTES.subarray(BYTES.length - PROOF_BYTES));
    },
  );

  it('stores the same when the stream is resumed from each checkpoint as it grows, cut inside and around the long lines', () => {
    const starts = LINES.map((_, i) => Buffer.byteLength(LINES.slice(0, i).map((l) => l + '\n').join('')));
    // Appends cut before and after a long line's first MiB, just after its newline, and inside short lines
    // (not inside the traceback of line 6: a run that ends there stores the failure as it stands).
    const cuts = [100, starts[1] + 10, starts[1] + MiB + 5, starts[2] + 1, starts[3] + 2 * 65_536, starts[4] + MiB - 200, starts[8] + MiB + 1, starts[9] + 5, starts[10] + MiB, BYTES.length];
    for (const step of [65_536, 3 * MiB]) {
      const records: LogRecord[] = [];
      let state = { lines: 0, consumed: 0, tail: Buffer.alloc(0) as Uint8Array };
      let longLines = 0;
      for (const cut of cuts) {
        const stats = scanFrom(BYTES.subarray(0, cut), state, step, false, records);
        // A checkpoint never falls inside a line: it is 0 or just after a newline.
        expect(stats.consumed === 0 || BYTES[stats.consumed - 1] === 0x0a, `cut ${cut}`).toBe(true);
        expect(Buffer.from(stats.tail), `cut ${cut}`).toEqual(BYTES.subarray(Math.max(0, stats.consumed - PROOF_BYTES), stats.consumed));
        longLines += stats.longLines;
        state = { lines: stats.lines, consumed: stats.consumed, tail: stats.tail };
      }
      expect(view(records), `reads of ${step}`).toEqual(EXPECTED_RECORDS);
      expect([state.lines, state.consumed, longLines]).toEqual([11, BYTES.length, 3]);
    }
  });

  it('counts as consumed only once its newline is read', () => {
    const head = Buffer.from(LINES[0] + '\n');
    const long = Buffer.from(LINES[1]);
    const scanner = new LogScanner(UTC, () => {});
    scanner.push(head);
    scanner.push(long.subarray(0, MiB + 10));
    scanner.push(long.subarray(MiB + 10));
    scanner.finish(false);
    // The long line is still open: the checkpoint stays after the first line.
    expect([scanner.stats.consumed, scanner.stats.lines, scanner.stats.longLines]).toEqual([head.length, 1, 0]);
    expect(Buffer.from(scanner.stats.tail)).toEqual(head);
  });

  it('ends with a complete stream even without its newline, and counts then', () => {
    const records: LogRecord[] = [];
    const text = Buffer.from(LINES[0] + '\n' + LINES[1]);
    const stats = scanFrom(text, { lines: 0, consumed: 0, tail: Buffer.alloc(0) }, 65_536, true, records);
    expect([stats.lines, stats.longLines, stats.consumed, records.length]).toEqual([2, 1, text.length, 1]);
    expect(Buffer.from(stats.tail)).toEqual(text.subarray(text.length - PROOF_BYTES));
  });
});

describe('a read that ends inside a line', () => {
  it('keeps a line of exactly 1 MiB whose newline comes with the next read, after other lines or alone', () => {
    const exact = lineOf(at('10:50:00,000', S, 'INFO', '종목 035720 업데이트 시작: '), 'w', MiB);
    const first = LINES[0] + '\n';
    for (const reads of [[first + exact, '\n'], [first, exact, '\n']]) {
      const records: LogRecord[] = [];
      const scanner = new LogScanner(UTC, (r) => records.push(r));
      for (const read of reads) scanner.push(Buffer.from(read));
      scanner.finish(false);
      expect(records.map((r) => [r.lineNo, r.stockCode])).toEqual([
        [1, '005930'],
        [2, '035720'],
      ]);
      expect([scanner.stats.lines, scanner.stats.longLines]).toEqual([2, 0]);
    }
  });

  it('keeps a failure held back for its traceback when the read ends inside a long traceback line of less than 1 MiB', () => {
    const failure = at('11:00:00,000', G, 'ERROR', '투자 리포트 생성 실패: Request timed out.');
    const long = lineOf('openai.APITimeoutError: ', 'e', MiB - 100);
    // 30 frames of 100 bytes: with them, the held-back lines and the partial line exceed 1 MiB together, the partial line alone does not.
    const frames = Array.from({ length: 30 }, (_, i) => lineOf(`  File "/app/backend/llm/investment_report.py", line ${i + 1}, in f`, ' ', 100));
    const bytes = Buffer.from(text(failure, 'Traceback (most recent call last):', ...frames, long, at('11:00:01,000', 'httpx', 'INFO', 'HTTP Request')));
    const cut = bytes.indexOf('eeee') + MiB - 1000; // inside the long line
    const records: LogRecord[] = [];
    const scanner = new LogScanner(UTC, (r) => records.push(r));
    scanner.push(bytes.subarray(0, cut));
    scanner.push(bytes.subarray(cut));
    scanner.finish(false);
    expect(records.map((r) => [r.kind, r.lineNo, r.detail?.slice(0, 30)])).toEqual([['generation_failed', 1, 'openai.APITimeoutError: eeeeee']]);
    expect([scanner.stats.lines, scanner.stats.longLines, scanner.stats.consumed]).toEqual([34, 0, bytes.length]);
  });
});

describe('a traceback line of exactly 1 MiB', () => {
  it('is read as part of the traceback: the record goes on past it', () => {
    const failure = at('11:00:00,000', G, 'ERROR', '투자 리포트 생성 실패: Request timed out.');
    const bytes = Buffer.from(text(failure, 'Traceback (most recent call last):', lineOf('  File "x.py", line 1, in ', 'f', MiB), 'openai.APITimeoutError: Request timed out.'));
    const records: LogRecord[] = [];
    const stats = scanFrom(bytes, { lines: 0, consumed: 0, tail: Buffer.alloc(0) }, bytes.length, true, records);
    expect(records.map((r) => r.detail)).toEqual(['openai.APITimeoutError: Request timed out.']);
    expect([stats.lines, stats.longLines]).toEqual([4, 0]);
  });
});

describe('the proof of a checkpoint', () => {
  it('is every byte consumed while fewer than 4 KiB, then the last 4 KiB, across reads', () => {
    const short = Buffer.from(LINES[0] + '\n' + LINES[2] + '\n');
    const first = scanFrom(short, { lines: 0, consumed: 0, tail: Buffer.alloc(0) }, 7, false, []);
    expect(Buffer.from(first.tail)).toEqual(short);
    // Resumed: the proof continues from the one it was given.
    const more = Buffer.concat([short, Buffer.from(`${'#'.repeat(5000)}\n${LINES[0]}\n`)]);
    const second = scanFrom(more, { lines: first.lines, consumed: first.consumed, tail: first.tail }, 1000, false, []);
    expect(second.lines).toBe(4);
    expect(Buffer.from(second.tail)).toEqual(more.subarray(more.length - PROOF_BYTES));
    const third = scanFrom(Buffer.concat([short, Buffer.from('ab\n')]), { lines: first.lines, consumed: first.consumed, tail: first.tail }, 1, false, []);
    expect(Buffer.from(third.tail).toString()).toBe(short.toString() + 'ab\n');
  });
});
