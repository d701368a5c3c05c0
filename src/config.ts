/**
 * The configuration file (JSON): store, price per call and the backend's rules.
 * Found by --config, else $CRAVENY_OPS_CONFIG, else ./craveny-ops.config.json when present.
 * Flags override it; a bad value is a usage error naming the key.
 */
import fs from 'node:fs';
import { UsageError } from './errors.js';
import { DEFAULT_RULES, PHASES, type Rules } from './market/rules.js';

export const DEFAULT_CONFIG_FILE = 'craveny-ops.config.json';
export const DEFAULT_PRICE_PER_CALL = 0.001;

/** The Day 2–7 expectations (verify week). */
export interface WeekRules {
  /** Succeeded attempts per stock seen per day: min ≤ v ≤ max. */
  updatesPerStock: { min: number; max: number };
  /** succeeded / (succeeded + failed) must be above this. */
  minSuccessRate: number;
  /** LLM calls per day, per stock seen: min·n ≤ v ≤ max·n. */
  callsPerStock: { min: number; max: number };
  /** Time-weighted mean report age must be below this. */
  maxFreshnessHours: number;
  /** Judge days the KRX is closed too (by default they are market_closed: shown, not judged). */
  judgeMarketClosedDays: boolean;
}

export const DEFAULT_WEEK_RULES: WeekRules = {
  updatesPerStock: { min: 5, max: 10 },
  minSuccessRate: 0.95,
  callsPerStock: { min: 5, max: 10 },
  maxFreshnessHours: 3,
  judgeMarketClosedDays: false,
};

/** Anomaly thresholds: more than stormAttempts attempts of one stock within the window is a storm. */
export interface AnomalyRules {
  stormAttempts: number;
  stormWindowMinutes: number;
  /** This many failed attempts within the window is a spike. */
  failureSpikeCount: number;
  failureWindowMinutes: number;
  /** A window reaching the present whose log end is more than this before now: stale_logs. */
  maxLogSilenceMinutes: number;
}

export const DEFAULT_ANOMALY_RULES: AnomalyRules = {
  stormAttempts: 3,
  stormWindowMinutes: 60,
  failureSpikeCount: 3,
  failureWindowMinutes: 60,
  maxLogSilenceMinutes: 60,
};

export interface Config {
  /** The file it came from, if any. */
  file: string | null;
  store: string | null;
  logTz: string | null;
  pricePerCall: number | null;
  rules: Rules;
  week: WeekRules;
  anomalies: AnomalyRules;
}

/** A configuration is a few hundred bytes; this much is surely not one (`--config /dev/zero`). */
export const MAX_CONFIG_BYTES = 1 << 20;
/** How long a config that is a pipe (`--config <(…)`) may take to arrive. */
const PIPE_WAIT_MS = 10_000;

/**
 * The file's text, read up to MAX_CONFIG_BYTES whatever it is (a device never ends, a FIFO may
 * have no writer): opened without blocking, so neither can hold the command forever.
 */
function readBounded(file: string): string {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  try {
    const buf = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    let length = 0;
    const until = Date.now() + PIPE_WAIT_MS;
    while (length < buf.length) {
      let n: number;
      try {
        n = fs.readSync(fd, buf, length, buf.length - length, null);
      } catch (error) {
        // A pipe whose writer has not written yet.
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN' || Date.now() > until) throw error;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
        continue;
      }
      if (n === 0) break;
      length += n;
    }
    if (length > MAX_CONFIG_BYTES) throw new UsageError(`config ${file}: larger than ${MAX_CONFIG_BYTES >> 10} KiB, so not a craveny-ops configuration`);
    return buf.toString('utf8', 0, length);
  } finally {
    fs.closeSync(fd);
  }
}

export async function loadConfig(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<Config> {
  const file = explicit ?? env.CRAVENY_OPS_CONFIG ?? (fs.existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : null);
  if (!file) {
    return {
      file: null,
      store: null,
      logTz: null,
      pricePerCall: null,
      rules: DEFAULT_RULES,
      week: DEFAULT_WEEK_RULES,
      anomalies: DEFAULT_ANOMALY_RULES,
    };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readBounded(file));
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
    throw new UsageError(`config ${file}: ${why}`);
  }
  // zod is loaded only when there is a file to check: most runs have none, and it is a large module.
  const { configSchema } = await import('./config-schema.js');
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue.path.join('.') || '(top level)';
    throw new UsageError(`config ${file}: ${key}: ${issue.message}`);
  }
  const c = parsed.data;
  const rules = Object.fromEntries(PHASES.map((p) => [p, { ...DEFAULT_RULES[p], ...c.rules?.[p] }])) as Rules;
  const week: WeekRules = {
    updatesPerStock: { ...DEFAULT_WEEK_RULES.updatesPerStock, ...c.week?.updatesPerStock },
    minSuccessRate: c.week?.minSuccessRate ?? DEFAULT_WEEK_RULES.minSuccessRate,
    callsPerStock: { ...DEFAULT_WEEK_RULES.callsPerStock, ...c.week?.callsPerStock },
    maxFreshnessHours: c.week?.maxFreshnessHours ?? DEFAULT_WEEK_RULES.maxFreshnessHours,
    judgeMarketClosedDays: c.week?.judgeMarketClosedDays ?? DEFAULT_WEEK_RULES.judgeMarketClosedDays,
  };
  const anomalies: AnomalyRules = { ...DEFAULT_ANOMALY_RULES, ...c.anomalies };
  // Checked on the merged values: `{"min": 12}` alone is as impossible against the default max of 10.
  for (const key of ['updatesPerStock', 'callsPerStock'] as const) {
    const { min, max } = week[key];
    if (min > max) throw new UsageError(`config ${file}: week.${key}: min ${min} is above max ${max}, so no day could pass`);
  }
  return { file, store: c.store ?? null, logTz: c.logTz ?? null, pricePerCall: c.pricePerCall ?? null, rules, week, anomalies };
}
