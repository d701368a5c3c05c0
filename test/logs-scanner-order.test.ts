/**
 * The scanner's bookkeeping (backend-logs.md, Log line format): lines of both report loggers
 * interleaved in one read come out in log order with their line numbers; only a failure (or a line
 * logged at ERROR) takes the last line of the traceback that follows it, and only after a
 * `Traceback` line; the log end is the last timestamped line's time whatever the reads; a line
 * still being written is neither a record nor a malformed line nor a NUL byte yet; a report logger's
 * line that is no logging line is counted as malformed; a complete stream that ends in a held-back
 * failure counts its lines once.
 */
import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../src/logs/record.js';
import { unwrap } from '../src/logs/line.js';
import { LogScanner } from '../src/logs/scanner.js';
import { LocalClock } from '../src/market/time.js';
import { at, scan } from './support/scan.js';

const S = 'backend.services.stock_analysis_service';
const G = 'backend.llm.investment_report';
const text = (...lines: string[]) => lines.join('\n') + '\n';

describe('records of both report loggers in one read', () => {
  it('come out in log order, each with its own line number', () => {
    const log = text(
      at('10:00:00,000', S, 'INFO', '종목 005930 업데이트 시작: 강제 업데이트 또는 리포트 없음'),
      at('10:00:00,010', S, 'INFO', '종목 005930에 대한 투자 리포트 생성 시작...'),
      at('10:00:00,020', G, 'INFO', '투자 리포트 생성 시작: 005930 (6건 분석)'),
      at('10:00:05,000', G, 'INFO', '투자 리포트 생성 완료: 005930 (추천: 매수)'),
      at('10:00:05,100', S, 'INFO', '종목 005930의 분석 요약 업데이트 완료'),
      at('10:00:06,000', G, 'INFO', 'A/B 종합 리포트 생성: 000660 (20건 분석) - 병렬 호출'),
    );
    for (const step of [Infinity, 100]) {
      const { records, stats } = scan(log, step);
      expect(records.map((r) => [r.lineNo, r.kind]), `reads of ${step}`).toEqual([
        [1, 'attempt'],
        [2, 'generation_call'],
        [3, 'generation_started'],
        [4, 'generation_done'],
        [5, 'update_succeeded'],
        [6, 'generation_started'],
      ]);
      expect([stats.lines, stats.records]).toEqual([6, 6]);
    }
  });

  it('count an empty first line as a line', () => {
    const { records, stats } = scan('\n' + text(at('10:00:00,000', S, 'INFO', '종목 005930 업데이트 시작: 강제 업데이트 또는 리포트 없음')));
    expect([stats.lines, records[0].lineNo]).toEqual([2, 2]);
  });
});

describe('the detail of a record', () => {
  const TRACEBACK = ['Traceback (most recent call last):', '  File "/app/backend/llm/investment_report.py", line 212, in generate_report', 'openai.APITimeoutError: Request timed out.'];

  it('is taken by failures of any level and by any line logged at ERROR, not by other records', () => {
    const log = text(
      at('10:00:00,000', S, 'INFO', '종목 005930 업데이트 시작: 강제 업데이트 또는 리포트 없음'),
      ...TRACEBACK,
      at('10:00:01,000', S, 'ERROR', '종목 005930의 리포트 생성 실패'), // an ERROR line of a kind that is no failure
      ...TRACEBACK,
      at('10:00:02,000', G, 'WARNING', '투자 리포트 생성 실패: Request timed out.'), // a failure below ERROR
      ...TRACEBACK,
      at('10:00:03,000', S, 'INFO', '종목 005930의 분석 요약 업데이트 실패: Request timed out.'),
      ...TRACEBACK,
    );
    expect(scan(log).records.map((r) => [r.kind, r.detail])).toEqual([
      ['attempt', null],
      ['report_failed', 'openai.APITimeoutError: Request timed out.'],
      ['generation_failed', 'openai.APITimeoutError: Request timed out.'],
      ['update_failed', 'openai.APITimeoutError: Request timed out.'],
    ]);
  });

  it('is none when the lines after a failure hold no traceback, and skips blank lines after one', () => {
    const noTraceback = text(
      at('10:00:05,000', S, 'ERROR', '종목 005930의 분석 요약 업데이트 실패: (builtins.Exception) server closed the connection unexpectedly'),
      '\tThis probably means the server terminated abnormally',
      '[SQL: UPDATE stock_analysis_summaries SET last_updated=%(last_updated)s]',
    );
    expect(scan(noTraceback).records.map((r) => r.detail)).toEqual([null]);
    const blankAfter = text(at('10:00:05,000', G, 'ERROR', '투자 리포트 생성 실패: Request timed out.'), ...TRACEBACK, '', '   ');
    expect(scan(blankAfter).records.map((r) => r.detail)).toEqual(['openai.APITimeoutError: Request timed out.']);
  });

  it('is the last traceback line alone, not what follows it', () => {
    const log = text(at('10:00:05,000', G, 'ERROR', '투자 리포트 생성 실패: Request timed out.'), ...TRACEBACK, 'INFO:     127.0.0.1:51234 - "GET / HTTP/1.1" 200 OK', 'x'.repeat(50));
    expect(scan(log).records.map((r) => r.detail)).toEqual(['openai.APITimeoutError: Request timed out.']);
  });
});

describe('a complete stream that ends in a failure’s traceback', () => {
  it('emits the failure with its detail and counts every line once, consumed to the end', () => {
    const log = text(at('10:00:05,000', G, 'ERROR', '투자 리포트 생성 실패: Request timed out.'), 'Traceback (most recent call last):', 'openai.APITimeoutError: Request timed out.');
    const { records, stats } = scan(log, Infinity, true);
    expect(records.map((r) => [r.kind, r.lineNo, r.detail])).toEqual([['generation_failed', 1, 'openai.APITimeoutError: Request timed out.']]);
    expect([stats.lines, stats.consumed]).toEqual([3, Buffer.byteLength(log)]);
    expect(Buffer.from(stats.tail).toString()).toBe(log);
  });

  it('keeps a last line without a newline in the proof', () => {
    const log = at('10:00:00,000', S, 'INFO', '종목 005930 업데이트 시작: 강제 업데이트 또는 리포트 없음');
    const { stats } = scan(log, Infinity, true);
    expect([stats.lines, stats.consumed, Buffer.from(stats.tail).toString()]).toEqual([1, Buffer.byteLength(log), log]);
  });
});

describe('the log end', () => {
  it('is the time of the last timestamped line (cli-contract.md, Log end), an earlier line out of order or later lines without a time aside', () => {
    const lines = [
      at('10:00:00,000', S, 'INFO', '종목 005930 업데이트 시작: 강제 업데이트 또는 리포트 없음'),
      at('10:50:00,000', 'httpx', 'INFO', 'HTTP Request'), // later than the last line: reordered by another process
      at('10:30:00,000', 'httpx', 'INFO', 'HTTP Request'),
      at('10:45:00,000', 'apscheduler.executors.default', 'INFO', 'Job executed successfully'),
      'INFO:     127.0.0.1:51234 - "GET /api/stocks/005930 HTTP/1.1" 200 OK',
    ];
    expect(scan(text(...lines)).stats.lastTs).toBe(Date.parse('2025-11-04T10:45:00Z'));
  });

  it('moves on with every read that ends later', () => {
    const lines = ['10:00', '10:15', '10:30', '10:45'].map((t) => at(`${t}:00,000`, 'httpx', 'INFO', 'HTTP Request'));
    // Reads of one line each: each read's last line is later than the one before.
    expect(scan(text(...lines), Buffer.byteLength(lines[0]) + 1).stats.lastTs).toBe(Date.parse('2025-11-04T10:45:00Z'));
  });

  it('is the last line\'s time however the reads fall, even when an earlier read ended later', () => {
    const lines = ['10:30', '10:00', '09:00', '10:45', '10:40'].map((t) => at(`${t}:00,000`, 'httpx', 'INFO', 'HTTP Request'));
    const last = Date.parse('2025-11-04T10:40:00Z');
    expect(scan(text(...lines)).stats.lastTs).toBe(last);
    // One line a read: the read that ended at 10:45 is not the last one.
    for (const step of [Buffer.byteLength(lines[0]) + 1, 7, 64]) expect(scan(text(...lines), step).stats.lastTs, `step ${step}`).toBe(last);
  });
});

describe('a line still being written', () => {
  it('is no record, no malformed line and no NUL byte yet; once complete it is read', () => {
    const first = at('10:00:00,000', S, 'INFO', '종목 005930 업데이트 시작: 강제 업데이트 또는 리포트 없음') + '\n';
    const partial = Buffer.concat([Buffer.from('2025-11-04 10:00:01,000 - backend.services.stock_analysis_service - INFO - 종목 0006'), Buffer.from([0])]);
    const records: LogRecord[] = [];
    const scanner = new LogScanner(new LocalClock('UTC'), (r) => records.push(r));
    scanner.push(Buffer.concat([Buffer.from(first), partial]));
    scanner.finish(false);
    expect([records.length, scanner.stats.lines, scanner.stats.malformed, scanner.stats.nulBytes, scanner.stats.consumed]).toEqual([1, 1, 0, false, Buffer.byteLength(first)]);
  });
});

describe('a report logger’s line that is no logging line', () => {
  it('is counted as malformed: an impossible time, a missing level', () => {
    const { records, stats } = scan(
      text(
        at('25:00:00,000', S, 'INFO', '종목 005930 업데이트 시작: 강제 업데이트 또는 리포트 없음'),
        `2025-11-04 10:00:00,000 - ${S} - 종목 005930 업데이트 시작: 강제 업데이트 또는 리포트 없음`,
      ),
    );
    expect([records.length, stats.malformed, stats.malformedLines]).toEqual([0, 2, [1, 2]]);
  });
});

describe("PM2's prefix", () => {
  it('is taken off only at the start of a line: a continuation line that mentions such a time keeps its text', () => {
    const line = 'ValueError: job failed at 2025-11-04 09:15:02: retry later';
    expect(unwrap(line)).toBe(line);
  });
});
