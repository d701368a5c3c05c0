/**
 * whatif: with the actual rules the replay equals the actual figures exactly (every fixture log,
 * generated logs); raising a TTL or fixing the prediction cap never adds calls; hand-derived cases
 * (a TTL at equality, the cap defect on fixtures/anomalies/prediction-cap.log); bad input.
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The benchmark's generator is plain JavaScript (bench/ runs without a build step).
import { generateLog } from '../bench/generate.mjs';
import { logEnd, type Attempt, type Skip } from '../src/analysis/attempts.js';
import { replayWhatIf, type WhatIfDocument } from '../src/analysis/whatif.js';
import { computeWhatIf } from '../src/analysis/whatif-read.js';
import { DEFAULT_RULES, PHASES, type Rules } from '../src/market/rules.js';
import { HOUR_MS, kstDay, windowOf, type Window } from '../src/market/time.js';
import { openStore } from '../src/store/store.js';
import { renderWhatIf } from '../src/commands/whatif.js';
import { cli, fixture, FIXTURES, tempDir } from './helpers.js';
import { seedOf } from './support/logs.js';
import { decisionAttempt, whatIfInput } from './support/whatif.js';

const withTtl = (phase: (typeof PHASES)[number], ttlHours: number): Rules => ({ ...DEFAULT_RULES, [phase]: { ...DEFAULT_RULES[phase], ttlHours } });

/** The store's window of `days` ending with the log end's day, replayed. */
async function replay(db: string, options: { rules?: Rules; fixPredictionCap?: boolean; window?: Window } = {}): Promise<WhatIfDocument> {
  const store = await openStore(db);
  try {
    const end = await logEnd(store.db);
    const window = options.window ?? windowOf(30, kstDay(end ?? Date.parse('2025-11-05T00:00:00Z')));
    return await computeWhatIf(store.db, window, {
      rules: options.rules ?? DEFAULT_RULES,
      actualRules: DEFAULT_RULES,
      fixPredictionCap: options.fixPredictionCap ?? false,
      pricePerCall: null,
    });
  } finally {
    await store.close();
  }
}

async function ingested(files: string[]): Promise<string> {
  const db = path.join(tempDir('craveny-whatif-'), 'store.db');
  const run = await cli(['--db', db, 'ingest', ...files]);
  expect(run.code, run.stderr).toBe(0);
  return db;
}

function expectUnchanged(doc: WhatIfDocument) {
  expect(doc.whatif).toEqual(doc.actual);
  for (const day of doc.days) expect(day.whatif, day.date).toEqual(day.actual);
  expect(doc.exact).toBe(true);
  expect(doc.inexact_because).toBeNull();
  expect(doc.changed).toEqual({ dropped: 0, added: 0, reason_changed: 0 });
  expect(doc.delta).toEqual({ attempts: 0, llm_calls: 0, cost_usd: 0, avg_freshness_hours: doc.actual.avg_freshness_hours === null ? null : 0 });
}

/** Every good fixture log, one store each; rotated sets together. */
function fixtureLogs(): string[][] {
  const sets: string[][] = [];
  const walk = (dir: string) => {
    const files = fs.readdirSync(dir, { withFileTypes: true });
    const logs = files.filter((f) => f.isFile() && /\.log(\.\d+)?(\.gz)?$/.test(f.name)).map((f) => path.join(dir, f.name));
    if (files.some((f) => /\.log\.\d/.test(f.name))) sets.push(logs);
    else sets.push(...logs.map((l) => [l]));
    for (const f of files) if (f.isDirectory() && f.name !== 'bad') walk(path.join(dir, f.name));
  };
  walk(FIXTURES);
  return sets.filter((s) => s.length);
}

describe('whatif with the actual rules equals the actual figures', () => {
  // rule-violations.log prints three after-hours TTLs (6, 8 and 10 h): no one rule table ran it,
  // so no what-if table is "the actual rules" for it.
  const oneTable = (files: string[]) => !files.some((f) => f.endsWith('rule-violations.log'));
  it('leaves out only rule-violations.log, which no one rule table ran', () => {
    expect(fixtureLogs().filter((f) => !oneTable(f))).toEqual([[fixture('anomalies', 'rule-violations.log')]]);
  });
  for (const files of fixtureLogs().filter(oneTable)) {
    const name = files.map((f) => path.relative(FIXTURES, f)).join(' + ');
    it(`on ${name}, over the whole log and over its last day alone`, async () => {
      const db = await ingested(files);
      // Some fixtures ran under other rules (an after-hours TTL of 3 h, a trading threshold of 2 %): the log shows them.
      const { logged_rules: rules } = await replay(db);
      const whole = await replay(db, { rules });
      expectUnchanged(whole);
      const lastDay = whole.days.filter((d) => d.actual.attempts > 0).at(-1);
      if (lastDay) expectUnchanged(await replay(db, { rules, window: windowOf(1, lastDay.date) }));
      // The cap fix and a changed TTL are replays too: whatever they give, the actual side stays the log's.
      expect((await replay(db, { fixPredictionCap: true, rules: withTtl('trading', 3) })).actual).toEqual(whole.actual);
    });
  }
});

describe('whatif on generated logs (seeded)', () => {
  const seed = seedOf('whatif generated logs');
  const dir = tempDir('craveny-whatif-gen-');
  const stores: { db: string; days: string[] }[] = [];

  beforeAll(async () => {
    const random = fc.sample(fc.integer({ min: 1, max: 2 ** 31 - 1 }), { seed, numRuns: 3 });
    for (const [i, logSeed] of random.entries()) {
      const file = path.join(dir, `backend-${i}.log`);
      // Four days from a Thursday: weekdays and a weekend, 8 stocks, little noise.
      generateLog({ file, size: 400_000, days: 4, stocks: 8, start: '2025-11-06', seed: logSeed });
      const db = await ingested([file]);
      stores.push({ db, days: ['2025-11-06', '2025-11-07', '2025-11-08', '2025-11-09'] });
    }
  }, 180_000);

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('replays every generated log to exactly its actual figures, over the log and over one day within it', async () => {
    for (const { db, days } of stores) {
      const whole = await replay(db, { window: windowOf(4, days[3]) });
      expect(whole.actual.attempts).toBeGreaterThan(50);
      expectUnchanged(whole);
      expectUnchanged(await replay(db, { window: windowOf(1, days[1]) }));
    }
  });

  it('never adds calls when any TTL is raised, or when the prediction cap is fixed', async () => {
    const stored = stores.length;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: stored - 1 }),
        fc.constantFrom(...PHASES),
        fc.double({ min: 1, max: 5, noNaN: true }),
        fc.boolean(),
        async (k, phase, factor, fixCap) => {
          const { db, days } = stores[k];
          const window = windowOf(4, days[3]);
          const rules = withTtl(phase, DEFAULT_RULES[phase].ttlHours * factor);
          const doc = await replay(db, { window, rules, fixPredictionCap: fixCap });
          expect(doc.whatif.llm_calls).toBeLessThanOrEqual(doc.actual.llm_calls);
          expect(doc.whatif.attempts).toBeLessThanOrEqual(doc.actual.attempts);
        },
      ),
      { seed, numRuns: 12 },
    );
  }, 120_000);

  it('drops TTL attempts when a TTL is raised far enough, and makes reports older', async () => {
    const { db, days } = stores[0];
    const doc = await replay(db, { window: windowOf(4, days[3]), rules: withTtl('trading', 20) });
    expect(doc.whatif.by_reason.ttl_expired).toBeLessThan(doc.actual.by_reason.ttl_expired);
    expect(doc.delta.llm_calls).toBeLessThan(0);
    expect(doc.delta.avg_freshness_hours!).toBeGreaterThan(0);
  });
});

describe('the prediction-cap defect, hand-derived (fixtures/anomalies/prediction-cap.log)', () => {
  let db: string;
  beforeAll(async () => {
    db = await ingested([fixture('anomalies', 'prediction-cap.log')]);
  });

  it('drops the repeated trigger 2 whose report is younger than the TTL, and keeps the one a TTL would fire', async () => {
    // 005930 fires 새 예측 추가 (기존: 20, 현재: 72) six times within an hour: the first stays, five go.
    // 000660 fires (20, 45) at 10:05, 11:30, 13:10, 14:40 and 16:20: at 13:10 its report (10:05:07) is
    // 3.1 h old, past the trading TTL of 2 h, so that one stays as a TTL update; the others go.
    // 035720's two trigger 2 attempts (8→9, 9→10) added predictions and stay.
    const doc = await replay(db, { window: windowOf(1, '2025-11-05'), fixPredictionCap: true });
    expect(doc.actual.attempts).toBe(13);
    expect(doc.whatif.attempts).toBe(5);
    expect(doc.whatif.by_reason).toMatchObject({ new_prediction: 4, ttl_expired: 1 });
    expect(doc.changed).toEqual({ dropped: 8, added: 0, reason_changed: 1 });
    expect(doc.actual.llm_calls).toBe(13);
    expect(doc.whatif.llm_calls).toBe(5);
    expect(doc.delta.cost_usd).toBe(-0.008);
    expect(doc.exact).toBe(true);
    expect(doc.delta.avg_freshness_hours!).toBeGreaterThan(0);
  });
});

// ---- the pure replay on hand-made decisions ----

const T0 = Date.parse('2025-11-05T10:00:00+09:00');

function attempt(fields: Partial<Attempt> & Pick<Attempt, 'ts' | 'reason'>): Attempt {
  return { ...decisionAttempt(fields), reasonText: '', namedPhase: 'trading', error: null, ...fields };
}

function skip(ts: number, ageHours: number, ttlHours: number): Skip {
  return { host: 'h', stockCode: '005930', ts, phase: 'trading', ageHours, ttlHours, text: '' };
}

/** The what-if of 2025-11-05 (test/support/whatif.ts). */
const input = whatIfInput;

describe('the replay, on hand-made decisions', () => {
  // A forced update completes at 10:00:10; skips follow, printing the actual trading TTL of 3 h.
  const forced = attempt({ ts: T0, reason: 'forced' });
  const completed = forced.completedTs!;

  it('fires the TTL trigger when the replayed age equals the what-if TTL, and not a millisecond before', () => {
    const atTtl = replayWhatIf(input([forced], [skip(completed + 2 * HOUR_MS, 2, 3)], withTtl('trading', 2)));
    expect(atTtl.whatif.by_reason.ttl_expired).toBe(1);
    expect(atTtl.changed.added).toBe(1);
    const before = replayWhatIf(input([forced], [skip(completed + 2 * HOUR_MS - 1, 2, 3)], withTtl('trading', 2)));
    expect(before.whatif.by_reason.ttl_expired).toBe(0);
    expect(before.changed.added).toBe(0);
  });

  it('gives an added attempt the window median duration and calls per attempt, and dates its completion by them', () => {
    const a = attempt({ ts: T0, reason: 'forced', completedTs: T0 + 20_000, outcomeTs: T0 + 20_000 });
    const b = attempt({ ts: T0 + 30 * 60_000, reason: 'new_prediction', completedTs: T0 + 30 * 60_000 + 40_000, outcomeTs: T0 + 30 * 60_000 + 40_000 });
    const doc = replayWhatIf(input([a, b], [skip(T0 + 3 * HOUR_MS, 2.5, 3)], withTtl('trading', 2)));
    // Durations 20 s and 40 s: the nearest-rank median is 20 s; two calls over two attempts.
    expect(doc.assumed).toEqual({ duration_s: 20, llm_calls_per_attempt: 1, cost_per_call_usd: 0.001 });
    expect(doc.whatif.llm_calls).toBe(3);
    expect(doc.whatif.cost_usd).toBe(0.003);
    expect(doc.delta.avg_freshness_hours!).toBeLessThan(0);
  });

  it('gives an added attempt the calls of its stock’s previous attempt: a TTL raised so that an update moves later makes no extra call', () => {
    // 005930 (single mode, one call each): a forced update at 10:00, a TTL update at 12:01 (printed
    // age 2.0 h, TTL 2 h) and a skip at 13:01 (1.0 h since 12:01). Under a 3 h TTL the 12:01 update
    // is dropped and the 13:01 skip, 3.01 h after 10:00, fires instead: one call out, one call in.
    const first = attempt({ ts: T0, reason: 'forced' });
    const ttl = attempt({ ts: T0 + 2 * HOUR_MS + 60_000, reason: 'ttl_expired', ageHours: 2, ttlHours: 2 });
    // 000660 generates in A/B mode: two calls, so the window makes 4 calls in 3 attempts (1.33 each).
    const ab = attempt({ ts: T0 + 30 * 60_000, reason: 'forced', stockCode: '000660', generationMode: 'ab' });
    const call = (a: Attempt) => ({ host: a.host, stockCode: a.stockCode, ts: a.ts + 5, printedCostUsd: 0.001 });
    const attempts = [first, ab, ttl];
    const doc = replayWhatIf(
      input(attempts, [skip(T0 + 3 * HOUR_MS + 60_000, 1, 2)], withTtl('trading', 3), { calls: [call(first), call(ab), call(ab), call(ttl)] }),
    );
    expect(doc.changed).toEqual({ dropped: 1, added: 1, reason_changed: 0 });
    expect(doc.actual.llm_calls).toBe(4);
    expect(doc.whatif.llm_calls).toBe(4);
    expect(doc.whatif.cost_usd).toBe(0.004);
    expect(doc.assumed.llm_calls_per_attempt).toBe(1.3333);
  });

  it('keeps a logged price move only while its printed rate reaches the what-if threshold', () => {
    const move = attempt({ ts: T0 + HOUR_MS, reason: 'price_move', rate: 3.4, threshold: 3.0 });
    const rules = (priceThreshold: number): Rules => ({ ...DEFAULT_RULES, trading: { ...DEFAULT_RULES.trading, priceThreshold } });
    expect(replayWhatIf(input([forced, move], [], rules(3.4))).whatif.by_reason.price_move).toBe(1);
    expect(replayWhatIf(input([forced, move], [], rules(3.5))).whatif.by_reason.price_move).toBe(0);
    // Negative moves count by their size.
    const fall = attempt({ ts: T0 + HOUR_MS, reason: 'price_move', rate: -3.4, threshold: 3.0 });
    expect(replayWhatIf(input([forced, fall], [], rules(3.4))).whatif.by_reason.price_move).toBe(1);
  });

  it('says a lowered threshold gives bounds, and why', () => {
    const rules: Rules = { ...DEFAULT_RULES, trading: { ...DEFAULT_RULES.trading, priceThreshold: 1 } };
    const doc = replayWhatIf(input([forced], [skip(T0 + HOUR_MS, 1, 2)], rules));
    expect(doc.exact).toBe(false);
    expect(doc.inexact_because).toMatch(/^1 decision met a lowered price or direction threshold.*lower bounds/);
    expect(doc.days[0].exact).toBe(false);
  });

  it('says so when a stock has no known report time for a TTL verdict', () => {
    // No completion before, no printed age: the what-if TTL cannot be judged. It matters only when
    // nothing else fires: here a price threshold raised past the printed 6 %.
    const move = attempt({ ts: T0, reason: 'price_move', rate: 6, threshold: 3 });
    const raised: Rules = { ...DEFAULT_RULES, trading: { ...DEFAULT_RULES.trading, ttlHours: 1, priceThreshold: 7 } };
    const doc = replayWhatIf(input([move], [], raised));
    expect(doc.exact).toBe(false);
    expect(doc.inexact_because).toMatch(/^1 decision of stocks with no known report time needed a what-if TTL verdict/);
    expect(doc.whatif.attempts).toBe(0);
    // With the price move still firing, it is an attempt whatever the TTL says: exact.
    const fired = replayWhatIf(input([move], [], withTtl('trading', 1)));
    expect(fired.exact).toBe(true);
    expect(fired.whatif.by_reason.price_move).toBe(1);
  });

  it('takes a stock’s report time from the first age the log prints when the store has none before it', () => {
    // The skip at 12:00 prints 1.5 h: the report dates from 10:30, so at 12:00 a 1 h TTL fires.
    const doc = replayWhatIf(input([], [skip(T0 + 2 * HOUR_MS, 1.5, 2)], withTtl('trading', 1)));
    expect(doc.whatif.by_reason.ttl_expired).toBe(1);
    expect(doc.exact).toBe(true);
  });
});

describe('whatif on the command line', () => {
  let db: string;
  beforeAll(async () => {
    db = await ingested([fixture('anomalies', 'prediction-cap.log')]);
  });
  const run = (...args: string[]) => cli(['--db', db, 'whatif', '--days', '1', '--until', '2025-11-05', ...args]);

  it('prints the contract document with --json', async () => {
    const r = await run('--fix-prediction-cap', '--json');
    expect(r.code).toBe(0);
    const doc = r.json();
    expect(Object.keys(doc)).toEqual(expect.arrayContaining(['from', 'until', 'log_end', 'rules', 'exact', 'inexact_because', 'actual', 'whatif', 'delta', 'days']));
    expect(doc.from).toBe('2025-11-05T00:00:00+09:00');
    expect(doc.days).toHaveLength(1);
    expect(Object.keys(doc.actual).sort()).toEqual(['attempts', 'avg_freshness_hours', 'by_reason', 'cost_usd', 'llm_calls']);
  });

  it('applies --set over the config rules and --rules files (a rules table or a whole config)', async () => {
    const set = (await run('--set', 'trading.ttlHours=3', '--set', 'after_hours.priceTriggerActive=true', '--json')).json();
    expect(set.rules.trading).toEqual({ ...DEFAULT_RULES.trading, ttlHours: 3 });
    expect(set.rules.after_hours.priceTriggerActive).toBe(true);
    const file = (await run('--rules', fixture('whatif', 'trading-ttl-3h.json'), '--json')).json();
    expect(file.rules).toEqual(withTtl('trading', 3));
    const config = (await run('--rules', fixture('whatif', 'config-with-rules.json'), '--json')).json();
    expect(config.rules.after_hours.ttlHours).toBe(8);
    expect(config.rules.trading.priceThreshold).toBe(4);
  });

  it('prints a table with the totals, the days and whether the figures are exact', async () => {
    const r = await run('--fix-prediction-cap');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('rules: 20-prediction cap fixed');
    expect(r.stdout).toContain('exact: every what-if figure follows from the log');
    expect(r.stdout).toMatch(/LLM calls\s+│\s+13 │\s+5 │\s+-8 │/);
  });

  it('wraps its sentences at a terminal\'s width under an indent, and keeps each on one line in a pipe', async () => {
    // A lowered price threshold makes the figures bounds: the longest sentence the command prints.
    const doc = (await run('--set', 'trading.priceThreshold=1', '--fix-prediction-cap', '--json')).json() as WhatIfDocument;
    expect(doc.exact).toBe(false);
    const window = windowOf(1, '2025-11-05');
    const sentences = (text: string) => text.split('\n').slice(2, text.split('\n').indexOf('Totals') - 1);
    const piped = sentences(renderWhatIf(doc, window, false));
    expect(piped).toHaveLength(3);
    expect(piped[1]).toBe(`  BOUNDS, not exact: ${doc.inexact_because}`);
    const narrow = sentences(renderWhatIf(doc, window, false, 50));
    expect(narrow.length).toBeGreaterThan(3);
    for (const line of narrow) expect(line.length, line).toBeLessThanOrEqual(50);
    // The same words in the same order; a continuation starts under the four-space indent.
    expect(narrow.join(' ').split(/\s+/).filter(Boolean)).toEqual(piped.join(' ').split(/\s+/).filter(Boolean));
    for (const line of narrow) expect(line).toMatch(/^ {2}(rules|BOUNDS|\d)|^ {4}\S/);
  });

  it('counts the changed decisions in words that agree with their number', async () => {
    const doc = (await run('--fix-prediction-cap', '--json')).json() as WhatIfDocument;
    const line = (changed: WhatIfDocument['changed']) => renderWhatIf({ ...doc, changed }, windowOf(1, '2025-11-05'), false).split('\n').find((l) => l.includes('dropped'));
    expect(line({ dropped: 1, added: 0, reason_changed: 0 })).toMatch(/^ {2}1 attempt dropped, 0 added/);
    expect(line({ dropped: 2, added: 1, reason_changed: 0 })).toMatch(/^ {2}2 attempts dropped, 1 added/);
  });

  const bad: [string, string[], RegExp][] = [
    ['an unknown phase in --set', ['--set', 'tradng.ttlHours=3'], /unknown phase 'tradng'/],
    ['an unknown key in --set', ['--set', 'trading.ttl=3'], /unknown key 'ttl'/],
    ['a negative TTL in --set', ['--set', 'trading.ttlHours=-1'], /ttlHours must be positive/],
    ['a zero TTL in --set', ['--set', 'trading.ttlHours=0'], /ttlHours must be positive/],
    ['a non-number in --set', ['--set', 'trading.ttlHours=3h'], /ttlHours must be a number, got '3h'/],
    ['a --set without a value', ['--set', 'trading'], /--set must be PHASE.KEY=VALUE/],
    ['a rules file with an unknown phase', ['--rules', fixture('whatif', 'bad-unknown-phase.json')], /bad-unknown-phase.json: .*tradng/],
    ['a rules file with a negative TTL', ['--rules', fixture('whatif', 'bad-negative-ttl.json')], /bad-negative-ttl.json: trading.ttlHours: /],
    ['a rules file with a non-number', ['--rules', fixture('whatif', 'bad-not-a-number.json')], /bad-not-a-number.json: trading.ttlHours: /],
    ['a rules file with an unknown key', ['--rules', fixture('whatif', 'bad-unknown-key.json')], /bad-unknown-key.json: trading: /],
    ['a rules file that is not JSON', ['--rules', fixture('whatif', 'bad-not-json.json')], /bad-not-json.json: /],
    ['a missing rules file', ['--rules', fixture('whatif', 'missing.json')], /missing.json: no such file/],
    ['both --rules and --set', ['--rules', fixture('whatif', 'trading-ttl-3h.json'), '--set', 'trading.ttlHours=3'], /exclude each other/],
    ['nothing to replay', [], /nothing to replay/],
    ['--days out of range', ['--days', '31', '--set', 'trading.ttlHours=3'], /days/],
  ];
  for (const [what, args, message] of bad) {
    it(`rejects ${what}: one line, exit 2`, async () => {
      const r = await run(...args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    });
  }
});
