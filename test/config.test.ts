import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { DEFAULT_RULES } from '../src/market/rules.js';
import { cli, fixture, tempDir, tempStore } from './helpers.js';

const config = (name: string) => fixture('stats', 'config', name);

describe('a bad config file', () => {
  // One fixture per failure mode; the message names the file and the key at fault.
  const cases: Array<[file: string, says: RegExp]> = [
    ['price-negative.json', /: pricePerCall: .*>=0/],
    ['price-string.json', /: pricePerCall: .*expected number/],
    ['ttl-zero.json', /: rules\.trading\.ttlHours: .*>0/],
    ['unknown-phase.json', /: rules: .*"lunch"/],
    ['unknown-key.json', /: \(top level\): .*"pricePerCal"/],
    ['store-empty.json', /: store: /],
    ['not-json.json', /: .*JSON/],
  ];
  for (const command of ['stats', 'cost']) {
    for (const [file, says] of cases) {
      it(`stops ${command} with exit 2 and one line when ${file.replace('.json', '').replace('-', ' ')}`, async () => {
        const run = await cli(['--config', config(file), '--db', tempStore(), command, '--days', '1', '--until', '2025-11-04']);
        expect(run.code).toBe(2);
        expect(run.stdout).toBe('');
        expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
        expect(run.stderr).toContain(`craveny-ops: config ${config(file)}`);
        expect(run.stderr).toMatch(says);
      });
    }
  }

  it('is named by $CRAVENY_OPS_CONFIG as well as by --config', async () => {
    const run = await cli(['--db', tempStore(), 'cost', '--days', '1'], { env: { CRAVENY_OPS_CONFIG: config('price-negative.json') } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/pricePerCall/);
  });

  it('is a usage error when it does not exist', async () => {
    const missing = path.join(tempDir(), 'nope.json');
    const run = await cli(['--config', missing, '--db', tempStore(), 'stats']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`craveny-ops: config ${missing}: no such file\n`);
  });
});

describe("the config's pricePerCall", () => {
  it('takes the bounds of --price-per-call, 0 and 100 inclusive, and refuses more', async () => {
    const dir = tempDir('craveny-price-');
    const file = (price: number) => {
      const name = path.join(dir, `price-${price}.json`);
      fs.writeFileSync(name, JSON.stringify({ pricePerCall: price }));
      return name;
    };
    expect((await loadConfig(file(0), {})).pricePerCall).toBe(0);
    expect((await loadConfig(file(100), {})).pricePerCall).toBe(100);
    const run = await cli(['--config', file(100.01), '--db', tempStore(), 'cost', '--days', '1', '--until', '2025-11-04']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/: pricePerCall: .*<=100/);
  });
});

describe('a good config file', () => {
  it('merges its rules over the defaults and keeps its price', async () => {
    const c = await loadConfig(config('good.json'), {});
    expect(c.pricePerCall).toBe(0.002);
    expect(c.rules.trading).toEqual({ ...DEFAULT_RULES.trading, ttlHours: 2, priceThreshold: 3 });
    expect(c.rules.after_hours).toEqual(DEFAULT_RULES.after_hours);
  });

  it('prices every call of cost when the option is absent', async () => {
    const db = tempStore();
    await cli(['--db', db, 'ingest', fixture('logs', 'day.log')]);
    const run = await cli(['--config', config('good.json'), '--db', db, 'cost', '--json', '--days', '1', '--until', '2025-11-04']);
    expect(run.code).toBe(0);
    // 12 calls (10 [LLM_COST] lines, two of A/B attempts) × $0.002 (the config's price replaces the printed $0.001)
    expect([run.json().price_per_call, run.json().total_cost_usd]).toEqual([0.002, 0.024]);
  });

  it('names the store; $CRAVENY_OPS_DB and then --db override it', async () => {
    const dir = tempDir();
    const [fromConfig, fromEnv, fromFlag] = ['config.db', 'env.db', 'flag.db'].map((f) => path.join(dir, f));
    const file = path.join(dir, 'ops.json');
    fs.writeFileSync(file, JSON.stringify({ store: fromConfig }));
    await cli(['--db', fromConfig, 'ingest', fixture('logs', 'day.log')]);
    const args = ['--config', file, 'stats', '--json', '--days', '1', '--until', '2025-11-04'];
    expect((await cli(args)).json().total_updates).toBe(10);
    // A reading command does not create the store it is pointed at: the message names which one.
    const viaEnv = await cli(args, { env: { CRAVENY_OPS_DB: fromEnv } });
    expect([viaEnv.code, viaEnv.stderr.startsWith(`craveny-ops: no store at ${fromEnv}:`)]).toEqual([2, true]);
    expect(fs.existsSync(fromEnv)).toBe(false);
    const viaFlag = await cli(['--db', fromFlag, ...args], { env: { CRAVENY_OPS_DB: fromEnv } });
    expect([viaFlag.code, viaFlag.stderr.startsWith(`craveny-ops: no store at ${fromFlag}:`)]).toEqual([2, true]);
    expect(fs.existsSync(fromFlag)).toBe(false);
  });
});
