/**
 * Gates for cron and CI, and no destructive surprise: freshness --fail-on-stale, backend migrate
 * --down only with --yes (or a typed answer), and read-only commands that never create a store.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { runMigrate } from '../src/commands/backend.js';
import { bin, cli, fixture, tempDir } from './helpers.js';
import { freshDatabase, stopPg, type TestPg } from './support/pg.js';

const CREATE_TABLE = `create table stock_analysis_summaries (
  id serial primary key, stock_code varchar(10) not null unique, overall_summary text,
  total_predictions integer, last_updated timestamp without time zone, based_on_prediction_count integer, custom_data json)`;

let db: TestPg;
/** Each test of the describe block that calls it gets an empty backend table. */
function withBackendTable(): void {
  beforeEach(async () => {
    db = await freshDatabase('gates');
    await db.query(CREATE_TABLE);
    return () => db.drop();
  });
}
afterAll(() => stopPg());

describe('freshness --fail-on-stale', () => {
  withBackendTable();
  // 14:00 KST is trading: TTL 2 h.
  const at = ['--at', '2025-11-12 14:00'];

  it('exits 0 when every stock is fresh, and 1 when any is stale, printing the document either way', async () => {
    await db.query("insert into stock_analysis_summaries (stock_code, last_updated) values ('005930', '2025-11-12 13:30:00'), ('000660', '2025-11-12 12:30:00')");
    const fresh = await cli(['freshness', '--pg', db.url, ...at, '--json', '--fail-on-stale']);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.json().stocks.map((s: any) => s.stale)).toEqual([false, false]);

    await db.query("update stock_analysis_summaries set last_updated = '2025-11-12 11:00:00' where stock_code = '000660'");
    const stale = await cli(['freshness', '--pg', db.url, ...at, '--json', '--fail-on-stale']);
    expect(stale.code).toBe(1);
    expect(stale.json().stocks.map((s: any) => [s.stock_code, s.stale])).toEqual([
      ['000660', true],
      ['005930', false],
    ]);
    // Without the flag the same state is a report, not a failure.
    expect((await cli(['freshness', '--pg', db.url, ...at, '--json'])).code).toBe(0);
  }, 120_000);

  it('counts an age of exactly the TTL as stale (exit 1), and a row never updated too', async () => {
    await db.query("insert into stock_analysis_summaries (stock_code, last_updated) values ('005930', '2025-11-12 12:00:00')");
    const run = await cli(['freshness', '--pg', db.url, ...at, '--fail-on-stale']);
    expect(run.code).toBe(1);
    await db.query("update stock_analysis_summaries set last_updated = null");
    expect((await cli(['freshness', '--pg', db.url, ...at, '--json', '--fail-on-stale'])).code).toBe(1);
  });
});

describe('backend migrate --down', () => {
  withBackendTable();
  async function migratedWithValues(): Promise<void> {
    expect((await cli(['backend', 'migrate', '--pg', db.url])).code).toBe(0);
    await db.query(`insert into stock_analysis_summaries (stock_code, last_updated, last_update_reason, last_market_phase) values
      ('005930', '2025-11-12 13:00:00', '시장 단계별 TTL 초과 (trading: 2.3h > 2h)', 'trading'),
      ('000660', '2025-11-12 12:00:00', '새 예측 추가 (기존: 5, 현재: 6, 시장: trading)', ''),
      ('035720', '2025-11-12 11:00:00', null, null)`);
  }
  const monitoringColumns = async () =>
    (
      await db.query(
        "select column_name from information_schema.columns where table_name = 'stock_analysis_summaries' and table_schema = current_schema() and column_name like 'last_%' order by column_name",
      )
    ).rows.map((r) => r.column_name);

  it('without --yes says how many values would be lost, exits 2 and changes nothing', async () => {
    await migratedWithValues();
    const run = await cli(['backend', 'migrate', '--pg', db.url, '--down']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'craveny-ops: dropping stock_analysis_summaries.last_update_reason and stock_analysis_summaries.last_market_phase loses 3 non-empty values ' +
        '(2 in last_update_reason, 1 in last_market_phase): run again with --yes to drop them; nothing was changed\n',
    );
    expect(await monitoringColumns()).toEqual(['last_market_phase', 'last_update_reason', 'last_updated']);
    expect(Number((await db.query('select count(last_update_reason) as n from stock_analysis_summaries')).rows[0].n)).toBe(2);
  });

  it('with --yes says what it loses and drops the columns (exit 0)', async () => {
    await migratedWithValues();
    const run = await cli(['backend', 'migrate', '--pg', db.url, '--down', '--yes', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^dropping .* loses 3 non-empty values \(2 in last_update_reason, 1 in last_market_phase\); --yes given\n$/);
    expect(run.json()).toMatchObject({ direction: 'down', changed: true });
    expect(await monitoringColumns()).toEqual(['last_updated']);
  });

  it('drops on a typed answer, and not on any other', async () => {
    await migratedWithValues();
    const options = { url: db.url, direction: 'down' as const, dryRun: false, json: false };
    const questions: string[] = [];
    await expect(runMigrate(options, undefined, async (q) => (questions.push(q), false))).rejects.toThrow(/run again with --yes to drop them; nothing was changed/);
    expect(questions).toEqual([expect.stringMatching(/loses 3 non-empty values .*\. Type 'drop' to drop them: $/)]);
    expect(await monitoringColumns()).toHaveLength(3);
    const result = await runMigrate(options, undefined, async () => true);
    expect(result.changed).toBe(true);
    expect(await monitoringColumns()).toEqual(['last_updated']);
  });

  it('asks nothing when there is nothing to drop, and --dry-run needs no --yes', async () => {
    expect((await cli(['backend', 'migrate', '--pg', db.url, '--down'])).code).toBe(0);
    const dry = await cli(['backend', 'migrate', '--down', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/DROP COLUMN IF EXISTS last_market_phase/);
  });
});

describe('commands that only read, on a store that does not exist', () => {
  const READERS: string[][] = [
    ['stats', '--json'],
    ['cost', '--json'],
    ['anomalies', '--json'],
    ['verify', 'day1', '--json'],
    ['verify', 'week', '--json'],
    ['report', '--html', '-'],
    ['metrics'],
  ];

  for (const args of READERS) {
    it(`${args.join(' ')}: one line naming the path and craveny-ops ingest, exit 2, no file created`, async () => {
      const missing = path.join(tempDir(), 'store.db');
      const run = await cli(['--db', missing, ...args]);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe(`craveny-ops: no store at ${missing}: run craveny-ops ingest <log files> to create it, or point --db or CRAVENY_OPS_DB at the existing one\n`);
      expect(fs.readdirSync(path.dirname(missing))).toEqual([]);
    });
  }

  it('the binary, with the store named by CRAVENY_OPS_DB, says the same', () => {
    const missing = path.join(tempDir(), 'cron.db');
    const run = bin(['anomalies'], { env: { CRAVENY_OPS_DB: missing } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^craveny-ops: no store at ${missing.replace(/[.]/g, '\\.')}: run craveny-ops ingest`));
    expect(fs.existsSync(missing)).toBe(false);
  });

  it('ingest and migrate still create it', async () => {
    const forIngest = path.join(tempDir(), 'store.db');
    expect((await cli(['--db', forIngest, 'ingest', fixture('logs', 'day.log')])).code).toBe(0);
    expect(fs.existsSync(forIngest)).toBe(true);
    expect((await cli(['--db', forIngest, 'stats', '--json', '--until', '2025-11-04'])).code).toBe(0);
    const forMigrate = path.join(tempDir(), 'store.db');
    expect((await cli(['--db', forMigrate, 'migrate'])).code).toBe(0);
    expect(fs.existsSync(forMigrate)).toBe(true);
  });
});
