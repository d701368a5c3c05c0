/**
 * Queries of one shape (src/store/statements.ts): built and compiled by kysely once, then run with
 * new values in the places the placeholders took. A wrong place would read the wrong rows.
 */
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
    const { db, sqlite } = store;
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
    const { db, sqlite } = store;
    const sameNumber = (n: number) =>
      shapedRows(sqlite, 'test: offset equals lines times ten', (x: number) =>
        db.selectFrom('sources').select('host').where('byte_offset', '=', x).where('lines', '<=', x).orderBy('host'),
      n);
    expect((await sameNumber(10)).map((r) => r.host)).toEqual(['b']);
    expect((await sameNumber(20)).map((r) => r.host)).toEqual(['c']);
  });

  it('runs statements of one shape with their own values', async () => {
    const store = await storeWithSources();
    const { db, sqlite } = store;
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
