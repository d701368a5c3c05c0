/**
 * What `whatif --rules FILE` and `--set` take and refuse (cli-contract.md, whatif; exit 2 with one line
 * naming the problem): a rules document must be an object — a table of phases or a whole config with
 * `rules` — and anything else is refused at "(top level)", never a crash; the path of a bad value is
 * named as the file writes it. `--set` is split at the first `.` and the first `=`: the phase is what
 * comes before the dot, the key what lies between it and `=`, the value everything after.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRulesDocument, parseSet, readRulesFile } from '../src/analysis/whatif-rules.js';
import { UsageError } from '../src/errors.js';
import { tempDir } from './helpers.js';

describe('a rules document', () => {
  it.each([
    ['null', null, 'null'],
    ['a string', 'x', 'string'],
    ['a number', 3, 'number'],
    ['a boolean', true, 'boolean'],
  ])('that is %s is a usage error at the top level', async (_what, raw, got) => {
    const parsing = parseRulesDocument(raw, 'rules file r.json');
    await expect(parsing).rejects.toBeInstanceOf(UsageError);
    await expect(parseRulesDocument(raw, 'rules file r.json')).rejects.toThrow(new RegExp(`^rules file r\\.json: \\(top level\\): .*${got}`));
  });

  it('that is empty changes nothing, as a table or as a config without rules changes', async () => {
    expect(await parseRulesDocument({}, 'rules file r.json')).toEqual({});
    expect(await parseRulesDocument({ rules: {} }, 'rules file c.json')).toEqual({});
  });

  it('names a bad phase table by its path as written: in a config under rules, in a table at the top', async () => {
    await expect(parseRulesDocument({ rules: null }, 'rules file c.json')).rejects.toThrow(/^rules file c\.json: rules: /);
    await expect(parseRulesDocument({ trading: null }, 'rules file r.json')).rejects.toThrow(/^rules file r\.json: trading: /);
  });
});

describe('--set is split at the first dot and the first equals sign', () => {
  it.each([
    // Nothing before the first '=' but the whole option: no PHASE.KEY at its start.
    ['=trading.ttlHours=3', "--set must be PHASE.KEY=VALUE such as trading.ttlHours=3, got '=trading.ttlHours=3'"],
    // The value is everything after the first '=': not a number.
    ['trading.ttlHours=3=4', "--set trading.ttlHours=3=4: ttlHours must be a number, got '3=4'"],
    // The phase is what comes before the first dot: here nothing.
    ['.trading.ttlHours=3', "--set .trading.ttlHours=3: unknown phase ''"],
    // The key is everything between the first dot and '=': dots included.
    ['trading.ttlHours.x=3', "--set trading.ttlHours.x=3: unknown key 'ttlHours.x'"],
    ['trading..ttlHours=3', "--set trading..ttlHours=3: unknown key '.ttlHours'"],
    ['trading.ttlHours=', "--set trading.ttlHours=: ttlHours must be a number, got ''"],
  ])('refuses %j', (text, message) => {
    expect(() => parseSet(text)).toThrow(message);
  });
});

describe('--set values of several digits', () => {
  it.each([
    ['after_hours.ttlHours=12', 12],
    ['after_hours.ttlHours=12.25', 12.25],
    ['trading.priceThreshold=2.75', 2.75],
    ['trading.directionThreshold=.25', 0.25],
  ])('takes %j', (text, value) => {
    expect(parseSet(text).value).toBe(value);
  });

  it('refuses a value that runs onto a second line', () => {
    expect(() => parseSet('trading.ttlHours=3\n4')).toThrow('--set must be PHASE.KEY=VALUE');
  });
});

describe('a rules file that fails the schema', () => {
  it('is named in the message with the path of the bad value', async () => {
    const file = path.join(tempDir(), 'rules.json');
    fs.writeFileSync(file, JSON.stringify({ trading: { ttlHours: -1 } }));
    await expect(readRulesFile(file)).rejects.toThrow(`rules file ${file}: trading.ttlHours: `);
  });
});
