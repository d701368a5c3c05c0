/**
 * Never silent when the logs stop: stale_logs fires when the window reaches the present and the
 * log end is older than anomalies.maxLogSilenceMinutes, saying whether ingest or the backend
 * stopped; every windowed document carries log_end; stats and cost warn.
 */
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { buildApp } from '../src/server/app.js';
import { openStore } from '../src/store/store.js';
import { cli, fixture, tempDir, tempStore } from './helpers.js';

const at = (iso: string) => Date.parse(iso);
const LOG_END = '2025-11-04T23:50:00+09:00'; // the last line of healthy.log
const INGESTED_AT = at('2025-11-04T23:55:00+09:00');
const MINUTE = 60_000;

async function store(): Promise<string> {
  const db = tempStore();
  const run = await cli(['--db', db, 'ingest', fixture('anomalies', 'healthy.log')], { now: INGESTED_AT });
  expect(run.code, run.stderr).toBe(0);
  return db;
}

const anomaliesAt = (db: string, now: number, args: string[] = [], env: NodeJS.ProcessEnv = {}) => cli(['--db', db, 'anomalies', '--json', ...args], { now, env });

describe('stale_logs', () => {
  it('is not found while the silence is exactly the limit (exit 0), and is one ms later (exit 1)', async () => {
    const db = await store();
    const limit = at(LOG_END) + 60 * MINUTE;
    const quiet = await anomaliesAt(db, limit);
    expect(quiet.code).toBe(0);
    expect(quiet.json()).toEqual({ from: '2025-11-05T00:00:00+09:00', until: '2025-11-06T00:00:00+09:00', log_end: LOG_END, anomalies: [] });
    // Today's window has no lines yet: said, but within the limit not an anomaly.
    expect(quiet.stderr).toBe(`warning: the logs end at ${LOG_END}, before the window; ingest the latest logs first\n`);

    const stale = await anomaliesAt(db, limit + 1);
    expect(stale.code).toBe(1);
    expect(stale.json().anomalies).toEqual([
      {
        kind: 'stale_logs',
        stock_code: null,
        first_ts: LOG_END,
        last_ts: '2025-11-05T00:50:00.001+09:00',
        count: 1,
        detail:
          'no log line since 2025-11-04 23:50 KST (60 min ago; limit 60 min); ingest last ran at 2025-11-04 23:55 (55 min ago) and found nothing newer: ' +
          'the backend stopped writing its log (or writes it elsewhere)',
        new: true,
      },
    ]);
    expect(stale.stderr).toMatch(/^warning: the logs end at 2025-11-04T23:50:00\+09:00, 60 min ago: the window holds nothing after that; /);
  });

  it('says the ingest job stopped when the last ingest run is older than the limit too', async () => {
    const db = await store();
    const run = await anomaliesAt(db, at('2025-11-05T02:00:00+09:00'));
    expect(run.code).toBe(1);
    expect(run.json().anomalies[0].detail).toBe(
      'no log line since 2025-11-04 23:50 KST (130 min ago; limit 60 min); ingest last ran at 2025-11-04 23:55 (125 min ago): the ingest job has stopped (check its cron job or timer)',
    );
  });

  it('takes the latest ingest run of any host sharing the store: one host still ingesting means ingest is alive', async () => {
    const db = await store();
    // Another host's ingest job ran last hours earlier and stopped; this host's ran at 23:55.
    const raw = new SQLite(db);
    raw.prepare('insert into ingest_runs (host, finished_at) values (?, ?)').run('retired-host', at('2025-11-04T20:00:00+09:00'));
    raw.close();
    const run = await anomaliesAt(db, at(LOG_END) + 60 * MINUTE + 1);
    expect(run.json().anomalies[0].detail).toMatch(/; ingest last ran at 2025-11-04 23:55 \(55 min ago\) and found nothing newer: the backend stopped writing/);
  });

  it('says so when no ingest run is recorded at all', async () => {
    const db = await store();
    const raw = new SQLite(db);
    raw.prepare('delete from ingest_runs').run();
    raw.close();
    const run = await anomaliesAt(db, at('2025-11-05T02:00:00+09:00'));
    expect(run.json().anomalies[0].detail).toMatch(/; no ingest run is recorded in this store: the ingest job is not running/);
  });

  it('is only judged for a window that reaches the present', async () => {
    const db = await store();
    const past = await anomaliesAt(db, at('2025-11-05T02:00:00+09:00'), ['--until', '2025-11-04']);
    expect(past.code).toBe(0);
    expect(past.json().anomalies).toEqual([]);
    expect(past.stderr).toBe('');
    // A window that ends where the present is (the run's until is now) reaches it.
    const wide = await anomaliesAt(db, at('2025-11-05T02:00:00+09:00'), ['--days', '3']);
    expect(wide.json().anomalies.map((a: any) => a.kind)).toEqual(['stale_logs']);
  });

  it('follows anomalies.maxLogSilenceMinutes, and rejects a value that is not a positive number', async () => {
    const db = await store();
    const config = path.join(tempDir(), 'config.json');
    fs.writeFileSync(config, JSON.stringify({ anomalies: { maxLogSilenceMinutes: 10 } }));
    const env = { CRAVENY_OPS_CONFIG: config };
    expect((await anomaliesAt(db, at(LOG_END) + 10 * MINUTE, [], env)).code).toBe(0);
    const run = await anomaliesAt(db, at(LOG_END) + 11 * MINUTE, [], env);
    expect(run.code).toBe(1);
    expect(run.json().anomalies[0].detail).toMatch(/\(11 min ago; limit 10 min\)/);
    for (const bad of [0, -5, '60']) {
      fs.writeFileSync(config, JSON.stringify({ anomalies: { maxLogSilenceMinutes: bad } }));
      const rejected = await anomaliesAt(db, at(LOG_END), [], env);
      expect(rejected.code).toBe(2);
      expect(rejected.stderr).toMatch(/^craveny-ops: config .*: anomalies\.maxLogSilenceMinutes: .*\n$/);
    }
  });

  it('is the same anomaly (same first time) in every run of one silence: alerted once', async () => {
    const db = await store();
    const first = (await anomaliesAt(db, at('2025-11-05T01:00:00+09:00'))).json().anomalies[0];
    const later = (await anomaliesAt(db, at('2025-11-05T03:00:00+09:00'))).json().anomalies[0];
    expect([first.first_ts, later.first_ts]).toEqual([LOG_END, LOG_END]);
  });
});

describe('log_end in every windowed document, and warnings', () => {
  it('stats and cost carry log_end and warn when the logs stopped, as anomalies does', async () => {
    const db = await store();
    for (const command of ['stats', 'cost']) {
      const fresh = await cli(['--db', db, command, '--json', '--days', '2'], { now: at(LOG_END) + 60 * MINUTE });
      expect(fresh.code).toBe(0);
      expect(fresh.json().log_end).toBe(LOG_END);
      expect(fresh.stderr).toBe('');
      const stale = await cli(['--db', db, command, '--json', '--days', '1'], { now: at('2025-11-05T02:00:00+09:00') });
      expect(stale.code).toBe(0);
      expect(stale.stderr).toBe(
        'warning: the logs end at 2025-11-04T23:50:00+09:00, 130 min ago: the window holds nothing after that; ingest the latest logs first (anomalies reports this as stale_logs)\n',
      );
      const after = await cli(['--db', db, command, '--json', '--until', '2025-11-10', '--days', '2'], { now: at('2025-11-12T12:00:00+09:00') });
      expect(after.stderr).toBe('warning: the logs end at 2025-11-04T23:50:00+09:00, before the window; ingest the latest logs first\n');
    }
  });

  it('warns that the logs end before the window only when the last line is before its first millisecond', async () => {
    const endingAt = async (time: string) => {
      const db = tempStore();
      const file = path.join(tempDir('craveny-log-end-'), 'backend.log');
      fs.writeFileSync(file, `${time} - backend.services.stock_analysis_service - INFO - 종목 005930 업데이트 시작: 강제 업데이트 또는 리포트 없음\n`);
      expect((await cli(['--db', db, 'ingest', file])).code).toBe(0);
      // A past window (now is days later), so only "before the window" can be said.
      return cli(['--db', db, 'stats', '--json', '--days', '1', '--until', '2025-11-05'], { now: at('2025-11-10T12:00:00+09:00') });
    };
    const atStart = await endingAt('2025-11-05 00:00:00,000');
    expect(atStart.json().log_end).toBe('2025-11-05T00:00:00+09:00');
    expect(atStart.stderr).toBe('');
    const justBefore = await endingAt('2025-11-04 23:59:59,999');
    expect(justBefore.stderr).toBe('warning: the logs end at 2025-11-04T23:59:59.999+09:00, before the window; ingest the latest logs first\n');
  });

  it('is null on an empty store, with the warning', async () => {
    const run = await cli(['--db', tempStore(), 'cost', '--json']);
    expect(run.json().log_end).toBeNull();
    expect(run.stderr).toBe('warning: the store holds no logs yet; run craveny-ops ingest first\n');
  });

  it('the report data carries it in its stats, cost and anomalies, and the API in its stats', async () => {
    const db = await store();
    const file = path.join(tempDir(), 'report.html');
    expect((await cli(['--db', db, 'report', '--html', file, '--days', '1', '--until', '2025-11-04'])).code).toBe(0);
    const html = fs.readFileSync(file, 'utf8');
    const start = html.indexOf('<script type="application/json" id="report-data">');
    const island = JSON.parse(html.slice(html.indexOf('>', start) + 1, html.indexOf('</script', start)));
    expect([island.log_end, island.stats.log_end, island.cost.log_end, island.anomalies.log_end]).toEqual([LOG_END, LOG_END, LOG_END, LOG_END]);

    const opened = await openStore(db);
    try {
      const app = await buildApp({ db: opened.db, config: await loadConfig(undefined, {}), now: () => at('2025-11-05T00:00:00+09:00') });
      for (const url of ['/admin/report-updates/stats?days=1&until=2025-11-04', '/admin/report-updates/cost?days=1&until=2025-11-04', '/admin/anomalies?days=1&until=2025-11-04']) {
        const response = await app.inject({ method: 'GET', url });
        expect(response.statusCode).toBe(200);
        expect(response.json().log_end).toBe(LOG_END);
      }
      await app.close();
    } finally {
      await opened.close();
    }
  });
});
