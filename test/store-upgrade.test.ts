/**
 * A store written by the previous version is brought to the new definitions (issue 13): migration
 * 0003 keeps every source and record, and attempts derived by the old outcome rules are derived
 * again, exactly once, on SQLite and PostgreSQL alike.
 */
import { sql } from 'kysely';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { migratorFor } from '../src/store/migrations.js';
import { DERIVATION_VERSION, openStore, type Store } from '../src/store/store.js';
import { cli, fixture, tempStore } from './helpers.js';
import { freshDatabase, stopPg, type TestPg } from './support/pg.js';

const DIALECTS = ['sqlite', 'postgres'] as const;
const KST = (t: string) => Date.parse(`${t}+09:00`);
// One at a time: on PGlite a fresh database wipes the one schema they share.
const databases: TestPg[] = [];
afterEach(async () => {
  while (databases.length) await databases.pop()!.drop();
});
afterAll(stopPg);
/** PGlite starts in the first test that asks for it, slowly on a loaded machine. */
const TIMEOUT_MS = 120_000;

async function freshSpec(dialect: (typeof DIALECTS)[number]): Promise<string> {
  if (dialect === 'sqlite') return tempStore();
  const database = await freshDatabase('upgrade');
  databases.push(database);
  return database.url;
}

const attemptRows = (store: Store) =>
  store.db.selectFrom('attempts').select(['id', 'stock_code', 'ts', 'outcome', 'completed_ts']).orderBy('ts').execute();
const derivation = async (store: Store) =>
  Number((await store.db.selectFrom('craveny_ops_state').select('value').where('name', '=', 'derivation').executeTakeFirstOrThrow()).value);

for (const dialect of DIALECTS) {
  describe(`a store of the previous version on ${dialect}`, () => {
    it('keeps its sources and records through migration 0003, and lets two streams share a first KiB', async () => {
      const spec = await freshSpec(dialect);
      const old = await openStore(spec, { migrate: false });
      const { error } = await migratorFor(old.db, old.schema).migrateTo('0002_drop_records_source_index');
      expect(error).toBeUndefined();
      await sql`insert into sources (host, path, fingerprint, fp_len, device, inode, byte_offset, seen_size, lines, last_ts, created_at, updated_at)
        values ('web-1', '/var/log/backend.log', 'f00d', 1024, '1', '2', 300, 300, 3, ${KST('2025-11-06T10:00:05.100')}, 1, 1)`.execute(old.db);
      const { id } = await old.db.selectFrom('sources').select('id').executeTakeFirstOrThrow();
      const record = (line_no: number, ts: string, kind: string, text: string | null) =>
        sql`insert into records (source_id, host, line_no, ts, kind, stock_code, text) values (${id}, 'web-1', ${line_no}, ${KST(ts)}, ${kind}, '005930', ${text})`.execute(old.db);
      await record(1, '2025-11-06T10:00:00', 'attempt', '시장 단계별 TTL 초과 (trading: 2.1h > 2h)');
      await record(2, '2025-11-06T10:00:05.100', 'update_succeeded', null);
      await record(3, '2025-11-06T10:00:05.180', 'update_failed', 'server closed the connection unexpectedly');
      await old.close();

      const store = await openStore(spec);
      try {
        expect(await store.db.selectFrom('sources').select(['id', 'host', 'fingerprint', 'byte_offset', 'proof']).execute()).toEqual([
          { id, host: 'web-1', fingerprint: 'f00d', byte_offset: 300, proof: null },
        ]);
        expect(await store.db.selectFrom('records').select('line_no').orderBy('line_no').execute()).toHaveLength(3);
        if (dialect === 'sqlite') expect(store.sqlite!.pragma('foreign_key_check')).toEqual([]);
        // The records were derived again by the current rules: the failed commit fails the attempt.
        expect(await attemptRows(store)).toMatchObject([{ stock_code: '005930', outcome: 'failed', completed_ts: null }]);
        expect(await derivation(store)).toBe(DERIVATION_VERSION);
        await sql`insert into sources (host, path, fingerprint, fp_len, byte_offset, seen_size, lines, created_at, updated_at)
          values ('web-1', '/other/backend.log', 'f00d', 1024, 0, 0, 0, 1, 1)`.execute(store.db);
        expect(await store.db.selectFrom('sources').select('id').where('fingerprint', '=', 'f00d').execute()).toHaveLength(2);
      } finally {
        await store.close();
      }
    }, TIMEOUT_MS);

    it('derives attempts of the old rules again once, without losing or doubling any', async () => {
      const spec = await freshSpec(dialect);
      expect((await cli(['--db', spec, 'ingest', fixture('real', 'commit-failed-after-completion.log')])).code).toBe(0);
      let store = await openStore(spec);
      const current = await attemptRows(store);
      expect(current.map((a) => a.outcome)).toEqual(['failed', 'succeeded', 'succeeded']);
      // As the previous version left it: the completion logged before the failed commit counted as success.
      await store.db.updateTable('attempts').set({ outcome: 'succeeded', completed_ts: KST('2025-11-06T10:00:07.100') }).where('id', '=', current[0].id).execute();
      await store.db.updateTable('craveny_ops_state').set({ value: 1 }).execute();
      await store.close();

      store = await openStore(spec);
      const derived = await attemptRows(store);
      expect(derived.map(({ id, ...a }) => a)).toEqual(current.map(({ id, ...a }) => a));
      expect(await derivation(store)).toBe(DERIVATION_VERSION);
      await store.close();
      // Once: opening it again changes nothing, not even the rows' ids.
      store = await openStore(spec);
      expect(await attemptRows(store)).toEqual(derived);
      await store.close();
    }, TIMEOUT_MS);
  });
}
