/**
 * The cause of a failed attempt (docs/commands.md, metrics: `generation_failed`, `update_error`,
 * `abandoned`), as `metrics` counts it and as the HTML report lists the window's failures: the
 * generation failed; the update raised without a generation failure; no outcome record 30 minutes
 * or more before the log end. A silent failure (the generation failed, a completion was logged)
 * counts by its generation mode.
 */
import { describe, expect, it } from 'vitest';
import { cli } from './helpers.js';
import { abGeneration, attempt, failed, FORCED, generation, generationFailed, LATER, noise, storeOf, succeeded } from './support/analysis-log.js';

describe('the cause of each failed attempt', () => {
  it('is generation_failed, update_error or abandoned, the same in metrics and in the report', async () => {
    const { db } = await storeOf([
      // 005930: its generation failed, then the update failed.
      attempt('2025-11-04 10:00:00,000', '005930', FORCED),
      generation('2025-11-04 10:00:00,100', '005930'),
      generationFailed('2025-11-04 10:00:05,000'),
      failed('2025-11-04 10:00:05,100', '005930'),
      // 000660: the generation went through, the commit raised.
      attempt('2025-11-04 11:00:00,000', '000660', FORCED),
      generation('2025-11-04 11:00:00,100', '000660'),
      failed('2025-11-04 11:00:09,000', '000660', '(builtins.Exception) server closed the connection unexpectedly'),
      // 035720: no outcome record, and the log runs on to 13:00: abandoned.
      attempt('2025-11-04 12:00:00,000', '035720', FORCED),
      noise('2025-11-04 13:00:00,000'),
    ]);
    const metrics = await cli(['--db', db, 'metrics']);
    expect(metrics.stdout).toContain('craveny_report_update_failures_total{cause="generation_failed"} 1\n');
    expect(metrics.stdout).toContain('craveny_report_update_failures_total{cause="update_error"} 1\n');
    expect(metrics.stdout).toContain('craveny_report_update_failures_total{cause="abandoned"} 1\n');

    const run = await cli(['--db', db, 'report', '--html', '-', '--days', '1', '--until', '2025-11-04'], { now: LATER });
    expect(run.code, run.stderr).toBe(0);
    const data = JSON.parse(/<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(run.stdout)![1]);
    // Newest first.
    expect(data.failures.map((f: { stock_code: string; cause: string }) => [f.stock_code, f.cause])).toEqual([
      ['035720', 'abandoned'],
      ['000660', 'update_error'],
      ['005930', 'generation_failed'],
    ]);
  });

  it('counts a silent failure (generation failed, completion logged) by its generation mode, single or ab', async () => {
    const { db } = await storeOf([
      // 005930: a single-model generation fails, and the placeholder is saved: one single silent failure.
      attempt('2025-11-04 10:00:00,000', '005930', FORCED),
      generation('2025-11-04 10:00:00,100', '005930'),
      generationFailed('2025-11-04 10:00:05,000'),
      succeeded('2025-11-04 10:00:05,100', '005930'),
      // 000660: the same in A/B mode.
      attempt('2025-11-04 11:00:00,000', '000660', FORCED),
      abGeneration('2025-11-04 11:00:00,100', '000660'),
      generationFailed('2025-11-04 11:00:05,000'),
      succeeded('2025-11-04 11:00:05,100', '000660'),
    ]);
    const metrics = await cli(['--db', db, 'metrics']);
    expect(metrics.code, metrics.stderr).toBe(0);
    expect(metrics.stdout).toContain('craveny_report_silent_failures_total{mode="single"} 1\n');
    expect(metrics.stdout).toContain('craveny_report_silent_failures_total{mode="ab"} 1\n');
    expect(metrics.stdout).toContain('craveny_report_update_failures_total{cause="generation_failed"} 2\n');
  });
});
