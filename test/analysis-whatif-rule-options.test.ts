/**
 * The what-if rule table (cli-contract.md, whatif: `--rules FILE | --set PHASE.KEY=VALUE …`), the one
 * definition the CLI and the HTTP API share: a value is a positive decimal number (`3`, `2.5`, `.5`),
 * a switch is `true` or `false`, anything else is a usage error that names the option and the fault;
 * a rules document changes the actual rules and each `--set` then changes that, the last one winning;
 * the changes are told in phase order, only those that differ.
 */
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { parseRulesDocument, parseSet, readRulesFile, ruleChanges, whatIfRules } from '../src/analysis/whatif-rules.js';
import { DEFAULT_RULES } from '../src/market/rules.js';
import { tempDir } from './helpers.js';

describe('--set PHASE.KEY=VALUE', () => {
  it.each([
    ['trading.ttlHours=3', { phase: 'trading', key: 'ttlHours', value: 3 }],
    ['after_hours.priceThreshold=2.5', { phase: 'after_hours', key: 'priceThreshold', value: 2.5 }],
    ['market_open.directionThreshold=.5', { phase: 'market_open', key: 'directionThreshold', value: 0.5 }],
    // Around the option, and around its value, spaces are a shell's, not the user's meaning.
    [' pre_market.ttlHours= 4 ', { phase: 'pre_market', key: 'ttlHours', value: 4 }],
    ['pre_market.priceTriggerActive=true', { phase: 'pre_market', key: 'priceTriggerActive', value: true }],
    ['trading.priceTriggerActive=false', { phase: 'trading', key: 'priceTriggerActive', value: false }],
  ])('takes %j', (text, expected) => {
    expect(parseSet(text)).toEqual(expected);
  });

  it.each([
    // Not a decimal number: the whole value must be one.
    ['trading.ttlHours=x3', "ttlHours must be a number, got 'x3'"],
    ['trading.ttlHours=.5h', "ttlHours must be a number, got '.5h'"],
    ['trading.ttlHours=a.5', "ttlHours must be a number, got 'a.5'"],
    ['trading.ttlHours=2.', "ttlHours must be a number, got '2.'"],
    ['trading.ttlHours=1e3', "ttlHours must be a number, got '1e3'"],
    ['trading.ttlHours=-x', "ttlHours must be a number, got '-x'"],
    // A number, but not positive: said so, whatever its form.
    ['trading.priceThreshold=-0.5', 'priceThreshold must be positive, got -0.5'],
    ['trading.priceThreshold=-.5', 'priceThreshold must be positive, got -.5'],
    ['trading.ttlHours=0.0', 'ttlHours must be positive, got 0.0'],
    // A switch takes exactly true or false.
    ['trading.priceTriggerActive=TRUE', 'priceTriggerActive must be true or false'],
    ['trading.priceTriggerActive=1', 'priceTriggerActive must be true or false'],
  ])('refuses %j, naming the fault', (text, message) => {
    expect(() => parseSet(text)).toThrow(`--set ${text}: ${message}`);
  });

  it('names the phases and the keys it knows when one is unknown', () => {
    expect(() => parseSet('closed.ttlHours=3')).toThrow(
      "--set closed.ttlHours=3: unknown phase 'closed'; phases: pre_market, market_open, trading, market_close, after_hours",
    );
    expect(() => parseSet('trading.ttl=3')).toThrow("--set trading.ttl=3: unknown key 'ttl'; keys: ttlHours, priceThreshold, directionThreshold, priceTriggerActive");
    expect(() => parseSet('trading.ttlHours')).toThrow("--set must be PHASE.KEY=VALUE such as trading.ttlHours=3, got 'trading.ttlHours'");
  });
});

describe('the what-if rules', () => {
  it('are the actual rules, changed by the document, then by each --set in order (the last one wins)', () => {
    const rules = whatIfRules(DEFAULT_RULES, { trading: { ttlHours: 4 }, after_hours: { priceTriggerActive: true } }, [
      'trading.ttlHours=3',
      'market_open.priceThreshold=4',
      'market_open.priceThreshold=4.5',
    ]);
    expect(rules).toEqual({
      ...DEFAULT_RULES,
      trading: { ...DEFAULT_RULES.trading, ttlHours: 3 },
      market_open: { ...DEFAULT_RULES.market_open, priceThreshold: 4.5 },
      after_hours: { ...DEFAULT_RULES.after_hours, priceTriggerActive: true },
    });
    // The actual rules are left as they were.
    expect(DEFAULT_RULES.trading.ttlHours).toBe(2);
  });

  it('tell their changes against the actual rules in phase order, and nothing that is unchanged', () => {
    const rules = whatIfRules(DEFAULT_RULES, null, ['after_hours.ttlHours=8', 'trading.ttlHours=2', 'pre_market.priceTriggerActive=true']);
    expect(ruleChanges(DEFAULT_RULES, rules)).toEqual(['pre_market.priceTriggerActive false → true', 'after_hours.ttlHours 6 → 8']);
    expect(ruleChanges(DEFAULT_RULES, whatIfRules(DEFAULT_RULES, null, []))).toEqual([]);
  });
});

describe('--rules FILE', () => {
  it('takes a rules table or a whole config file, and names the path of a bad value in the file as written', async () => {
    expect(await parseRulesDocument({ trading: { ttlHours: 3 } }, 'rules file r.json')).toEqual({ trading: { ttlHours: 3 } });
    expect(await parseRulesDocument({ rules: { trading: { ttlHours: 3 } } }, 'rules file c.json')).toEqual({ trading: { ttlHours: 3 } });
    await expect(parseRulesDocument({ trading: { ttlHours: -1 } }, 'rules file r.json')).rejects.toThrow(/^rules file r\.json: trading\.ttlHours: /);
    await expect(parseRulesDocument({ rules: { trading: { ttlHours: 'x' } } }, 'rules file c.json')).rejects.toThrow(/^rules file c\.json: rules\.trading\.ttlHours: /);
    await expect(parseRulesDocument([], 'rules file a.json')).rejects.toThrow(/^rules file a\.json: \(top level\): /);
  });

  it('says when the file is missing or is not JSON', async () => {
    const dir = tempDir();
    const missing = path.join(dir, 'none.json');
    await expect(readRulesFile(missing)).rejects.toThrow(`rules file ${missing}: no such file`);
    const broken = path.join(dir, 'broken.json');
    fs.writeFileSync(broken, '{"trading": ');
    await expect(readRulesFile(broken)).rejects.toThrow(new RegExp(`^rules file ${broken.replace(/[.]/g, '\\.')}: .*JSON`));
    const good = path.join(dir, 'good.json');
    fs.writeFileSync(good, JSON.stringify({ after_hours: { ttlHours: 8 } }));
    expect(await readRulesFile(good)).toEqual({ after_hours: { ttlHours: 8 } });
  });
});
