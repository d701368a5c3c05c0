/**
 * `metrics` gauges taken at the log end (docs/commands.md, metrics): a stock's current report is its
 * latest completion at or before the log end — one completed on the log's very last line is current,
 * aged 0 s — and the cost counter is in dollars rounded as `cost` rounds them (to the micro-dollar),
 * not a float sum's residue.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from './helpers.js';
import { attempt, FORCED, generation, llmCost, storeOf, succeeded } from './support/analysis-log.js';

describe('the current report at the log end', () => {
  it('includes a completion on the last line, aged 0 s', async () => {
    const { db } = await storeOf([
      attempt('2025-11-04 10:00:00,000', '005930', FORCED),
      succeeded('2025-11-04 10:00:30,000', '005930'),
      attempt('2025-11-04 10:30:00,000', '000660', FORCED),
      succeeded('2025-11-04 10:30:30,000', '000660'),
    ]);
    const text = (await cli(['--db', db, 'metrics'])).stdout;
    expect(text).toContain('craveny_reports{phase="trading"} 2\n');
    // 005930's report is the older: 30 min before the log end (10:30:30).
    expect(text).toContain('craveny_oldest_report_age_seconds{phase="trading"} 1800\n');
    const { db: last } = await storeOf([attempt('2025-11-04 10:00:00,000', '005930', FORCED), succeeded('2025-11-04 10:00:30,000', '005930')]);
    const lastText = (await cli(['--db', last, 'metrics'])).stdout;
    expect(lastText).toContain('craveny_reports{phase="trading"} 1\n');
    expect(lastText).toContain('craveny_oldest_report_age_seconds{phase="trading"} 0\n');
  });
});

describe('the cost counter', () => {
  it('is rounded to the micro-dollar: 5 calls at $0.07 are $0.35', async () => {
    // Three generation-line calls on the 3rd (3 × 0.07 is 0.21000000000000002 in floating point)
    // and two [LLM_COST] calls on the 4th.
    const { db } = await storeOf([
      ...['005930', '000660', '035720'].flatMap((code, i) => [attempt(`2025-11-03 1${i}:00:00,000`, code, FORCED), generation(`2025-11-03 1${i}:00:00,100`, code), succeeded(`2025-11-03 1${i}:00:09,000`, code)]),
      ...['005930', '000660'].flatMap((code, i) => [
        attempt(`2025-11-04 1${i}:00:00,000`, code, FORCED),
        llmCost(`2025-11-04 1${i}:00:00,200`, code, 'trading', FORCED),
        succeeded(`2025-11-04 1${i}:00:09,000`, code),
      ]),
    ]);
    const config = path.join(tempDir(), 'config.json');
    fs.writeFileSync(config, JSON.stringify({ pricePerCall: 0.07 }));
    const text = (await cli(['--db', db, '--config', config, 'metrics'])).stdout;
    expect(text).toContain('craveny_llm_calls_total 5\n');
    expect(text).toContain('craveny_llm_cost_usd_total 0.35\n');
  });
});
