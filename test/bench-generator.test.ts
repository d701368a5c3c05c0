import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The benchmark's generator is plain JavaScript (bench/ runs without a build step).
import { generateLog } from '../bench/generate.mjs';
import { deriveAttempts } from '../src/analysis/derive.js';
import { openStore, type Store } from '../src/store/store.js';
import { DERIVE_KINDS } from '../src/store/writes.js';
import { cli, tempDir } from './helpers.js';

interface Counts {
  bytes: number;
  lines: number;
  records: Record<string, number>;
  records_total: number;
  attempts: { total: number; succeeded: number; failed: number; abandoned: number };
  reasons: Record<string, number>;
  lookalikes: number;
  grep_update_start: number;
}

describe('the benchmark log generator', () => {
  const dir = tempDir('craveny-bench-');
  const file = path.join(dir, 'backend.log');
  const db = path.join(dir, 'store.db');
  let counts: Counts;
  let summary: { records_added: number; files: { lines: number; malformed: number }[] };
  let store: Store;

  beforeAll(async () => {
    // Three weekdays of 40 stocks with a little noise: every message kind shows up.
    counts = generateLog({ file, size: 3 << 20, days: 3, stocks: 40, start: '2025-11-04', seed: 3 });
    const run = await cli(['--db', db, 'ingest', '--json', file]);
    expect(run.code).toBe(0);
    summary = run.json();
    store = await openStore(db);
  }, 120_000);

  afterAll(async () => {
    await store?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes what it says it wrote: bytes and lines', () => {
    expect(fs.statSync(file).size).toBe(counts.bytes);
    expect(summary.files[0].lines).toBe(counts.lines);
  });

  it('writes lines that ingest into exactly the report records it counted, kind by kind', async () => {
    expect(summary.records_added).toBe(counts.records_total);
    expect(summary.files[0].malformed).toBe(0);
    const rows = await store.db.selectFrom('records').select(['kind', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('kind').execute();
    const stored = Object.fromEntries(rows.map((r) => [r.kind, Number(r.n)]));
    const written = Object.fromEntries(Object.entries(counts.records).filter(([, n]) => n > 0));
    expect(stored).toEqual(written);
  });

  it('writes every message kind of the backend', () => {
    for (const [kind, n] of Object.entries(counts.records)) expect(n, kind).toBeGreaterThan(0);
  });

  it('writes attempts whose derived outcomes match the ones it simulated', async () => {
    const rows = await store.db.selectFrom('attempts').select(['outcome', 'reason']).execute();
    expect(rows.length).toBe(counts.attempts.total);
    expect(rows.filter((r) => r.outcome === 'succeeded').length).toBe(counts.attempts.succeeded);
    // Abandoned attempts have no outcome record: they fail by the log end, not in the store.
    expect(rows.filter((r) => r.outcome === 'failed').length).toBe(counts.attempts.failed - counts.attempts.abandoned);
    expect(rows.filter((r) => r.outcome === null).length).toBe(counts.attempts.abandoned);
    const reasons: Record<string, number> = {};
    for (const r of rows) reasons[r.reason] = (reasons[r.reason] ?? 0) + 1;
    expect(reasons).toEqual(Object.fromEntries(Object.entries(counts.reasons).filter(([, n]) => n > 0)));
  });

  it('writes look-alike lines, and none of them becomes a record', async () => {
    expect(counts.lookalikes).toBeGreaterThan(0);
    // grep counts every line with 업데이트 시작; only the service's own are attempts.
    const text = fs.readFileSync(file, 'utf8');
    const grepped = text.split('\n').filter((l) => l.includes('업데이트 시작')).length;
    expect(grepped).toBe(counts.grep_update_start);
    expect(grepped).toBeGreaterThan(counts.records.attempt);
    const lookalikeTexts = await store.db
      .selectFrom('records')
      .select('text')
      .where((eb) => eb.or([eb('text', 'like', '%종합 분석 리포트%'), eb('text', 'like', '%주가 업데이트%'), eb('text', 'like', '%뉴스 저장%')]))
      .execute();
    expect(lookalikeTexts).toEqual([]);
  });

  it('lets ingest re-derive attempts from the kinds derivation reads only, with the same result as from every record', async () => {
    const all = await store.db
      .selectFrom('records')
      .select(['id', 'host', 'ts', 'kind', 'stock_code', 'mode', 'reason', 'text', 'phase', 'age_h', 'ttl_h', 'rate', 'threshold', 'prev_count', 'cur_count'])
      .where('stock_code', 'is not', null)
      .orderBy('stock_code')
      .orderBy('ts')
      .orderBy('id')
      .execute();
    const byStock = (rows: typeof all) => {
      const out = new Map<string, typeof all>();
      for (const r of rows) out.set(r.stock_code!, [...(out.get(r.stock_code!) ?? []), r]);
      return out;
    };
    const kinds: readonly string[] = DERIVE_KINDS;
    const filtered = byStock(all.filter((r) => kinds.includes(r.kind)));
    for (const [stock, rows] of byStock(all)) expect(deriveAttempts(filtered.get(stock) ?? []), stock).toEqual(deriveAttempts(rows));
  });

  it('writes the same log for the same seed', () => {
    const again = path.join(dir, 'again.log');
    const second = generateLog({ file: again, size: 3 << 20, days: 3, stocks: 40, start: '2025-11-04', seed: 3 });
    expect(second).toEqual(counts);
    expect(fs.readFileSync(again).equals(fs.readFileSync(file))).toBe(true);
  });
});
