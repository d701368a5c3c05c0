/**
 * Tracebacks under PM2 and Docker (backend-logs.md, Log line format): PM2 prefixes every line again,
 * continuation lines included, and Docker's json-file driver wraps each line in an object; either
 * way the continuation lines have no timestamp of their own and belong to the record above, the
 * detail is the traceback's last line as Python wrote it, and the log end is the last Python time.
 * A chained exception's detail is the last line of the last traceback.
 */
import { describe, expect, it } from 'vitest';
import { at, scan as scanText } from './support/scan.js';

const G = 'backend.llm.investment_report';
const S = 'backend.services.stock_analysis_service';
const FAILURE = at('10:00:05,000', G, 'ERROR', '투자 리포트 생성 실패: Request timed out.');
const TRACEBACK = ['Traceback (most recent call last):', '  File "/app/backend/llm/investment_report.py", line 212, in generate_report', 'openai.APITimeoutError: Request timed out.'];
const NEXT = at('10:00:06,000', S, 'INFO', '종목 005930의 리포트 생성 실패');

function scan(lines: string[], step = Infinity) {
  const { records, stats } = scanText(lines.join('\n') + '\n', step);
  return { records: records.map((r) => [r.lineNo, r.kind, r.detail]), stats };
}

const EXPECTED = [
  [1, 'generation_failed', 'openai.APITimeoutError: Request timed out.'],
  [5, 'report_failed', null],
];

describe('a traceback', () => {
  it('under PM2, every line prefixed with its time: belongs to the record above, its detail without the prefix', () => {
    const pm2 = (line: string) => `2025-11-04 10:00:05: ${line}`;
    for (const step of [Infinity, 16]) {
      const { records, stats } = scan([FAILURE, ...TRACEBACK, NEXT].map(pm2), step);
      expect(records, `reads of ${step}`).toEqual(EXPECTED);
      expect([stats.lines, stats.malformed, stats.lastTs]).toEqual([5, 0, Date.parse('2025-11-04T10:00:06Z')]);
    }
  });

  it('in Docker json-file objects: belongs to the record above, its detail unwrapped', () => {
    const docker = (line: string) => JSON.stringify({ log: `${line}\n`, stream: 'stderr', time: '2025-11-04T10:00:05.000000000Z' });
    for (const step of [Infinity, 16]) {
      const { records, stats } = scan([FAILURE, ...TRACEBACK, NEXT].map(docker), step);
      expect(records, `reads of ${step}`).toEqual(EXPECTED);
      expect([stats.lines, stats.malformed, stats.lastTs]).toEqual([5, 0, Date.parse('2025-11-04T10:00:06Z')]);
    }
  });

  it('in Docker json-file objects longer than 256 bytes: the last one still gives the log end', () => {
    // A Korean report line passes 256 bytes inside its JSON (each Hangul syllable is 3 bytes, escaped 6).
    const docker = (line: string) => JSON.stringify({ log: `${line}\n`, stream: 'stdout', time: '2025-11-04T10:00:05.000000000Z' });
    const long = docker(at('10:05:00,000', S, 'INFO', `종목 005930 업데이트 건너뜀: ${'최신 리포트 유지 '.repeat(12)}`));
    expect(Buffer.byteLength(long)).toBeGreaterThan(256);
    for (const step of [Infinity, 16]) {
      const { stats } = scan([docker(FAILURE), ...TRACEBACK.map(docker), docker(NEXT), long], step);
      expect(stats.lastTs, `reads of ${step}`).toBe(Date.parse('2025-11-04T10:05:00Z'));
    }
  });

  it('chained to another ("During handling of the above exception…"): the detail is the last traceback’s last line', () => {
    const chained = [
      FAILURE,
      ...TRACEBACK.slice(0, 2),
      'httpx.ReadTimeout: The read operation timed out',
      '',
      'During handling of the above exception, another exception occurred:',
      '',
      ...TRACEBACK,
      NEXT,
    ];
    const { records, stats } = scan(chained);
    expect(records).toEqual([
      [1, 'generation_failed', 'openai.APITimeoutError: Request timed out.'],
      [11, 'report_failed', null],
    ]);
    expect(stats.lines).toBe(11);
  });
});
