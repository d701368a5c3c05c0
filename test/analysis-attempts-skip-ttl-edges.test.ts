/**
 * Skips past the TTL (cli-contract.md, day1 violations and anomalies' rule_violation): a skip whose
 * printed age is greater than the TTL of its phase breaks the rule; an age equal to the TTL does not
 * (printed ages are rounded to 0.1 h). The phase is the one the skip names, or, where it names none
 * of the five, the phase of its KST time. Stated for every phase, at the edge, through `anomalies`.
 */
import { describe, expect, it } from 'vitest';
import { json, skip, storeOf } from './support/analysis-log.js';

const violationsOf = async (lines: string[]) => {
  const { db } = await storeOf(lines);
  const doc = await json(db, ['anomalies', '--days', '1', '--until', '2025-11-04'], 1);
  return doc.anomalies.filter((a: any) => a.kind === 'rule_violation').map((a: any) => [a.stock_code, a.first_ts, a.count]);
};

describe('a skip breaks the TTL rule', () => {
  it('when its age is past its named phase TTL by 0.1 h, in every phase; at the TTL itself it does not', async () => {
    // Default TTLs (backend-logs.md): pre_market 3, market_open 1, trading 2, market_close 1, after_hours 6.
    const found = await violationsOf([
      skip('2025-11-04 08:00:00,000', '000010', 'pre_market', '3.0', 3),
      skip('2025-11-04 08:10:00,000', '000010', 'pre_market', '3.1', 3),
      skip('2025-11-04 09:10:00,000', '000020', 'market_open', '1.0', 1),
      skip('2025-11-04 09:20:00,000', '000020', 'market_open', '1.1', 1),
      skip('2025-11-04 10:00:00,000', '000030', 'trading', '2.0', 2),
      skip('2025-11-04 10:10:00,000', '000030', 'trading', '2.1', 2),
      skip('2025-11-04 15:31:00,000', '000040', 'market_close', '1.0', 1),
      skip('2025-11-04 15:32:00,000', '000040', 'market_close', '1.1', 1),
      skip('2025-11-04 20:00:00,000', '000050', 'after_hours', '6.0', 6),
      skip('2025-11-04 20:10:00,000', '000050', 'after_hours', '6.1', 6),
    ]);
    // One violation per stock: the skip 0.1 h past its TTL.
    expect(found).toEqual([
      ['000010', '2025-11-04T08:10:00+09:00', 1],
      ['000020', '2025-11-04T09:20:00+09:00', 1],
      ['000030', '2025-11-04T10:10:00+09:00', 1],
      ['000040', '2025-11-04T15:32:00+09:00', 1],
      ['000050', '2025-11-04T20:10:00+09:00', 1],
    ]);
  });

  it("naming no phase it knows, against its clock phase's TTL: 2.5 h breaks trading's 2 h, not after_hours' 6 h", async () => {
    const found = await violationsOf([
      skip('2025-11-04 11:00:00,000', '005930', 'closed', '2.5', 2),
      skip('2025-11-04 20:30:00,000', '000660', 'closed', '2.5', 6),
      // Past the shortest TTL (1 h) but not the clock's (pre_market, 3 h): no violation.
      skip('2025-11-04 07:00:00,000', '035720', 'closed', '2.9', 3),
      // Past the clock's pre_market TTL: a violation.
      skip('2025-11-04 07:30:00,000', '051910', 'closed', '3.1', 3),
    ]);
    expect(found).toEqual([
      ['051910', '2025-11-04T07:30:00+09:00', 1],
      ['005930', '2025-11-04T11:00:00+09:00', 1],
    ]);
  });
});
