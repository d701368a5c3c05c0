/**
 * An attempt's generation mode (cli-contract.md, LLM calls; backend-logs.md): an [LLM_COST] line is
 * worth two calls when its attempt generated in A/B mode, one otherwise. The mode is told by the
 * attempt's own lines: the generator's start line (`A/B 종합 리포트 생성` or `투자 리포트 생성 시작`),
 * or, where the generator's INFO lines are missing (a generator logging at WARNING), the service's
 * `A/B 분석 요약 업데이트 완료` (backend-logs.md: "succeeded, A/B mode"). A plain
 * completion line says nothing of A/B: without an A/B line the attempt is a single-model one.
 */
import { describe, expect, it } from 'vitest';
import { abGeneration, attempt, failed, FORCED, json, line, llmCost, storeOf, succeeded } from './support/analysis-log.js';

const abSucceeded = (time: string, code: string) => line(time, `종목 ${code}의 A/B 분석 요약 업데이트 완료`);

/** `cost --json` total_calls of 2025-11-04: the calls of every [LLM_COST] line of the day. */
async function callsOf(lines: string[]): Promise<number> {
  const { db } = await storeOf(lines);
  const doc = await json(db, ['cost', '--days', '1', '--until', '2025-11-04'], 0);
  expect(doc.calls_source).toBe('llm_cost_lines');
  return doc.total_calls;
}

describe("an [LLM_COST] line is worth its attempt's calls", () => {
  it('two after the A/B start line, even when the update then fails (the start line alone tells the mode)', async () => {
    const calls = await callsOf([
      attempt('2025-11-04 10:00:00,000', '005930', FORCED),
      abGeneration('2025-11-04 10:00:01,000', '005930'),
      llmCost('2025-11-04 10:00:02,000', '005930', 'trading', FORCED),
      // The commit failed: no A/B completion line follows.
      failed('2025-11-04 10:00:30,000', '005930', 'server closed the connection unexpectedly'),
    ]);
    expect(calls).toBe(2);
  });

  it("two when the service's A/B completion line is the attempt's only A/B line", async () => {
    const calls = await callsOf([
      attempt('2025-11-04 10:00:00,000', '005930', FORCED),
      llmCost('2025-11-04 10:00:02,000', '005930', 'trading', FORCED),
      abSucceeded('2025-11-04 10:00:30,000', '005930'),
    ]);
    expect(calls).toBe(2);
  });

  it('one when the attempt has no A/B line: a plain completion line is no A/B mode', async () => {
    const calls = await callsOf([
      attempt('2025-11-04 10:00:00,000', '005930', FORCED),
      llmCost('2025-11-04 10:00:02,000', '005930', 'trading', FORCED),
      succeeded('2025-11-04 10:00:30,000', '005930'),
    ]);
    expect(calls).toBe(1);
  });
});
