/**
 * `backend migrate` and the backend database's URL when something stands in the way
 * (cli-contract.md: exit 2 with a one-line message naming the problem; docs/commands.md, backend
 * migrate: one transaction with a bounded lock wait): a table busy past the lock wait, a user that
 * does not own the table, a URL that is not postgres://, and a table that has only one of the two
 * monitoring columns. The server's refusals are raised by an event trigger with the SQLSTATE
 * PostgreSQL itself gives (55P03 when lock_timeout expires, 42501 for a user that is not the
 * owner), so they happen on PGlite too.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli } from './helpers.js';
import { freshDatabase, stopPg, type TestPg } from './support/pg.js';

let db: TestPg;
beforeEach(async () => {
  db = await freshDatabase('backend');
  await db.query('create table stock_analysis_summaries (id serial primary key, stock_code varchar(10) not null, last_updated timestamp without time zone)');
});
afterEach(async () => {
  await db.query('drop event trigger if exists refuse_alter');
  await db.drop();
});
afterAll(stopPg);

/** Makes every ALTER TABLE fail as the server does, with this SQLSTATE and text. */
async function refuseAlter(code: string, text: string): Promise<void> {
  await db.query(`create or replace function refuse_alter() returns event_trigger language plpgsql as $$ begin raise exception '${text}' using errcode = '${code}'; end $$`);
  await db.query(`create event trigger refuse_alter on ddl_command_start when tag in ('ALTER TABLE') execute function refuse_alter()`);
}

async function columnNames(): Promise<string[]> {
  const { rows } = await db.query("select column_name from information_schema.columns where table_name = 'stock_analysis_summaries' and table_schema = current_schema() order by ordinal_position");
  return rows.map((r: { column_name: string }) => r.column_name);
}

describe('a migration the server refuses', () => {
  it('on a table busy past the 5 s lock wait: exit 2, one line saying so and to try again; nothing changed', async () => {
    await refuseAlter('55P03', 'canceling statement due to lock timeout');
    const run = await cli(['backend', 'migrate', '--pg', db.url, '--json']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr.trim()).toMatch(/: stock_analysis_summaries is busy \(lock not granted within 5s\); nothing was changed, try again$/);
    expect(await columnNames()).toEqual(['id', 'stock_code', 'last_updated']);
  });

  it('for a user that does not own the table: says adding (up) or dropping (down) needs the owner; nothing changed', async () => {
    // One column present, one absent: --down would drop one, up would add the other.
    await db.query('alter table stock_analysis_summaries add column last_update_reason varchar(200)');
    await refuseAlter('42501', 'must be owner of table stock_analysis_summaries');
    const down = await cli(['backend', 'migrate', '--pg', db.url, '--down', '--yes']);
    expect(down.code).toBe(2);
    expect(down.stderr.trim()).toMatch(/: dropping columns needs the table's owner; nothing was changed$/);
    const up = await cli(['backend', 'migrate', '--pg', db.url]);
    expect(up.code).toBe(2);
    expect(up.stderr.trim().split('\n')).toHaveLength(1);
    expect(up.stderr.trim()).toMatch(/: adding columns needs the table's owner; nothing was changed$/);
    expect(await columnNames()).toEqual(['id', 'stock_code', 'last_updated', 'last_update_reason']);
  });
});

describe('the backend database URL', () => {
  it('is postgres:// or postgresql://, in any case', async () => {
    for (const scheme of ['postgresql://', 'POSTGRES://', 'PostgreSQL://']) {
      const run = await cli(['freshness', '--pg', db.url.replace(/^postgres:\/\//, scheme), '--at', '2025-11-12 14:00', '--json']);
      expect(run.code, `${scheme} ${run.stderr}`).toBe(0);
      expect(run.json().stocks).toEqual([]);
    }
  });

  it('must start with that scheme; the refusal shows the URL without its password', async () => {
    for (const [url, shown] of [
      ['jdbc:postgresql://ops:s3cret@127.0.0.1:1/craveny', 'jdbc:postgresql://ops:***@127.0.0.1:1/craveny'],
      ['mysql://ops:s3cret@127.0.0.1:1/craveny', 'mysql://ops:***@127.0.0.1:1/craveny'],
      ['mysql://ops@127.0.0.1:1/craveny', 'mysql://ops@127.0.0.1:1/craveny'],
    ]) {
      for (const args of [
        ['freshness', '--pg', url, '--json'],
        ['backend', 'migrate', '--pg', url],
      ]) {
        const run = await cli(args);
        expect(run.code, url).toBe(2);
        expect(run.stderr).toContain(`--pg must be a postgres:// URL, got '${shown}'`);
        expect(run.stderr).not.toContain('s3cret');
      }
    }
  });
});

describe('a table with only one of the two monitoring columns', () => {
  it('is read by freshness, and stats --source backend asks for the migration', async () => {
    await db.query('alter table stock_analysis_summaries add column last_update_reason varchar(200)');
    await db.query("insert into stock_analysis_summaries (stock_code, last_updated, last_update_reason) values ('005930', '2025-11-12 13:30:00', 'ttl_expired')");
    const fresh = await cli(['freshness', '--pg', db.url, '--at', '2025-11-12 14:00', '--json']);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.json().stocks).toEqual([{ stock_code: '005930', last_updated: '2025-11-12T13:30:00+09:00', age_hours: 0.5, stale: false, placeholder: false }]);
    const stats = await cli(['stats', '--source', 'backend', '--pg', db.url, '--days', '1', '--until', '2025-11-12', '--json']);
    expect(stats.code).toBe(2);
    expect(stats.stderr).toMatch(/no last_update_reason\/last_market_phase columns yet: run craveny-ops backend migrate/);
  });
});
