/** `craveny-ops metrics`: Prometheus text that a real parser reads, with the fixture's numbers, written atomically. */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { attemptSummariesIn } from '../src/analysis/attempts.js';
import { durationSeconds } from '../src/analysis/durations.js';
import { openStore } from '../src/store/store.js';
import { cli, fixture, tempDir, tempStore } from './helpers.js';

interface Sample {
  value: string;
  labels?: Record<string, string>;
}
interface Family {
  name: string;
  help: string;
  type: string;
  metrics: Sample[];
}
// The parser ships no types; it is the exposition-format parser Prometheus' own JS clients test against.
const parsePrometheus = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => Family[];

const DAY = fixture('logs', 'day.log');
const KST = (t: string) => Date.parse(`${t}+09:00`);

/** Samples of one family as `labels → value`, labels written `k=v,k=v` in name order. */
function series(families: Family[], name: string): Map<string, number> {
  const family = families.find((f) => f.name === name);
  if (!family) throw new Error(`no metric ${name}`);
  return new Map(
    family.metrics.map((m) => [
      Object.entries(m.labels ?? {})
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
      Number(m.value),
    ]),
  );
}
/**
 * A histogram's samples by its one other label (the parser at hand folds labelled histograms into one):
 * buckets (upper bound → cumulative count), sum and count.
 */
function histogram(text: string, name: string): Map<string, { buckets: Map<number, number>; sum: number; count: number }> {
  const out = new Map<string, { buckets: Map<number, number>; sum: number; count: number }>();
  const line = new RegExp(`^${name}_(bucket|sum|count)\\{phase="(\\w+)"(?:,le="([^"]+)")?\\} (\\S+)$`);
  for (const l of text.split('\n')) {
    const m = line.exec(l);
    if (!m) continue;
    const h = out.get(m[2]) ?? { buckets: new Map(), sum: 0, count: 0 };
    if (m[1] === 'bucket') h.buckets.set(m[3] === '+Inf' ? Infinity : Number(m[3]), Number(m[4]));
    else h[m[1] as 'sum' | 'count'] = Number(m[4]);
    out.set(m[2], h);
  }
  return out;
}
const value = (families: Family[], name: string, labels = '') => series(families, name).get(labels);
/** True when `labels` (as series() writes them) has label `name` equal to `v`. */
const has = (labels: string, name: string, v: string) => labels.split(',').includes(`${name}=${v}`);
const sum = (m: Map<string, number>, filter: (labels: string) => boolean = () => true) =>
  [...m].filter(([l]) => filter(l)).reduce((s, [, v]) => s + v, 0);

describe('craveny-ops metrics', () => {
  let db: string;
  let text: string;
  let families: Family[];

  beforeAll(async () => {
    db = tempStore();
    expect((await cli(['--db', db, 'ingest', DAY])).code).toBe(0);
    const run = await cli(['--db', db, 'metrics']);
    expect(run.code).toBe(0);
    text = run.stdout;
    families = parsePrometheus(text);
  });

  it('prints text a Prometheus exposition parser reads, every family typed and explained', () => {
    expect(families.length).toBeGreaterThan(8);
    for (const f of families) {
      expect(f.name).toMatch(/^craveny_[a-z_]+$/);
      expect(['COUNTER', 'GAUGE', 'HISTOGRAM']).toContain(f.type);
      expect(f.help.length).toBeGreaterThan(10);
      if (f.type === 'COUNTER') expect(f.name).toMatch(/_total$/);
    }
  });

  it('follows the naming rules: base units, no stock codes in labels', () => {
    // Codes are [0-9A-Z]{6} (KRX codes may carry a capital letter).
    expect(text).not.toMatch(/stock_code|\b[0-9A-Z]{6}\b="|="[0-9A-Z]{6}"/);
    for (const f of families) for (const m of f.metrics) for (const v of Object.values(m.labels ?? {})) expect(v).not.toMatch(/^[0-9A-Z]{6}$/);
    expect(families.map((f) => f.name)).not.toContainEqual(expect.stringMatching(/_(hours|minutes|milliseconds)\b/));
  });

  it('counts the decided attempts of the fixture by reason, phase and outcome', async () => {
    const updates = series(families, 'craveny_report_updates_total');
    // The fixture's hand count: 10 attempts, 6 succeeded and 4 failed, none in flight at its end.
    expect(sum(updates)).toBe(10);
    expect(sum(updates, (l) => has(l, 'outcome', 'succeeded'))).toBe(6);
    expect(sum(updates, (l) => has(l, 'outcome', 'failed'))).toBe(4);
    expect(value(families, 'craveny_report_updates_in_flight')).toBe(0);
    // …and they agree with stats over a window holding the whole store.
    const stats = (await cli(['--db', db, 'stats', '--json', '--days', '30', '--until', '2025-11-04'])).json();
    for (const { reason, count } of stats.update_reasons) expect(sum(updates, (l) => has(l, 'reason', reason))).toBe(count);
    for (const [phase, count] of Object.entries(stats.market_phases)) expect(sum(updates, (l) => has(l, 'phase', phase))).toBe(count);
    expect(updates.get('outcome=succeeded,phase=pre_market,reason=new_prediction')).toBe(1);
    expect(updates.get('outcome=failed,phase=after_hours,reason=new_prediction')).toBe(1);
  });

  it('splits the failures by cause and counts the silent failure by mode', () => {
    // 09:15 000660 timed out, 12:05 035720 A/B failed; 13:00 000660 raised on commit; 21:30 000660 abandoned.
    expect(series(families, 'craveny_report_update_failures_total')).toEqual(
      new Map([
        ['cause=generation_failed', 2],
        ['cause=update_error', 1],
        ['cause=abandoned', 1],
      ]),
    );
    // By mode: the placeholder saved after 035720's A/B failure; no single-model one.
    expect(series(families, 'craveny_report_silent_failures_total')).toEqual(
      new Map([
        ['mode=single', 0],
        ['mode=ab', 1],
      ]),
    );
  });

  it('starts every known label set of the updates counter at zero, so increase() sees a first failure', async () => {
    const empty = parsePrometheus((await cli(['--db', tempStore(), 'metrics'])).stdout);
    const updates = series(empty, 'craveny_report_updates_total');
    // 6 reasons × 5 phases × 2 outcomes.
    expect(updates.size).toBe(60);
    expect([...updates.values()].every((v) => v === 0)).toBe(true);
    expect(series(empty, 'craveny_report_silent_failures_total')).toEqual(new Map([['mode=single', 0], ['mode=ab', 0]]));
    expect(series(empty, 'craveny_report_update_skips_total').size).toBe(5);
    expect(series(empty, 'craveny_reports').size).toBe(5);
    // The fixture's store: the same 60 series, the fixture's counts among them.
    expect(series(families, 'craveny_report_updates_total').size).toBe(60);
    expect(updates.get('outcome=failed,phase=market_close,reason=price_move')).toBe(0);
  });

  it('exports attempt durations as a histogram by phase, counted like durations.ts', async () => {
    const hist = histogram(text, 'craveny_report_update_duration_seconds');
    expect([...hist.keys()]).toEqual(['pre_market', 'market_open', 'trading', 'market_close', 'after_hours']);
    const store = await openStore(db);
    const attempts = await attemptSummariesIn(store.db, { fromMs: 0, untilMs: Number.MAX_SAFE_INTEGER });
    await store.close();
    for (const [phase, h] of hist) {
      const durations = attempts.filter((a) => a.phase === phase).map(durationSeconds).filter((d): d is number => d !== null);
      expect(h.count, phase).toBe(durations.length);
      expect(h.sum, phase).toBeCloseTo(durations.reduce((x, y) => x + y, 0), 6);
      for (const [le, n] of h.buckets) expect(n, `${phase} le=${le}`).toBe(durations.filter((d) => d <= le).length);
      expect(h.buckets.get(Infinity)).toBe(h.count);
    }
    // 10 attempts, one abandoned (no outcome record, no duration).
    expect([...hist.values()].reduce((s, h) => s + h.count, 0)).toBe(9);
    // Buckets fit generations of 1–120 s.
    const bounds = [...hist.get('trading')!.buckets.keys()];
    expect(bounds.filter((b) => b >= 1 && b <= 120).length).toBeGreaterThanOrEqual(8);
    expect(bounds).toContain(120);
  });

  it('counts skips for every phase, zeros included', () => {
    expect(series(families, 'craveny_report_update_skips_total')).toEqual(
      new Map([
        ['phase=pre_market', 1],
        ['phase=market_open', 1],
        ['phase=trading', 1],
        ['phase=market_close', 0],
        ['phase=after_hours', 1],
      ]),
    );
  });

  it('counts LLM calls and their cost, an [LLM_COST] line of an A/B attempt as two calls', () => {
    // 10 [LLM_COST] lines, two of them (11:20 005930, 12:05 035720) of A/B attempts: 12 calls at $0.001.
    expect(value(families, 'craveny_llm_calls_total')).toBe(12);
    expect(value(families, 'craveny_llm_cost_usd_total')).toBeCloseTo(0.012, 9);
  });

  it('gives the oldest report age at the log end, by the phase its report was made in', () => {
    const end = KST('2025-11-04T23:59:00');
    expect(value(families, 'craveny_log_end_timestamp_seconds')).toBe(end / 1000);
    expect(families.map((f) => f.name)).not.toContain('craveny_report_age_seconds');
    expect(series(families, 'craveny_oldest_report_age_seconds')).toEqual(
      new Map([
        // 035720's last success 09:15:45.100 (forced, market_open); 000660's 10:40:12.100 (price move); 005930's 15:45:07.100.
        ['phase=market_open', (end - KST('2025-11-04T09:15:45.100')) / 1000],
        ['phase=trading', (end - KST('2025-11-04T10:40:12.100')) / 1000],
        ['phase=after_hours', (end - KST('2025-11-04T15:45:07.100')) / 1000],
      ]),
    );
    expect(sum(series(families, 'craveny_reports'))).toBe(3);
    expect(value(families, 'craveny_reports', 'phase=market_close')).toBe(0);
    expect(value(families, 'craveny_stocks_seen')).toBe(3);
  });

  it('counts the stocks in an update storm at the log end, by the configured limit', async () => {
    // The fixture's log end is 23:59; its last hour holds one attempt (000660 at 21:30 is earlier still).
    expect(value(families, 'craveny_stocks_in_update_storm')).toBe(0);
    const storm = [0, 10, 20, 30].map((m) => `2025-11-04 23:${String(m + 20).padStart(2, '0')}:00,000 - backend.services.stock_analysis_service - INFO - 종목 005930 업데이트 시작: 강제 업데이트 또는 리포트 없음`);
    const store = tempStore();
    await cli(['--db', store, 'ingest', '-'], { stdin: [...fs.readFileSync(DAY, 'utf8').trimEnd().split('\n'), ...storm].join('\n') + '\n' });
    // Four attempts of 005930 within the hour: more than 3 is a storm; with a limit of 4 it is not.
    expect(value(parsePrometheus((await cli(['--db', store, 'metrics'])).stdout), 'craveny_stocks_in_update_storm')).toBe(1);
    const config = path.join(tempDir(), 'config.json');
    fs.writeFileSync(config, JSON.stringify({ anomalies: { stormAttempts: 4 } }));
    expect(value(parsePrometheus((await cli(['--db', store, '--config', config, 'metrics'])).stdout), 'craveny_stocks_in_update_storm')).toBe(0);
  });

  it('counts a storm whose four attempts span exactly the window, as the update_storm anomaly does', async () => {
    // 10:00, 10:20, 10:40 and 11:00:00.000, the log's last line: 60:00 from first to last.
    const line = (time: string, text: string) => `2025-11-04 ${time},000 - backend.services.stock_analysis_service - INFO - ${text}`;
    const lines = ['10:00:00', '10:20:00', '10:40:00', '11:00:00'].flatMap((t, i) => [
      line(t, '종목 005930 업데이트 시작: 강제 업데이트 또는 리포트 없음'),
      ...(i < 3 ? [line(t.replace(':00:00', ':00:30').replace(':20:00', ':20:30').replace(':40:00', ':40:30'), '종목 005930의 분석 요약 업데이트 완료')] : []),
    ]);
    const store = tempStore();
    expect((await cli(['--db', store, 'ingest', '-'], { stdin: lines.join('\n') + '\n' })).code).toBe(0);
    const anomalies = (await cli(['--db', store, 'anomalies', '--json', '--days', '1', '--until', '2025-11-04'])).json();
    expect(anomalies.anomalies.filter((a: { kind: string }) => a.kind === 'update_storm')).toHaveLength(1);
    expect(value(parsePrometheus((await cli(['--db', store, 'metrics'])).stdout), 'craveny_stocks_in_update_storm')).toBe(1);
  });

  it('stamps the last ingest run with the clock of that run', () => {
    // test/helpers pins the clock at 2025-11-05 00:00 KST.
    expect(value(families, 'craveny_ingest_last_run_timestamp_seconds')).toBe(KST('2025-11-05T00:00:00') / 1000);
  });

  it('counts an attempt near the log end as in flight, not as a finished update', async () => {
    const lines = fs.readFileSync(DAY, 'utf8').split('\n');
    const cut = lines.findIndex((l) => l.includes('투자 리포트 생성 시작: 000660 (5건 분석)'));
    const store = tempStore();
    await cli(['--db', store, 'ingest', '-'], { stdin: lines.slice(0, cut + 1).join('\n') + '\n' });
    const parsed = parsePrometheus((await cli(['--db', store, 'metrics'])).stdout);
    expect(value(parsed, 'craveny_report_updates_in_flight')).toBe(1);
    expect(sum(series(parsed, 'craveny_report_updates_total'))).toBe(9);
    expect(value(parsed, 'craveny_report_update_failures_total', 'cause=abandoned')).toBe(0);
  });

  it('counts each day by its own calls source, so days before the [LLM_COST] deploy still count', async () => {
    const store = tempStore();
    await cli(['--db', store, 'ingest', fixture('metrics', 'before-llm-cost.log'), DAY]);
    const parsed = parsePrometheus((await cli(['--db', store, 'metrics'])).stdout);
    // 2025-11-03 has no [LLM_COST] lines: one A/B generation (2 calls) and one single (1 call).
    expect(value(parsed, 'craveny_llm_calls_total')).toBe(12 + 3);
  });

  it('prices the calls with the config\'s pricePerCall', async () => {
    const dir = tempDir();
    const config = path.join(dir, 'config.json');
    fs.writeFileSync(config, JSON.stringify({ pricePerCall: 0.02 }));
    const parsed = parsePrometheus((await cli(['--db', db, '--config', config, 'metrics'])).stdout);
    expect(value(parsed, 'craveny_llm_cost_usd_total')).toBeCloseTo(0.24, 9);
  });

  it('leaves the timestamps out for an empty store, and counts zero', async () => {
    const parsed = parsePrometheus((await cli(['--db', tempStore(), 'metrics'])).stdout);
    const names = parsed.map((f) => f.name);
    expect(names).not.toContain('craveny_log_end_timestamp_seconds');
    expect(names).not.toContain('craveny_ingest_last_run_timestamp_seconds');
    expect(value(parsed, 'craveny_llm_calls_total')).toBe(0);
    expect(sum(series(parsed, 'craveny_report_update_failures_total'))).toBe(0);
  });
});

describe('craveny-ops metrics --textfile', () => {
  it('writes the same text as stdout, and leaves no temporary file', async () => {
    const db = tempStore();
    await cli(['--db', db, 'ingest', DAY]);
    const dir = tempDir();
    const file = path.join(dir, 'craveny.prom');
    const run = await cli(['--db', db, 'metrics', '--textfile', file]);
    expect(run).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(fs.readFileSync(file, 'utf8')).toBe((await cli(['--db', db, 'metrics'])).stdout);
    expect(fs.readdirSync(dir)).toEqual(['craveny.prom']);
    expect(value(parsePrometheus(fs.readFileSync(file, 'utf8')), 'craveny_llm_calls_total')).toBe(12);
  });

  it('replaces the file by rename: a reader holding the old file keeps reading it whole', async () => {
    const db = tempStore();
    await cli(['--db', db, 'ingest', DAY]);
    const file = path.join(tempDir(), 'craveny.prom');
    fs.writeFileSync(file, 'old complete content\n');
    const reader = fs.openSync(file, 'r');
    try {
      await cli(['--db', db, 'metrics', '--textfile', file]);
      // Truncating in place would have shown the reader an empty or half-new file.
      expect(fs.readFileSync(reader, 'utf8')).toBe('old complete content\n');
      expect(fs.readFileSync(file, 'utf8')).toMatch(/^# HELP craveny_/);
    } finally {
      fs.closeSync(reader);
    }
  });

  it('fails with exit 2 when the directory does not exist', async () => {
    const run = await cli(['--db', tempStore(), 'metrics', '--textfile', path.join(tempDir(), 'missing', 'x.prom')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/cannot write .*x\.prom/);
  });

  it('warns that node_exporter ignores a file not named *.prom', async () => {
    const file = path.join(tempDir(), 'metrics.txt');
    const run = await cli(['--db', tempStore(), 'metrics', '--textfile', file]);
    expect(run.code).toBe(0);
    expect(fs.existsSync(file)).toBe(true);
    expect(run.stderr).toMatch(/reads only \*\.prom files/);
  });
});
