/**
 * The three shapes a backend line arrives in: Python logging
 * (`2025-11-04 09:15:02,123 - name - LEVEL - message`), the same behind PM2's date prefix
 * (`2025-11-04 09:15:02: …`), and Docker's json-file objects (`{"log":"…\n",…}`).
 */
import { naiveMsOf } from '../market/time.js';

export interface LogLine {
  /** Wall-clock time as written, expressed as if UTC; the log's zone converts it. */
  naiveMs: number;
  logger: string;
  level: string;
  message: string;
}

const PYTHON_HEAD = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[,.]\d{3} - /;
const PM2_PREFIX = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d: /;
const SEPARATOR = ' - ';

/** Unwraps Docker and PM2 framing; returns the Python logging text (or any other text) of a line. */
export function unwrap(raw: string): string {
  let text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  if (text.startsWith('{"log":')) {
    try {
      const log = (JSON.parse(text) as { log?: unknown }).log;
      if (typeof log !== 'string') return '';
      text = log.endsWith('\n') ? log.slice(0, -1) : log;
      if (text.endsWith('\r')) text = text.slice(0, -1);
    } catch {
      return '';
    }
  }
  if (PM2_PREFIX.test(text) && !PYTHON_HEAD.test(text)) text = text.slice(21);
  return text;
}

/** A timestamped Python logging line, or null (continuations, access logs, noise). */
export function parseLine(raw: string): LogLine | null {
  const text = unwrap(raw);
  if (!PYTHON_HEAD.test(text)) return null;
  const naiveMs = naiveMsOf(text);
  if (Number.isNaN(naiveMs)) return null;
  const loggerEnd = text.indexOf(SEPARATOR, 26);
  if (loggerEnd < 0) return null;
  const levelEnd = text.indexOf(SEPARATOR, loggerEnd + 3);
  if (levelEnd < 0) return null;
  return {
    naiveMs,
    logger: text.slice(26, loggerEnd),
    level: text.slice(loggerEnd + 3, levelEnd),
    message: text.slice(levelEnd + 3),
  };
}

/** The wall-clock time of a timestamped line, or NaN: a cheaper parseLine for the log end. */
export function lineNaiveMs(raw: string): number {
  const text = unwrap(raw);
  return PYTHON_HEAD.test(text) ? naiveMsOf(text) : NaN;
}
