/**
 * Records split across reads (cli-contract.md, ingest: re-running on a grown file adds each record
 * exactly once; backend-logs.md, Log line format): a log of both report loggers, failures with
 * multi-line messages and tracebacks, a malformed report line, access-log lines, CRLF endings and a
 * last line without a newline gives the same records, line numbers, malformed lines, log end,
 * consumed bytes and proof whatever the size of the reads — and, read run after run from each
 * checkpoint as cron does, the same records and lines (a detail of a traceback cut by a run aside:
 * docs/mutation-testing.md, finding 2).
 */
import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../src/logs/record.js';
import { LogScanner } from '../src/logs/scanner.js';
import { LocalClock } from '../src/market/time.js';

const S = 'backend.services.stock_analysis_service';
const G = 'backend.llm.investment_report';
const at = (time: string, logger: string, level: string, message: string) => `2025-11-04 ${time} - ${logger} - ${level} - ${message}`;
const UTC = new LocalClock('UTC');

const LINES = [
  at('10:00:00,000', S, 'INFO', '종목 005930 업데이트 시작: 강제 업데이트 또는 리포트 없음'), // 1 attempt
  at('10:00:00,100', G, 'INFO', '투자 리포트 생성 시작: 005930 (6건 분석)'), // 2 generation_started
  at('10:00:05,000', G, 'ERROR', '투자 리포트 생성 실패: Request timed out.'), // 3 generation_failed
  'Traceback (most recent call last):', // 4
  '  File "/app/backend/llm/investment_report.py", line 212, in generate_report', // 5
  'openai.APITimeoutError: Request timed out.', // 6: the detail of 3
  'INFO:     127.0.0.1:51234 - "GET /api/stocks/005930 HTTP/1.1" 200 OK', // 7
  at('10:00:06,000', S, 'INFO', '종목 005930의 리포트 생성 실패'), // 8 report_failed (INFO: no detail)
  at('99:00:00,000', S, 'INFO', '종목 000660 업데이트 시작: 강제 업데이트 또는 리포트 없음'), // 9 malformed: no such hour
  at('10:01:00,000', S, 'INFO', '종목 000660 업데이트 시작: 강제 업데이트 또는 리포트 없음\r'), // 10 attempt, CRLF
  at('10:01:05,000', S, 'ERROR', '종목 000660의 분석 요약 업데이트 실패: (builtins.Exception) server closed the connection'), // 11 update_failed
  '\tThis probably means the server terminated abnormally\r', // 12
  'Traceback (most recent call last):\r', // 13
  '  File "/app/backend/services/stock_analysis_service.py", line 388, in update\r', // 14
  'sqlalchemy.exc.OperationalError: server closed the connection  \r', // 15: the detail of 11, trimmed
  at('10:01:07,000', 'httpx', 'INFO', 'HTTP Request: POST https://api.openai.com/v1/chat/completions'), // 16: the log end
  'ValueError: an orphan continuation line', // 17
  at('10:02:00,000', S, 'INFO', '종목 035720 업데이트 시작: 강제 업데이트 또는 리포트 없음'), // 18 attempt, no newline after it
];
const BYTES = Buffer.from(LINES.join('\n'));
const view = (records: LogRecord[]) => records.map((r) => [r.lineNo, r.kind, r.stockCode, r.detail]);
const EXPECTED = [
  [1, 'attempt', '005930', null],
  [2, 'generation_started', '005930', null],
  [3, 'generation_failed', null, 'openai.APITimeoutError: Request timed out.'],
  [8, 'report_failed', '005930', null],
  [10, 'attempt', '000660', null],
  [11, 'update_failed', '000660', 'sqlalchemy.exc.OperationalError: server closed the connection'],
  [18, 'attempt', '035720', null],
];

function scanFrom(state: { lines: number; consumed: number; tail: Uint8Array }, until: number, step: number, final: boolean, records: LogRecord[]) {
  const scanner = new LogScanner(UTC, (r) => records.push(r), state);
  for (let i = state.consumed; i < until; i += step) scanner.push(BYTES.subarray(i, Math.min(i + step, until)));
  scanner.finish(final);
  return scanner.stats;
}
const START = { lines: 0, consumed: 0, tail: new Uint8Array(0) };

describe('a log read in one go', () => {
  it('gives each record its line number, and failures the last line of their traceback', () => {
    const records: LogRecord[] = [];
    const stats = scanFrom(START, BYTES.length, BYTES.length, true, records);
    expect(view(records)).toEqual(EXPECTED);
    expect([stats.lines, stats.records, stats.malformed, stats.malformedLines]).toEqual([18, 7, 1, [9]]);
    expect(stats.lastTs).toBe(Date.parse('2025-11-04T10:02:00Z'));
    expect([stats.consumed, Buffer.from(stats.tail).toString()]).toEqual([BYTES.length, BYTES.toString()]);
  });
});

describe('a log read in reads of any size', () => {
  it.each([1, 2, 3, 5, 8, 13, 31, 64, 100, 257, 1000])('gives the same in reads of %i bytes', (step) => {
    const records: LogRecord[] = [];
    const stats = scanFrom(START, BYTES.length, step, true, records);
    expect(view(records)).toEqual(EXPECTED);
    expect([stats.lines, stats.records, stats.malformed, stats.malformedLines]).toEqual([18, 7, 1, [9]]);
    expect(stats.lastTs).toBe(Date.parse('2025-11-04T10:02:00Z'));
    expect([stats.consumed, Buffer.from(stats.tail).toString()]).toEqual([BYTES.length, BYTES.toString()]);
  });
});

describe('a log read run after run as it grows', () => {
  it('adds each record once, at its own line number, whatever byte each run ends at', () => {
    for (let cut = 1; cut < BYTES.length; cut += 7) {
      const records: LogRecord[] = [];
      // The first run sees the log up to `cut` (the file as it then stood); the next resumes from its checkpoint.
      const first = scanFrom(START, cut, 64, false, records);
      expect(first.consumed, `cut ${cut}`).toBeLessThanOrEqual(cut);
      expect(Buffer.from(first.tail).toString(), `cut ${cut}`).toBe(BYTES.subarray(Math.max(0, first.consumed - 4096), first.consumed).toString());
      const second = scanFrom({ lines: first.lines, consumed: first.consumed, tail: first.tail }, BYTES.length, 64, true, records);
      expect(
        records.map((r) => [r.lineNo, r.kind, r.stockCode]),
        `cut ${cut}`,
      ).toEqual(EXPECTED.map(([n, kind, code]) => [n, kind, code]));
      expect([second.lines, second.consumed], `cut ${cut}`).toEqual([18, BYTES.length]);
      expect(first.malformed + second.malformed, `cut ${cut}`).toBe(1);
    }
  });

  it('reads a line only once its newline is there, unless the stream is complete', () => {
    // The log stops in the middle of line 10: lines 1–9 are read and consumed, line 10 waits.
    const cut = BYTES.indexOf('000660 업데이트 시작: 강제 업데이트 또는 리포트 없음\r');
    const records: LogRecord[] = [];
    const stats = scanFrom(START, cut, 100, false, records);
    expect(records.map((r) => r.lineNo)).toEqual([1, 2, 3, 8]);
    expect([stats.lines, stats.malformed]).toEqual([9, 1]);
    expect(stats.consumed).toBe(Buffer.byteLength(LINES.slice(0, 9).join('\n') + '\n'));
    // The log end is the last complete timestamped line's: line 9's impossible time is none.
    expect(stats.lastTs).toBe(Date.parse('2025-11-04T10:00:06Z'));
  });
});
