/**
 * The what-if against the truth: twin logs of one seed, the same traffic (views, news, scheduler
 * runs, each generation's length and outcome) written by the simulated backend under two TTL
 * tables. The what-if of one twin under the other's rules must come within a few percent of the
 * other twin's real figures, both ways, and equal its own figures under its own rules.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateLog } from '../bench/generate.mjs';
import type { Figures, WhatIfDocument } from '../src/analysis/whatif.js';
import { DEFAULT_RULES, type Phase } from '../src/market/rules.js';
import { cli, tempDir } from './helpers.js';
import { seedOf } from './support/logs.js';

const DAYS = 7;
const START = '2025-11-03'; // a Monday: five weekdays and a weekend
const UNTIL = '2025-11-09';

type Ttls = Partial<Record<Phase, number>>;

async function twin(dir: string, seed: number, name: string, ttlHours: Ttls): Promise<string> {
  const file = path.join(dir, `${name}.log`);
  generateLog({ file, size: 1 << 20, days: DAYS, stocks: 20, start: START, seed, ttlHours });
  const db = path.join(dir, `${name}.db`);
  const run = await cli(['--db', db, 'ingest', file]);
  expect(run.code, run.stderr).toBe(0);
  return db;
}

async function whatif(db: string, ttlHours: Ttls): Promise<WhatIfDocument> {
  const sets = Object.entries(ttlHours).flatMap(([phase, hours]) => ['--set', `${phase}.ttlHours=${hours}`]);
  const run = await cli(['--db', db, 'whatif', '--days', String(DAYS), '--until', UNTIL, ...sets, '--json']);
  expect(run.code, run.stderr).toBe(0);
  return run.json();
}

/** Within `percent` of the real figure. */
function expectNear(predicted: Figures, real: Figures, percent: number, label: string) {
  for (const key of ['attempts', 'llm_calls', 'cost_usd', 'avg_freshness_hours'] as const) {
    const p = predicted[key]!;
    const r = real[key]!;
    expect(Math.abs(p - r), `${label} ${key}: what-if ${p}, real ${r}`).toBeLessThanOrEqual((r * percent) / 100);
  }
}

const TABLES: [string, Ttls][] = [
  ['trading 2 h → 3 h, after_hours 6 h → 8 h (raised)', { trading: 3, after_hours: 8 }],
  ['trading 2 h → 1 h, pre_market 3 h → 2 h, market_open 1 h → 0.5 h (lowered)', { trading: 1, pre_market: 2, market_open: 0.5 }],
];

describe('whatif against twin logs of the simulated backend', () => {
  const seed = seedOf('whatif twins');

  for (const [what, other] of TABLES) {
    it(`predicts the other twin's figures within 5 %, both ways: ${what}`, async () => {
      const dir = tempDir('craveny-whatif-twins-');
      const actual = await twin(dir, seed, 'actual', {});
      const changed = await twin(dir, seed, 'changed', other);
      const back = Object.fromEntries(Object.keys(other).map((p) => [p, DEFAULT_RULES[p as Phase].ttlHours]));

      const forward = await whatif(actual, other);
      const backward = await whatif(changed, back);
      // Each twin's own figures are its actual ones; the what-if of the one is the other's truth.
      expect(forward.actual.attempts).toBeGreaterThan(500);
      expect(forward.changed.dropped + forward.changed.added).toBeGreaterThan(20);
      expectNear(forward.whatif, backward.actual, 5, 'actual → changed');
      expectNear(backward.whatif, forward.actual, 5, 'changed → actual');
      // The traffic is the same: attempts no TTL decides are identical in both twins.
      expect(backward.actual.by_reason.forced).toBe(forward.actual.by_reason.forced);
      expect(backward.actual.by_reason.new_prediction).toBe(forward.actual.by_reason.new_prediction);
    }, 120_000);
  }
});
