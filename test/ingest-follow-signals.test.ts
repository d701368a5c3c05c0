/**
 * `ingest --follow` stops on SIGINT or SIGTERM (cli-contract.md: they finish the current batch and
 * exit 0): the signal aborts the follow loop's signal, and the one-line notice names it; once the run
 * is over the handlers are removed, so that a later signal is the process's own again.
 * test/follow.test.ts sends real signals to the built binary; this states the same in-process by
 * calling the handlers the function installed (a real signal would reach the test runner too).
 */
import { describe, expect, it } from 'vitest';
import { stopOnSignals } from '../src/ingest/follow.js';

/** The handlers of `signal` added since `before` was taken. */
const added = (signal: NodeJS.Signals, before: Function[]) => process.listeners(signal).filter((l) => !before.includes(l));

describe.each(['SIGINT', 'SIGTERM'] as const)('%s', (name) => {
  it('aborts the signal and names itself to the notice', () => {
    const before = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };
    const heard: string[] = [];
    const stop = stopOnSignals((signal) => heard.push(signal));
    try {
      // One handler for each of the two signals.
      expect(added('SIGINT', before.SIGINT)).toHaveLength(1);
      expect(added('SIGTERM', before.SIGTERM)).toHaveLength(1);
      expect(stop.signal.aborted).toBe(false);
      (added(name, before[name])[0] as (s: NodeJS.Signals) => void)(name);
      expect(stop.signal.aborted).toBe(true);
      expect(heard).toEqual([name]);
    } finally {
      stop.release();
    }
    // Released: neither handler is left behind.
    expect(added('SIGINT', before.SIGINT)).toEqual([]);
    expect(added('SIGTERM', before.SIGTERM)).toEqual([]);
  });
});

describe('without a notice', () => {
  it('still aborts', () => {
    const before = process.listeners('SIGTERM');
    const stop = stopOnSignals();
    try {
      (added('SIGTERM', before)[0] as (s: NodeJS.Signals) => void)('SIGTERM');
      expect(stop.signal.aborted).toBe(true);
    } finally {
      stop.release();
    }
  });
});
