/**
 * The backend's own database: `backend migrate`, `freshness` and `stats --source backend` against
 * a stock_analysis_summaries table in PostgreSQL (a server, or in-process PGlite), loaded with the
 * 36 real rows of ../shared/data/stock_analysis_summaries.csv where that file exists.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli, ROOT, tempDir } from './helpers.js';
import { freshDatabase, stopPg, type TestPg } from './support/pg.js';

const CSV = path.resolve(ROOT, '..', 'shared', 'data', 'stock_analysis_summaries.csv');
const haveCsv = fs.existsSync(CSV);
if (!haveCsv) console.info(`skipping the freshness tests on real rows: ${CSV} is absent`);

/** The backend's table as its models define it (the columns this tool reads, and some it does not). */
const CREATE_TABLE = `create table stock_analysis_summaries (
  id serial primary key, stock_code varchar(10) not null unique, overall_summary text,
  total_predictions integer, up_count integer, down_count integer, hold_count integer,
  avg_confidence double precision, last_updated timestamp without time zone,
  based_on_prediction_count integer, custom_data json)`;

interface CsvRow {
  id: number;
  stock_code: string;
  total_predictions: number;
  last_updated: string;
  based_on_prediction_count: number;
}

function csvRows(): CsvRow[] {
  const [header, ...lines] = fs.readFileSync(CSV, 'utf8').trim().split('\n');
  const names = header.split(',');
  return lines.map((line) => {
    const cells = Object.fromEntries(line.split(',').map((v, i) => [names[i], v]));
    return {
      id: Number(cells.id),
      stock_code: cells.stock_code,
      total_predictions: Number(cells.total_predictions),
      last_updated: cells.last_updated,
      based_on_prediction_count: Number(cells.based_on_prediction_count),
    };
  });
}

let db: TestPg;
beforeEach(async () => {
  db = await freshDatabase('backend');
});
afterEach(async () => {
  await db.drop();
});
afterAll(stopPg);

async function loadCsv(): Promise<CsvRow[]> {
  await db.query(CREATE_TABLE);
  const rows = csvRows();
  for (const r of rows) {
    await db.query('insert into stock_analysis_summaries (id, stock_code, total_predictions, last_updated, based_on_prediction_count) values ($1, $2, $3, $4, $5)', [
      r.id,
      r.stock_code,
      r.total_predictions,
      r.last_updated,
      r.based_on_prediction_count,
    ]);
  }
  return rows;
}

async function columns() {
  const { rows } = await db.query(
    `select column_name, data_type, character_maximum_length, is_nullable, ordinal_position
     from information_schema.columns
     where table_name = 'stock_analysis_summaries' and table_schema = current_schema()
     order by ordinal_position`,
  );
  return rows;
}

describe('backend migrate', () => {
  it('prints the SQL of --dry-run without connecting anywhere', async () => {
    const up = await cli(['backend', 'migrate', '--dry-run']);
    expect(up.code).toBe(0);
    expect(up.stdout).toContain('ALTER TABLE stock_analysis_summaries ADD COLUMN IF NOT EXISTS last_update_reason varchar(200);');
    expect(up.stdout).toContain('ALTER TABLE stock_analysis_summaries ADD COLUMN IF NOT EXISTS last_market_phase varchar(20);');
    expect(up.stdout.trim().split('\n')[0]).toBe('BEGIN;');
    const down = await cli(['backend', 'migrate', '--dry-run', '--down', '--pg', 'postgres://nobody:s3cret@127.0.0.1:1/none']);
    expect(down.code).toBe(0);
    expect(down.stdout).toContain('ALTER TABLE stock_analysis_summaries DROP COLUMN IF EXISTS last_market_phase;');
  });

  it('refuses a database without stock_analysis_summaries, changing nothing', async () => {
    const run = await cli(['backend', 'migrate', '--pg', db.url]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/has no table stock_analysis_summaries/);
    expect((await db.query("select to_regclass('stock_analysis_summaries') as t")).rows[0].t).toBeNull();
  });

  it('adds the two columns, changes nothing when applied again, and --down restores the table', async () => {
    await db.query(CREATE_TABLE);
    await db.query("insert into stock_analysis_summaries (stock_code, last_updated) values ('005930', '2025-11-12 13:00:00')");
    const original = await columns();

    const first = await cli(['backend', 'migrate', '--pg', db.url, '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.json().changed).toBe(true);
    const migrated = await columns();
    expect(migrated.slice(0, original.length)).toEqual(original);
    expect(migrated.slice(original.length).map((c: any) => [c.column_name, c.data_type, c.character_maximum_length, c.is_nullable])).toEqual([
      ['last_update_reason', 'character varying', 200, 'YES'],
      ['last_market_phase', 'character varying', 20, 'YES'],
    ]);

    const second = await cli(['backend', 'migrate', '--pg', db.url]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/last_update_reason already present/);
    expect(await columns()).toEqual(migrated);

    const down = await cli(['backend', 'migrate', '--pg', db.url, '--down', '--yes']);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toMatch(/dropped stock_analysis_summaries\.last_market_phase/);
    expect(await columns()).toEqual(original);
    expect((await db.query('select stock_code from stock_analysis_summaries')).rows).toEqual([{ stock_code: '005930' }]);
  });

  it('explains in one line that a read-only user cannot change the table', async () => {
    await db.query(CREATE_TABLE);
    let url = db.url;
    let restore = async () => {};
    if (db.kind === 'server') {
      const role = `craveny_ro_${process.pid}_${Date.now().toString(36)}`;
      const schema = (await db.query('select current_schema() as s')).rows[0].s as string;
      await db.query(`create role ${role} login password 's3cret'`);
      await db.query(`grant usage on schema ${schema} to ${role}`);
      await db.query(`grant select on all tables in schema ${schema} to ${role}`);
      const u = new URL(db.url);
      u.username = role;
      u.password = 's3cret';
      url = u.toString();
      restore = async () => {
        await db.query(`drop owned by ${role}`);
        await db.query(`drop role ${role}`);
      };
    } else {
      // PGlite has one session and ignores the user: a read-only session stands in for the role.
      await db.query('set default_transaction_read_only = on');
      restore = async () => void (await db.query('set default_transaction_read_only = off'));
    }
    try {
      const run = await cli(['backend', 'migrate', '--pg', url]);
      expect(run.code).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(/permission denied|only accepts reads/);
      expect(run.stderr).toMatch(/nothing was changed|writable/);
      expect(run.stderr).not.toContain('s3cret');
    } finally {
      await restore();
    }
    expect((await columns()).map((c: any) => c.column_name)).not.toContain('last_update_reason');
  });
});

describe.runIf(haveCsv)('freshness on the 36 real rows', () => {
  /** 14:00 KST on Wednesday 2025-11-12: the trading phase, TTL 2 h. */
  const AT = '2025-11-12T14:00:00+09:00';

  it('lists every row once with its age at --at and the trading TTL', async () => {
    const rows = await loadCsv();
    const run = await cli(['freshness', '--pg', db.url, '--at', AT, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const doc = run.json();
    expect(doc).toMatchObject({ at: AT, phase: 'trading', ttl_hours: 2 });
    expect(doc.stocks).toHaveLength(36);
    expect(doc.stocks.map((s: any) => s.stock_code).sort()).toEqual(rows.map((r) => r.stock_code).sort());
    const byCode = new Map(doc.stocks.map((s: any) => [s.stock_code, s]));
    // Worked by hand from the CSV: 13:17:55.357 is 42 min 4.6 s before 14:00.
    expect(byCode.get('012330')).toEqual({ stock_code: '012330', last_updated: '2025-11-12T13:17:55.357+09:00', age_hours: 0.7, stale: false, placeholder: false });
    expect(byCode.get('000720')).toEqual({ stock_code: '000720', last_updated: '2025-11-11T08:58:19.399+09:00', age_hours: 29.03, stale: true, placeholder: false });
    expect(byCode.get('316140')).toMatchObject({ age_hours: 197, stale: true });
    // Updated the next morning: a negative age, not stale, and a warning.
    expect(byCode.get('005930')).toMatchObject({ last_updated: '2025-11-13T05:26:44.996+09:00', age_hours: -15.45, stale: false });
    expect(run.stderr).toMatch(/1 report\(s\) were updated after --at/);
    for (const s of doc.stocks) expect(s.stale).toBe(s.age_hours >= 2);
    expect(doc.stocks.filter((s: any) => s.stale)).toHaveLength(18);
    // Stalest first.
    const ages = doc.stocks.map((s: any) => s.age_hours);
    expect(ages).toEqual([...ages].sort((a, b) => b - a));
  });

  it('takes the TTL of the phase at --at, from the config when it sets one', async () => {
    await loadCsv();
    const preMarket = (await cli(['freshness', '--pg', db.url, '--at', '2025-11-12 08:30', '--json'])).json();
    expect(preMarket).toMatchObject({ at: '2025-11-12T08:30:00+09:00', phase: 'pre_market', ttl_hours: 3 });
    const config = path.join(tempDir(), 'config.json');
    fs.writeFileSync(config, JSON.stringify({ rules: { trading: { ttlHours: 1 } } }));
    const strict = (await cli(['--config', config, 'freshness', '--pg', db.url, '--at', AT, '--json'])).json();
    expect(strict.ttl_hours).toBe(1);
    expect(strict.stocks.find((s: any) => s.stock_code === '012330').stale).toBe(false);
    expect(strict.stocks.filter((s: any) => s.stale).length).toBe(strict.stocks.filter((s: any) => s.age_hours >= 1).length);
  });

  it('reads last_updated in --db-tz: a UTC server wrote it nine hours later in absolute time', async () => {
    await loadCsv();
    const kst = (await cli(['freshness', '--pg', db.url, '--at', AT, '--json'])).json();
    const utc = (await cli(['freshness', '--pg', db.url, '--at', AT, '--db-tz', 'UTC', '--json'])).json();
    const kstAge = new Map(kst.stocks.map((s: any) => [s.stock_code, s.age_hours]));
    for (const s of utc.stocks) expect(s.age_hours).toBeCloseTo((kstAge.get(s.stock_code) as number) - 9, 6);
    expect(utc.stocks.find((s: any) => s.stock_code === '000720').last_updated).toBe('2025-11-11T17:58:19.399+09:00');
  });

  it('prints a table headed by the phase, the TTL and the count of stale stocks', async () => {
    await loadCsv();
    const run = await cli(['freshness', '--pg', db.url, '--at', AT]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('phase trading, TTL 2 h: 18 of 36 stocks stale, 0 holding the placeholder report');
    expect(run.stdout).toMatch(/012330 .*2025-11-12 13:17:55 .*0\.70 .*fresh/);
  });
});

describe('freshness and the placeholder report', () => {
  /** 14:00 KST on Wednesday 2025-11-12: the trading phase, TTL 2 h. */
  const AT = '2025-11-12T14:00:00+09:00';
  const AB = 'A/B 테스트 활성화 (Model A/B 비교 리포트)';
  const report = (summary: string) => ({ overall_summary: summary, recommendation: '보유' });

  it('marks the rows that hold the placeholder instead of an analysis, and counts them', async () => {
    await db.query(CREATE_TABLE);
    const rows: [string, string, unknown][] = [
      ['005930', '분석된 뉴스가 없습니다.', null],
      ['000660', '반도체 업황 개선으로 실적 회복이 기대됩니다.', null],
      // A/B rows: the reports are in custom_data.
      ['035720', AB, { model_a: report('광고 매출 회복'), model_b: report('분석된 뉴스가 없습니다.') }],
      ['051910', AB, { model_a: {}, model_b: {} }],
      ['0009K0', AB, { model_a: report('신규 상장 종목의 첫 분석'), model_b: report('수급 개선') }],
      // Single-model again after an A/B period: the stale custom_data says nothing of the row.
      ['005380', '전기차 판매 호조가 이어지고 있습니다.', { model_a: report('분석된 뉴스가 없습니다.'), model_b: {} }],
    ];
    for (const [code, summary, custom] of rows) {
      await db.query(`insert into stock_analysis_summaries (stock_code, overall_summary, custom_data, last_updated) values ($1, $2, $3, '2025-11-12 13:30:00')`, [
        code,
        summary,
        custom === null ? null : JSON.stringify(custom),
      ]);
    }
    const doc = (await cli(['freshness', '--pg', db.url, '--at', AT, '--json'])).json();
    const placeholder = Object.fromEntries(doc.stocks.map((s: any) => [s.stock_code, s.placeholder]));
    expect(placeholder).toEqual({ '005930': true, '000660': false, '035720': true, '051910': true, '0009K0': false, '005380': false });
    // A fresh last_updated: the silent failure hides behind it.
    expect(doc.stocks.find((s: any) => s.stock_code === '005930')).toMatchObject({ stale: false, placeholder: true });
    const table = await cli(['freshness', '--pg', db.url, '--at', AT]);
    expect(table.stdout).toContain('phase trading, TTL 2 h: 0 of 6 stocks stale, 3 holding the placeholder report (분석된 뉴스가 없습니다.) instead of an analysis');
    expect(table.stdout).toMatch(/005930 .* fresh │ placeholder/);
  });
});

describe('freshness and stats --source backend without what they need', () => {
  it('names a refused connection to the backend database in one line, without the password', async () => {
    const run = await cli(['freshness', '--pg', 'postgres://ops:p@ss@127.0.0.1:1/craveny', '--json']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim()).toBe(
      'craveny-ops: the backend database postgres://ops:***@127.0.0.1:1/craveny: connection refused at 127.0.0.1:1: is PostgreSQL running and listening there?',
    );
  });

  it('asks for --pg', async () => {
    const run = await cli(['freshness', '--json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--pg <url> is required/);
  });

  it('reports a row with no last_updated as stale with no age', async () => {
    await db.query(CREATE_TABLE);
    await db.query("insert into stock_analysis_summaries (stock_code, last_updated) values ('000660', null), ('005930', '2025-11-12 13:30:00')");
    const doc = (await cli(['freshness', '--pg', db.url, '--at', '2025-11-12 14:00', '--json'])).json();
    expect(doc.stocks).toEqual([
      { stock_code: '000660', last_updated: null, age_hours: null, stale: true, placeholder: false },
      { stock_code: '005930', last_updated: '2025-11-12T13:30:00+09:00', age_hours: 0.5, stale: false, placeholder: false },
    ]);
  });

  it('stats --source backend refuses a table without the monitoring columns and says to migrate', async () => {
    await db.query(CREATE_TABLE);
    const run = await cli(['stats', '--source', 'backend', '--pg', db.url, '--json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no last_update_reason\/last_market_phase columns yet: run craveny-ops backend migrate/);
  });
});

describe('stats --source backend', () => {
  it('counts the stocks of the window by reason category and by phase once the columns are filled', async () => {
    await db.query(CREATE_TABLE);
    expect((await cli(['backend', 'migrate', '--pg', db.url])).code).toBe(0);
    const rows: Array<[string, string, string | null, string | null]> = [
      ['005930', '2025-11-12 13:00:00', '시장 단계별 TTL 초과 (trading: 2.3h > 2h)', 'trading'],
      ['000660', '2025-11-12 10:00:00', '시장 단계별 TTL 초과 (trading: 2.1h > 2h)', 'trading'],
      ['035720', '2025-11-12 08:00:00', '새 예측 추가 (기존: 5, 현재: 6, 시장: pre_market)', 'pre_market'],
      ['035420', '2025-11-12 09:20:00', 'price_move', 'market_open'],
      ['051910', '2025-11-11 18:00:00', null, null],
      // Outside a one-day window ending 2025-11-12.
      ['207940', '2025-11-10 12:00:00', '강제 업데이트 또는 리포트 없음', 'trading'],
    ];
    for (const r of rows) {
      await db.query('insert into stock_analysis_summaries (stock_code, last_updated, last_update_reason, last_market_phase) values ($1, $2, $3, $4)', r);
    }
    const run = await cli(['stats', '--source', 'backend', '--pg', db.url, '--days', '2', '--until', '2025-11-12', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const doc = run.json();
    expect(doc).toMatchObject({
      source: 'backend',
      period_days: 2,
      from: '2025-11-11T00:00:00+09:00',
      until: '2025-11-13T00:00:00+09:00',
      stocks_updated: 5,
      unfilled: 1,
      unknown_phase: 1,
      market_phases: { pre_market: 1, market_open: 1, trading: 2, market_close: 0, after_hours: 0 },
    });
    expect(doc.update_reasons).toEqual([
      { reason: 'ttl_expired', label: '시장 단계별 TTL 초과', count: 2 },
      { reason: 'new_prediction', label: '새 예측 추가', count: 1 },
      { reason: 'price_move', label: '주가 급변', count: 1 },
    ]);
    expect(doc.by_reason_text).toHaveLength(4);
    const table = await cli(['stats', '--source', 'backend', '--pg', db.url, '--days', '2', '--until', '2025-11-12']);
    expect(table.stdout).toContain('5 stocks updated in the window, 1 not filled in yet (no reason, no phase)');
  });
});
