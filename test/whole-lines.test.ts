/**
 * Lines are stored whole or not at all, the same way every time (issue 13, part 3): standard input
 * cut mid-line, lines over 1 MiB wherever the read buffer's edges fall.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli, fixture, tempDir, tempStore } from './helpers.js';
import { snapshot } from './support/store.js';

const S = 'backend.services.stock_analysis_service';
const G = 'backend.llm.investment_report';
const MiB = 1 << 20;

function attempt(code: string, hh: number, mm: number): string {
  const t = `2025-11-06 ${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}`;
  return (
    `${t}:00,000 - ${S} - INFO - 종목 ${code} 업데이트 시작: 새 예측 추가 (기존: ${mm}, 현재: ${mm + 1}, 시장: trading)\n` +
    `${t}:00,030 - ${G} - INFO - 투자 리포트 생성 시작: ${code} (${mm + 1}건 분석)\n` +
    `${t}:05,100 - ${S} - INFO - 종목 ${code}의 분석 요약 업데이트 완료\n`
  );
}
/** A logged line of exactly `bytes` bytes before its newline. */
const lineOf = (head: string, fill: string, bytes: number) => head + fill.repeat(bytes - Buffer.byteLength(head)) + '\n';

/** Report lines around two lines over 1 MiB (one naming the service logger, one just over) and one exactly at it. */
function longLinesLog(): Buffer {
  return Buffer.from(
    attempt('005930', 10, 0) +
      attempt('005930', 10, 10) +
      lineOf(`2025-11-06 10:20:00,000 - ${S} - INFO - 종목 005930 업데이트 시작: `, 'x', 1.5 * MiB) +
      attempt('000660', 10, 30) +
      lineOf('2025-11-06 10:40:00,000 - backend.crawlers.news_saver - INFO - ', 'y', MiB + 1) +
      attempt('005930', 11, 0) +
      lineOf('2025-11-06 11:10:00,000 - backend.crawlers.news_saver - INFO - ', 'z', MiB) +
      attempt('000660', 11, 20),
  );
}

const NOW = Date.parse('2025-11-07T00:00:00+09:00');
const saved = process.env.CRAVENY_OPS_READ_BYTES;
afterEach(() => {
  if (saved === undefined) delete process.env.CRAVENY_OPS_READ_BYTES;
  else process.env.CRAVENY_OPS_READ_BYTES = saved;
});

async function ingest(db: string, args: string[], stdin?: Buffer) {
  const run = await cli(['--db', db, 'ingest', '--json', ...args], { now: NOW, stdin });
  expect(run.code, run.stderr).toBe(0);
  return run.json().files[0] as { records: number; long_lines: number; lines: number };
}

/** What a store holds, apart from where its files were. */
function contents(db: string) {
  const { records, attempts, sources } = snapshot(db);
  return { records, attempts, sources: sources.map((s) => JSON.stringify({ ...JSON.parse(s), path: undefined })) };
}

describe('a line over 1 MiB', () => {
  it('is skipped and counted, and a backfill and cron appends of the same bytes store the same, whatever the read size', async () => {
    const bytes = longLinesLog();
    const backfill = tempStore();
    const whole = await ingest(backfill, [writeTemp(bytes)]);
    // 15 report lines (five attempts of three); the line of exactly 1 MiB is read, the two over it are not.
    expect(whole).toMatchObject({ records: 15, long_lines: 2, lines: 18 });
    const expected = contents(backfill);

    // Appends cut inside the lines, the long ones too (before and after their first MiB).
    const [x, y, z] = ['xxxx', 'yyyy', 'zzzz'].map((fill) => bytes.indexOf(fill));
    const cuts = [100, x + 10, x + MiB + 5, bytes.indexOf('000660') + 3, y + 2 * 65536, z + MiB - 200, bytes.length];
    expect(cuts).toEqual([...cuts].sort((a, b) => a - b));
    for (const readBytes of ['65536', '8192', String(3 * MiB)]) {
      process.env.CRAVENY_OPS_READ_BYTES = readBytes;
      const dir = tempDir();
      const log = path.join(dir, 'backend.log');
      const db = tempStore();
      let longLines = 0;
      for (const cut of cuts) {
        fs.writeFileSync(log, bytes.subarray(0, cut));
        longLines += (await ingest(db, [log])).long_lines;
      }
      expect(contents(db), `reads of ${readBytes} bytes`).toEqual(expected);
      expect(longLines).toBe(2);
      const again = tempStore();
      expect((await ingest(again, [writeTemp(bytes)])).long_lines).toBe(2);
      expect(contents(again)).toEqual(expected);
    }
  });
});

describe('standard input that ends in the middle of a line', () => {
  it('stores nothing of that line; given whole next time, the line is stored once', async () => {
    const day = fs.readFileSync(fixture('logs', 'day.log'));
    const cut = day.indexOf('종목 005930의 분석 요약 신규 생성 완료');
    const db = tempStore();
    const first = await ingest(db, ['-'], day.subarray(0, cut));
    const second = await ingest(db, ['-'], day);
    const once = tempStore();
    const all = await ingest(once, ['-'], day);
    expect(first.records + second.records).toBe(all.records);
    expect(second.records).toBeGreaterThan(0);
    expect(snapshot(db).records).toEqual(snapshot(once).records);
    expect(snapshot(db).attempts).toEqual(snapshot(once).attempts);
  });
});

function writeTemp(bytes: Buffer): string {
  const file = path.join(tempDir(), 'backend.log');
  fs.writeFileSync(file, bytes);
  return file;
}
