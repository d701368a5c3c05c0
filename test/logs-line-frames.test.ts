/**
 * The three frames a backend line arrives in (backend-logs.md, Log line format) at their edges:
 * Docker json-file objects with CRLF or without a newline, objects whose `log` is not text, PM2's
 * prefix in front of a line that has no Python timestamp of its own, and the `name - LEVEL - message`
 * fields when a message itself contains ` - `.
 */
import { describe, expect, it } from 'vitest';
import { lineNaiveMs, parseLine, unwrap } from '../src/logs/line.js';

const PYTHON = '2025-11-04 09:15:02,123 - backend.services.stock_analysis_service - INFO - 종목 005930의 분석 요약 업데이트 완료';
const READ = {
  naiveMs: Date.UTC(2025, 10, 4, 9, 15, 2, 123),
  logger: 'backend.services.stock_analysis_service',
  level: 'INFO',
  message: '종목 005930의 분석 요약 업데이트 완료',
};
const docker = (log: unknown) => JSON.stringify({ log, stream: 'stderr', time: '2025-11-04T00:15:02.124Z' });

describe("Docker's json-file frame", () => {
  it('gives the line without its newline, CR and LF both', () => {
    expect(unwrap(docker(PYTHON + '\r\n'))).toBe(PYTHON);
    expect(unwrap(docker(PYTHON + '\n'))).toBe(PYTHON);
    // The last object of a file cut mid-write may lack the newline: the text is still the line.
    expect(unwrap(docker(PYTHON))).toBe(PYTHON);
    expect(parseLine(docker(PYTHON + '\r\n'))).toEqual(READ);
    // The frame itself may end with CR (a CRLF file of objects).
    expect(parseLine(docker(PYTHON + '\n') + '\r')).toEqual(READ);
  });

  it('keeps a continuation line (a traceback) as its text, indentation included', () => {
    expect(unwrap(docker('  File "/app/backend/llm/investment_report.py", line 212, in generate_report\n'))).toBe(
      '  File "/app/backend/llm/investment_report.py", line 212, in generate_report',
    );
  });

  it('gives nothing for an object without text in `log`, or a broken object', () => {
    expect(unwrap(docker(42))).toBe('');
    expect(unwrap(JSON.stringify({ stream: 'stderr' }).replace('{', '{"log":null,'))).toBe('');
    expect(unwrap('{"log":"2025-11-04 09:15:02,123 - x - INFO - cut her')).toBe('');
    expect(parseLine(docker(42))).toBeNull();
  });

  it('is a frame only at the very start of the line', () => {
    const text = ` ${docker(PYTHON + '\n')}`;
    expect(unwrap(text)).toBe(text);
    expect(parseLine(text)).toBeNull();
  });
});

describe("PM2's date prefix", () => {
  it('is removed in front of a Python line, also inside a Docker frame', () => {
    expect(unwrap(`2025-11-04 09:15:02: ${PYTHON}`)).toBe(PYTHON);
    expect(parseLine(docker(`2025-11-04 09:15:02: ${PYTHON}\n`))).toEqual(READ);
  });

  it('is removed in front of a line without a timestamp, which then reads as that text', () => {
    expect(unwrap('2025-11-04 09:15:02: Traceback (most recent call last):')).toBe('Traceback (most recent call last):');
    expect(lineNaiveMs('2025-11-04 09:15:02: Traceback (most recent call last):')).toBeNaN();
  });

  it('is no prefix when the line is a Python line already (its milliseconds follow the seconds)', () => {
    expect(unwrap(PYTHON)).toBe(PYTHON);
    // A PM2-like start that is not followed by `: `.
    expect(unwrap('2025-11-04 09:15:02 something')).toBe('2025-11-04 09:15:02 something');
  });
});

describe('the fields of a Python logging line', () => {
  it('splits at the first two ` - `: the message keeps any later ones', () => {
    const line = '2025-11-04 09:15:02.123 - backend.llm.investment_report - ERROR - A/B 종합 리포트 실패: a - b - c';
    expect(parseLine(line)).toEqual({
      naiveMs: Date.UTC(2025, 10, 4, 9, 15, 2, 123),
      logger: 'backend.llm.investment_report',
      level: 'ERROR',
      message: 'A/B 종합 리포트 실패: a - b - c',
    });
  });

  it('reads an empty message, and refuses a line without a level or without a message separator', () => {
    expect(parseLine('2025-11-04 09:15:02,123 - httpx - INFO - ')).toEqual({ naiveMs: READ.naiveMs, logger: 'httpx', level: 'INFO', message: '' });
    expect(parseLine('2025-11-04 09:15:02,123 - httpx')).toBeNull();
    expect(parseLine('2025-11-04 09:15:02,123 - httpx - INFO')).toBeNull();
  });

  it('needs the whole timestamp with milliseconds and the separator right after it', () => {
    expect(parseLine(PYTHON.replace(',123', ''))).toBeNull();
    expect(parseLine(PYTHON.replace(',123 - ', ',123 -- '))).toBeNull();
    expect(parseLine(PYTHON.replace('2025-11-04 ', '2025-11-04T'))).toBeNull();
    expect(parseLine(`x${PYTHON}`)).toBeNull();
  });

  it('gives the time of a timestamped line, and NaN for other lines and impossible times', () => {
    expect(lineNaiveMs(PYTHON)).toBe(READ.naiveMs);
    expect(lineNaiveMs(`2025-11-04 09:15:02: ${PYTHON}`)).toBe(READ.naiveMs);
    expect(lineNaiveMs(docker(PYTHON + '\n'))).toBe(READ.naiveMs);
    expect(lineNaiveMs('INFO:     127.0.0.1:51234 - "GET /api/stocks/005930 HTTP/1.1" 200 OK')).toBeNaN();
    expect(lineNaiveMs(PYTHON.replace('09:15', '25:15'))).toBeNaN();
    expect(parseLine(PYTHON.replace('09:15', '25:15'))).toBeNull();
  });
});
