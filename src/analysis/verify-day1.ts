/**
 * `verify day1`: the five Day 1 scenarios of the monitoring story, each a check over the
 * decisions (attempts and skips) of one KST day whose phase is the check's phase.
 * Violation definitions live in violations.ts; which ones belong to which check is decided here.
 */
import type { Kysely } from 'kysely';
import type { Phase, Rules } from '../market/rules.js';
import { krxDay } from '../market/calendar.js';
import { addDays, dayStartMs, isoKst, kstDay, phaseAt } from '../market/time.js';
import type { Database } from '../store/schema.js';
import { attemptsIn, skipsIn, type Attempt, type Skip } from './attempts.js';
import { ruleViolations, type Violation, type ViolationRule } from './violations.js';
import { plural } from '../render/text.js';

export type CheckStatus = 'pass' | 'fail' | 'not_exercised';
export type RunStatus = 'pass' | 'fail' | 'inconclusive';

export const DAY1_CHECK_IDS = ['pre_market_news', 'market_open_fresh', 'trading_price_move', 'trading_ttl', 'after_hours_quiet'] as const;
export type Day1CheckId = (typeof DAY1_CHECK_IDS)[number];

export interface Day1Violation {
  ts: string;
  stock_code: string;
  message: string;
  /** Beyond the contract: which rule, and why in words. */
  rule: ViolationRule;
  explanation: string;
}

export interface Day1Check {
  id: Day1CheckId;
  status: CheckStatus;
  evidence_count: number;
  violation_count: number;
  violations: Day1Violation[];
  /** Beyond the contract, for people: the phase, what passes, and what was seen. */
  phase: Phase;
  expectation: string;
  observed: string;
}

export interface Day1Result {
  kind: 'day1';
  date: string;
  status: RunStatus;
  checks: Day1Check[];
  /** Beyond the contract: whether the exchange traded that day (see calendar.ts). */
  trading_day: boolean;
  closed_because: string | null;
}

interface CheckSpec {
  id: Day1CheckId;
  phase: Phase;
  /** The decisions that exercise the scenario. */
  evidence(attempts: Attempt[], skips: Skip[], rules: Rules): number;
  /** The violation rules that count against it (always restricted to its phase). */
  rules: readonly ViolationRule[];
  expectation(rules: Rules): string;
}

const TTL_RULES: readonly ViolationRule[] = ['skip_past_ttl', 'ttl_before_expiry'];
const succeeded = (a: Attempt) => a.status === 'succeeded';

const SPECS: readonly CheckSpec[] = [
  {
    id: 'pre_market_news',
    phase: 'pre_market',
    evidence: (attempts) => attempts.filter((a) => succeeded(a) && a.reason === 'new_prediction').length,
    rules: TTL_RULES,
    expectation: () => 'news before the open → a succeeded new_prediction update',
  },
  {
    id: 'market_open_fresh',
    phase: 'market_open',
    evidence: (attempts, skips) => attempts.filter(succeeded).length + skips.length,
    rules: TTL_RULES,
    expectation: (r) => `at the open every report is updated or fresh (TTL ${r.market_open.ttlHours}h)`,
  },
  {
    id: 'trading_price_move',
    phase: 'trading',
    evidence: (attempts, _skips, r) =>
      attempts.filter((a) => succeeded(a) && a.reason === 'price_move' && a.rate !== null && Math.abs(a.rate) >= r.trading.priceThreshold).length,
    rules: [...TTL_RULES, 'price_below_threshold'],
    expectation: (r) => `a price move ≥ ${r.trading.priceThreshold}% → update; none below`,
  },
  {
    id: 'trading_ttl',
    phase: 'trading',
    evidence: (attempts) => attempts.filter((a) => succeeded(a) && a.reason === 'ttl_expired').length,
    rules: TTL_RULES,
    expectation: (r) => `age ≥ ${r.trading.ttlHours}h → TTL update; none younger`,
  },
  {
    id: 'after_hours_quiet',
    phase: 'after_hours',
    evidence: (_attempts, skips, r) => skips.filter((s) => s.ageHours !== null && s.ageHours < r.after_hours.ttlHours).length,
    rules: TTL_RULES,
    expectation: (r) => `skips while age < ${r.after_hours.ttlHours}h; no TTL update before`,
  },
];

const skipPhase = (s: Skip): Phase => s.phase ?? phaseAt(s.ts);

function toViolation(v: Violation): Day1Violation {
  return { ts: isoKst(v.ts), stock_code: v.stockCode, message: v.message, rule: v.rule, explanation: v.explanation };
}

function observedText(status: CheckStatus, evidence: number, violations: number, decisions: number): string {
  if (status === 'fail') return `${plural(violations, 'violation')} (${evidence} evidence)`;
  if (status === 'pass') return `${evidence} evidence, no violation`;
  return decisions === 0 ? 'no decisions in this phase' : `${plural(decisions, 'decision')}, no evidence`;
}

export function runStatus(statuses: readonly CheckStatus[]): RunStatus {
  if (statuses.includes('fail')) return 'fail';
  return statuses.length > 0 && statuses.every((s) => s === 'pass') ? 'pass' : 'inconclusive';
}

/** The day1 verdict from already-read decisions (pure, for tests and other front ends). */
export function evaluateDay1(day: string, attempts: Attempt[], skips: Skip[], rules: Rules): Day1Result {
  const violations = ruleViolations(attempts, skips, rules);
  const checks = SPECS.map((spec): Day1Check => {
    const phaseAttempts = attempts.filter((a) => a.phase === spec.phase);
    const phaseSkips = skips.filter((s) => skipPhase(s) === spec.phase);
    const evidence = spec.evidence(phaseAttempts, phaseSkips, rules);
    const mine = violations.filter((v) => v.phase === spec.phase && spec.rules.includes(v.rule)).map(toViolation);
    const status: CheckStatus = mine.length > 0 ? 'fail' : evidence > 0 ? 'pass' : 'not_exercised';
    return {
      id: spec.id,
      status,
      evidence_count: evidence,
      violation_count: mine.length,
      violations: mine,
      phase: spec.phase,
      expectation: spec.expectation(rules),
      observed: observedText(status, evidence, mine.length, phaseAttempts.length + phaseSkips.length),
    };
  });
  const calendar = krxDay(day);
  return {
    kind: 'day1',
    date: day,
    status: runStatus(checks.map((c) => c.status)),
    checks,
    trading_day: calendar.trading,
    closed_because: calendar.closedBecause,
  };
}

export async function verifyDay1(db: Kysely<Database>, day: string, rules: Rules): Promise<Day1Result> {
  const range = { fromMs: dayStartMs(day), untilMs: dayStartMs(addDays(day, 1)) };
  const [attempts, skips] = await Promise.all([attemptsIn(db, range), skipsIn(db, range)]);
  return evaluateDay1(day, attempts, skips, rules);
}

/** The latest time of a decision (attempt or skip) before `beforeMs`, or null. */
async function latestDecisionBefore(db: Kysely<Database>, beforeMs: number): Promise<number | null> {
  const [attempt, skip] = await Promise.all([
    db.selectFrom('attempts').select((eb) => eb.fn.max('ts').as('ts')).where('ts', '<', beforeMs).executeTakeFirst(),
    db.selectFrom('records').select((eb) => eb.fn.max('ts').as('ts')).where('kind', '=', 'skip').where('ts', '<', beforeMs).executeTakeFirst(),
  ]);
  const times = [attempt?.ts, skip?.ts].filter((t) => t != null).map(Number);
  return times.length ? Math.max(...times) : null;
}

/** The latest KST day with any decision in the store, or null for a store without any. */
export async function latestDayInStore(db: Kysely<Database>): Promise<string | null> {
  const ts = await latestDecisionBefore(db, Number.MAX_SAFE_INTEGER);
  return ts === null ? null : kstDay(ts);
}

/**
 * The latest KRX trading day that has decisions in the store, or null when none has.
 * Walks back one day with data at a time, so a long run of weekend-only data costs little.
 */
export async function latestTradingDayInStore(db: Kysely<Database>): Promise<string | null> {
  let before = Number.MAX_SAFE_INTEGER;
  for (;;) {
    const ts = await latestDecisionBefore(db, before);
    if (ts === null) return null;
    const day = kstDay(ts);
    if (krxDay(day).trading) return day;
    before = dayStartMs(day);
  }
}

/** The default --date of day1, with a note when it is not the latest trading day with data. */
export async function defaultDay1Date(db: Kysely<Database>, nowMs: number): Promise<{ date: string; note: string | null }> {
  const trading = await latestTradingDayInStore(db);
  if (trading) return { date: trading, note: null };
  const latest = await latestDayInStore(db);
  if (latest) return { date: latest, note: `no KRX trading day has data in the store; verifying the latest day with data, ${latest}` };
  const today = kstDay(nowMs);
  return { date: today, note: `the store holds no decisions; verifying today, ${today}` };
}
