/**
 * Outcomes as the real backend logs them (issue 13, part 1): a commit that fails after its completion
 * line, unparsable answers, silent failures in both modes, [LLM_COST] lines of A/B attempts, codes
 * with letters, and report lines that are broken.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../src/store/store.js';
import { cli, fixture, tempStore } from './helpers.js';

const real = (name: string) => fixture('real', name);
const KST = (t: string) => Date.parse(`${t}+09:00`);

const opened: Store[] = [];
afterEach(async () => {
  while (opened.length) await opened.pop()!.close();
});

async function storeWith(...files: string[]): Promise<string> {
  const db = tempStore();
  const run = await cli(['--db', db, 'ingest', ...files]);
  expect(run.code, run.stderr).toBe(0);
  return db;
}

async function attemptsOf(db: string) {
  const store = await openStore(db);
  opened.push(store);
  return store.db
    .selectFrom('attempts')
    .select(['stock_code', 'ts', 'outcome', 'outcome_ts', 'completed_ts', 'generation_mode', 'generation_failed', 'completion_logged', 'error'])
    .orderBy('ts')
    .execute();
}

describe('a completion logged before a commit that failed', () => {
  it('fails the attempt, with the failure as its outcome and no completion time', async () => {
    const db = await storeWith(real('commit-failed-after-completion.log'));
    const [first, second, third] = await attemptsOf(db);
    expect(first).toMatchObject({
      stock_code: '005930',
      outcome: 'failed',
      outcome_ts: KST('2025-11-06T10:00:07.180'),
      completed_ts: null,
      completion_logged: 1,
      generation_failed: 0,
      error: '(builtins.Exception) server closed the connection unexpectedly',
    });
    expect(second).toMatchObject({ outcome: 'succeeded', completed_ts: KST('2025-11-06T12:10:06.100') });
    expect(third).toMatchObject({ outcome: 'succeeded', completed_ts: KST('2025-11-06T14:30:05.100') });
  });

  it('keeps the whole multi-line message and its traceback with the failure record', async () => {
    const db = await storeWith(real('commit-failed-after-completion.log'));
    const store = await openStore(db);
    opened.push(store);
    const failure = await store.db.selectFrom('records').select(['text', 'detail']).where('kind', '=', 'update_failed').executeTakeFirstOrThrow();
    expect(failure).toEqual({
      text: '(builtins.Exception) server closed the connection unexpectedly',
      detail: 'sqlalchemy.exc.OperationalError: (builtins.Exception) server closed the connection unexpectedly',
    });
  });

  it('counts it failed in stats, and takes the gap between the completions that were saved', async () => {
    const db = await storeWith(real('commit-failed-after-completion.log'));
    const stats = (await cli(['--db', db, 'stats', '--days', '1', '--until', '2025-11-06', '--json'])).json();
    expect(stats).toMatchObject({ total_updates: 3, succeeded: 2, failed: 1 });
    // 12:10:06.100 → 14:30:05.100; the 10:00:07 completion was never saved.
    expect(stats.avg_interval_hours.by_stock['005930']).toBeCloseTo((KST('2025-11-06T14:30:05.100') - KST('2025-11-06T12:10:06.100')) / 3_600_000, 2);
  });
});

describe('an answer that is not JSON', () => {
  it('fails a single-model generation, and its completion line makes it a silent failure', async () => {
    const db = await storeWith(real('json-parse-single.log'));
    const [attempt] = await attemptsOf(db);
    expect(attempt).toMatchObject({
      outcome: 'failed',
      outcome_ts: KST('2025-11-06T09:15:09'),
      completed_ts: null,
      generation_mode: 'single',
      generation_failed: 1,
      completion_logged: 1,
      error: 'JSON 파싱 실패: Expecting value: line 1 column 1 (char 0)',
    });
  });

  it('does not read the model answer printed after it as a log line', async () => {
    const db = await storeWith(real('json-parse-single.log'));
    expect(await attemptsOf(db)).toHaveLength(1);
  });

  it('fails an A/B generation from its Model A line, before the A/B failure that follows', async () => {
    const db = await storeWith(real('json-parse-ab.log'));
    const [ab, single] = await attemptsOf(db);
    expect(ab).toMatchObject({
      stock_code: '035720',
      outcome: 'failed',
      outcome_ts: KST('2025-11-06T13:00:12'),
      generation_mode: 'ab',
      generation_failed: 1,
      completion_logged: 1,
      error: 'Model A JSON 파싱 실패: Expecting value: line 1 column 1 (char 0)',
    });
    expect(single).toMatchObject({ stock_code: '000660', outcome: 'succeeded' });
  });
});

describe('silent failures in both modes', () => {
  it('are one silent_failure entry per stock and mode, saying the placeholder is live until the phase TTL has passed', async () => {
    const db = await storeWith(real('json-parse-single.log'), real('json-parse-ab.log'));
    const run = await cli(['--db', db, 'anomalies', '--until', '2025-11-06', '--json']);
    expect(run.code).toBe(1);
    const silent = run.json().anomalies.filter((a: any) => a.kind === 'silent_failure');
    expect(silent.map((a: any) => [a.stock_code, a.mode, a.count])).toEqual([
      ['000660', 'single', 1],
      ['035720', 'ab', 1],
    ]);
    expect(silent[0].detail).toMatch(/^single-model generation failed 1× \(last error: JSON 파싱 실패: Expecting value/);
    expect(silent[0].detail).toContain('the placeholder report ("분석된 뉴스가 없습니다.") is live for 000660 since 2025-11-06 09:15 KST');
    expect(silent[0].detail).toContain('until the phase TTL has passed (1 h in market_open)');
    expect(silent[1].detail).toContain('(empty A/B reports) is live for 035720');
    expect(silent[1].detail).toContain('(2 h in trading)');
  });

  it('show their mode in the table, and in the Prometheus counter', async () => {
    const db = await storeWith(real('json-parse-single.log'), real('json-parse-ab.log'));
    const table = await cli(['--db', db, 'anomalies', '--until', '2025-11-06']);
    expect(table.stdout).toMatch(/silent_failure \(single\) +000660/);
    expect(table.stdout).toMatch(/silent_failure \(ab\) +035720/);
    const metrics = (await cli(['--db', db, 'metrics'])).stdout;
    expect(metrics).toContain('craveny_report_silent_failures_total{mode="single"} 1');
    expect(metrics).toContain('craveny_report_silent_failures_total{mode="ab"} 1');
  });
});

describe('[LLM_COST] lines of A/B attempts', () => {
  it('are two calls each, at the printed price of one call', async () => {
    const db = await storeWith(real('json-parse-ab.log'));
    const cost = (await cli(['--db', db, 'cost', '--days', '1', '--until', '2025-11-06', '--json'])).json();
    // 13:00 035720 generated in A/B mode (2 calls), 13:40 000660 in single mode (1), each call $0.002.
    expect(cost).toMatchObject({ calls_source: 'llm_cost_lines', total_calls: 3, total_cost_usd: 0.006 });
    expect(cost.by_stock.map((s: any) => [s.stock_code, s.calls, s.cost_usd])).toEqual([
      ['035720', 2, 0.004],
      ['000660', 1, 0.002],
    ]);
    const metrics = (await cli(['--db', db, 'metrics'])).stdout;
    expect(metrics).toMatch(/^craveny_llm_calls_total 3$/m);
    expect(metrics).toMatch(/^craveny_llm_cost_usd_total 0\.006$/m);
  });

  it('count two calls in verify week too', async () => {
    const db = await storeWith(real('json-parse-ab.log'));
    const week = (await cli(['--db', db, 'verify', 'week', '--from', '2025-11-06', '--to', '2025-11-06', '--format', 'json'])).json();
    const calls = week.checks.find((c: any) => c.id === 'llm_calls_per_day');
    expect(calls.days[0].value).toBe(3);
  });
});

describe('codes with letters, and broken report lines', () => {
  it('reads a code with a capital letter as any other, and counts broken lines as malformed', async () => {
    const db = tempStore();
    const run = await cli(['--db', db, 'ingest', '--json', real('letter-codes.log')]);
    expect(run.code).toBe(0);
    const [file] = run.json().files;
    // 5 records of 0009K0 and the skip of Q53001; a lower-case code, a five-character code and 2025-02-30 are malformed.
    expect(file).toMatchObject({ lines: 9, records: 6, malformed: 3, malformed_lines: [6, 7, 8] });
    const [attempt] = await attemptsOf(db);
    expect(attempt).toMatchObject({ stock_code: '0009K0', outcome: 'succeeded' });
    const stats = (await cli(['--db', db, 'stats', '--days', '1', '--until', '2025-11-06', '--json'])).json();
    expect(stats.by_stock.map((s: any) => s.stock_code)).toEqual(['0009K0']);
  });

  it('never dates an impossible day in the next month', async () => {
    const db = await storeWith(real('letter-codes.log'));
    const store = await openStore(db);
    opened.push(store);
    const march = await store.db.selectFrom('records').select('id').where('ts', '<', KST('2025-03-03T00:00')).execute();
    expect(march).toEqual([]);
  });
});
