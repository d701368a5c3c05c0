/**
 * The what-if rule table: the actual rules changed by a rules file (the config's `rules` shape,
 * or a whole config file) or by `--set PHASE.KEY=VALUE`. The CLI and the HTTP API share it, so
 * they never validate differently; a bad value is a UsageError naming it.
 */
import fs from 'node:fs';
import { UsageError } from '../errors.js';
import { isPhase, PHASES, type PhaseRule, type Rules } from '../market/rules.js';

const KEYS = ['ttlHours', 'priceThreshold', 'directionThreshold', 'priceTriggerActive'] as const satisfies readonly (keyof PhaseRule)[];
type Key = (typeof KEYS)[number];
const isKey = (k: string): k is Key => (KEYS as readonly string[]).includes(k);

const NUMBER = /^\d+(\.\d+)?$|^\.\d+$/;

/** One `PHASE.KEY=VALUE`, checked. */
export function parseSet(text: string): { phase: keyof Rules; key: Key; value: number | boolean } {
  const m = /^([^.=]*)\.([^=]*)=(.*)$/.exec(text.trim());
  if (!m) throw new UsageError(`--set must be PHASE.KEY=VALUE such as trading.ttlHours=3, got '${text}'`);
  const [, phase, key, raw] = m;
  if (!isPhase(phase)) throw new UsageError(`--set ${text}: unknown phase '${phase}'; phases: ${PHASES.join(', ')}`);
  if (!isKey(key)) throw new UsageError(`--set ${text}: unknown key '${key}'; keys: ${KEYS.join(', ')}`);
  const value = raw.trim();
  if (key === 'priceTriggerActive') {
    if (value !== 'true' && value !== 'false') throw new UsageError(`--set ${text}: priceTriggerActive must be true or false`);
    return { phase, key, value: value === 'true' };
  }
  if (value.startsWith('-') && NUMBER.test(value.slice(1))) throw new UsageError(`--set ${text}: ${key} must be positive, got ${value}`);
  if (!NUMBER.test(value)) throw new UsageError(`--set ${text}: ${key} must be a number, got '${raw}'`);
  const n = Number(value);
  if (n <= 0) throw new UsageError(`--set ${text}: ${key} must be positive, got ${value}`);
  return { phase, key, value: n };
}

/** A rules document (`{"trading": {"ttlHours": 3}}`, or a config file with `rules`), checked by the config's schema. */
export async function parseRulesDocument(raw: unknown, source: string): Promise<Partial<Record<keyof Rules, Partial<PhaseRule>>>> {
  const { configSchema } = await import('../config-schema.js');
  const whole = raw !== null && typeof raw === 'object' && !Array.isArray(raw) && 'rules' in raw;
  const parsed = configSchema.safeParse(whole ? raw : { rules: raw });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = (whole ? issue.path : issue.path.slice(1)).join('.') || '(top level)';
    throw new UsageError(`${source}: ${path}: ${issue.message}`);
  }
  return (parsed.data.rules ?? {}) as Partial<Record<keyof Rules, Partial<PhaseRule>>>;
}

export async function readRulesFile(file: string): Promise<Partial<Record<keyof Rules, Partial<PhaseRule>>>> {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`rules file ${file}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  return parseRulesDocument(raw, `rules file ${file}`);
}

/** The actual rules with a rules document's values, then each `--set`, over them. */
export function whatIfRules(actual: Rules, document: Partial<Record<keyof Rules, Partial<PhaseRule>>> | null, sets: readonly string[]): Rules {
  const rules = Object.fromEntries(PHASES.map((p) => [p, { ...actual[p], ...document?.[p] }])) as Rules;
  for (const text of sets) {
    const { phase, key, value } = parseSet(text);
    (rules[phase] as unknown as Record<Key, number | boolean>)[key] = value;
  }
  return rules;
}

/** The rule changes in words, against the rules the log shows: `trading.ttlHours 2 → 3`. */
export function ruleChanges(actual: Rules, rules: Rules): string[] {
  const changes: string[] = [];
  for (const p of PHASES) {
    for (const key of Object.keys(rules[p]) as (keyof Rules[typeof p])[]) {
      if (rules[p][key] !== actual[p][key]) changes.push(`${p}.${key} ${actual[p][key]} → ${rules[p][key]}`);
    }
  }
  return changes;
}
