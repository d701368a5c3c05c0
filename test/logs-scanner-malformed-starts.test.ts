/**
 * Malformed lines and the file's log end at their edges (backend-logs.md, Log line format;
 * cli-contract.md, Log end): a report logger's line that lost its time (a file rotated by
 * copytruncate can begin mid-line) is counted as malformed at its line number and the lines after it
 * are read in order; a line still being written is neither a malformed line nor a NUL byte until its
 * newline comes, whatever it starts with; a stream with no timestamped line has no log end, an empty
 * first line included; a line over 1 MiB is skipped unread, so its time is no log end, whatever the reads.
 */
import { describe, expect, it } from 'vitest';
import { at, scan } from './support/scan.js';

const G = 'backend.llm.investment_report';
const S = 'backend.services.stock_analysis_service';
const MiB = 1 << 20;
const ATTEMPT = at('10:00:00,000', S, 'INFO', '종목 005930 업데이트 시작: 강제 업데이트 또는 리포트 없음');

describe('a report line that lost its time', () => {
  it('is malformed at its line number when it is the first line of the file, and the lines after it are read', () => {
    // The file begins right after a timestamp: ' - backend.llm.investment_report - ERROR - …'.
    const log = [` - ${G} - ERROR - 투자 리포트 생성 실패: Request timed out.`, ATTEMPT, ` - ${S} - INFO - 종목 000660 업데이트 시작: 강제 업데이트 또는 리포트 없음`].join('\n') + '\n';
    for (const step of [Infinity, 50]) {
      const { records, stats } = scan(log, step);
      expect(records.map((r) => [r.lineNo, r.kind, r.stockCode]), `reads of ${step}`).toEqual([[2, 'attempt', '005930']]);
      expect([stats.lines, stats.malformed, stats.malformedLines], `reads of ${step}`).toEqual([3, 2, [1, 3]]);
    }
  });

  it('is malformed at line 1 when it is the service logger’s, before a generator line', () => {
    const log = [` - ${S} - INFO - 종목 000660 업데이트 시작: 강제 업데이트 또는 리포트 없음`, at('10:00:00,100', G, 'INFO', '투자 리포트 생성 시작: 005930 (6건 분석)')].join('\n') + '\n';
    const { records, stats } = scan(log);
    expect(records.map((r) => [r.lineNo, r.kind])).toEqual([[2, 'generation_started']]);
    expect([stats.lines, stats.malformed, stats.malformedLines]).toEqual([2, 1, [1]]);
  });
});

describe('a line still being written', () => {
  it('is no malformed line yet when it starts with a report logger’s name', () => {
    const first = ATTEMPT + '\n';
    const { records, stats } = scan(first + ` - ${S} - INFO - 종목 0006`, Infinity, false);
    expect([records.length, stats.lines, stats.malformed, stats.consumed]).toEqual([1, 1, 0, Buffer.byteLength(first)]);
  });

  it('shows no NUL byte yet when the hole a copytruncate left comes before it', () => {
    const first = ATTEMPT + '\n';
    const partial = Buffer.concat([Buffer.from([0, 0]), Buffer.from(at('10:00:01,000', S, 'INFO', '종목 000660 업데이트'))]);
    const { stats } = scan(Buffer.concat([Buffer.from(first), partial]), Infinity, false);
    expect([stats.lines, stats.nulBytes, stats.consumed]).toEqual([1, false, Buffer.byteLength(first)]);
    // Once its newline is there, the NULs are seen.
    expect(scan(Buffer.concat([Buffer.from(first), partial, Buffer.from('\n')])).stats.nulBytes).toBe(true);
  });
});

describe('the log end', () => {
  it('is none when no line has a time, an empty first line included', () => {
    const { stats } = scan('\nINFO:     127.0.0.1:51234 - "GET /api/stocks/005930 HTTP/1.1" 200 OK\n');
    expect([stats.lines, stats.lastTs]).toEqual([2, null]);
  });

  it('is not the time of a last line over 1 MiB, however the reads fall', () => {
    const long = at('10:30:00,000', 'httpx', 'INFO', '') + 'x'.repeat(MiB);
    const log = [ATTEMPT, long].join('\n') + '\n';
    for (const step of [Infinity, 65_536]) {
      const { stats } = scan(log, step);
      expect([stats.lines, stats.longLines, stats.lastTs], `reads of ${step}`).toEqual([2, 1, Date.parse('2025-11-04T10:00:00Z')]);
    }
  });
});
