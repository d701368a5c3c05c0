/**
 * `attempts --json` llm_calls (cli-contract.md): the calls dated within the attempt, from its start
 * to its outcome record (inclusive), or else to the stock's next attempt (exclusive: a call in the
 * next attempt's millisecond is the next attempt's), which may lie past the window; an attempt with
 * neither has the calls up to the log end. A call between an outcome record and the next attempt
 * belongs to no attempt.
 */
import { describe, expect, it } from 'vitest';
import { attempt, FORCED, json, llmCost, noise, storeOf, succeeded } from './support/analysis-log.js';

describe("an attempt's calls span", () => {
  it('ends at its outcome record (inclusive), at the next attempt (exclusive), or at the log end', async () => {
    const cost = (time: string, code: string, phase: 'trading' | 'after_hours' | 'pre_market' = 'trading') => llmCost(time, code, phase, FORCED);
    const { db } = await storeOf(
      [
        // 005930 A: a call, and one in the millisecond of its success record: 2 calls.
        attempt('2025-11-04 10:00:00,000', '005930', FORCED),
        cost('2025-11-04 10:00:01,000', '005930'),
        succeeded('2025-11-04 10:00:30,000', '005930'),
        cost('2025-11-04 10:00:30,000', '005930'),
        // After A's outcome and before B: nobody's call.
        cost('2025-11-04 10:05:00,000', '005930'),
        // 005930 B: no outcome record; its span ends at C's start. 1 call.
        attempt('2025-11-04 11:00:00,000', '005930', FORCED),
        cost('2025-11-04 11:00:05,000', '005930'),
        // 005930 C: the call in its first millisecond is its own. 1 call.
        attempt('2025-11-04 11:10:00,000', '005930', FORCED),
        cost('2025-11-04 11:10:00,000', '005930'),
        succeeded('2025-11-04 11:10:30,000', '005930'),
        // 035720 F: no outcome, no next attempt: its calls run to the log end, past the window. 3 calls.
        attempt('2025-11-04 23:50:00,000', '035720', FORCED),
        cost('2025-11-04 23:50:01,000', '035720', 'after_hours'),
        cost('2025-11-05 00:20:00,000', '035720', 'pre_market'),
        // 000660 D: the window's last attempt; its span ends at E (past the window). 1 call.
        attempt('2025-11-04 23:59:00,000', '000660', FORCED),
        cost('2025-11-05 00:00:10,000', '000660', 'pre_market'),
        attempt('2025-11-05 00:10:00,000', '000660', FORCED),
        cost('2025-11-05 00:10:00,000', '000660', 'pre_market'),
        // E's own call, before 000660's later attempt at 00:20: D's span still ends at E, the first after the window.
        cost('2025-11-05 00:15:00,000', '000660', 'pre_market'),
        attempt('2025-11-05 00:20:00,000', '000660', FORCED),
        // 051910 G: its next attempt H starts exactly at the window's end; H's calls are H's. 0 calls.
        attempt('2025-11-04 23:30:00,000', '051910', FORCED),
        attempt('2025-11-05 00:00:00,000', '051910', FORCED),
        cost('2025-11-05 00:00:00,000', '051910', 'pre_market'),
        cost('2025-11-05 00:05:00,000', '051910', 'pre_market'),
        noise('2025-11-05 00:59:00,000'),
        // The log's last line, at the log end: still F's.
        cost('2025-11-05 01:00:00,000', '035720', 'pre_market'),
      ].sort(),
    );
    const doc = await json(db, ['attempts', '--days', '1', '--until', '2025-11-04'], 0);
    expect(doc.log_end).toBe('2025-11-05T01:00:00+09:00');
    expect(doc.attempts.map((a: any) => [a.ts, a.stock_code, a.outcome, a.abandoned, a.llm_calls, a.cost_usd])).toEqual([
      ['2025-11-04T10:00:00+09:00', '005930', 'succeeded', false, 2, 0.002],
      ['2025-11-04T11:00:00+09:00', '005930', 'failed', true, 1, 0.001],
      ['2025-11-04T11:10:00+09:00', '005930', 'succeeded', false, 1, 0.001],
      ['2025-11-04T23:30:00+09:00', '051910', 'failed', true, 0, 0],
      ['2025-11-04T23:50:00+09:00', '035720', 'failed', true, 3, 0.003],
      ['2025-11-04T23:59:00+09:00', '000660', 'failed', true, 1, 0.001],
    ]);
  });

  it("takes a call in the millisecond of an outcome record past the window's end", async () => {
    const { db } = await storeOf([
      attempt('2025-11-04 23:55:00,000', '005930', FORCED),
      llmCost('2025-11-05 00:01:00,000', '005930', 'pre_market', FORCED),
      succeeded('2025-11-05 00:01:00,000', '005930'),
    ]);
    const doc = await json(db, ['attempts', '--days', '1', '--until', '2025-11-04'], 0);
    expect(doc.attempts.map((a: any) => [a.ts, a.completed_ts, a.llm_calls])).toEqual([['2025-11-04T23:55:00+09:00', '2025-11-05T00:01:00+09:00', 1]]);
  });
});
