/**
 * The backend's table in the shapes it is met in (backend-logs.md, The database): without the
 * optional overall_summary / custom_data columns, with `last_updated` as `timestamp with time zone`
 * (an instant, whatever --db-tz says), or missing. `freshness` and `stats --source backend` read
 * each through PostgreSQL (a server, or in-process PGlite: test/support/pg.ts).
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli } from './helpers.js';
import { freshDatabase, stopPg, type TestPg } from './support/pg.js';

let db: TestPg;
beforeEach(async () => {
  db = await freshDatabase('backend');
});
afterEach(async () => {
  await db.drop();
});
afterAll(stopPg);

/** 14:00 KST on Wednesday 2025-11-12: the trading phase, TTL 2 h. */
const AT = '2025-11-12T14:00:00+09:00';
const AB = 'A/B 테스트 활성화 (Model A/B 비교 리포트)';

async function freshness(extra: string[] = []): Promise<any> {
  const run = await cli(['freshness', '--pg', db.url, '--at', AT, '--json', ...extra]);
  expect(run.code, run.stderr).toBe(0);
  return run.json();
}

describe('a table without the optional columns', () => {
  it('without overall_summary: no row holds the placeholder', async () => {
    await db.query('create table stock_analysis_summaries (id serial primary key, stock_code varchar(10) not null, last_updated timestamp without time zone)');
    await db.query("insert into stock_analysis_summaries (stock_code, last_updated) values ('005930', '2025-11-12 12:00:00'), ('000660', '2025-11-12 12:00:36')");
    const doc = await freshness();
    expect(doc.stocks).toEqual([
      { stock_code: '005930', last_updated: '2025-11-12T12:00:00+09:00', age_hours: 2, stale: true, placeholder: false },
      { stock_code: '000660', last_updated: '2025-11-12T12:00:36+09:00', age_hours: 1.99, stale: false, placeholder: false },
    ]);
  });

  it('without custom_data: the placeholder summary counts; an A/B row has no model report to show, so it counts too', async () => {
    await db.query(
      'create table stock_analysis_summaries (id serial primary key, stock_code varchar(10) not null, overall_summary text, last_updated timestamp without time zone)',
    );
    await db.query(
      `insert into stock_analysis_summaries (stock_code, overall_summary, last_updated) values
       ('005930', '분석된 뉴스가 없습니다.', '2025-11-12 13:00:00'), ('000660', $1, '2025-11-12 13:00:00'), ('035720', '실적 개선', '2025-11-12 13:00:00')`,
      [AB],
    );
    const doc = await freshness();
    expect(Object.fromEntries(doc.stocks.map((s: any) => [s.stock_code, s.placeholder]))).toEqual({ '005930': true, '000660': true, '035720': false });
  });
});

describe('last_updated as timestamp with time zone', () => {
  beforeEach(async () => {
    await db.query(
      'create table stock_analysis_summaries (id serial primary key, stock_code varchar(10) not null, last_updated timestamp with time zone, last_update_reason varchar(200), last_market_phase varchar(20))',
    );
    // The same instant, 12:00:00.250 KST, written with two offsets.
    await db.query(
      `insert into stock_analysis_summaries (stock_code, last_updated, last_update_reason, last_market_phase) values
       ('005930', '2025-11-12 12:00:00.250+09', 'ttl_expired', 'trading'), ('000660', '2025-11-12 03:00:00.250+00', 'ttl_expired', 'trading')`,
    );
  });

  it('is an instant: --db-tz does not move it, and its milliseconds are kept', async () => {
    for (const extra of [[], ['--db-tz', 'UTC']]) {
      const doc = await freshness(extra);
      expect(doc.stocks.map((s: any) => [s.stock_code, s.last_updated, s.age_hours, s.stale])).toEqual([
        ['000660', '2025-11-12T12:00:00.250+09:00', 2, true],
        ['005930', '2025-11-12T12:00:00.250+09:00', 2, true],
      ]);
    }
  });

  it('counts in stats --source backend by that instant: both on 2025-11-12 (KST), none on the 11th', async () => {
    const day = async (until: string) => {
      const run = await cli(['stats', '--source', 'backend', '--pg', db.url, '--days', '1', '--until', until, '--db-tz', 'UTC', '--json']);
      expect(run.code, run.stderr).toBe(0);
      return run.json().stocks_updated;
    };
    expect([await day('2025-11-11'), await day('2025-11-12')]).toEqual([0, 2]);
  });
});

describe('a naive last_updated with milliseconds', () => {
  it('is read to the millisecond in --db-tz', async () => {
    await db.query('create table stock_analysis_summaries (id serial primary key, stock_code varchar(10) not null, last_updated timestamp without time zone)');
    await db.query("insert into stock_analysis_summaries (stock_code, last_updated) values ('005930', '2025-11-12 03:00:00.999')");
    const doc = await freshness(['--db-tz', 'UTC']);
    expect(doc.stocks).toEqual([{ stock_code: '005930', last_updated: '2025-11-12T12:00:00.999+09:00', age_hours: 2, stale: true, placeholder: false }]);
  });
});

describe('a database without the table', () => {
  it('is refused in one line naming the table (exit 2), by freshness and by stats --source backend', async () => {
    for (const args of [
      ['freshness', '--pg', db.url, '--json'],
      ['stats', '--source', 'backend', '--pg', db.url, '--json'],
    ]) {
      const run = await cli(args);
      expect(run.code, args[0]).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(/has no table stock_analysis_summaries: is this the craveny database \(and search_path right\)\?/);
    }
  });
});
