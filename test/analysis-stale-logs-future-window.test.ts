/**
 * stale_logs is judged only for a window that reaches the present (cli-contract.md, anomalies): a
 * window that holds now. One that starts after now (tomorrow's, asked for ahead of time) holds no
 * present to be silent in, just as one that ended before now does not.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempDir, tempStore } from './helpers.js';
import { attempt, FORCED, noise, succeeded } from './support/analysis-log.js';

// The log ends at 2025-11-04 22:00 KST; it was ingested at 22:05; now is 23:30, 90 minutes of silence (limit 60).
const LINES = [attempt('2025-11-04 21:00:00,000', '005930', FORCED), succeeded('2025-11-04 21:00:30,000', '005930'), noise('2025-11-04 22:00:00,000')];
const NOW = Date.parse('2025-11-04T23:30:00+09:00');

async function silentStore(): Promise<string> {
  const log = path.join(tempDir(), 'backend.log');
  fs.writeFileSync(log, LINES.join('\n') + '\n');
  const db = tempStore();
  const run = await cli(['--db', db, 'ingest', log], { now: Date.parse('2025-11-04T22:05:00+09:00') });
  expect(run.code, run.stderr).toBe(0);
  return db;
}

const staleOf = async (db: string, args: string[]) => {
  const run = await cli(['--db', db, 'anomalies', '--json', ...args], { now: NOW });
  return run.json().anomalies.filter((a: any) => a.kind === 'stale_logs');
};

describe('a window that starts after now', () => {
  it("tomorrow's window does not reach the present: no stale_logs, while today's finds the silence", async () => {
    const db = await silentStore();
    expect(await staleOf(db, ['--days', '1', '--until', '2025-11-05'])).toEqual([]);
    // The same silence, seen from the window that holds now (the control).
    expect((await staleOf(db, ['--days', '1', '--until', '2025-11-04'])).map((a: any) => a.first_ts)).toEqual(['2025-11-04T22:00:00+09:00']);
  });
});
