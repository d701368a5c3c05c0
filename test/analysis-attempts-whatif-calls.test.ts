/**
 * The LLM calls the what-if counts as actual (cli-contract.md, LLM calls and whatif): each
 * [LLM_COST] line is worth two calls when the attempt it belongs to — its stock's latest attempt at
 * or before it, on the same host — generated in A/B mode, one otherwise. With the actual rules the
 * what-if's actual figures are the window's own, so they equal what `cost` counts, whichever attempt
 * a line belongs to: one of the window, one begun days before it, or none.
 */
import { describe, expect, it } from 'vitest';
import { abGeneration, attempt, FORCED, generation, json, llmCost, storeOf, succeeded, ttlReason } from './support/analysis-log.js';

const DAY = ['--days', '1', '--until', '2025-11-04'];
// The default trading TTL: the actual rules, stated as a what-if.
const ACTUAL = ['--set', 'trading.ttlHours=2'];

async function callsOf(lines: string[]): Promise<{ whatif: number; cost: number; source: string }> {
  const { db } = await storeOf(lines);
  const whatif = await json(db, ['whatif', ...DAY, ...ACTUAL], 0);
  const cost = await json(db, ['cost', ...DAY], 0);
  expect(whatif.calls_source).toBe('llm_cost_lines');
  expect(whatif.whatif.llm_calls).toBe(whatif.actual.llm_calls);
  return { whatif: whatif.actual.llm_calls, cost: cost.total_calls, source: cost.calls_source };
}

describe("the what-if's actual LLM calls", () => {
  it('count two for the [LLM_COST] line of an A/B attempt and one for a single-model one', async () => {
    const calls = await callsOf([
      attempt('2025-11-04 10:00:00,000', '005930', FORCED),
      abGeneration('2025-11-04 10:00:01,000', '005930'),
      llmCost('2025-11-04 10:00:02,000', '005930', 'trading', FORCED),
      succeeded('2025-11-04 10:00:30,000', '005930'),
      attempt('2025-11-04 11:00:00,000', '000660', FORCED),
      generation('2025-11-04 11:00:01,000', '000660'),
      llmCost('2025-11-04 11:00:02,000', '000660', 'trading', FORCED),
      succeeded('2025-11-04 11:00:30,000', '000660'),
    ]);
    expect(calls).toEqual({ whatif: 3, cost: 3, source: 'llm_cost_lines' });
  });

  it("count a line in its attempt's first millisecond by that attempt's mode, not the stock's previous one", async () => {
    const calls = await callsOf([
      attempt('2025-11-04 10:00:00,000', '005930', FORCED),
      generation('2025-11-04 10:00:01,000', '005930'),
      succeeded('2025-11-04 10:00:30,000', '005930'),
      attempt('2025-11-04 11:00:00,000', '005930', FORCED),
      // Dated the same millisecond as the A/B attempt's start: that attempt's line, two calls.
      llmCost('2025-11-04 11:00:00,000', '005930', 'trading', FORCED),
      abGeneration('2025-11-04 11:00:01,000', '005930'),
      succeeded('2025-11-04 11:00:30,000', '005930'),
    ]);
    expect(calls).toEqual({ whatif: 2, cost: 2, source: 'llm_cost_lines' });
  });

  it('count two for a line whose A/B attempt began two days before the window (no attempt of its stock since)', async () => {
    const calls = await callsOf([
      // 000660's last attempt, A/B, two days before: the what-if reads attempts from one day before the window only.
      attempt('2025-11-02 10:00:00,000', '000660', FORCED),
      abGeneration('2025-11-02 10:00:01,000', '000660'),
      llmCost('2025-11-04 10:00:00,000', '000660', 'trading', FORCED),
      // A single-model attempt of another stock in the window, so the window has an attempt.
      attempt('2025-11-04 11:00:00,000', '005930', FORCED),
      generation('2025-11-04 11:00:01,000', '005930'),
      llmCost('2025-11-04 11:00:02,000', '005930', 'trading', FORCED),
      succeeded('2025-11-04 11:00:30,000', '005930'),
    ]);
    expect(calls).toEqual({ whatif: 3, cost: 3, source: 'llm_cost_lines' });
  });

  it('count one for a line of a stock without any attempt before it', async () => {
    const calls = await callsOf([
      llmCost('2025-11-04 09:59:00,000', '035720', 'market_open', FORCED),
      // 035720's only attempt comes after its line, in A/B mode: not the line's attempt.
      attempt('2025-11-04 10:00:00,000', '035720', FORCED),
      abGeneration('2025-11-04 10:00:01,000', '035720'),
      succeeded('2025-11-04 10:00:30,000', '035720'),
    ]);
    expect(calls).toEqual({ whatif: 1, cost: 1, source: 'llm_cost_lines' });
  });

  it("drop with the attempt the what-if drops, a line in that attempt's first millisecond included", async () => {
    const { db } = await storeOf([
      attempt('2025-11-04 08:00:00,000', '005930', FORCED),
      llmCost('2025-11-04 08:00:01,000', '005930', 'pre_market', FORCED),
      succeeded('2025-11-04 08:00:30,000', '005930'),
      // 2.5 h after the completion: a TTL update under the actual 2 h, none under 3 h.
      attempt('2025-11-04 10:30:30,000', '005930', ttlReason('trading', '2.5', 2)),
      llmCost('2025-11-04 10:30:30,000', '005930', 'trading', ttlReason('trading', '2.5', 2)),
      succeeded('2025-11-04 10:31:00,000', '005930'),
    ]);
    const doc = await json(db, ['whatif', ...DAY, '--set', 'trading.ttlHours=3'], 0);
    expect([doc.actual.attempts, doc.actual.llm_calls]).toEqual([2, 2]);
    // The 10:30:30 update is dropped, and its call, dated its first millisecond, with it.
    expect([doc.whatif.attempts, doc.whatif.llm_calls]).toEqual([1, 1]);
  });

  it('count each line by its own attempt among several of its stock, not a later one', async () => {
    const calls = await callsOf([
      // 005930: an A/B attempt, then two single-model ones, each with its line: 2 + 1 + 1.
      attempt('2025-11-04 09:00:00,000', '005930', FORCED),
      abGeneration('2025-11-04 09:00:01,000', '005930'),
      llmCost('2025-11-04 09:00:02,000', '005930', 'market_open', FORCED),
      succeeded('2025-11-04 09:00:30,000', '005930'),
      attempt('2025-11-04 10:00:00,000', '005930', FORCED),
      generation('2025-11-04 10:00:01,000', '005930'),
      llmCost('2025-11-04 10:00:02,000', '005930', 'trading', FORCED),
      succeeded('2025-11-04 10:00:30,000', '005930'),
      attempt('2025-11-04 11:00:00,000', '005930', FORCED),
      generation('2025-11-04 11:00:01,000', '005930'),
      llmCost('2025-11-04 11:00:02,000', '005930', 'trading', FORCED),
      succeeded('2025-11-04 11:00:30,000', '005930'),
    ]);
    expect(calls).toEqual({ whatif: 4, cost: 4, source: 'llm_cost_lines' });
  });
});

