/**
 * Property-based tests of the reader (fast-check): whatever the bytes, LogScanner and parseLine
 * never throw; a valid record among random noise reads back unchanged; and where the chunks of a
 * stream begin and end never changes what is read.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseLine } from '../src/logs/line.js';
import type { LogRecord } from '../src/logs/record.js';
import { LogScanner } from '../src/logs/scanner.js';
import { MESSAGE_KINDS } from '../src/logs/vocabulary.js';
import { LocalClock } from '../src/market/time.js';
import { LogGenerator, seedOf } from './support/logs.js';

const clock = new LocalClock('Asia/Seoul');
const RUNS = 300;
// One variable replays every randomised test, these included: CRAVENY_OPS_TEST_SEED=<seed>.
fc.configureGlobal({ seed: seedOf('property') });

function scan(chunks: Uint8Array[], final: boolean) {
  const records: LogRecord[] = [];
  const scanner = new LogScanner(clock, (r) => records.push(r));
  for (const c of chunks) scanner.push(Buffer.from(c));
  scanner.finish(final);
  return { records, stats: { ...scanner.stats, malformedLines: [...scanner.stats.malformedLines] } };
}

/** Cuts `bytes` at the given positions (any, sorted, duplicates allowed: empty chunks too). */
function cut(bytes: Buffer, at: number[]): Buffer[] {
  const points = [...at.map((p) => p % (bytes.length + 1)), bytes.length].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const p of points) {
    chunks.push(bytes.subarray(from, p));
    from = p;
  }
  return chunks;
}

/** Noise: any bytes but a newline (a line of its own), never starting a traceback continuation. */
const noiseLine = fc
  .oneof(
    fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a.filter((b) => b !== 0x0a))),
    fc.string({ unit: 'grapheme', maxLength: 120 }).map((s) => Buffer.from(s.replaceAll('\n', ' '))),
    fc.constantFrom(
      'INFO:     127.0.0.1:51234 - "GET /api/stocks/005930 HTTP/1.1" 200 OK',
      '2025-11-04 09:00:00,000 - httpx - INFO - HTTP Request: POST https://api.openai.com/v1/chat/completions',
      '2025-11-04 09:00:00,000 - backend.crawlers.news_crawler - INFO - 뉴스: 종목 005930 업데이트 시작: 새 예측 추가',
      '  File "/app/x.py", line 1, in f',
    ).map((s) => Buffer.from(s)),
  )
  .filter((b) => !b.toString('latin1').trimStart().startsWith('Traceback'));

/** Every sample line of the vocabulary that is a record on its own (no traceback to read after it). */
const SAMPLES = MESSAGE_KINDS.flatMap((k) => k.samples).filter((line) => {
  const alone = scan([Buffer.from(line + '\n')], true).records;
  return alone.length === 1;
});

describe('the reader on arbitrary input', () => {
  it('parseLine never throws, whatever the text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.uint8Array().map((a) => Buffer.from(a).toString('utf8'))), (text) => {
        const line = parseLine(text);
        if (line) expect(Number.isFinite(line.naiveMs)).toBe(true);
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it('LogScanner never throws on arbitrary bytes in arbitrary chunks, final or not', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 3000, size: 'large' }), { maxLength: 8 }), fc.boolean(), (chunks, final) => {
        const { stats } = scan(chunks, final);
        const total = chunks.reduce((n, c) => n + c.length, 0);
        // It never claims more than it was given.
        expect(stats.consumed).toBeLessThanOrEqual(total);
        if (final) expect(stats.consumed).toBe(total);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('a valid record among random noise', () => {
  it(`is read back unchanged (${SAMPLES.length} sample lines)`, () => {
    expect(SAMPLES.length).toBeGreaterThan(10);
    fc.assert(
      fc.property(
        fc.constantFrom(...SAMPLES),
        fc.array(noiseLine, { maxLength: 6 }),
        fc.array(noiseLine, { maxLength: 6 }),
        fc.constantFrom('\n', '\r\n'),
        (sample, before, after, eol) => {
          const alone = scan([Buffer.from(sample + '\n')], true).records[0];
          const lines = [...before, Buffer.from(sample), ...after];
          const bytes = Buffer.concat(lines.flatMap((l) => [l, Buffer.from(eol)]));
          const { records } = scan([bytes], true);
          const found = records.filter((r) => r.ts === alone.ts && r.kind === alone.kind);
          expect(found).toHaveLength(1);
          expect({ ...found[0], lineNo: 0 }).toEqual({ ...alone, lineNo: 0 });
          expect(found[0].lineNo).toBe(before.length + 1);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('chunk boundaries', () => {
  it('anywhere give the same records and counts as one chunk', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        fc.boolean(),
        fc.boolean(),
        (seed, at, final, chopLastNewline) => {
          let bytes = Buffer.from(new LogGenerator(seed).text(6_000));
          // A stream may end in the middle of a line (a file still being written).
          if (chopLastNewline) bytes = bytes.subarray(0, bytes.length - 1);
          const whole = scan([bytes], final);
          const pieces = scan(cut(bytes, at), final);
          expect(pieces.records).toEqual(whole.records);
          expect(pieces.stats).toEqual(whole.stats);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
