/**
 * The scanner at its edges (backend-logs.md, Log line format): a failure's traceback belongs to
 * it up to the next timestamped line (or an access-log line), wherever a read ends; the log end is
 * the latest timestamp of any logger; malformed report lines are counted and the first five named;
 * a last line without a newline is read only when the stream is complete.
 */
import { describe, expect, it } from 'vitest';
import { LogScanner } from '../src/logs/scanner.js';
import type { LogRecord } from '../src/logs/record.js';
import { LocalClock } from '../src/market/time.js';
import { at, scan } from './support/scan.js';

const S = 'backend.services.stock_analysis_service';
const G = 'backend.llm.investment_report';

const FAILURE = [
  at('10:00:00,000', S, 'INFO', '종목 005930 업데이트 시작: 강제 업데이트 또는 리포트 없음'),
  at('10:00:05,000', S, 'ERROR', '종목 005930의 분석 요약 업데이트 실패: (builtins.Exception) server closed the connection unexpectedly'),
  '\tThis probably means the server terminated abnormally',
  '[SQL: UPDATE stock_analysis_summaries SET last_updated=%(last_updated)s]',
  'Traceback (most recent call last):',
  '  File "/app/backend/services/stock_analysis_service.py", line 388, in update_stock_analysis_summary',
  '',
  'sqlalchemy.exc.OperationalError: server closed the connection unexpectedly',
  at('10:00:06,000', 'httpx', 'INFO', 'HTTP Request: POST https://api.openai.com/v1/chat/completions "HTTP/1.1 200 OK"'),
].join('\n') + '\n';

describe('a failure and its traceback', () => {
  it('takes the traceback’s last non-empty line as the detail, the message lines before it aside', () => {
    const { records, stats } = scan(FAILURE);
    expect(records.map((r) => [r.kind, r.lineNo, r.detail])).toEqual([
      ['attempt', 1, null],
      ['update_failed', 2, 'sqlalchemy.exc.OperationalError: server closed the connection unexpectedly'],
    ]);
    expect([stats.lines, stats.records, stats.malformed]).toEqual([9, 2, 0]);
  });

  it('gives the same records and line numbers whatever the size of the reads, down to one byte', () => {
    const whole = scan(FAILURE);
    for (const step of [1, 7, 64, 200]) {
      const parts = scan(FAILURE, step);
      expect(parts.records, `reads of ${step}`).toEqual(whole.records);
      expect([parts.stats.lines, parts.stats.consumed], `reads of ${step}`).toEqual([9, Buffer.byteLength(FAILURE)]);
    }
  });

  it('has no detail without a traceback, and ends at an access-log line', () => {
    const text = [
      at('10:00:05,000', G, 'ERROR', '투자 리포트 생성 실패: Request timed out.'),
      'INFO:     127.0.0.1:51234 - "GET /api/stocks/005930 HTTP/1.1" 200 OK',
      'Traceback (most recent call last):',
      'openai.APITimeoutError: Request timed out.',
    ].join('\n') + '\n';
    expect(scan(text).records.map((r) => [r.kind, r.detail])).toEqual([['generation_failed', null]]);
  });

  it('holds a failure back while its traceback may go on, and reads it as it stands at the stream’s end', () => {
    const text = [at('10:00:05,000', G, 'ERROR', '투자 리포트 생성 실패: Request timed out.'), 'Traceback (most recent call last):', 'openai.APITimeoutError: Request timed out.'].join('\n') + '\n';
    const records: LogRecord[] = [];
    const scanner = new LogScanner(new LocalClock('UTC'), (r) => records.push(r));
    scanner.push(Buffer.from(text));
    // The next line could still be part of the traceback: nothing is emitted or consumed yet.
    expect([records.length, scanner.stats.consumed, scanner.stats.lines]).toEqual([0, 0, 0]);
    scanner.finish(false);
    expect(records.map((r) => [r.kind, r.lineNo, r.detail])).toEqual([['generation_failed', 1, 'openai.APITimeoutError: Request timed out.']]);
    expect([scanner.stats.consumed, scanner.stats.lines]).toEqual([Buffer.byteLength(text), 3]);
  });
});

describe('the lines of a stream', () => {
  it('take the log end from the latest timestamped line of any logger', () => {
    const text = [
      at('10:00:00,000', S, 'INFO', '종목 005930 업데이트 시작: 강제 업데이트 또는 리포트 없음'),
      at('10:30:00,000', 'apscheduler.executors.default', 'INFO', 'Job executed successfully'),
      'INFO:     127.0.0.1:51234 - "GET /api/stocks/005930 HTTP/1.1" 200 OK',
    ].join('\n') + '\n';
    expect(scan(text).stats.lastTs).toBe(Date.parse('2025-11-04T10:30:00Z'));
    expect(scan('no timestamp here\n').stats.lastTs).toBeNull();
  });

  it('count malformed report lines and name the first five, by line number', () => {
    const lines = Array.from({ length: 7 }, (_, i) => at(`10:00:0${i},000`, S, 'INFO', `종목 59 업데이트 시작: ${i}`));
    const { stats, records } = scan(['noise', ...lines].join('\n') + '\n');
    expect(records).toEqual([]);
    expect([stats.lines, stats.malformed, stats.malformedLines]).toEqual([8, 7, [2, 3, 4, 5, 6]]);
  });

  it('read a last line without a newline only when the stream is complete', () => {
    const text = at('10:00:00,000', S, 'INFO', '종목 005930 업데이트 시작: 강제 업데이트 또는 리포트 없음');
    const complete = scan(text);
    expect([complete.records.length, complete.stats.lines, complete.stats.consumed]).toEqual([1, 1, Buffer.byteLength(text)]);
    const open = scan(text, Infinity, false);
    expect([open.records.length, open.stats.lines, open.stats.consumed]).toEqual([0, 0, 0]);
  });

  it('note NUL bytes, and count report lines that are not valid UTF-8', () => {
    const good = at('10:00:00,000', S, 'INFO', '종목 005930 업데이트 시작: 강제 업데이트 또는 리포트 없음');
    const cp949 = Buffer.concat([Buffer.from(at('10:00:01,000', S, 'INFO', '종목 000660 업데이트 시작: ')), Buffer.from([0xb0, 0xad, 0x0a])]);
    const records: LogRecord[] = [];
    const scanner = new LogScanner(new LocalClock('UTC'), (r) => records.push(r));
    scanner.push(Buffer.concat([Buffer.from([0, 0]), Buffer.from(good + '\n'), cp949]));
    scanner.finish(true);
    expect([scanner.stats.nulBytes, scanner.stats.invalidUtf8, records.length]).toEqual([true, 1, 2]);
    expect(scan(good + '\n').stats).toMatchObject({ nulBytes: false, invalidUtf8: 0 });
    // U+FFFD written as such is valid UTF-8.
    expect(scan(at('10:00:00,000', S, 'INFO', '종목 005930 업데이트 시작: \uFFFD') + '\n').stats.invalidUtf8).toBe(0);
  });
});
