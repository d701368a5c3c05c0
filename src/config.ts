/**
 * The configuration file (JSON): store, price per call and the backend's rules.
 * Found by --config, else $CRAVENY_OPS_CONFIG, else ./craveny-ops.config.json when present.
 * Flags override it; a bad value is a usage error naming the key.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { UsageError } from './errors.js';
import { DEFAULT_RULES, PHASES, type Rules } from './market/rules.js';

export const DEFAULT_CONFIG_FILE = 'craveny-ops.config.json';
export const DEFAULT_PRICE_PER_CALL = 0.001;

const positive = z.number().positive();
const phaseRule = z
  .object({
    ttlHours: positive,
    priceThreshold: positive,
    directionThreshold: positive,
    priceTriggerActive: z.boolean(),
  })
  .partial()
  .strict();

const schema = z
  .object({
    store: z.string().min(1),
    logTz: z.string().min(1),
    pricePerCall: z.number().nonnegative(),
    rules: z.object(Object.fromEntries(PHASES.map((p) => [p, phaseRule.optional()]))).strict(),
  })
  .partial()
  .strict();

export interface Config {
  /** The file it came from, if any. */
  file: string | null;
  store: string | null;
  logTz: string | null;
  pricePerCall: number | null;
  rules: Rules;
}

export function loadConfig(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): Config {
  const file = explicit ?? env.CRAVENY_OPS_CONFIG ?? (fs.existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : null);
  if (!file) return { file: null, store: null, logTz: null, pricePerCall: null, rules: DEFAULT_RULES };
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new UsageError(`config ${file}: ${why}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue.path.join('.') || '(top level)';
    throw new UsageError(`config ${file}: ${key}: ${issue.message}`);
  }
  const c = parsed.data;
  const rules = Object.fromEntries(PHASES.map((p) => [p, { ...DEFAULT_RULES[p], ...c.rules?.[p] }])) as Rules;
  return { file, store: c.store ?? null, logTz: c.logTz ?? null, pricePerCall: c.pricePerCall ?? null, rules };
}
