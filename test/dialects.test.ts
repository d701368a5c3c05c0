/**
 * The same store on both dialects: the same migrations, the same records and attempts, and the
 * same JSON from every reading command for the same logs. PostgreSQL is a server when
 * CRAVENY_OPS_TEST_PG answers, else in-process PGlite (test/support/pg.ts says which).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/store.js';
import { cli, fixture, tempStore } from './helpers.js';
import { freshDatabase, stopPg, storeContents, type TestPg } from './support/pg.js';

const DIALECTS = ['sqlite', 'postgres'] as const;
type DialectName = (typeof DIALECTS)[number];

/**
 * Every reading command of the contract, over windows that hold the fixture day and that do not,
 * with the exit code the fixture day calls for (its 18 succeeded and 12 failed attempts).
 */
const READS: Array<{ args: string[]; code: number }> = [
  { args: ['stats', '--days', '7', '--until', '2025-11-04', '--json'], code: 0 },
  { args: ['stats', '--days', '1', '--until', '2025-11-04', '--json'], code: 0 },
  { args: ['stats', '--days', '1', '--until', '2025-11-03', '--json'], code: 0 },
  { args: ['cost', '--days', '7', '--until', '2025-11-04', '--json'], code: 0 },
  { args: ['cost', '--days', '2', '--until', '2025-11-05', '--price-per-call', '0.002', '--json'], code: 0 },
  // Failure spikes (the 12 failures) and the A/B silent failures: anomalies found.
  { args: ['anomalies', '--days', '1', '--until', '2025-11-04', '--json'], code: 1 },
  { args: ['attempts', '--days', '2', '--until', '2025-11-04', '--json'], code: 0 },
  { args: ['attempts', '--stock', '000660', '--since', '2025-11-04T09:00', '--until', '2025-11-04T14:00', '--json'], code: 0 },
  { args: ['stats', '--since', '2025-11-04T09:15', '--until', '2025-11-04T11:20', '--json'], code: 0 },
  // Every phase has its evidence and no rule is broken.
  { args: ['verify', 'day1', '--date', '2025-11-04', '--json'], code: 0 },
  // 18 of 30 succeeded on 2025-11-04: success_rate fails.
  { args: ['verify', 'week', '--from', '2025-11-03', '--json'], code: 1 },
  { args: ['metrics'], code: 0 },
];

/** The inputs: the fixture day from one host, and the same day in other formats from two more. */
const INGESTS: string[][] = [
  [fixture('logs', 'day.log'), '--source-host', 'web-1'],
  [fixture('logs', 'pm2-backend-error.log'), '--source-host', 'web-2'],
  [fixture('logs', 'utc.log'), '--log-tz', 'UTC', '--source-host', 'web-3'],
];

const outputs = new Map<DialectName, Map<string, string>>();
const contents = new Map<DialectName, Awaited<ReturnType<typeof storeContents>>>();
const databases: TestPg[] = [];

afterAll(async () => {
  for (const d of databases) await d.drop();
  await stopPg();
});

for (const dialect of DIALECTS) {
  describe(`the store on ${dialect}`, () => {
    let spec = '';
    const added: number[] = [];

    beforeAll(async () => {
      if (dialect === 'sqlite') spec = tempStore();
      else {
        const database = await freshDatabase('dialects');
        databases.push(database);
        spec = database.url;
      }
      for (const args of INGESTS) {
        const run = await cli(['--db', spec, 'ingest', '--json', ...args]);
        expect(run.code, run.stderr).toBe(0);
        added.push(run.json().records_added);
      }
      const printed = new Map<string, string>();
      for (const { args, code } of READS) {
        const run = await cli(['--db', spec, ...args]);
        expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(code);
        printed.set(args.join(' '), `exit ${run.code}\n${run.stdout}`);
      }
      outputs.set(dialect, printed);
      contents.set(dialect, await storeContents(spec));
    });

    it('ingests the fixture day as the hand count says: 10 attempts per host, 6 succeeded, 4 failed', async () => {
      expect(added.every((n) => n > 0)).toBe(true);
      const run = await cli(['--db', spec, 'stats', '--days', '1', '--until', '2025-11-04', '--json']);
      const doc = run.json();
      expect(doc.total_updates).toBe(30);
      expect(doc.succeeded).toBe(18);
      expect(doc.failed).toBe(12);
      expect(doc.market_phases).toEqual({ pre_market: 3, market_open: 9, trading: 12, market_close: 0, after_hours: 6 });
      expect(Object.fromEntries(doc.update_reasons.map((r: { reason: string; count: number }) => [r.reason, r.count]))).toEqual({
        forced: 15,
        new_prediction: 6,
        price_move: 3,
        ttl_expired: 3,
        direction_change: 3,
      });
    });

    it('adds nothing when the same files are ingested again', async () => {
      const before = contents.get(dialect)!;
      for (const args of INGESTS) {
        const run = await cli(['--db', spec, 'ingest', '--json', ...args]);
        expect(run.code, run.stderr).toBe(0);
        expect(run.json().records_added).toBe(0);
      }
      expect(await storeContents(spec)).toEqual(before);
    });

    it('keeps every source apart by host as well as by content', async () => {
      const store = await openStore(spec);
      try {
        const sources = await store.db.selectFrom('sources').select(['host', 'path']).orderBy('host').execute();
        expect(sources.map((s) => s.host)).toEqual(['web-1', 'web-2', 'web-3']);
      } finally {
        await store.close();
      }
    });

    if (dialect !== 'sqlite') {
      it('holds exactly the records and attempts the SQLite store holds, printed numbers included', () => {
        const mine = contents.get(dialect)!;
        const reference = contents.get('sqlite')!;
        expect(mine.records.length).toBeGreaterThan(100);
        expect(mine.records).toEqual(reference.records);
        expect(mine.attempts).toEqual(reference.attempts);
      });

      it.each(READS.map(({ args }) => [args.join(' ')]))('prints the same output as the SQLite store for `%s`', (command) => {
        expect(outputs.get(dialect)!.get(command)).toBe(outputs.get('sqlite')!.get(command));
      });
    }
  });
}
