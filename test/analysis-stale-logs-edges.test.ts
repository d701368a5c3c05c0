/**
 * stale_logs (cli-contract.md) at its edges: a window reaches the present from its first
 * millisecond to its (exclusive) end, and the last ingest run tells which side stopped — an ingest
 * run exactly the limit ago is still a running ingest job (the limit itself is no silence).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempDir, tempStore } from './helpers.js';
import { attempt, FORCED, noise, succeeded } from './support/analysis-log.js';

const MINUTE = 60_000;
const at = (iso: string) => Date.parse(iso);
// The log ends at 2025-11-04 22:00 KST.
const LINES = [attempt('2025-11-04 21:00:00,000', '005930', FORCED), succeeded('2025-11-04 21:00:30,000', '005930'), noise('2025-11-04 22:00:00,000')];

/** A store ingested at `ingestedAt` (the time of its last ingest run). */
async function storeIngestedAt(ingestedAt: number): Promise<string> {
  const log = path.join(tempDir(), 'backend.log');
  fs.writeFileSync(log, LINES.join('\n') + '\n');
  const db = tempStore();
  const run = await cli(['--db', db, 'ingest', log], { now: ingestedAt });
  expect(run.code, run.stderr).toBe(0);
  return db;
}

const staleOf = async (db: string, now: number, args: string[]) => {
  const run = await cli(['--db', db, 'anomalies', '--json', ...args], { now });
  return run.json().anomalies.filter((a: any) => a.kind === 'stale_logs');
};

describe('a window reaches the present', () => {
  it("at the first millisecond of today, today's window does: the silence since 22:00 is found", async () => {
    const db = await storeIngestedAt(at('2025-11-04T22:05:00+09:00'));
    const midnight = at('2025-11-05T00:00:00+09:00');
    const [stale, ...more] = await staleOf(db, midnight, ['--days', '1', '--until', '2025-11-05']);
    expect(more).toEqual([]);
    expect(stale).toMatchObject({ first_ts: '2025-11-04T22:00:00+09:00', last_ts: '2025-11-05T00:00:00+09:00', count: 1 });
  });

  it('a window given back from now ends at now, and reaches the present', async () => {
    const db = await storeIngestedAt(at('2025-11-04T22:05:00+09:00'));
    const now = at('2025-11-04T23:30:00+09:00');
    expect((await staleOf(db, now, ['--since', '2h'])).map((a: any) => a.first_ts)).toEqual(['2025-11-04T22:00:00+09:00']);
  });
});

describe('which side stopped, by the last ingest run', () => {
  // Now is 23:30: the log has been silent 90 minutes (limit 60).
  const now = at('2025-11-04T23:30:00+09:00');

  it('an ingest run exactly 60 minutes ago ran within the limit: the backend stopped writing', async () => {
    const db = await storeIngestedAt(now - 60 * MINUTE);
    const [stale] = await staleOf(db, now, ['--days', '1', '--until', '2025-11-04']);
    expect(stale.detail).toMatch(/ingest last ran at 2025-11-04 22:30 \(60 min ago\) and found nothing newer: the backend stopped writing/);
  });

  it('one a millisecond older is past the limit: the ingest job stopped', async () => {
    const db = await storeIngestedAt(now - 60 * MINUTE - 1);
    const [stale] = await staleOf(db, now, ['--days', '1', '--until', '2025-11-04']);
    expect(stale.detail).toMatch(/: the ingest job has stopped/);
  });
});
