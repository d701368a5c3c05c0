/**
 * Log text is untrusted input: it never reaches a shell, it only ever reaches SQL as a parameter,
 * and database passwords never reach the output. (HTML escaping is tested with the dashboard.)
 */
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cli, ROOT, tempDir, tempStore } from './helpers.js';

const SERVICE = ' - backend.services.stock_analysis_service - ';
const INJECTION = `'); DROP TABLE records; --`;
const CANARY = path.join(tempDir('craveny-canary-'), 'pwned');
/** Text that would do harm if it were ever pasted into SQL, a shell or HTML. */
const HOSTILE = [
  INJECTION,
  `" OR 1=1; DELETE FROM attempts WHERE "a"="a`,
  `$(touch ${CANARY}) \`touch ${CANARY}\` ; touch ${CANARY} | touch ${CANARY} && touch ${CANARY}`,
  `<script>alert("x")</script> & 'quotes' \\ back\\slash %s %d {0} \${HOME}`,
];

function hostileLog(): string {
  const lines: string[] = [];
  HOSTILE.forEach((text, i) => {
    const t = `2025-11-04 10:0${i}:00`;
    lines.push(`${t},000${SERVICE}INFO - 종목 00593${i} 업데이트 시작: 새 예측 추가 (기존: 1, 현재: 2, 시장: trading) ${text}`);
    lines.push(`${t},500${SERVICE}ERROR - 종목 00593${i}의 분석 요약 업데이트 실패: ${text}`);
    lines.push('Traceback (most recent call last):');
    lines.push(`RuntimeError: ${text}`);
  });
  return lines.join('\n') + '\n';
}

/** Every source file of the shipped program (tests and benchmarks excluded). */
function sourceFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(ts|js|mjs|cjs)$/.test(entry.name) || dir.endsWith('bin')) out.push(full);
    }
  };
  for (const dir of ['src', 'migrations', 'bin']) walk(path.join(ROOT, dir));
  return out;
}

describe('log text never reaches a shell', () => {
  it('no shipped source imports child_process or runs a command', () => {
    const files = sourceFiles();
    expect(files.length).toBeGreaterThan(20);
    const offenders = files.filter((f) => /child_process|\bexecSync\b|\bexecFile\b|\bspawnSync\b|\bnew Function\b|\beval\(/.test(fs.readFileSync(f, 'utf8')));
    expect(offenders.map((f) => path.relative(ROOT, f))).toEqual([]);
  });

  it('hostile text in a log runs nothing through ingest, stats, anomalies and verify', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'hostile.log');
    fs.writeFileSync(log, hostileLog());
    const db = tempStore();
    expect((await cli(['--db', db, 'ingest', log])).code).toBe(0);
    await cli(['--db', db, 'stats', '--days', '1', '--until', '2025-11-04', '--json']);
    await cli(['--db', db, 'anomalies', '--days', '1', '--until', '2025-11-04', '--json']);
    await cli(['--db', db, 'verify', 'day1', '--date', '2025-11-04', '--format', 'json']);
    expect(fs.existsSync(CANARY)).toBe(false);
  });
});

describe('SQL is always parameterised', () => {
  it(`a record whose text contains ${INJECTION} is stored and read back verbatim, and every table is still there`, async () => {
    const log = path.join(tempDir(), 'hostile.log');
    fs.writeFileSync(log, hostileLog());
    const db = tempStore();
    const run = await cli(['--db', db, 'ingest', '--json', log]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json().records_added).toBe(HOSTILE.length * 2);
    const raw = new SQLite(db, { readonly: true });
    const tables = (raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
    expect(tables).toEqual(expect.arrayContaining(['sources', 'records', 'attempts']));
    const failures = raw.prepare("SELECT text, detail FROM records WHERE kind = 'update_failed' ORDER BY ts").all() as { text: string; detail: string }[];
    expect(failures.map((f) => f.text)).toEqual(HOSTILE);
    expect(failures.map((f) => f.detail)).toEqual(HOSTILE.map((t) => `RuntimeError: ${t}`));
    const attempts = raw.prepare('SELECT reason_text, outcome, error FROM attempts ORDER BY ts').all() as { reason_text: string; outcome: string; error: string }[];
    expect(attempts.map((a) => a.reason_text)).toEqual(HOSTILE.map((t) => `새 예측 추가 (기존: 1, 현재: 2, 시장: trading) ${t}`));
    expect(attempts.every((a) => a.outcome === 'failed')).toBe(true);
    raw.close();
  });

  it('no shipped source builds SQL text out of values (sql.raw / prepare / exec with ${…})', () => {
    const offenders: string[] = [];
    for (const f of sourceFiles()) {
      const text = fs.readFileSync(f, 'utf8');
      for (const m of text.matchAll(/(sql\.raw|\.prepare|\.exec|\.pragma)\(\s*`([^`]*)`/g)) if (m[2].includes('${')) offenders.push(`${path.relative(ROOT, f)}: ${m[0]}`);
    }
    expect(offenders).toEqual([]);
  });
});

describe('database passwords are never printed', () => {
  const SECRET = 'sup3r-s3cret';
  // Port 1 refuses at once; the URLs differ in scheme, user and how the password is written.
  const URLS = [
    `postgres://user:${SECRET}@127.0.0.1:1/x`,
    `postgresql://craveny:${SECRET}@127.0.0.1:1/craveny?sslmode=disable`,
    `postgres://user:${encodeURIComponent(SECRET + '@:/')}@127.0.0.1:1/x`,
  ];
  const COMMANDS = [
    ['ingest', path.join(ROOT, 'fixtures/logs/day.log')],
    ['migrate'],
    ['stats', '--days', '7', '--until', '2025-11-04'],
    ['anomalies', '--days', '7', '--until', '2025-11-04'],
    ['verify', 'day1', '--date', '2025-11-04'],
  ];

  for (const url of URLS) {
    it(`not for an unreachable store (${url.replace(/:[^:@/]*@/, ':***@')}), by option or environment, in any command`, async () => {
      for (const args of COMMANDS) {
        for (const run of [await cli(['--db', url, ...args]), await cli(args, { env: { CRAVENY_OPS_DB: url } })]) {
          expect(run.code, `${args[0]}: ${run.stderr}`).toBe(2);
          expect(run.stderr.split('\n').filter(Boolean)).toHaveLength(1);
          expect(run.stderr).toMatch(/cannot connect|store/);
          expect(run.stdout + run.stderr).not.toContain(SECRET);
          expect(run.stdout + run.stderr).not.toContain(encodeURIComponent(SECRET));
        }
      }
    }, 60_000);
  }

  it('not for the backend database of freshness --pg', async () => {
    const run = await cli(['freshness', '--pg', URLS[0]]);
    expect(run.code).toBe(2);
    expect(run.stdout + run.stderr).not.toContain(SECRET);
  });

  const pg = process.env.CRAVENY_OPS_TEST_PG;
  if (!pg) console.info('skipping the refused-password test: CRAVENY_OPS_TEST_PG names no PostgreSQL server (in-process PGlite accepts any password)');
  it.skipIf(!pg)('not when a real PostgreSQL server refuses the password', async () => {
    const wrong = new URL(pg!);
    wrong.password = SECRET;
    const run = await cli(['--db', wrong.toString(), 'migrate', '--json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/password|auth/i);
    expect(run.stdout + run.stderr).not.toContain(SECRET);
  });
});
