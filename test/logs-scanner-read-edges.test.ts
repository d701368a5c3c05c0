/**
 * Where a read ends never changes what the scanner stores (cli-contract.md, ingest: a backfill and
 * runs on a grown file store the same; backend-logs.md: a traceback belongs to the record above):
 * a failure that comes after more than 1 MiB of other lines in one read still waits for its
 * traceback; a traceback line of exactly 1 MiB whose newline comes in the next read is still the
 * traceback's last line; the proof after a skipped long line is the last 4 KiB consumed, its newline
 * included; an empty read is no line.
 */
import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../src/logs/record.js';
import { LogScanner } from '../src/logs/scanner.js';
import { LocalClock } from '../src/market/time.js';

const G = 'backend.llm.investment_report';
const S = 'backend.services.stock_analysis_service';
const MiB = 1 << 20;
const at = (time: string, logger: string, level: string, message: string) => `2025-11-04 ${time} - ${logger} - ${level} - ${message}`;
const FAILURE = at('10:00:05,000', G, 'ERROR', '투자 리포트 생성 실패: Request timed out.');
const NEXT = at('10:00:06,000', S, 'INFO', '종목 005930의 리포트 생성 실패');

/** Scans `bytes` in the reads given by their end offsets (the last read ends at the end). */
function scanCut(bytes: Buffer, cuts: number[], final = true) {
  const records: LogRecord[] = [];
  const scanner = new LogScanner(new LocalClock('UTC'), (r) => records.push(r));
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    scanner.push(bytes.subarray(from, cut));
    from = cut;
  }
  scanner.finish(final);
  return { records, stats: scanner.stats };
}
const view = (records: LogRecord[]) => records.map((r) => [r.lineNo, r.kind, r.detail]);

describe('a failure and its traceback, cut by a read', () => {
  it('wait for the traceback however many bytes of other lines the read held before them', () => {
    // 1.2 MiB of httpx lines, then the failure and the first traceback line: the read ends there.
    const filler = Array.from({ length: 12_000 }, (_, i) => at(`09:${String(Math.floor(i / 200) % 60).padStart(2, '0')}:00,000`, 'httpx', 'INFO', 'HTTP Request: GET https://example.com/ "HTTP/1.1 200 OK"'));
    const head = [...filler, FAILURE, 'Traceback (most recent call last):'].join('\n') + '\n';
    const bytes = Buffer.from(head + ['openai.APITimeoutError: Request timed out.', NEXT].join('\n') + '\n');
    expect(Buffer.byteLength(head)).toBeGreaterThan(MiB);
    for (const cuts of [[], [Buffer.byteLength(head)]]) {
      const { records, stats } = scanCut(bytes, cuts);
      expect(view(records), `cut at ${cuts}`).toEqual([
        [12_001, 'generation_failed', 'openai.APITimeoutError: Request timed out.'],
        [12_004, 'report_failed', null],
      ]);
      expect(stats.lines).toBe(12_004);
    }
  });

  it('keep a traceback line of exactly 1 MiB as its last line when its newline comes in the next read', () => {
    const last = 'openai.APITimeoutError: ' + 'x'.repeat(MiB - 'openai.APITimeoutError: '.length);
    expect(Buffer.byteLength(last)).toBe(MiB);
    const head = [FAILURE, 'Traceback (most recent call last):', last].join('\n');
    const bytes = Buffer.from(head + '\n' + NEXT + '\n');
    const whole = scanCut(bytes, []);
    expect(whole.records.map((r) => r.kind)).toEqual(['generation_failed', 'report_failed']);
    expect(whole.records[0].detail).toMatch(/^openai\.APITimeoutError: x+$/);
    // The first read ends just before the 1 MiB line's newline.
    const cut = scanCut(bytes, [Buffer.byteLength(head)]);
    expect(view(cut.records)).toEqual(view(whole.records));
    expect([cut.stats.lines, cut.stats.longLines, cut.stats.consumed]).toEqual([4, 0, bytes.length]);
  });
});

describe('the proof after a line over 1 MiB', () => {
  it('is the last 4 KiB consumed, the long line’s end and newline included', () => {
    // Long enough that the reads pass 1 MiB before its newline comes: it is skipped as it streams by.
    const long = at('10:00:00,000', 'httpx', 'INFO', '') + 'y'.repeat(MiB + 100_000) + 'z';
    const short = at('10:00:01,000', 'httpx', 'INFO', 'short');
    const bytes = Buffer.from(long + '\n' + short + '\n');
    const expected = bytes.subarray(bytes.length - 4096).toString();
    for (const step of [65_536, 8_192, 1_000_003]) {
      const cuts: number[] = [];
      for (let i = step; i < bytes.length; i += step) cuts.push(i);
      const { stats } = scanCut(bytes, cuts);
      expect([stats.lines, stats.longLines, stats.consumed], `reads of ${step}`).toEqual([2, 1, bytes.length]);
      expect(Buffer.from(stats.tail).toString(), `reads of ${step}`).toBe(expected);
    }
  });
});

describe('an empty read', () => {
  it('is no line, at the start of a stream or after its last newline', () => {
    const empty = scanCut(Buffer.alloc(0), []);
    expect([empty.stats.lines, empty.stats.consumed, empty.records.length]).toEqual([0, 0, 0]);
    const text = Buffer.from(NEXT + '\n');
    // One read of the line, then a read of nothing (a pipe that had nothing more yet).
    const after = scanCut(text, [text.length]);
    expect([after.stats.lines, after.stats.consumed, after.records.length]).toEqual([1, text.length, 1]);
  });
});
