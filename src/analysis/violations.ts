/**
 * Rule violations: decisions whose printed numbers contradict the configured rules.
 * Printed ages and rates are rounded to 0.1, so only a strict inequality is a violation.
 */
import type { Phase, Rules } from '../market/rules.js';
import { phaseAt } from '../market/time.js';
import type { Attempt, Skip } from './attempts.js';

export type ViolationRule = 'skip_past_ttl' | 'ttl_before_expiry' | 'price_below_threshold';

export interface Violation {
  host: string;
  ts: number;
  stockCode: string;
  phase: Phase;
  rule: ViolationRule;
  /** The log message of the violating record. */
  message: string;
  /** Why it is a violation, in words. */
  explanation: string;
}

export const attemptMessage = (a: Attempt) => `종목 ${a.stockCode} 업데이트 시작: ${a.reasonText}`;
export const skipMessage = (s: Skip) => `종목 ${s.stockCode}의 분석 요약이 최신 상태입니다. (${s.text})`;

export function ruleViolations(attempts: readonly Attempt[], skips: readonly Skip[], rules: Rules): Violation[] {
  const found: Violation[] = [];
  for (const s of skips) {
    const phase = s.phase ?? phaseAt(s.ts);
    const ttl = rules[phase].ttlHours;
    if (s.ageHours !== null && s.ageHours > ttl) {
      found.push({
        host: s.host,
        ts: s.ts,
        stockCode: s.stockCode,
        phase,
        rule: 'skip_past_ttl',
        message: skipMessage(s),
        explanation: `skipped at age ${s.ageHours}h, past the ${phase} TTL of ${ttl}h`,
      });
    }
  }
  for (const a of attempts) {
    const ttl = rules[a.phase].ttlHours;
    if (a.reason === 'ttl_expired' && a.ageHours !== null && a.ageHours < ttl) {
      found.push({
        host: a.host,
        ts: a.ts,
        stockCode: a.stockCode,
        phase: a.phase,
        rule: 'ttl_before_expiry',
        message: attemptMessage(a),
        explanation: `TTL update at age ${a.ageHours}h, before the ${a.phase} TTL of ${ttl}h`,
      });
    }
    const threshold = rules.trading.priceThreshold;
    if (a.reason === 'price_move' && a.phase === 'trading' && a.rate !== null && Math.abs(a.rate) < threshold) {
      found.push({
        host: a.host,
        ts: a.ts,
        stockCode: a.stockCode,
        phase: a.phase,
        rule: 'price_below_threshold',
        message: attemptMessage(a),
        explanation: `price-move update at ${a.rate}%, below the trading threshold of ${threshold}%`,
      });
    }
  }
  return found.sort((x, y) => x.ts - y.ts);
}
