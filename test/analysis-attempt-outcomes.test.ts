/**
 * The outcome of an attempt (cli-contract.md, Outcome), read back through `attempts --json`: the
 * first failure record decides the outcome time and the error, a failure after a success record
 * (the commit failed) makes the attempt failed without a completion, and a generation error makes
 * it failed even when a success record follows (a silent failure).
 */
import { describe, expect, it } from 'vitest';
import { attempt, failed, FORCED, generation, generationFailed, json, line, noise, storeOf, succeeded } from './support/analysis-log.js';

const attemptsOf = async (lines: string[]) => {
  const { db } = await storeOf(lines);
  return (await json(db, ['attempts', '--days', '1', '--until', '2025-11-04'], 0)).attempts;
};
const outcomeOf = (a: any) => ({ outcome: a.outcome, silent_failure: a.silent_failure, completed_ts: a.completed_ts, duration_s: a.duration_s, error: a.error });

describe('the outcome record', () => {
  it('a failure after a success record (the commit failed): failed, no completion, timed at the failure', async () => {
    const [a] = await attemptsOf([
      attempt('2025-11-04 10:00:00,000', '005930', FORCED),
      succeeded('2025-11-04 10:00:30,000', '005930'),
      failed('2025-11-04 10:00:31,000', '005930', '(builtins.Exception) server closed the connection unexpectedly'),
    ]);
    expect(outcomeOf(a)).toEqual({
      outcome: 'failed',
      silent_failure: false,
      completed_ts: null,
      duration_s: 31,
      error: '(builtins.Exception) server closed the connection unexpectedly',
    });
  });

  it('two failure records: the first decides the time and the error', async () => {
    const [a] = await attemptsOf([
      attempt('2025-11-04 10:00:00,000', '005930', FORCED),
      generation('2025-11-04 10:00:01,000', '005930'),
      generationFailed('2025-11-04 10:00:20,000', 'Request timed out.'),
      line('2025-11-04 10:00:21,000', '종목 005930의 리포트 생성 실패', 'WARNING'),
      failed('2025-11-04 10:00:22,000', '005930', 'later error'),
    ]);
    expect(outcomeOf(a)).toEqual({ outcome: 'failed', silent_failure: false, completed_ts: null, duration_s: 20, error: 'Request timed out.' });
  });

  it('the service\'s own "리포트 생성 실패" line carries no error text: the error says so', async () => {
    const [a] = await attemptsOf([attempt('2025-11-04 10:00:00,000', '005930', FORCED), line('2025-11-04 10:00:21,000', '종목 005930의 리포트 생성 실패', 'WARNING')]);
    expect(outcomeOf(a)).toEqual({ outcome: 'failed', silent_failure: false, completed_ts: null, duration_s: 21, error: '리포트 생성 실패' });
  });

  it('a generation error, then a success record: failed, a silent failure, no completion', async () => {
    const [a] = await attemptsOf([
      attempt('2025-11-04 10:00:00,000', '005930', FORCED),
      generation('2025-11-04 10:00:01,000', '005930'),
      generationFailed('2025-11-04 10:00:20,000', 'Request timed out.'),
      succeeded('2025-11-04 10:00:25,000', '005930'),
    ]);
    expect(outcomeOf(a)).toMatchObject({ outcome: 'failed', silent_failure: true, completed_ts: null, error: 'Request timed out.' });
  });

  it('a success record alone: succeeded, completed and timed at it', async () => {
    const [a] = await attemptsOf([attempt('2025-11-04 10:00:00,000', '005930', FORCED), succeeded('2025-11-04 10:00:25,500', '005930')]);
    expect(outcomeOf(a)).toEqual({ outcome: 'succeeded', silent_failure: false, completed_ts: '2025-11-04T10:00:25.500+09:00', duration_s: 25.5, error: null });
  });

  it("records of the stock before its first attempt decide nothing; the next attempt's records are its own", async () => {
    const [first, second] = await attemptsOf([
      succeeded('2025-11-04 09:59:00,000', '005930'),
      failed('2025-11-04 09:59:30,000', '005930'),
      attempt('2025-11-04 10:00:00,000', '005930', FORCED),
      attempt('2025-11-04 10:05:00,000', '005930', FORCED),
      succeeded('2025-11-04 10:05:30,000', '005930'),
      noise('2025-11-04 10:10:00,000'),
    ]);
    // The first has no outcome record and the log ends 10 minutes after it: in flight.
    expect(outcomeOf(first)).toEqual({ outcome: 'in_flight', silent_failure: false, completed_ts: null, duration_s: null, error: null });
    expect(outcomeOf(second)).toMatchObject({ outcome: 'succeeded', duration_s: 30 });
  });
});
