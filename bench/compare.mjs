/**
 * node bench/compare.mjs --base DIR --base-db FILE --db FILE [--reps 11] [--until 2025-11-04]
 *
 * The read commands of two builds, run alternately on the same machine: this checkout (on --db)
 * and another checkout's build (--base, a directory with bin/craveny-ops, on --base-db: each build
 * on a store it ingested itself from the same log). Prints, per command, the best and median
 * time of each and the change of the best. Alternating spreads the machine's own drift over both.
 * Make the stores with each build's `ingest` of e.g. `node bench/generate.mjs --size 0 --days 365
 * --stocks 40 --start 2024-11-05 --seed 2 --out year.log`.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []),
);
if (!args.base || !args['base-db'] || !args.db) {
  console.error('usage: node bench/compare.mjs --base DIR --base-db FILE --db FILE [--reps N] [--until YYYY-MM-DD]');
  process.exit(2);
}
const reps = Number(args.reps ?? 11);
const until = args.until ?? '2025-11-04';
const weekFrom = new Date(Date.parse(`${until}T00:00:00Z`) - 6 * 86_400_000).toISOString().slice(0, 10);
const builds = {
  base: { bin: path.join(path.resolve(args.base), 'bin', 'craveny-ops'), db: args['base-db'] },
  this: { bin: path.join(ROOT, 'bin', 'craveny-ops'), db: args.db },
};
const commands = {
  stats: ['stats', '--days', '30', '--until', until, '--json'],
  cost: ['cost', '--days', '30', '--until', until, '--json'],
  'verify day1': ['verify', 'day1', '--date', until, '--format', 'json'],
  'verify week': ['verify', 'week', '--from', weekFrom, '--format', 'json'],
  anomalies: ['anomalies', '--days', '30', '--until', until, '--json'],
};
const ms = (argv) => {
  const start = performance.now();
  const run = spawnSync(process.execPath, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  if (run.status === 2) throw new Error(`${argv.join(' ')}: ${run.stderr}`);
  return performance.now() - start;
};
const summary = (times) => {
  const sorted = [...times].sort((a, b) => a - b);
  return { best: sorted[0], median: sorted[sorted.length >> 1] };
};
for (const [name, argv] of Object.entries(commands)) {
  const times = { base: [], this: [] };
  for (let i = 0; i < reps; i++) for (const b of ['base', 'this']) times[b].push(ms([builds[b].bin, '--db', builds[b].db, ...argv]));
  const base = summary(times.base);
  const mine = summary(times.this);
  const change = ((mine.best - base.best) / base.best) * 100;
  console.log(
    `${name.padEnd(12)} base best ${base.best.toFixed(0)} ms, median ${base.median.toFixed(0)} | this best ${mine.best.toFixed(0)} ms, median ${mine.median.toFixed(0)} | ${change >= 0 ? '+' : ''}${change.toFixed(1)} %`,
  );
}
const node = summary(Array.from({ length: reps }, () => ms(['-e', '0'])));
console.log(`node -e 0    best ${node.best.toFixed(0)} ms`);
