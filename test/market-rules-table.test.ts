/**
 * The backend's rule table (backend-logs.md, Market phases) as the defaults, and the one rule of it
 * that no TTL or threshold test shows: the price trigger is evaluated only in market_open, trading
 * and market_close. `whatif` shows it: a lowered price threshold in a phase where the trigger runs
 * could fire on decisions whose rate the log does not print (so the figures become bounds), and in
 * pre_market and after_hours it changes nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES, isPhase, PHASE_STARTS, PHASES, type Phase } from '../src/market/rules.js';
import { cli, tempDir } from './helpers.js';

describe('the defaults are the backend’s table', () => {
  it('TTL, price-move and direction-change thresholds, and where the price trigger runs, per phase', () => {
    expect(DEFAULT_RULES).toEqual({
      pre_market: { ttlHours: 3, priceThreshold: 5.0, directionThreshold: 0.2, priceTriggerActive: false },
      market_open: { ttlHours: 1, priceThreshold: 5.0, directionThreshold: 0.15, priceTriggerActive: true },
      trading: { ttlHours: 2, priceThreshold: 3.0, directionThreshold: 0.15, priceTriggerActive: true },
      market_close: { ttlHours: 1, priceThreshold: 5.0, directionThreshold: 0.15, priceTriggerActive: true },
      after_hours: { ttlHours: 6, priceThreshold: 5.0, directionThreshold: 0.2, priceTriggerActive: false },
    });
  });

  it('the phases in the order of the KST clock, each starting at its minute', () => {
    expect(PHASES).toEqual(['pre_market', 'market_open', 'trading', 'market_close', 'after_hours']);
    expect(PHASE_STARTS.map(([minute, phase]) => [`${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`, phase])).toEqual([
      ['00:00', 'pre_market'],
      ['09:00', 'market_open'],
      ['09:30', 'trading'],
      ['15:30', 'market_close'],
      ['15:36', 'after_hours'],
    ]);
  });

  it('knows the five phase names exactly as the backend prints them', () => {
    for (const phase of PHASES) expect(isPhase(phase), phase).toBe(true);
    for (const word of ['Trading', 'trading ', '', 'closed', 'market']) expect(isPhase(word), word).toBe(false);
  });
});

describe('the price trigger runs in market_open, trading and market_close only', () => {
  const SERVICE = 'backend.services.stock_analysis_service';
  const line = (time: string, message: string) => `2025-11-04 ${time} - ${SERVICE} - INFO - ${message}`;
  // A time in each phase on Tuesday 2025-11-04, and whether the backend evaluates the price trigger there.
  const PHASE_TIMES: Array<[Phase, string, boolean]> = [
    ['pre_market', '07:00', false],
    ['market_open', '09:10', true],
    ['trading', '11:00', true],
    ['market_close', '15:31', true],
    ['after_hours', '20:00', false],
  ];

  for (const [phase, clock, evaluated] of PHASE_TIMES) {
    it(`${phase}: a price threshold lowered to 1 % ${evaluated ? 'makes the figures lower bounds' : 'changes nothing'}`, async () => {
      const ttl = DEFAULT_RULES[phase].ttlHours;
      // A forced update, then a skip 30 s later: a decision whose price move the log does not print.
      const dir = tempDir();
      const log = path.join(dir, 'backend.log');
      fs.writeFileSync(
        log,
        [
          line(`${clock}:00,000`, '종목 005930 업데이트 시작: 강제 업데이트 또는 리포트 없음'),
          line(`${clock}:05,000`, '종목 005930의 분석 요약 업데이트 완료'),
          line(`${clock}:30,000`, `종목 005930의 분석 요약이 최신 상태입니다. (업데이트 불필요 (시장: ${phase}, 경과: 0.0h/${ttl}h))`),
        ].join('\n') + '\n',
      );
      const db = path.join(dir, 'store.db');
      expect((await cli(['--db', db, 'ingest', log])).code).toBe(0);
      const run = await cli(['--db', db, 'whatif', '--days', '1', '--until', '2025-11-04', '--set', `${phase}.priceThreshold=1`, '--json'], {
        now: Date.parse('2025-11-06T12:00:00+09:00'),
      });
      expect(run.code, run.stderr).toBe(0);
      const doc = run.json();
      expect(doc.rules[phase]).toEqual({ ...DEFAULT_RULES[phase], priceThreshold: 1 });
      expect(doc.exact).toBe(!evaluated);
      if (evaluated) expect(doc.inexact_because).toMatch(/^1 decision met a lowered price or direction threshold/);
      else expect(doc.inexact_because).toBeNull();
      // Either way no decision the log shows is changed: one forced attempt.
      expect([doc.actual.attempts, doc.whatif.attempts]).toEqual([1, 1]);
    });
  }
});
