/**
 * `backend migrate` as its JSON states it (cli-contract.md): the statements, each column's type
 * before and after, whether anything changed, and — for `--down` — how many non-empty values the
 * columns hold before anything is dropped (empty strings and NULLs are no values).
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeMigration, dryRun, migrationSql } from '../src/backend/migrate.js';
import { cli } from './helpers.js';
import { freshDatabase, stopPg, type TestPg } from './support/pg.js';

const UP = [
  'BEGIN;',
  "SET LOCAL lock_timeout = '5s';",
  'ALTER TABLE stock_analysis_summaries ADD COLUMN IF NOT EXISTS last_update_reason varchar(200);',
  'ALTER TABLE stock_analysis_summaries ADD COLUMN IF NOT EXISTS last_market_phase varchar(20);',
  'COMMIT;',
];
const DOWN = [
  'BEGIN;',
  "SET LOCAL lock_timeout = '5s';",
  'ALTER TABLE stock_analysis_summaries DROP COLUMN IF EXISTS last_update_reason;',
  'ALTER TABLE stock_analysis_summaries DROP COLUMN IF EXISTS last_market_phase;',
  'COMMIT;',
];

describe('the statements, without a database', () => {
  it('add or drop the two columns in one transaction whose lock wait is bounded', () => {
    expect(migrationSql('up')).toEqual(UP);
    expect(migrationSql('down')).toEqual(DOWN);
    expect(dryRun('down')).toEqual({ table: 'stock_analysis_summaries', direction: 'down', dry_run: true, sql: DOWN, changes: null, changed: null });
    expect(describeMigration(dryRun('up'))).toEqual(UP);
  });

  it('describe each column’s change in a line', () => {
    const migration = (direction: 'up' | 'down', before: (string | null)[]) => ({
      table: 'stock_analysis_summaries',
      direction,
      dry_run: false,
      sql: [],
      changes: [
        { column: 'last_update_reason', type: 'varchar(200)', before: before[0], after: null },
        { column: 'last_market_phase', type: 'varchar(20)', before: before[1], after: null },
      ],
      changed: true,
    });
    expect(describeMigration(migration('up', [null, 'character varying(20)']))).toEqual([
      'added stock_analysis_summaries.last_update_reason varchar(200)',
      'stock_analysis_summaries.last_market_phase already present (character varying(20))',
    ]);
    expect(describeMigration(migration('down', ['character varying(200)', null]))).toEqual([
      'dropped stock_analysis_summaries.last_update_reason',
      'stock_analysis_summaries.last_market_phase already absent',
    ]);
  });
});

describe('against the backend database', () => {
  let db: TestPg;
  beforeEach(async () => {
    db = await freshDatabase('backend');
    await db.query('create table stock_analysis_summaries (id serial primary key, stock_code varchar(10) not null, last_updated timestamp without time zone)');
  });
  afterEach(async () => {
    await db.drop();
  });
  afterAll(stopPg);

  it('states each column’s type before and after, and whether anything changed', async () => {
    const first = await cli(['backend', 'migrate', '--pg', db.url, '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.json()).toEqual({
      table: 'stock_analysis_summaries',
      direction: 'up',
      dry_run: false,
      sql: UP,
      changes: [
        { column: 'last_update_reason', type: 'varchar(200)', before: null, after: 'character varying(200)' },
        { column: 'last_market_phase', type: 'varchar(20)', before: null, after: 'character varying(20)' },
      ],
      changed: true,
    });
    const again = (await cli(['backend', 'migrate', '--pg', db.url, '--json'])).json();
    expect(again.changed).toBe(false);
    expect(again.changes.map((c: any) => [c.before, c.after])).toEqual([
      ['character varying(200)', 'character varying(200)'],
      ['character varying(20)', 'character varying(20)'],
    ]);
  });

  it('refuses --down without --yes, counting the non-empty values it would lose; nothing changes', async () => {
    expect((await cli(['backend', 'migrate', '--pg', db.url])).code).toBe(0);
    await db.query(
      `insert into stock_analysis_summaries (stock_code, last_update_reason, last_market_phase) values
       ('005930', 'ttl_expired', 'trading'), ('000660', 'forced', ''), ('035720', '', null), ('035420', null, null)`,
    );
    const run = await cli(['backend', 'migrate', '--pg', db.url, '--down']);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(
      'craveny-ops: dropping stock_analysis_summaries.last_update_reason and stock_analysis_summaries.last_market_phase loses 3 non-empty values (2 in last_update_reason, 1 in last_market_phase): run again with --yes to drop them; nothing was changed',
    );
    const { rows } = await db.query('select count(*)::int as n from stock_analysis_summaries where last_update_reason is not null');
    expect(rows[0].n).toBe(3);
    const down = await cli(['backend', 'migrate', '--pg', db.url, '--down', '--yes', '--json']);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stderr).toMatch(/loses 3 non-empty values .*; --yes given/);
    expect(down.json().changes.map((c: any) => [c.column, c.before, c.after])).toEqual([
      ['last_update_reason', 'character varying(200)', null],
      ['last_market_phase', 'character varying(20)', null],
    ]);
  });

  it('asks even when the columns hold no value, and not at all when they are absent', async () => {
    expect((await cli(['backend', 'migrate', '--pg', db.url])).code).toBe(0);
    await db.query("insert into stock_analysis_summaries (stock_code, last_update_reason) values ('005930', '')");
    const empty = await cli(['backend', 'migrate', '--pg', db.url, '--down']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/loses 0 non-empty values \(0 in last_update_reason, 0 in last_market_phase\)/);
    expect((await cli(['backend', 'migrate', '--pg', db.url, '--down', '--yes'])).code).toBe(0);
    const absent = await cli(['backend', 'migrate', '--pg', db.url, '--down']);
    expect(absent.code, absent.stderr).toBe(0);
    expect(absent.stdout).toMatch(/last_update_reason already absent/);
  });
});
