/** `craveny-ops anomalies`: every kind found on a real-shaped log, nothing on a healthy one, exit codes for cron. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bursts } from '../src/analysis/anomalies.js';
import { bin, cli, fixture, ROOT, tempDir, tempStore } from './helpers.js';
import { freshDatabase, stopPg } from './support/pg.js';

const log = (name: string) => fixture('anomalies', name);

/** A store holding the given logs (read as KST unless a zone is given). */
async function storeWith(files: string[], logTz?: string): Promise<string> {
  const db = tempStore();
  const run = await cli(['--db', db, 'ingest', ...(logTz ? ['--log-tz', logTz] : []), ...files]);
  expect(run.code, run.stderr).toBe(0);
  return db;
}

async function anomalies(db: string, args: string[], options: { env?: NodeJS.ProcessEnv; now?: number } = {}) {
  return cli(['--db', db, 'anomalies', ...args], options);
}

/** The identifying fields of each entry, for exact comparison. */
const entries = (doc: { anomalies: Array<Record<string, unknown>> }) =>
  doc.anomalies.map(({ kind, stock_code, first_ts, last_ts, count }) => ({ kind, stock_code, first_ts, last_ts, count }));

/** Lines of a fixture matching a pattern: expectations counted from the log, not retyped. */
const linesOf = (file: string, pattern: RegExp) => fs.readFileSync(file, 'utf8').split('\n').filter((l) => pattern.test(l));

describe('anomalies on a healthy backend', () => {
  it('finds nothing and exits 0, in JSON and as text', async () => {
    const db = await storeWith([log('healthy.log')]);
    const json = await anomalies(db, ['--until', '2025-11-04', '--json']);
    expect(json.code).toBe(0);
    expect(json.stderr).toBe('');
    expect(json.json()).toEqual({ from: '2025-11-04T00:00:00+09:00', until: '2025-11-05T00:00:00+09:00', log_end: '2025-11-04T23:50:00+09:00', anomalies: [] });
    const text = await anomalies(db, ['--until', '2025-11-04']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/no anomalies/);
  });
});

describe('anomalies on a backend with the 20-prediction cap', () => {
  it('reports every affected stock as repeated_new_prediction with the right count, and the update storm', async () => {
    const db = await storeWith([log('prediction-cap.log')]);
    const run = await anomalies(db, ['--until', '2025-11-05', '--json']);
    expect(run.code).toBe(1);
    const doc = run.json();
    expect(entries(doc)).toEqual([
      { kind: 'update_storm', stock_code: '005930', first_ts: '2025-11-05T10:02:00+09:00', last_ts: '2025-11-05T10:52:00+09:00', count: 6 },
      { kind: 'repeated_new_prediction', stock_code: '005930', first_ts: '2025-11-05T10:11:00+09:00', last_ts: '2025-11-05T10:52:00+09:00', count: 5 },
      { kind: 'repeated_new_prediction', stock_code: '000660', first_ts: '2025-11-05T11:30:00+09:00', last_ts: '2025-11-05T16:20:00+09:00', count: 4 },
    ]);
    // Every trigger 2 with the same numbers as the one before is counted: all but each stock's first.
    for (const [stock, numbers] of [['005930', '기존: 20, 현재: 72'], ['000660', '기존: 20, 현재: 45']]) {
      const fired = linesOf(log('prediction-cap.log'), new RegExp(`종목 ${stock} 업데이트 시작: 새 예측 추가 \\(${numbers}`));
      const entry = doc.anomalies.find((a: any) => a.kind === 'repeated_new_prediction' && a.stock_code === stock);
      expect(entry.count).toBe(fired.length - 1);
      expect(entry.detail).toContain(`trigger 2 (새 예측 추가) fires with ${numbers} on every call`);
      expect(entry.detail).toContain('capped at 20');
    }
  });

  it('says how many LLM calls each anomaly made and what they cost', async () => {
    const db = await storeWith([log('prediction-cap.log')]);
    const doc = (await anomalies(db, ['--until', '2025-11-05', '--json'])).json();
    expect(doc.anomalies.map((a: any) => [a.kind, a.stock_code, a.llm_calls, a.cost_usd])).toEqual([
      ['update_storm', '005930', 6, 0.006],
      ['repeated_new_prediction', '005930', 5, 0.005],
      ['repeated_new_prediction', '000660', 4, 0.004],
    ]);
    expect(doc.anomalies[0].detail).toBe('6 updates in 50 min (limit 3 per 60 min), fired by new_prediction (새 예측 추가) ×6; 6 LLM calls, $0.006');
  });

  it('prices calls at the configured price per call', async () => {
    const db = await storeWith([log('prediction-cap.log')]);
    const config = path.join(tempDir(), 'ops.json');
    fs.writeFileSync(config, JSON.stringify({ pricePerCall: 0.02 }));
    const doc = (await anomalies(db, ['--until', '2025-11-05', '--json'], { env: { CRAVENY_OPS_CONFIG: config } })).json();
    expect(doc.anomalies.map((a: any) => a.cost_usd)).toEqual([0.12, 0.1, 0.08]);
  });

  it("compares the first call of a day with the stock's last trigger 2 of the day before", async () => {
    const db = await storeWith([log('prediction-cap.log'), log('prediction-cap-next-day.log')]);
    const run = await anomalies(db, ['--until', '2025-11-06', '--json']);
    expect(run.code).toBe(1);
    expect(entries(run.json())).toEqual([
      { kind: 'repeated_new_prediction', stock_code: '005930', first_ts: '2025-11-06T08:00:00+09:00', last_ts: '2025-11-06T08:00:00+09:00', count: 1 },
    ]);
  });

  it('counts both days when the window holds both, dating the rows of the table', async () => {
    const db = await storeWith([log('prediction-cap.log'), log('prediction-cap-next-day.log')]);
    const text = await anomalies(db, ['--days', '2', '--until', '2025-11-06']);
    expect(text.stdout).toContain('│ repeated_new_prediction │ 005930 │ 11-05 10:11–11-06 08:00 │     6 │');
    const doc = (await anomalies(db, ['--days', '2', '--until', '2025-11-06', '--json'])).json();
    expect(doc.from).toBe('2025-11-05T00:00:00+09:00');
    const repeated = doc.anomalies.filter((a: any) => a.kind === 'repeated_new_prediction');
    expect(repeated.map((a: any) => [a.stock_code, a.count, a.last_ts])).toEqual([
      ['005930', 6, '2025-11-06T08:00:00+09:00'],
      ['000660', 4, '2025-11-05T16:20:00+09:00'],
    ]);
  });

  it('takes its thresholds from the config', async () => {
    const db = await storeWith([log('prediction-cap.log')]);
    const dir = tempDir();
    let n = 0;
    const storms = async (anomalies: object) => {
      const config = path.join(dir, `ops-${n++}.json`);
      fs.writeFileSync(config, JSON.stringify({ anomalies }));
      const doc = (await cli(['--db', db, '--config', config, 'anomalies', '--until', '2025-11-05', '--json'])).json();
      return doc.anomalies.filter((a: any) => a.kind === 'update_storm').map((a: any) => a.count);
    };
    // Six attempts in 50 minutes (10:02 10:11 10:19 10:30 10:41 10:52), never more than three within 20.
    expect(await storms({ stormAttempts: 5 })).toEqual([6]);
    expect(await storms({ stormAttempts: 6 })).toEqual([]);
    expect(await storms({ stormAttempts: 3, stormWindowMinutes: 20 })).toEqual([]);
    // Three within 20 minutes from 10:02 and from 10:11 make one storm to 10:30; 10:41 and 10:52 are two apart.
    expect(await storms({ stormAttempts: 2, stormWindowMinutes: 20 })).toEqual([4]);
  });

  it('prints a table and the details for a person', async () => {
    const db = await storeWith([log('prediction-cap.log')]);
    const run = await anomalies(db, ['--until', '2025-11-05']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/Anomalies, 2025-11-05 \(1 day, KST\): 3 found/);
    expect(run.stdout).toContain('│ update_storm            │ 005930 │ 10:02–10:52 │     6 │     6 │ $0.006 │');
    expect(run.stdout).toContain('  repeated_new_prediction 000660: trigger 2 (새 예측 추가) fires with 기존: 20, 현재: 45 on every call');
    // The table fits a terminal of 80 columns.
    for (const line of run.stdout.split('\n').filter((l) => /^[┌│├└]/.test(l))) expect(line.length).toBeLessThanOrEqual(80);
  });

  it('defaults to today (KST) for cron', async () => {
    const db = await storeWith([log('prediction-cap.log')]);
    const lateThatDay = Date.parse('2025-11-05T23:55:00+09:00');
    const today = await anomalies(db, ['--json'], { now: lateThatDay });
    expect(today.code).toBe(1);
    expect(today.json().from).toBe('2025-11-05T00:00:00+09:00');
    const nextDay = await anomalies(db, ['--json'], { now: lateThatDay + 10 * 60_000 });
    expect(nextDay.code).toBe(0);
    expect(nextDay.json().anomalies).toEqual([]);
    expect(nextDay.stderr).toMatch(/warning: the logs end at 2025-11-05T23:50:00\+09:00, before the window/);
  });
});

describe('anomalies over several hosts', () => {
  /** Each host writes its own log (the same records; a start-up line of its own): the same bytes would count once. */
  const twoHosts = async (name: string) => {
    const db = tempStore();
    const dir = tempDir();
    for (const [i, host] of ['web-1', 'web-2'].entries()) {
      const own = path.join(dir, `${host}.log`);
      fs.writeFileSync(own, `INFO:     Started server process [${i + 1}]\n` + fs.readFileSync(log(name), 'utf8'));
      expect((await cli(['--db', db, 'ingest', '--source-host', host, own])).code).toBe(0);
    }
    return db;
  };

  it("compares a trigger 2 with the previous one of the same host, not with another host's", async () => {
    const run = await anomalies(await twoHosts('healthy.log'), ['--until', '2025-11-04', '--json']);
    expect(run.json().anomalies).toEqual([]);
    expect(run.code).toBe(0);
  });

  it('adds up the repeats of every host per stock, and counts a storm over the fleet', async () => {
    const doc = (await anomalies(await twoHosts('prediction-cap.log'), ['--until', '2025-11-05', '--json'])).json();
    expect(doc.anomalies.map((a: any) => [a.kind, a.stock_code, a.count])).toEqual([
      ['update_storm', '005930', 12],
      ['repeated_new_prediction', '005930', 10],
      ['repeated_new_prediction', '000660', 8],
    ]);
    expect(doc.anomalies[0].detail).toContain('on 2 hosts (web-1, web-2)');
  });
});

describe('anomalies in A/B mode', () => {
  it('finds every silent failure, one entry per stock, with the calls of both models', async () => {
    const db = await storeWith([log('ab-silent.log')]);
    const run = await anomalies(db, ['--until', '2025-11-06', '--json']);
    expect(run.code).toBe(1);
    const doc = run.json();
    expect(entries(doc)).toEqual([
      { kind: 'silent_failure', stock_code: '005930', first_ts: '2025-11-06T09:15:01+09:00', last_ts: '2025-11-06T11:40:00+09:00', count: 2 },
      { kind: 'silent_failure', stock_code: '000660', first_ts: '2025-11-06T13:30:00+09:00', last_ts: '2025-11-06T13:30:00+09:00', count: 1 },
    ]);
    expect(doc.anomalies.map((a: any) => a.mode)).toEqual(['ab', 'ab']);
    const failedGenerations = linesOf(log('ab-silent.log'), /A\/B 종합 리포트 실패/).length;
    expect(doc.anomalies.reduce((n: number, a: any) => n + a.count, 0)).toBe(failedGenerations);
    // This log predates [LLM_COST]: an A/B generation is two calls at $0.001.
    expect(doc.anomalies.map((a: any) => [a.llm_calls, a.cost_usd])).toEqual([[4, 0.004], [2, 0.002]]);
    expect(doc.anomalies[1].detail).toMatch(/^A\/B generation failed 1× \(last error: Connection error\.\) yet the update was logged as complete: the placeholder report \(empty A\/B reports\) is live for 000660 since 2025-11-06 13:3\d KST/);
    // 13:30 is in trading: the TTL that must pass before a TTL trigger replaces the placeholder.
    expect(doc.anomalies[1].detail).toContain('no TTL trigger will replace it until the phase TTL has passed (2 h in trading)');
  });

  it('finds the silent failure of the shared day log', async () => {
    const db = await storeWith([fixture('logs', 'day.log')]);
    const run = await anomalies(db, ['--until', '2025-11-04', '--json']);
    expect(run.code).toBe(1);
    expect(entries(run.json())).toEqual([
      { kind: 'silent_failure', stock_code: '035720', first_ts: '2025-11-04T12:05:00+09:00', last_ts: '2025-11-04T12:05:00+09:00', count: 1 },
    ]);
  });
});

describe('anomalies on a burst of failures', () => {
  it('reports each spike, with a stock only when all its failures are of one stock', async () => {
    const db = await storeWith([log('failure-burst.log')]);
    const run = await anomalies(db, ['--until', '2025-11-07', '--json']);
    expect(run.code).toBe(1);
    const doc = run.json();
    expect(entries(doc)).toEqual([
      { kind: 'failure_spike', stock_code: null, first_ts: '2025-11-07T13:00:01+09:00', last_ts: '2025-11-07T13:20:00+09:00', count: 4 },
      { kind: 'failure_spike', stock_code: '051910', first_ts: '2025-11-07T20:00:00+09:00', last_ts: '2025-11-07T20:40:00+09:00', count: 3 },
    ]);
    expect(doc.anomalies[0].detail).toBe(
      '4 failed updates in 20 min across 4 stocks (005930, 000660, 035720, 005380); most common error (3×): Error code: 503 - Service Unavailable; 4 LLM calls, $0.004',
    );
  });

  it('needs failureSpikeCount failures for a spike', async () => {
    const db = await storeWith([log('failure-burst.log')]);
    const config = path.join(tempDir(), 'ops.json');
    fs.writeFileSync(config, JSON.stringify({ anomalies: { failureSpikeCount: 4 } }));
    const doc = (await anomalies(db, ['--until', '2025-11-07', '--json'], { env: { CRAVENY_OPS_CONFIG: config } })).json();
    expect(entries(doc).map((e) => [e.stock_code, e.count])).toEqual([[null, 4]]);
  });
});

describe('anomalies on a log written in UTC', () => {
  it('reports phase_mismatch when it was ingested as KST, and suggests --log-tz UTC', async () => {
    const db = await storeWith([log('utc-written.log')]);
    // Soon after its last line: at midnight the log (read as KST) would also be stale_logs.
    const run = await anomalies(db, ['--until', '2025-11-04', '--json'], { now: Date.parse('2025-11-04T15:00:00+09:00') });
    expect(run.code).toBe(1);
    const doc = run.json();
    expect(entries(doc)).toEqual([
      { kind: 'phase_mismatch', stock_code: null, first_ts: '2025-11-04T00:40:00+09:00', last_ts: '2025-11-04T12:30:00+09:00', count: 6 },
    ]);
    expect(doc.anomalies[0].detail).toMatch(/^6 of 6 decisions name a market phase that does not fit their time; .*--log-tz UTC$/);
    expect(doc.anomalies[0]).not.toHaveProperty('llm_calls');
  });

  it('finds nothing once it is ingested with --log-tz UTC', async () => {
    const db = await storeWith([log('utc-written.log')], 'UTC');
    const run = await anomalies(db, ['--until', '2025-11-04', '--json']);
    expect(run.json().anomalies).toEqual([]);
    expect(run.code).toBe(0);
  });
});

describe('anomalies on broken trigger rules', () => {
  it('reports every day1 violation, one entry per stock', async () => {
    const db = await storeWith([log('rule-violations.log')]);
    const run = await anomalies(db, ['--until', '2025-11-10', '--json']);
    expect(run.code).toBe(1);
    const doc = run.json();
    expect(entries(doc)).toEqual([
      { kind: 'rule_violation', stock_code: '005930', first_ts: '2025-11-10T10:30:00+09:00', last_ts: '2025-11-10T10:30:00+09:00', count: 1 },
      { kind: 'rule_violation', stock_code: '000660', first_ts: '2025-11-10T11:00:00+09:00', last_ts: '2025-11-10T11:00:00+09:00', count: 1 },
      { kind: 'rule_violation', stock_code: '035720', first_ts: '2025-11-10T20:00:00+09:00', last_ts: '2025-11-10T22:00:00+09:00', count: 2 },
    ]);
    // Skips make no LLM calls; the violating updates made one each.
    expect(doc.anomalies.map((a: any) => a.llm_calls)).toEqual([1, 1, 0]);
    expect(doc.anomalies[2].detail).toBe('skipped at age 7.5h, past the after_hours TTL of 6h (+1 more); no LLM calls');
  });
});

describe('skips past the TTL, by the configured rules', () => {
  it('counts a skip at 5.9h once the after_hours TTL is configured at 5h, and not at the default 6h', async () => {
    const db = await storeWith([log('rule-violations.log')]);
    const config = path.join(tempDir(), 'ops.json');
    fs.writeFileSync(config, JSON.stringify({ rules: { after_hours: { ttlHours: 5, priceThreshold: 5.0, directionThreshold: 0.2 } } }));
    // Violations are one entry per stock: 005930 also has a TTL update too early.
    const counts = (doc: any) => Object.fromEntries(doc.anomalies.filter((a: any) => a.kind === 'rule_violation').map((a: any) => [a.stock_code, a.count]));
    const byDefault = (await anomalies(db, ['--until', '2025-11-10', '--json'])).json();
    expect(counts(byDefault)).toEqual({ '005930': 1, '000660': 1, '035720': 2 });
    const configured = (await anomalies(db, ['--until', '2025-11-10', '--json'], { env: { CRAVENY_OPS_CONFIG: config } })).json();
    expect(counts(configured)).toEqual({ '005930': 2, '000660': 1, '035720': 2 });
  });
});

describe('anomalies options', () => {
  it.each([
    [['--days', '0'], /--days must be a whole number from 1 to 30/],
    [['--days', '31'], /--days must be a whole number from 1 to 30/],
    [['--until', '2025-13-01'], /--until must be a day \(YYYY-MM-DD\) or a time/],
    [['--notify-webhook', 'ftp://hooks.example/secret-token'], /--notify-webhook must be an http:\/\/ or https:\/\/ URL/],
  ])('rejects %j with exit 2 and one line', async (args, message) => {
    const run = await anomalies(tempStore(), args as string[]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).not.toContain('secret-token');
  });

  it('warns when the store holds no logs', async () => {
    const run = await anomalies(tempStore(), ['--json']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/warning: the store holds no logs yet/);
  });
});

describe('update storms and failure spikes: merging overlapping windows', () => {
  const at = (...minutes: number[]) => minutes.map((m) => ({ ts: m * 60_000 }));

  it('merges overlapping windows into one run', () => {
    // Each 60-minute window from 0 to 100 holds four attempts; together they are one storm of six.
    expect(bursts(at(0, 20, 40, 60, 80, 100), 60 * 60_000, 4)).toEqual([at(0, 20, 40, 60, 80, 100)]);
  });

  it('keeps separate runs apart and leaves out stragglers', () => {
    expect(bursts(at(0, 5, 10, 15, 200, 300, 301, 302, 303, 400), 60 * 60_000, 4)).toEqual([at(0, 5, 10, 15), at(300, 301, 302, 303)]);
  });

  it('counts a window of exactly the span as within it', () => {
    expect(bursts(at(0, 20, 40, 60), 60 * 60_000, 4)).toEqual([at(0, 20, 40, 60)]);
    expect(bursts(at(0, 20, 40, 61), 60 * 60_000, 4)).toEqual([]);
  });
});

describe('anomalies on PostgreSQL', () => {
  afterAll(() => stopPg());

  it('gives the very document the SQLite store gives, for every fixture at once', async () => {
    const files = ['healthy.log', 'prediction-cap.log', 'prediction-cap-next-day.log', 'ab-silent.log', 'failure-burst.log', 'utc-written.log', 'rule-violations.log'].map(log);
    const pg = await freshDatabase('anomalies');
    try {
      const printed: string[] = [];
      for (const spec of [tempStore(), pg.url]) {
        expect((await cli(['--db', spec, 'ingest', ...files])).code).toBe(0);
        const run = await cli(['--db', spec, 'anomalies', '--days', '10', '--until', '2025-11-10', '--json']);
        expect(run.code).toBe(1);
        printed.push(run.stdout);
      }
      expect(JSON.parse(printed[0]).anomalies.map((a: any) => a.kind)).toEqual(expect.arrayContaining(['update_storm', 'repeated_new_prediction', 'failure_spike', 'silent_failure', 'rule_violation', 'phase_mismatch']));
      expect(printed[1]).toBe(printed[0]);
    } finally {
      await pg.drop();
    }
  });
});

describe('craveny-ops anomalies, the binary', () => {
  it('exits 1 with the JSON document on stdout for cron', () => {
    if (!fs.existsSync(path.join(ROOT, 'dist', 'src', 'cli.js'))) throw new Error('run `npm run build` first (npm test does)');
    const db = tempStore();
    expect(bin(['--db', db, 'ingest', log('failure-burst.log')]).code).toBe(0);
    const run = bin(['--db', db, 'anomalies', '--until', '2025-11-07', '--json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout).anomalies.map((a: any) => a.kind)).toEqual(['failure_spike', 'failure_spike']);
    const healthy = tempStore();
    expect(bin(['--db', healthy, 'ingest', log('healthy.log')]).code).toBe(0);
    expect(bin(['--db', healthy, 'anomalies', '--until', '2025-11-04'])).toMatchObject({ code: 0, stderr: '' });
  });
});
