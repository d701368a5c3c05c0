/**
 * node bench/whatif-floor.mjs --db FILE [--until 2025-11-04] [--days 30]
 *
 * What a 30-day `whatif` cannot go below, in main-thread instructions (callgrind, which repeats
 * within about 2 % however loaded the machine is; needs valgrind and `npm run build`), each in a
 * fresh process as a command runs: Node's start-up, the CLI's (`--version`), `stats`, `whatif`,
 * and the rows the what-if replays — the attempts from a day before the window, the window's
 * skips and `[LLM_COST]` lines — read three ways: only counted inside SQLite, carried into
 * JavaScript as the tool carries them (one JSON text per query), and as the driver returns rows.
 * Use the bench's one-year store (`node bench/generate.mjs --size 0 --days 365 --stocks 40
 * --start 2024-11-05 --seed 2 --out year.log`, then `craveny-ops --db year.db ingest year.log`).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'craveny-ops');
const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []),
);
if (!args.db || !fs.existsSync(args.db)) {
  console.error('usage: node bench/whatif-floor.mjs --db FILE [--until YYYY-MM-DD] [--days N]  (FILE: an ingested store)');
  process.exit(2);
}
if (spawnSync('valgrind', ['--version']).status !== 0) {
  console.error('whatif-floor: needs valgrind (apt-get install valgrind)');
  process.exit(2);
}
const db = path.resolve(args.db);
const until = args.until ?? '2025-11-04';
const days = Number(args.days ?? 30);

// The what-if's window in UTC milliseconds: `days` KST days ending with `until`.
const untilMs = Date.parse(`${until}T00:00:00+09:00`) + 86_400_000;
const fromMs = untilMs - days * 86_400_000;
// The columns each of the what-if's reads takes (src/analysis/attempts.ts: decisionAttemptsIn,
// skipDecisionsIn, llmCallsIn), in the tool's order.
const READS = [
  [
    'attempts',
    'host, stock_code, ts, reason, phase, age_h, ttl_h, rate, threshold, prev_count, cur_count, outcome, outcome_ts, completed_ts, generation_mode, generation_failed, completion_logged',
    `from attempts where ts >= ${fromMs - 86_400_000} and ts < ${untilMs} order by ts, id`,
  ],
  ['skips', 'host, stock_code, ts, phase, age_h, ttl_h', `from records where kind = 'skip' and ts >= ${fromMs} and ts < ${untilMs} order by ts, id`],
  ['[LLM_COST] lines', 'host, stock_code, ts, cost_usd', `from records where kind = 'llm_cost' and ts >= ${fromMs} and ts < ${untilMs} order by ts, id`],
];

/** A script reading the what-if's rows in one of three ways, printing how many it read. */
function readScript(how) {
  const queries = READS.map(([, columns, rest]) => {
    const select = `select ${columns} ${rest}`;
    if (how === 'counted') return `db.prepare(${JSON.stringify(`select count(*) from (${select})`)}).pluck().get()`;
    if (how === 'json') return `JSON.parse(db.prepare(${JSON.stringify(`select json_group_array(json_array(${columns})) from (${select})`)}).pluck().get()).length`;
    return `db.prepare(${JSON.stringify(select)}).raw(true).all().length`;
  });
  return [
    `const Sqlite = require(${JSON.stringify(path.join(ROOT, 'node_modules', 'better-sqlite3'))});`,
    `const db = new Sqlite(${JSON.stringify(db)}, { readonly: true });`,
    `console.log(${queries.join(' + ')});`,
  ].join('\n');
}

/** Main-thread instructions of one run (callgrind's first thread), and what it printed. */
function instructions(argv) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whatif-floor-'));
  try {
    const out = path.join(dir, 'cg.out');
    const run = spawnSync('valgrind', ['--tool=callgrind', '--separate-threads=yes', `--callgrind-out-file=${out}`, process.execPath, ...argv], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
      env: { ...process.env, NO_COLOR: '1' },
    });
    if (run.status !== 0 && run.status !== 1) throw new Error(`${argv.join(' ')} exited with ${run.status}: ${run.stderr.slice(-500)}`);
    const main = fs.readdirSync(dir).find((f) => f.endsWith('-01'));
    const summary = /^summary: (\d+)/m.exec(fs.readFileSync(path.join(dir, main), 'utf8'));
    return { ir: Number(summary[1]), stdout: run.stdout.trim() };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const window = ['--days', String(days), '--until', until];
const runs = [
  ['node -e 0', ['-e', '0']],
  ['craveny-ops --version', [BIN, '--version']],
  [`stats ${window.join(' ')}`, [BIN, '--db', db, 'stats', ...window, '--json']],
  [`whatif ${window.join(' ')} --set trading.ttlHours=3 --fix-prediction-cap`, [BIN, '--db', db, 'whatif', ...window, '--set', 'trading.ttlHours=3', '--fix-prediction-cap', '--json']],
  ["the what-if's rows, only counted in SQLite", ['-e', readScript('counted')]],
  ["the what-if's rows carried into JavaScript as the tool does (JSON)", ['-e', readScript('json')]],
  ["the what-if's rows as the driver returns them", ['-e', readScript('driver')]],
];
// A run first, so that the CLI's code cache (bin/launch.cjs) is current when measured.
spawnSync(process.execPath, [BIN, '--version']);
const results = new Map();
for (const [label, argv] of runs) {
  const r = instructions(argv);
  results.set(label, r);
  const rows = /^\d+$/.test(r.stdout) ? ` (${r.stdout} rows)` : '';
  console.log(`${label.padEnd(72)} ${(r.ir / 1e6).toFixed(0).padStart(6)} M${rows}`);
}
const node = results.get('node -e 0').ir;
const cli = results.get('craveny-ops --version').ir;
const counted = results.get("the what-if's rows, only counted in SQLite").ir;
const json = results.get("the what-if's rows carried into JavaScript as the tool does (JSON)").ir;
const stats = results.get(`stats ${window.join(' ')}`).ir;
console.log(
  `\ncarrying the rows into JavaScript costs ${((json - counted) / 1e6).toFixed(0)} M; with the CLI's start-up that is ` +
    `${((cli + json - node) / 1e6).toFixed(0)} M before any replay, against ${(stats / 1e6).toFixed(0)} M for all of stats`,
);
