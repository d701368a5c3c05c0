/**
 * Queries of one shape (src/store/statements.ts): built and compiled by kysely once, then run with
 * new values in the places the placeholders took. A wrong place would read the wrong rows.
 */
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../src/store/store.js';
import { shapedRows, shapedRun } from '../src/store/statements.js';
import { tempStore } from './helpers.js';

const opened: Store[] = [];
afterEach(async () => {
  while (opened.length) await opened.pop()!.close();
});

async function storeWithSources() {
  const store = await openStore(tempStore());
  opened.push(store);
  for (const [i, host] of ['a', 'b', 'c'].entries()) {
    await store.db
      .insertInto('sources')
      .values({ host, path: `/log/${host}`, fingerprint: host, fp_len: 1, device: null, inode: null, byte_offset: 10 * i, seen_size: 0, lines: i, last_ts: null, created_at: 0, updated_at: 0 })
      .execute();
  }
  return store;
}

describe('a query of one shape', () => {
  it('binds each run’s values in their places, constants of the query included', async () => {
    const store = await storeWithSources();
    const { db } = store;
    const sqlite = store.sqlite!;
    const hostsBetween = (from: number, until: string) =>
      shapedRows(sqlite, 'test: hosts between', (f: number, h: string) =>
        db.selectFrom('sources').select('host').where('byte_offset', '>=', f).where('host', '<=', h).where('fp_len', '=', 1).orderBy('host').limit(5),
      from, until);
    expect((await hostsBetween(0, 'c')).map((r) => r.host)).toEqual(['a', 'b', 'c']);
    expect((await hostsBetween(10, 'b')).map((r) => r.host)).toEqual(['b']);
    expect((await hostsBetween(20, 'a')).map((r) => r.host)).toEqual([]);
  });

  it('uses a value given once wherever the query uses it', async () => {
    const store = await storeWithSources();
    const { db } = store;
    const sqlite = store.sqlite!;
    const sameNumber = (n: number) =>
      shapedRows(sqlite, 'test: offset equals lines times ten', (x: number) =>
        db.selectFrom('sources').select('host').where('byte_offset', '=', x).where('lines', '<=', x).orderBy('host'),
      n);
    expect((await sameNumber(10)).map((r) => r.host)).toEqual(['b']);
    expect((await sameNumber(20)).map((r) => r.host)).toEqual(['c']);
  });

  it('runs statements of one shape with their own values', async () => {
    const store = await storeWithSources();
    const { db } = store;
    const sqlite = store.sqlite!;
    const remove = (host: string) => shapedRun(sqlite, 'test: remove host', (h: string) => db.deleteFrom('sources').where('host', '=', h), host);
    await remove('b');
    await remove('c');
    expect((await db.selectFrom('sources').select('host').execute()).map((r) => r.host)).toEqual(['a']);
  });
});

describe('a record as a row', () => {
  it('puts every field in its own column', async () => {
    const { toRecordRow } = await import('../src/store/writes.js');
    const record = {
      ts: 1, lineNo: 2, kind: 'attempt', stockCode: '005930', mode: 'ab', reason: 'forced', text: 'text', phase: 'trading',
      ageHours: 3, ttlHours: 4, rate: 5, threshold: 6, prevCount: 7, curCount: 8, predictions: 9, costUsd: 10, detail: 'detail',
    } as const;
    expect(toRecordRow(record, 11, 'host')).toEqual({
      source_id: 11, host: 'host', line_no: 2, ts: 1, kind: 'attempt', stock_code: '005930', mode: 'ab', reason: 'forced', text: 'text',
      phase: 'trading', age_h: 3, ttl_h: 4, rate: 5, threshold: 6, prev_count: 7, cur_count: 8, predictions: 9, cost_usd: 10, detail: 'detail',
    });
  });
});

describe('rows read through SQLite’s JSON', () => {
  it('come back exactly as the driver reads them: doubles to the last bit, large integers, any text, nulls', async () => {
    const { rowsOf } = await import('../src/store/statements.js');
    const store = await openStore(tempStore());
    opened.push(store);
    const { db } = store;
    const sqlite = store.sqlite!;
    const texts = ['plain', 'quote " and \\ backslash', 'line\nbreak\ttab', '\u0000nul\u0001\u001b[31m', '삼성전자 0088M0', '😀 astral', ''];
    const numbers = [0.1 + 0.2, 0.035000000000000003, 1 / 3, 5e-324, 1.7976931348623157e308, -2.5, 0];
    for (const [i, text] of texts.entries()) {
      // The inode column is text, but SQLite keeps a number given to it as a number: the largest
      // safe integers must come back exact.
      await db
        .insertInto('sources')
        .values({ host: text, path: `/p${i}`, fingerprint: `f${i}`, fp_len: i, device: null, inode: (2 ** 53 - 1 - i) as unknown as string, byte_offset: 1_762_300_000_123 + i, seen_size: numbers[i], lines: i, last_ts: null, created_at: 0, updated_at: 0 })
        .execute();
    }
    const query = db.selectFrom('sources').select(['host', 'inode', 'byte_offset', 'seen_size', 'last_ts']).orderBy('id');
    const driver = sqlite.prepare(query.compile().sql).all(...query.compile().parameters);
    const read = await rowsOf(query, sqlite);
    expect(read).toEqual(driver);
    expect(read.map((r) => r.host)).toEqual(texts);
    expect(read.map((r) => r.seen_size)).toEqual(numbers);
    expect(read.every((r) => r.last_ts === null)).toBe(true);
  });

  it('keep their order, and a query with two columns of one name reads as the driver reads it', async () => {
    const { rowsOf } = await import('../src/store/statements.js');
    const store = await storeWithSources();
    const { db } = store;
    const sqlite = store.sqlite!;
    // b.lines = 2 - a.lines pairs a with c: the two `host` columns differ in every row.
    const query = db
      .selectFrom('sources as a')
      .innerJoin('sources as b', (join) => join.on(sql`b.lines`, '=', sql`2 - a.lines`))
      .select(['a.host', 'b.host', 'a.byte_offset'])
      .orderBy('a.byte_offset', 'desc');
    const driver = sqlite.prepare(query.compile().sql).all();
    const read = await rowsOf(query, sqlite);
    expect(read).toEqual(driver);
    expect(read.map((r) => r.byte_offset)).toEqual([20, 10, 0]);
  });

  it('read a BLOB as the driver does (JSON cannot carry one)', async () => {
    const { rowsOf } = await import('../src/store/statements.js');
    const store = await openStore(tempStore());
    opened.push(store);
    store.sqlite!.exec('create table blobs (id integer primary key, data blob)');
    store.sqlite!.prepare('insert into blobs (data) values (?)').run(Buffer.from([0, 255, 1]));
    const query = { compile: () => ({ sql: 'select data from blobs', parameters: [] }), execute: async () => [] } as never;
    const [row] = (await rowsOf(query, store.sqlite)) as { data: Buffer }[];
    expect(Buffer.isBuffer(row.data)).toBe(true);
    expect([...row.data]).toEqual([0, 255, 1]);
  });
});
