/**
 * What the what-if replays of a failed attempt (cli-contract.md, whatif; backend-logs.md, caveats):
 * a silent failure — the generation failed, yet the service logged its completion — saved a
 * placeholder and reset `last_updated`, so the report's age restarts there; an update whose commit
 * failed after its completion line saved nothing, so the age runs on from the completion before.
 * With the actual rules the what-if keeps every decision of the log: its figures equal the actual ones.
 */
import { describe, expect, it } from 'vitest';
import { attempt, failed, FORCED, generation, generationFailed, json, noise, skip, storeOf, succeeded, ttlReason } from './support/analysis-log.js';

describe('the report state the what-if replays from a failed attempt', () => {
  it('restarts at a silent failure and not at a failed commit, once the replay has changed a decision', async () => {
    // Under a 1.2 h trading TTL. Each stock: a forced update completed at 08:00:30; the 09:30:30 skip
    // (1.5 h ≥ 1.2 h) becomes a TTL update, assumed to complete after the window's median duration
    // (30 s), at 09:31:00: from there on the replay counts ages itself. Then a forced update at 10:00.
    const start = (code: string) => [
      attempt('2025-11-04 08:00:00,000', code, FORCED),
      succeeded('2025-11-04 08:00:30,000', code),
      skip('2025-11-04 09:30:30,000', code, 'trading', '1.5', 2),
      attempt('2025-11-04 10:00:00,000', code, FORCED),
    ];
    const { db } = await storeOf([
      // 005930: the 10:00 update is a silent failure, saved at 10:00:30; the skip at 11:00:00 prints the age from it.
      ...start('005930'),
      generation('2025-11-04 10:00:01,000', '005930'),
      generationFailed('2025-11-04 10:00:20,000'),
      succeeded('2025-11-04 10:00:30,000', '005930'),
      skip('2025-11-04 11:00:00,000', '005930', 'trading', '1.0', 2),
      // 000660: the 10:00 update's commit failed after its completion line: nothing was saved, and
      // the backend's TTL update at 11:00 prints the age from 08:00:30.
      ...start('000660'),
      succeeded('2025-11-04 10:00:30,000', '000660'),
      failed('2025-11-04 10:00:31,000', '000660', '(builtins.Exception) server closed the connection unexpectedly'),
      attempt('2025-11-04 11:00:00,000', '000660', ttlReason('trading', '3.0', 2)),
      succeeded('2025-11-04 11:00:30,000', '000660'),
      // 035720: the 10:00 generation failed and the update raised before any completion line: nothing
      // was saved (no silent failure), and the TTL update at 11:00 prints the age from 08:00:30.
      ...start('035720'),
      // (after 005930's: generations never overlap, and a generator failure names no stock)
      generation('2025-11-04 10:00:40,000', '035720'),
      generationFailed('2025-11-04 10:00:50,000'),
      failed('2025-11-04 10:00:55,000', '035720', 'connection reset'),
      attempt('2025-11-04 11:00:00,000', '035720', ttlReason('trading', '3.0', 2)),
      succeeded('2025-11-04 11:00:30,000', '035720'),
    ].sort());
    const doc = await json(db, ['whatif', '--days', '1', '--until', '2025-11-04', '--set', 'trading.ttlHours=1.2'], 0);
    expect(doc.actual.attempts).toBe(8);
    // 005930 at 11:00: 0.99 h since the silent failure < 1.2 h, still a skip (1.48 h from 09:31 would
    // fire). 000660 at 11:00: 1.48 h since 09:31 ≥ 1.2 h, still a TTL update (0.99 h from the failed
    // commit would drop it); 035720 the same (0.99 h from its failed update). Added: the three 09:30:30 skips.
    expect(doc.whatif.attempts).toBe(11);
    expect(doc.whatif.by_reason).toMatchObject({ forced: 6, ttl_expired: 5 });
  });
});

describe("the what-if's actual average freshness", () => {
  it("is verify week's: the report age over the day, restarting at each completion, clipped at the log end", async () => {
    const { db } = await storeOf([
      attempt('2025-11-03 20:00:00,000', '005930', FORCED),
      succeeded('2025-11-03 20:00:30,000', '005930'),
      attempt('2025-11-04 10:00:00,000', '005930', FORCED),
      succeeded('2025-11-04 10:00:30,000', '005930'),
      noise('2025-11-04 12:00:30,000'),
    ]);
    // 00:00 → 10:00:30: the age grows from 14,370 s to 50,400 s (36,030 s); 10:00:30 → 12:00:30 (the
    // log end): from 0 to 7,200 s. Mean = (14,370 × 36,030 + 36,030² / 2 + 7,200² / 2) / 43,230 s
    // = 27,590.8 s = 7.6641 h. (Without the 10:00:30 completion it would be 9.9958 h.)
    const doc = await json(db, ['whatif', '--days', '1', '--until', '2025-11-04', '--set', 'trading.ttlHours=2'], 0);
    expect(doc.actual.avg_freshness_hours).toBe(7.6641);
    expect(doc.whatif.avg_freshness_hours).toBe(7.6641);
    // (verify week fails: one update a day is under the 5 its first check asks.)
    const week = await json(db, ['verify', 'week', '--from', '2025-11-04', '--to', '2025-11-04'], 1);
    expect(week.checks.find((c: any) => c.id === 'avg_freshness_hours').days[0].value).toBe(7.6641);
  });
});

