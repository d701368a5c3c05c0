/**
 * npm run bench [-- --size 1GB] [-- --quick] [-- --reps N] [-- --year-days N]
 *
 * Generates a realistic backend log into bench/out/ and measures, in one run and on the same
 * file: a full ingest against `grep -c -F '업데이트 시작'` (written to a file: to /dev/null grep
 * stops at the first match), a re-ingest of the unchanged file and an incremental run after a
 * 10 MB append against `node -e 0`, and the read commands on a store holding a year of 40 stocks
 * against `node -e 0`; with the peak memory (RSS, from /usr/bin/time) of every run. Ends with
 * PASS/FAIL against the targets of issue 8. Every ingest is checked against what the generator
 * says it wrote, so no figure is bought by skipping records.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Sqlite from 'better-sqlite3';
import { generateLog, parseSize } from './generate.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'bench', 'out');
const BIN = path.join('bin', 'craveny-ops');
const TIME = '/usr/bin/time';
const MB = 1 << 20;

const args = parseArgs(process.argv.slice(2));
const quick = args.quick === true;
const size = parseSize(args.size ?? (quick ? '30MB' : '300MB'));
const reps = Number(args.reps ?? (quick ? 1 : 3));
const yearDays = Number(args['year-days'] ?? (quick ? 45 : 365));
const LOG = path.join(OUT, 'backend.log');
const STORE = path.join(OUT, 'bench.db');
const YEAR_LOG = path.join(OUT, 'year.log');
const YEAR_STORE = path.join(OUT, 'year.db');
const hasTime = fs.existsSync(TIME);

fs.mkdirSync(OUT, { recursive: true });
process.chdir(ROOT);

const cpu = /model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model ?? '?';
note(`machine: ${os.cpus().length} cores (nproc), ${cpu}, node ${process.version}, ${os.platform()} ${os.release()}`);
note(`load average at start: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (other processes on the machine distort every figure)`);
note(`mode: ${quick ? 'quick' : 'full'}, size ${fmtBytes(size)}, ${reps} run(s) per figure (median), year store: ${yearDays} days`);

const rows = [];

// ---- the 30-day log -------------------------------------------------------------------------
let t = performance.now();
// About 10 MB a day, as on the backend: a bigger log is more days, so the noise stays ~97 % of lines.
const days = Math.max(1, Math.round((30 * size) / (300 * MB)));
const counts = generateLog({ file: LOG, size, days, stocks: 40, start: addDays('2025-11-04', -(days - 1)), seed: 1 });
note(
  `generated ${LOG}: ${fmtBytes(counts.bytes)}, ${days} days, ${counts.lines} lines, ${counts.records_total} report records ` +
    `(${((100 * counts.records_total) / counts.lines).toFixed(1)} % of lines), ${counts.attempts.total} attempts, ` +
    `${counts.lookalikes} look-alike lines, in ${((performance.now() - t) / 1000).toFixed(1)} s`,
);

const nodeStart = measure('node start-up', [process.execPath, '-e', '0']);
const grepOut = path.join(OUT, 'grep.out');
const grep = measure('grep -c -F', ['grep', '-c', '-F', '업데이트 시작', LOG], { stdoutFile: grepOut });
const grepCount = Number(fs.readFileSync(grepOut, 'utf8').trim());
if (grepCount !== counts.grep_update_start) fail(`grep counted ${grepCount} lines, the generator wrote ${counts.grep_update_start}`);

const ingestArgs = (store, file) => [process.execPath, BIN, '--db', store, 'ingest', '--json', file];
const full = measure('full ingest', ingestArgs(STORE, LOG), {
  before: () => removeStore(STORE),
  check: (stdout) => expectIngest(stdout, counts.records_total, 'full ingest'),
});
checkStore(STORE, counts, 'full ingest');
const mbps = counts.bytes / MB / full.median;
const fullTarget = size >= 900 * MB ? 3 : 4;
row(`full ingest (${fmtBytes(counts.bytes)}, ${mbps.toFixed(0)} MB/s)`, full, grep, 'grep -c -F', fullTarget);

const reingest = measure('re-ingest', ingestArgs(STORE, LOG), { check: (stdout) => expectIngest(stdout, 0, 're-ingest') });
row('re-ingest, unchanged file', reingest, nodeStart, 'node -e 0', 2);

// Each run appends 10 MB of the following days (a new day each time) and ingests.
let appendDay = addDays(counts.last_day, 1);
let appended = null;
const append = measure('10 MB append', ingestArgs(STORE, LOG), {
  before: () => {
    appended = generateLog({ file: LOG, append: true, size: 10 * MB, days: 1, stocks: 40, start: appendDay, seed: 7 });
    appendDay = addDays(appendDay, 1);
  },
  check: (stdout) => expectIngest(stdout, appended.records_total, '10 MB append'),
});
row('incremental ingest after a 10 MB append', append, nodeStart, 'node -e 0', 3);

// ---- the one-year store ---------------------------------------------------------------------
const yearStart = addDays('2025-11-04', -(yearDays - 1));
t = performance.now();
const yearCounts = generateLog({ file: YEAR_LOG, size: 0, days: yearDays, stocks: 40, start: yearStart, seed: 2 });
note(`generated ${YEAR_LOG}: ${yearDays} days from ${yearStart}, ${fmtBytes(yearCounts.bytes)}, ${yearCounts.records_total} report records, ${yearCounts.attempts.total} attempts, in ${((performance.now() - t) / 1000).toFixed(1)} s`);
const yearIngest = measure('year ingest', ingestArgs(YEAR_STORE, YEAR_LOG), {
  runs: 1,
  before: () => removeStore(YEAR_STORE),
  check: (stdout) => expectIngest(stdout, yearCounts.records_total, 'year ingest'),
});
checkStore(YEAR_STORE, yearCounts, 'year ingest');
note(`ingested the year store in ${yearIngest.median.toFixed(2)} s (${(yearCounts.bytes / MB / yearIngest.median).toFixed(0)} MB/s, peak ${fmtRss(yearIngest.rss)})`);
rows.push({ what: `year store ingest (${fmtBytes(yearCounts.bytes)}, ${yearCounts.records_total} records: setup of the reads)`, m: yearIngest, ratio: null, base: '', target: null });

const available = commandsOf(spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' }).stdout);
const until = '2025-11-04';
const reads = [
  ['stats', ['stats', '--days', '30', '--until', until, '--json']],
  ['cost', ['cost', '--days', '30', '--until', until, '--json']],
  ['verify', ['verify', 'day1', '--date', until, '--format', 'json']],
  ['verify', ['verify', 'week', '--from', addDays(until, -6), '--format', 'json']],
  ['anomalies', ['anomalies', '--days', '30', '--until', until, '--json']],
  ['whatif', ['whatif', '--days', '30', '--until', until, '--set', 'trading.ttlHours=3', '--fix-prediction-cap', '--json']],
];
for (const [command, argv] of reads) {
  const label = argv.slice(0, 2).join(' ').replace(/ --.*/, '');
  if (!available.has(command)) {
    note(`skipped \`${argv.join(' ')}\`: this build has no '${command}' command yet`);
    continue;
  }
  const m = measure(label, [process.execPath, BIN, '--db', YEAR_STORE, ...argv], { okCodes: [0, 1, 3] });
  row(`${argv.join(' ')} (one-year store)`, m, nodeStart, 'node -e 0', 3);
}

// ---- report ---------------------------------------------------------------------------------
print();

function measure(label, argv, { runs = reps, before, check, stdoutFile, okCodes = [0] } = {}) {
  const times = [];
  let rss = 0;
  let cmd = argv;
  for (let i = 0; i < runs; i++) {
    before?.();
    const rssFile = path.join(OUT, 'rss.txt');
    const full = hasTime ? [TIME, '-f', '%M', '-o', rssFile, ...argv] : argv;
    const out = stdoutFile ? fs.openSync(stdoutFile, 'w') : 'pipe';
    const start = process.hrtime.bigint();
    const r = spawnSync(full[0], full.slice(1), { stdio: ['ignore', out, 'pipe'], encoding: 'utf8', maxBuffer: 256 * MB, env: { ...process.env, NO_COLOR: '1' } });
    const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    if (stdoutFile) fs.closeSync(out);
    if (!okCodes.includes(r.status)) fail(`${label}: \`${argv.join(' ')}\` exited with ${r.status}: ${r.stderr}`);
    check?.(r.stdout);
    times.push(elapsed);
    if (hasTime) rss = Math.max(rss, Number(fs.readFileSync(rssFile, 'utf8').trim().split('\n').pop()) * 1024);
    cmd = argv;
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], min: times[0], rss: hasTime ? rss : null, cmd: display(cmd, stdoutFile) };
}

function row(what, m, base, baseName, target) {
  rows.push({ what, m, ratio: m.median / base.median, base: baseName, target, baseM: base });
}

function print() {
  const baselines = [
    ['node start-up', nodeStart],
    ['grep -c -F (same file)', grep],
  ];
  console.log('\nBaselines');
  for (const [name, m] of baselines) console.log(`  ${name.padEnd(26)} ${fmtS(m.median)}  peak ${fmtRss(m.rss).padStart(7)}   $ ${m.cmd}`);
  console.log('\nFigures (median of runs; ratio = time / baseline time of the same run)');
  const head = ['measurement', 'time', 'ratio', 'target', 'peak RSS', 'result'];
  const table = rows.map((r) => {
    const timeOk = r.target === null || r.ratio <= r.target;
    const memOk = r.m.rss === null || r.m.rss < 150 * MB;
    r.pass = timeOk && memOk;
    return [
      r.what,
      fmtS(r.m.median),
      r.ratio === null ? '' : `${r.ratio.toFixed(2)}× ${r.base}`,
      r.target === null ? '< 150 MB' : `≤ ${r.target}×, < 150 MB`,
      fmtRss(r.m.rss),
      r.pass ? 'PASS' : `FAIL${timeOk ? '' : ' (time)'}${memOk ? '' : ' (memory)'}`,
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
  const line = (cells) => '  ' + cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(line(head));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const r of table) console.log(line(r));
  console.log('\nCommands');
  for (const r of rows) console.log(`  ${r.what}:\n    $ ${r.m.cmd}`);
  console.log(`\nload average at end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const failed = rows.filter((r) => !r.pass);
  console.log(`\n${failed.length === 0 ? 'PASS' : 'FAIL'}: ${rows.length - failed.length} of ${rows.length} figures within the targets of issue 8`);
  process.exitCode = failed.length ? 1 : 0;
}

function expectIngest(stdout, records, label) {
  const summary = JSON.parse(stdout);
  if (summary.records_added !== records) fail(`${label}: ${summary.records_added} records added, the generator wrote ${records}`);
}

/** Every record stored and every attempt derived, as the generator says it wrote them. */
function checkStore(file, c, label) {
  const db = openSqlite(file);
  try {
    const records = db.prepare('select count(*) as n from records').get().n;
    const attempts = db.prepare("select count(*) as n, sum(outcome = 'succeeded') as ok from attempts").get();
    if (records !== c.records_total) fail(`${label}: the store holds ${records} records, the generator wrote ${c.records_total}`);
    if (attempts.n !== c.attempts.total || attempts.ok !== c.attempts.succeeded) {
      fail(`${label}: the store holds ${attempts.n} attempts (${attempts.ok} succeeded), the generator wrote ${c.attempts.total} (${c.attempts.succeeded})`);
    }
  } finally {
    db.close();
  }
}

function openSqlite(file) {
  return new Sqlite(file, { readonly: true });
}

function commandsOf(help) {
  const names = new Set();
  let inCommands = false;
  for (const l of help.split('\n')) {
    if (/^Commands:/.test(l)) inCommands = true;
    else if (inCommands && /^\s{2}(\S+)/.test(l)) names.add(/^\s{2}(\S+)/.exec(l)[1]);
  }
  return names;
}

function removeStore(file) {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
}

function display(argv, stdoutFile) {
  const shown = argv.map((a) => (a === process.execPath ? 'node' : path.isAbsolute(a) ? path.relative(ROOT, a) : a)).map((a) => (/[\s'"]/.test(a) ? `'${a}'` : a));
  return shown.join(' ') + (stdoutFile ? ` > ${path.relative(ROOT, stdoutFile)}` : ' > …');
}

function addDays(day, n) {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, '');
    if (key === 'quick') out.quick = true;
    else out[key] = argv[++i];
  }
  return out;
}

function fmtS(s) {
  return `${s.toFixed(3)} s`;
}
function fmtBytes(b) {
  return b >= 1 << 30 ? `${(b / (1 << 30)).toFixed(2)} GB` : `${(b / MB).toFixed(0)} MB`;
}
function fmtRss(b) {
  return b === null ? 'n/a' : `${(b / MB).toFixed(0)} MB`;
}
function note(text) {
  console.log(text);
}
function fail(text) {
  console.error(`bench: ${text}`);
  process.exit(2);
}
