/**
 * `stats --source backend` (cli-contract.md: `unfilled` counts the rows whose monitoring columns are
 * still NULL; warnings go to stderr) warns when every row of the window is unfilled — the columns
 * were just added and the backend has not written them yet, so the counts by reason and phase say
 * nothing — and only then: not when one row is filled, nor for a window without rows.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli } from './helpers.js';
import { freshDatabase, stopPg, type TestPg } from './support/pg.js';

const WARNING = /^warning: no row in the window has its reason and phase filled in yet: the backend writes them from its next update on$/m;

let db: TestPg;
beforeEach(async () => {
  db = await freshDatabase('backend');
  await db.query(
    'create table stock_analysis_summaries (id serial primary key, stock_code varchar(10) not null, last_updated timestamp without time zone, last_update_reason varchar(200), last_market_phase varchar(20))',
  );
});
afterEach(async () => {
  await db.drop();
});
afterAll(stopPg);

async function insert(rows: [string, string, string | null, string | null][]): Promise<void> {
  for (const r of rows) {
    await db.query('insert into stock_analysis_summaries (stock_code, last_updated, last_update_reason, last_market_phase) values ($1, $2, $3, $4)', r);
  }
}

/** stats --source backend over 2025-11-12 (KST). */
async function stats(): Promise<{ doc: any; stderr: string }> {
  const run = await cli(['stats', '--source', 'backend', '--pg', db.url, '--days', '1', '--until', '2025-11-12', '--json']);
  expect(run.code, run.stderr).toBe(0);
  return { doc: run.json(), stderr: run.stderr };
}

describe('the warning that no row of the window has a recorded reason', () => {
  it('is given when every row of the window is unfilled (a filled row outside the window aside)', async () => {
    await insert([
      ['005930', '2025-11-12 09:00:00', null, null],
      ['000660', '2025-11-12 13:00:00', null, null],
      ['035720', '2025-11-11 13:00:00', '시장 단계별 TTL 초과 (trading: 2.3h > 2h)', 'trading'],
    ]);
    const { doc, stderr } = await stats();
    expect(doc).toMatchObject({ stocks_updated: 2, unfilled: 2, unknown_phase: 2, update_reasons: [] });
    expect(stderr).toMatch(WARNING);
  });

  it('is not given when one row of the window is filled', async () => {
    await insert([
      ['005930', '2025-11-12 09:00:00', null, null],
      ['000660', '2025-11-12 13:00:00', '시장 단계별 TTL 초과 (trading: 2.3h > 2h)', 'trading'],
    ]);
    const { doc, stderr } = await stats();
    expect(doc).toMatchObject({ stocks_updated: 2, unfilled: 1 });
    expect(stderr).toBe('');
  });

  it('is not given for a window without rows: nothing is unfilled there', async () => {
    await insert([['005930', '2025-11-10 09:00:00', null, null]]);
    const { doc, stderr } = await stats();
    expect(doc).toMatchObject({ stocks_updated: 0, unfilled: 0 });
    expect(stderr).toBe('');
  });
});
