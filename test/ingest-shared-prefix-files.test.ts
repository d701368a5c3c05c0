/**
 * Two files that start with the same bytes are two streams, and each keeps its own through later
 * appends: a file continues the stream it was last seen as (the same inode and device) whenever
 * its bytes prove that stream's checkpoint, before a stream of another file that reached further.
 * Found by mutation testing (identity.ts): b.log, grown past a.log's checkpoint, took over
 * a.log's stream and was reported as truncated in place; a.log then re-stored 25 lines.
 */
import fs from 'node:fs';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cli, fixture, tempDir } from './helpers.js';

const DAY = fs.readFileSync(fixture('logs', 'day.log'), 'utf8').split(/(?<=\n)/);
const first = (n: number) => DAY.slice(0, n).join('');

async function ingest(db: string, file: string) {
  const run = await cli(['--db', db, 'ingest', '--json', file]);
  expect(run.code, run.stderr).toBe(0);
  return run.json().files[0] as { lines: number; records: number; warnings: string[] };
}

/** The records a fresh store holds after ingesting `text` once. */
async function recordsOf(text: string): Promise<number> {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'x.log'), text);
  return (await ingest(path.join(dir, 'store.db'), path.join(dir, 'x.log'))).records;
}

describe('files that share their first bytes', () => {
  it('each continue their own stream when one grows past the other', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'store.db');
    const a = path.join(dir, 'a.log');
    const b = path.join(dir, 'b.log');
    expect(DAY.length).toBe(92);

    fs.writeFileSync(a, first(45));
    expect((await ingest(db, a)).records).toBe(await recordsOf(first(45)));
    // b.log is a.log's first 20 lines: shorter than a.log's checkpoint, so another stream (said once).
    fs.writeFileSync(b, first(20));
    const b1 = await ingest(db, b);
    expect(b1.records).toBe(await recordsOf(first(20)));
    expect(b1.warnings).toHaveLength(1);
    expect(b1.warnings[0]).toMatch(/starts with the same bytes as the stream read from .*a\.log but is another stream/);

    // b.log grows to the whole day, past a.log's checkpoint: only its new lines, and no truncation.
    fs.appendFileSync(b, DAY.slice(20).join(''));
    const b2 = await ingest(db, b);
    expect(b2.warnings).toEqual([]);
    expect(b2.lines).toBe(72);
    expect(b1.records + b2.records).toBe(await recordsOf(first(92)));

    // a.log grows by five lines: only those five.
    fs.appendFileSync(a, DAY.slice(45, 50).join(''));
    const a2 = await ingest(db, a);
    expect(a2.warnings).toEqual([]);
    expect(a2.lines).toBe(5);

    // The store holds each file's records once, at their own line numbers: as a fresh store of that file alone would.
    const stored = (file: string, log: string) => {
      const store = new Sqlite(file, { readonly: true });
      try {
        return store.prepare('select r.line_no, r.kind, r.ts from records r join sources s on s.id = r.source_id where s.path = ? order by r.line_no').all(log);
      } finally {
        store.close();
      }
    };
    for (const [log, lines] of [[a, 50], [b, 92]] as const) {
      const alone = path.join(tempDir(), 'alone.log');
      fs.writeFileSync(alone, first(lines));
      await ingest(path.join(path.dirname(alone), 'store.db'), alone);
      const expected = stored(path.join(path.dirname(alone), 'store.db'), alone);
      expect(expected.length).toBe(await recordsOf(first(lines)));
      expect(stored(db, log)).toEqual(expected);
    }
  });
});
