/**
 * What an ingest tells the operator about input that cannot be right, one warning per problem,
 * naming the file (`files[].warnings` of `ingest --json`, and stderr): records dated more than a day
 * after now (a wrong clock or --log-tz), time going back by more than an hour (files concatenated
 * out of order), a file in which no line looks like backend logging output, NUL bytes, report lines
 * that are not UTF-8. Each edge is tested on both sides: exactly a day ahead and exactly an hour
 * back are still ordinary (multi-process logs reorder a little).
 * test/bad-input.test.ts drives the same warnings through the built binary with fixtures.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from './helpers.js';
import { attempt, FORCED, noise } from './support/analysis-log.js';

/** The clock every ingest here runs at (cli()'s default): 2025-11-05 00:00 KST. */
const NOW = Date.parse('2025-11-05T00:00:00+09:00');

/** Writes `content` as a log and ingests it into a fresh store; returns the log's path and its one file summary. */
async function ingestText(content: string | Buffer, db = path.join(tempDir(), 'store.db')) {
  const log = path.join(path.dirname(db), 'backend.log');
  fs.writeFileSync(log, content);
  return { log, db, file: await ingestFile(log, db) };
}

async function ingestFile(log: string, db: string) {
  const run = await cli(['--db', db, 'ingest', '--json', log], { now: NOW });
  expect(run.code, run.stderr).toBe(0);
  const file = run.json().files[0];
  // Every warning of the document is also printed on stderr.
  for (const w of file.warnings) expect(run.stderr).toContain(`warning: ${w}`);
  return file;
}

const lines = (...l: string[]) => l.join('\n') + '\n';

describe('records dated in the future', () => {
  it('are counted from one millisecond past a day after now; the warning names the latest record of the file', async () => {
    const { log, file } = await ingestText(
      lines(
        // 2025-11-06 00:00:00.000 KST is exactly now + 24 h: a wrong --log-tz shifts by at most 14 h, so it is still believable.
        attempt('2025-11-06 00:00:00,000', '005930', FORCED),
        attempt('2025-11-06 00:00:00,001', '000660', FORCED),
        // The latest record is not the last one: "latest" is the maximum, not the end of the file.
        attempt('2025-11-06 00:30:00,000', '035720', FORCED),
        attempt('2025-11-06 00:10:00,000', '005380', FORCED),
      ),
    );
    expect(file.records).toBe(4);
    expect(file.warnings).toEqual([
      `${log}: 3 record(s) dated more than a day after now (latest 2025-11-06T00:30:00+09:00): stored as written; check the server clock and --log-tz`,
    ]);
  });

  it('are none when every record is at most a day ahead', async () => {
    const { file } = await ingestText(lines(attempt('2025-11-05 23:59:59,999', '005930', FORCED), attempt('2025-11-06 00:00:00,000', '000660', FORCED)));
    expect(file.warnings).toEqual([]);
  });

  it('are judged by the UTC instant of --log-tz, not by the wall clock as written', async () => {
    // 2025-11-05 15:00:00.001 written in UTC is 2025-11-06 00:00:00.001 KST: just past a day after now.
    const dir = tempDir();
    const log = path.join(dir, 'backend.log');
    fs.writeFileSync(log, lines(attempt('2025-11-05 15:00:00,001', '005930', FORCED)));
    const run = await cli(['--db', path.join(dir, 'store.db'), 'ingest', '--json', '--log-tz', 'UTC', log], { now: NOW });
    expect(run.code, run.stderr).toBe(0);
    expect(run.json().files[0].warnings).toEqual([
      `${log}: 1 record(s) dated more than a day after now (latest 2025-11-06T00:00:00.001+09:00): stored as written; check the server clock and --log-tz`,
    ]);
  });
});

describe('time going back', () => {
  it('counts each step back of more than an hour from the record before, and names the line of the first', async () => {
    const { log, file } = await ingestText(
      lines(
        noise('2025-11-04 09:59:00,000'), // line 1: not a record, but a line: line numbers count it
        attempt('2025-11-04 10:00:00,000', '005930', FORCED), // line 2
        attempt('2025-11-04 09:00:00,000', '000660', FORCED), // line 3: exactly an hour back: ordinary reordering
        attempt('2025-11-04 10:00:00,000', '035720', FORCED), // line 4
        attempt('2025-11-04 08:59:59,999', '005380', FORCED), // line 5: an hour and 1 ms back from line 4: the first
        attempt('2025-11-04 09:30:00,000', '005930', FORCED), // line 6: forward again
        attempt('2025-11-04 08:00:00,000', '000660', FORCED), // line 7: 1.5 h back from line 6 (not from the latest): the second
      ),
    );
    expect(file.records).toBe(6);
    expect(file.warnings).toEqual([
      `${log}: time goes back by more than an hour 2 time(s) (first at line 5): stored as written; were files concatenated out of order?`,
    ]);
  });

  it('says nothing when time never goes back by more than an hour', async () => {
    const { file } = await ingestText(
      lines(attempt('2025-11-04 10:00:00,000', '005930', FORCED), attempt('2025-11-04 09:00:00,000', '000660', FORCED), attempt('2025-11-04 08:00:00,000', '035720', FORCED)),
    );
    // Two steps of exactly an hour each: 2 h back in all, but never more than an hour at once.
    expect(file.warnings).toEqual([]);
  });
});

describe('a file without backend logging output', () => {
  it('is named when none of its lines is a timestamped logging line', async () => {
    const { log, file } = await ingestText(lines('hello', 'INFO:     127.0.0.1:51234 - "GET /api/stocks/005930 HTTP/1.1" 200 OK'));
    expect([file.lines, file.records]).toEqual([2, 0]);
    expect(file.warnings).toEqual([
      `${log}: no line looks like backend logging output ('YYYY-MM-DD HH:MM:SS,mmm - logger - LEVEL - message'): is it the right file?`,
    ]);
  });

  it('is not named when it has timestamped lines of other loggers only (no report line is no problem)', async () => {
    const { file } = await ingestText(lines(noise('2025-11-04 09:00:00,000'), 'Traceback (most recent call last):'));
    expect([file.lines, file.records, file.warnings]).toEqual([2, 0, []]);
  });

  it('is judged on the whole stream: lines appended without a timestamp to a log that had them are no problem', async () => {
    const { log, db, file } = await ingestText(lines(attempt('2025-11-04 10:00:00,000', '005930', FORCED)));
    expect(file.warnings).toEqual([]);
    fs.appendFileSync(log, lines('Traceback (most recent call last):', 'openai.APITimeoutError: Request timed out.'));
    const again = await ingestFile(log, db);
    expect([again.lines, again.warnings]).toEqual([2, []]);
  });

  it('is not named again by a run that reads no new complete line', async () => {
    const { log, db, file } = await ingestText(lines('hello'));
    expect(file.warnings).toHaveLength(1);
    // Bytes without a newline: the line may still be being written, nothing is read yet.
    fs.appendFileSync(log, 'wor');
    const again = await ingestFile(log, db);
    expect([again.lines, again.warnings]).toEqual([0, []]);
  });
});

describe('damaged bytes', () => {
  it('names NUL bytes, and counts the report lines that are not valid UTF-8', async () => {
    const good = attempt('2025-11-04 10:00:00,000', '005930', FORCED);
    // CP949 bytes of 새 (0xBB 0xF5) where UTF-8 was expected, in two report lines.
    const cp949 = (time: string) => Buffer.concat([Buffer.from(attempt(`2025-11-04 ${time}`, '000660', '')), Buffer.from([0xbb, 0xf5, 0x0a])]);
    const { log, file } = await ingestText(Buffer.concat([Buffer.from(good + '\n'), Buffer.from([0, 0, 0x0a]), cp949('10:01:00,000'), cp949('10:02:00,000')]));
    expect(file.warnings).toEqual([
      `${log}: contains NUL bytes (binary data, or the hole a copytruncate leaves): lines around them may be damaged`,
      `${log}: 2 report line(s) are not valid UTF-8 (their bad bytes read as U+FFFD); a log written in CP949/EUC-KR must be converted first: iconv -f cp949 -t utf-8`,
    ]);
  });

  it('gives no warning for a clean log', async () => {
    const { file } = await ingestText(lines(attempt('2025-11-04 10:00:00,000', '005930', FORCED)));
    expect(file.warnings).toEqual([]);
  });
});
