/**
 * `metrics` (docs/commands.md, metrics; cli-contract.md, Definitions: LLM calls): the calls' source
 * rule applies per KST calendar day — a day holding any [LLM_COST] line counts those lines, a day
 * without counts the generation lines — so the day changes at 00:00 KST, not at UTC midnight or
 * any other hour; and the last ingest run is the latest run of any source.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from './helpers.js';
import { abGeneration, attempt, FORCED, generation, llmCost, storeOf, succeeded } from './support/analysis-log.js';

/** The samples of `metrics` as `name{labels}` → value (labels as printed). */
async function metricsOf(db: string, args: string[] = []): Promise<Map<string, number>> {
  const run = await cli(['--db', db, ...args, 'metrics']);
  expect(run.code, run.stderr).toBe(0);
  const samples = new Map<string, number>();
  for (const l of run.stdout.split('\n')) {
    const m = /^(\w+(?:\{[^}]*\})?) (\S+)$/.exec(l);
    if (m) samples.set(m[1], Number(m[2]));
  }
  return samples;
}

describe('LLM calls, each KST day by its own source', () => {
  // 2025-11-03, before the [LLM_COST] deploy: a single-model generation at 20:00 (1 call) and an A/B
  // one at 23:59:59.900 (2 calls). 2025-11-04, from 00:00:00.000 KST: two attempts each with its
  // generation line and its [LLM_COST] line printing $0.004 (1 call each; their generation lines
  // are not counted again). A day cut at any other hour (UTC midnight is 09:00 KST) would put some of
  // the 3rd's generations into a day with [LLM_COST] lines, where they are not counted.
  const lines = [
    attempt('2025-11-03 20:00:00,000', '005930', FORCED),
    generation('2025-11-03 20:00:00,100', '005930'),
    succeeded('2025-11-03 20:00:09,000', '005930'),
    attempt('2025-11-03 23:59:59,800', '000660', FORCED),
    abGeneration('2025-11-03 23:59:59,900', '000660'),
    succeeded('2025-11-04 00:00:08,000', '000660'),
    attempt('2025-11-04 00:00:00,000', '035720', FORCED),
    generation('2025-11-04 00:00:00,100', '035720'),
    llmCost('2025-11-04 00:00:00,200', '035720', 'pre_market', FORCED, '0.004'),
    succeeded('2025-11-04 00:00:09,000', '035720'),
    attempt('2025-11-04 10:00:00,000', '005930', FORCED),
    generation('2025-11-04 10:00:00,100', '005930'),
    llmCost('2025-11-04 10:00:00,200', '005930', 'trading', FORCED, '0.004'),
    succeeded('2025-11-04 10:00:09,000', '005930'),
  ];

  it('counts the 3rd by its generation lines and the 4th by its [LLM_COST] lines: 3 + 2 calls', async () => {
    const { db } = await storeOf(lines);
    const m = await metricsOf(db);
    expect(m.get('craveny_llm_calls_total')).toBe(5);
    // The 3rd's 3 calls at the default $0.001, the 4th's two lines at their printed $0.004.
    expect(m.get('craveny_llm_cost_usd_total')).toBeCloseTo(0.011, 9);
  });

  it("prices every call, of either source, at the config's pricePerCall", async () => {
    const { db } = await storeOf(lines);
    const config = path.join(tempDir(), 'config.json');
    fs.writeFileSync(config, JSON.stringify({ pricePerCall: 0.02 }));
    const m = await metricsOf(db, ['--config', config]);
    expect(m.get('craveny_llm_calls_total')).toBe(5);
    expect(m.get('craveny_llm_cost_usd_total')).toBeCloseTo(0.1, 9);
  });
});

describe('LLM calls of a day without [LLM_COST] lines', () => {
  it('count two per A/B generation line: two A/B generations are 4 calls', async () => {
    const { db } = await storeOf([
      attempt('2025-11-03 10:00:00,000', '005930', FORCED),
      abGeneration('2025-11-03 10:00:00,100', '005930'),
      succeeded('2025-11-03 10:00:09,000', '005930'),
      attempt('2025-11-03 11:00:00,000', '000660', FORCED),
      abGeneration('2025-11-03 11:00:00,100', '000660'),
      succeeded('2025-11-03 11:00:09,000', '000660'),
    ]);
    expect((await metricsOf(db)).get('craveny_llm_calls_total')).toBe(4);
  });
});

describe('the last ingest run', () => {
  it('is the latest run of any source, in Unix seconds', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'store.db');
    const first = path.join(dir, 'web-1.log');
    const second = path.join(dir, 'web-2.log');
    fs.writeFileSync(first, attempt('2025-11-04 10:00:00,000', '005930', FORCED) + '\n');
    fs.writeFileSync(second, attempt('2025-11-04 09:00:00,000', '000660', FORCED) + '\n');
    const early = Date.parse('2025-11-04T10:05:00+09:00');
    const late = Date.parse('2025-11-04T10:06:30.500+09:00');
    expect((await cli(['--db', db, 'ingest', first], { now: early })).code).toBe(0);
    expect((await cli(['--db', db, 'ingest', second], { now: late })).code).toBe(0);
    const m = await metricsOf(db);
    expect(m.get('craveny_ingest_last_run_timestamp_seconds')).toBe(late / 1000);
    // The log end is the latest last line of the two files, whatever order they were read in.
    expect(m.get('craveny_log_end_timestamp_seconds')).toBe(Date.parse('2025-11-04T10:00:00+09:00') / 1000);
  });
});
