/**
 * Part of `npm run build` (a build step, not shipped code): runs each command once on the bundled example logs, so that the code
 * cache bin/launch.cjs keeps next to the bundle holds the compiled code of every command, not
 * only of whichever one happens to run first. Output is discarded; exit codes do not matter.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin', 'craveny-ops');
const example = path.join(root, 'fixtures', 'example');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'craveny-ops-warm-'));
const db = path.join(dir, 'warm.db');

fs.rmSync(path.join(root, 'dist', 'bundle', 'cli.cjs.cache'), { force: true });
const runs = [
  ['--help'],
  ['--db', db, 'ingest', ...['backend.log.2.gz', 'backend.log.1', 'backend.log'].map((f) => path.join(example, f))],
  ['--db', db, 'stats', '--days', '7', '--until', '2025-11-09'],
  ['--db', db, 'cost', '--days', '7', '--until', '2025-11-09', '--json'],
  ['--db', db, 'verify', 'day1', '--date', '2025-11-04'],
  ['--db', db, 'verify', 'week', '--from', '2025-11-03', '--format', 'json'],
  ['--db', db, 'anomalies', '--days', '7', '--until', '2025-11-09'],
  ['--db', db, 'metrics'],
];
try {
  for (const args of runs) {
    spawnSync(process.execPath, [bin, ...args], { stdio: 'ignore', env: { ...process.env, CRAVENY_OPS_CODE_CACHE: 'refresh', NO_COLOR: '1' } });
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
