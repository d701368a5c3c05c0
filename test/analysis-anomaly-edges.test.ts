/**
 * anomalies (cli-contract.md) at the edges test/anomalies.test.ts and test/boundaries.test.ts leave
 * open: the window's first millisecond, a call logged in the same millisecond as its attempt, the
 * calls of violating attempts, and the order of the entries (by kind, then first time, then stock).
 */
import { describe, expect, it } from 'vitest';
import { attempt, FORCED, json, llmCost, newPredictionReason, skip, storeOf, succeeded, ttlReason } from './support/analysis-log.js';

const anomalies = (db: string, until: string, code: number) => json(db, ['anomalies', '--days', '1', '--until', until], code);
const brief = (doc: any) => doc.anomalies.map((a: any) => [a.kind, a.stock_code, a.first_ts, a.count]);

describe('the window starts at 00:00:00.000 KST, inclusive', () => {
  it("a TTL update at 00:00:00.000 is the day's violation; one a millisecond earlier is the day before's", async () => {
    const { db } = await storeOf([
      attempt('2025-11-03 23:59:59,999', '005380', ttlReason('after_hours', '1.0', 6)),
      succeeded('2025-11-04 00:00:00,500', '005380'),
      attempt('2025-11-04 00:00:00,000', '068270', ttlReason('pre_market', '1.0', 3)),
      succeeded('2025-11-04 00:00:05,000', '068270'),
    ].sort());
    expect(brief(await anomalies(db, '2025-11-04', 1))).toEqual([['rule_violation', '068270', '2025-11-04T00:00:00+09:00', 1]]);
    expect(brief(await anomalies(db, '2025-11-03', 1))).toEqual([['rule_violation', '005380', '2025-11-03T23:59:59.999+09:00', 1]]);
  });

  it('a trigger 2 repeated at 00:00:00.000 is counted in the day it opens, compared with the one of the day before', async () => {
    const { db } = await storeOf([
      attempt('2025-11-03 23:00:00,000', '005930', newPredictionReason(20, 72, 'after_hours')),
      succeeded('2025-11-03 23:00:05,000', '005930'),
      attempt('2025-11-04 00:00:00,000', '005930', newPredictionReason(20, 72, 'pre_market')),
      succeeded('2025-11-04 00:00:05,000', '005930'),
    ]);
    expect(brief(await anomalies(db, '2025-11-04', 1))).toEqual([['repeated_new_prediction', '005930', '2025-11-04T00:00:00+09:00', 1]]);
    // The day before holds only the first trigger 2: nothing repeated yet.
    expect((await anomalies(db, '2025-11-03', 0)).anomalies).toEqual([]);
  });
});

describe('LLM calls of an anomaly', () => {
  it('include a call logged in the same millisecond as its attempt', async () => {
    // Four forced updates of one stock within 30 minutes (a storm), each [LLM_COST] line stamped with its attempt's time.
    const lines = ['10:00', '10:10', '10:20', '10:30'].flatMap((t) => [
      attempt(`2025-11-04 ${t}:00,000`, '005930', FORCED),
      llmCost(`2025-11-04 ${t}:00,000`, '005930', 'trading', FORCED),
      succeeded(`2025-11-04 ${t}:30,000`, '005930'),
    ]);
    const { db } = await storeOf(lines);
    const [storm] = (await anomalies(db, '2025-11-04', 1)).anomalies;
    expect(storm).toMatchObject({ kind: 'update_storm', count: 4, llm_calls: 4, cost_usd: 0.004 });
  });

  it('of a rule violation are those of its violating attempts; a skip makes none', async () => {
    const { db } = await storeOf([
      // 005930: a TTL update at 1.0 h of 2 h, which called the LLM once at its printed $0.002.
      attempt('2025-11-04 11:00:00,000', '005930', ttlReason('trading', '1.0', 2)),
      llmCost('2025-11-04 11:00:01,000', '005930', 'trading', ttlReason('trading', '1.0', 2), '0.002'),
      succeeded('2025-11-04 11:00:30,000', '005930'),
      // 000660: a skip past the TTL after an update that is no violation.
      attempt('2025-11-04 08:00:00,000', '000660', FORCED),
      llmCost('2025-11-04 08:00:01,000', '000660', 'pre_market', FORCED),
      succeeded('2025-11-04 08:00:30,000', '000660'),
      skip('2025-11-04 11:30:00,000', '000660', 'trading', '3.5', 2),
    ].sort());
    const found = (await anomalies(db, '2025-11-04', 1)).anomalies.map((a: any) => [a.kind, a.stock_code, a.llm_calls, a.cost_usd]);
    expect(found).toEqual([
      ['rule_violation', '005930', 1, 0.002],
      ['rule_violation', '000660', 0, 0],
    ]);
  });
});

describe('the order of the entries', () => {
  it('is by kind, then first time, then stock code', async () => {
    const lines = [
      // rule_violation: 035720 at 10:00; 000660 and 005930 both at 11:00.
      attempt('2025-11-04 10:00:00,000', '035720', ttlReason('trading', '1.0', 2)),
      succeeded('2025-11-04 10:00:30,000', '035720'),
      // (an attempt and a skip in the same millisecond: the stock code decides)
      attempt('2025-11-04 11:00:00,000', '000660', ttlReason('trading', '1.0', 2)),
      succeeded('2025-11-04 11:00:30,000', '000660'),
      skip('2025-11-04 11:00:00,000', '005930', 'trading', '2.5', 2),
      // update_storm, later in the day, but of the first kind.
      ...['14:00', '14:10', '14:20', '14:30'].flatMap((t) => [attempt(`2025-11-04 ${t}:00,000`, '051910', FORCED), succeeded(`2025-11-04 ${t}:30,000`, '051910')]),
    ].sort();
    const { db } = await storeOf(lines);
    expect(brief(await anomalies(db, '2025-11-04', 1))).toEqual([
      ['update_storm', '051910', '2025-11-04T14:00:00+09:00', 4],
      ['rule_violation', '035720', '2025-11-04T10:00:00+09:00', 1],
      ['rule_violation', '000660', '2025-11-04T11:00:00+09:00', 1],
      ['rule_violation', '005930', '2025-11-04T11:00:00+09:00', 1],
    ]);
  });
});
