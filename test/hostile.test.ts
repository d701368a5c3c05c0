/**
 * Hostile input and faults end in one line on stderr and the contract's exit code: never a stack
 * trace, a hang or a flood. A corrupt store for every command; special files and runaway inputs;
 * configs that could never pass; and log text that would drive a terminal (ESC sequences, OSC 8
 * links, C1 controls, bidi overrides) shown as visible escapes in every table and line.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasControl, visible } from '../src/render/text.js';
import { bin, cli, fixture, tempDir, tempStore } from './helpers.js';
import { spawnBin } from './support/store.js';

const DAY = fixture('logs', 'day.log');
const HOSTILE = fixture('terminal', 'hostile.log');
const WINDOW = ['--days', '7', '--until', '2025-11-05'];

const oneLine = (stderr: string) => {
  const lines = stderr.split('\n').filter(Boolean);
  expect(lines, stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /); // no stack frame
  return lines[0];
};

describe('a SQLite store whose pages are corrupt (its header and schema intact)', () => {
  function corruptStore(): string {
    const db = tempStore();
    expect(bin(['--db', db, 'ingest', DAY]).code).toBe(0);
    const size = fs.statSync(db).size;
    const fd = fs.openSync(db, 'r+');
    // Pages 1 and 2 (the header and the schema) kept: the store opens, and only the queries that
    // read the data find the damage.
    fs.writeSync(fd, Buffer.alloc(size - 8192, 0xa5), 0, size - 8192, 8192);
    fs.closeSync(fd);
    return db;
  }

  const dir = tempDir();
  const COMMANDS: string[][] = [
    ['stats', ...WINDOW],
    ['stats', ...WINDOW, '--json'],
    ['cost', ...WINDOW],
    ['cost', ...WINDOW, '--format', 'csv'],
    ['anomalies', ...WINDOW],
    ['verify', 'day1', '--date', '2025-11-04'],
    ['verify', 'day1'],
    ['verify', 'week', '--from', '2025-11-01'],
    ['metrics'],
    ['report', ...WINDOW, '--html', path.join(dir, 'report.html')],
    ['ingest', DAY],
  ];

  it('gives every command one line, exit 2, and what to do', () => {
    const db = corruptStore();
    for (const args of COMMANDS) {
      const run = bin(['--db', db, ...args]);
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(2);
      expect(oneLine(run.stderr)).toMatch(
        new RegExp(`^craveny-ops: cannot (read|write to|bring) the store ${db}( up to date)?: it is not a craveny-ops store, or it is corrupt: move it aside and ingest the logs again to rebuild it$`),
      );
    }
  }, 120_000);

  it('in-process as well: the entry point maps a SQLite error that no command caught', async () => {
    const db = corruptStore();
    const run = await cli(['--db', db, 'stats', ...WINDOW]);
    expect(run.code).toBe(2);
    expect(oneLine(run.stderr)).toMatch(/^craveny-ops: cannot (read|bring) the store .*: it is not a craveny-ops store, or it is corrupt/);
  });
});

describe('special files and runaway inputs', () => {
  const hasMkfifo = spawnSync('mkfifo', ['--version']).status === 0;

  it.skipIf(!hasMkfifo)('ingest of a FIFO with no writer: refused at once in one line, exit 2, nothing ingested', async () => {
    const fifo = path.join(tempDir(), 'pipe.log');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const db = tempStore();
    // Killed after 15 s if it hangs: the exit code is then null, not 2.
    const run = await spawnBin(['--db', db, 'ingest', fifo], { killAfterMs: 15_000 });
    expect(run.code).toBe(2);
    expect(oneLine(run.stderr)).toBe(
      `craveny-ops: ${fifo}: is a FIFO, not a regular file: pipe it to standard input instead (cat ${fifo} | craveny-ops ingest -)`,
    );
    expect(run.stdout).toBe(`${fifo}: not ingested\nrecords added: 0\n`);
  });

  it.skipIf(!hasMkfifo)('ingest of a FIFO with a writer: refused too (no ESPIPE, no partial ingest), the writer is not left hanging', async () => {
    const fifo = path.join(tempDir(), 'pipe.log');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const writer = spawn('sh', ['-c', `cat '${DAY}' > '${fifo}'`], { stdio: 'ignore' });
    try {
      const run = await spawnBin(['--db', tempStore(), 'ingest', fifo], { killAfterMs: 15_000 });
      expect(run.code).toBe(2);
      expect(oneLine(run.stderr)).toMatch(/is a FIFO, not a regular file: pipe it to standard input instead/);
    } finally {
      writer.kill();
    }
  });

  it('ingest of a character device (/dev/zero, /dev/null): refused in one line, exit 2', () => {
    for (const device of ['/dev/zero', '/dev/null']) {
      const run = bin(['--db', tempStore(), 'ingest', device]);
      expect(run.code, device).toBe(2);
      expect(oneLine(run.stderr)).toBe(`craveny-ops: ${device}: is a character device, not a regular file: pipe it to standard input instead (cat ${device} | craveny-ops ingest -)`);
    }
  });

  it('a FIFO is still read through standard input, as the message says', async () => {
    const run = await cli(['--db', tempStore(), 'ingest', '-', '--json'], { stdin: fs.readFileSync(DAY) });
    expect(run.code, run.stderr).toBe(0);
    expect(run.json().records_added).toBe(63);
  });

  it('--config /dev/zero: bounded, one line, exit 2', async () => {
    const run = await spawnBin(['--db', tempStore(), '--config', '/dev/zero', 'stats', ...WINDOW], { killAfterMs: 15_000 });
    expect(run.code).toBe(2);
    expect(oneLine(run.stderr)).toBe('craveny-ops: config /dev/zero: larger than 1024 KiB, so not a craveny-ops configuration');
  });

  it('a config just over the cap is refused; one at the cap is read (and judged on its content)', async () => {
    const dir = tempDir();
    const over = path.join(dir, 'over.json');
    const at = path.join(dir, 'at.json');
    const body = '{"pricePerCall": 0.002}';
    fs.writeFileSync(over, body + ' '.repeat((1 << 20) + 1 - body.length));
    fs.writeFileSync(at, body + ' '.repeat((1 << 20) - body.length));
    const refused = await cli(['--db', tempStore(), '--config', over, 'cost', ...WINDOW, '--json']);
    expect(refused.code).toBe(2);
    expect(oneLine(refused.stderr)).toBe(`craveny-ops: config ${over}: larger than 1024 KiB, so not a craveny-ops configuration`);
    const read = await cli(['--db', tempStore(), '--config', at, 'cost', ...WINDOW, '--json']);
    expect(read.code, read.stderr).toBe(0);
    expect(read.json().price_per_call).toBe(0.002);
  });

  it.skipIf(!hasMkfifo)('--config naming a FIFO with no writer does not block: one line, exit 2', async () => {
    const fifo = path.join(tempDir(), 'config.json');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const run = await spawnBin(['--db', tempStore(), '--config', fifo, 'stats', ...WINDOW], { killAfterMs: 15_000 });
    expect(run.code).toBe(2);
    expect(oneLine(run.stderr)).toMatch(new RegExp(`^craveny-ops: config ${fifo}: `));
  });

  it('--config naming a directory: one line, exit 2', async () => {
    const dir = tempDir();
    const run = await cli(['--db', tempStore(), '--config', dir, 'stats', ...WINDOW]);
    expect(run.code).toBe(2);
    expect(oneLine(run.stderr)).toBe(`craveny-ops: config ${dir}: is a directory`);
  });
});

describe('a config whose ranges cannot pass is a config error, exit 2', () => {
  const CASES: Array<[string, unknown, string]> = [
    ['min above max', { week: { updatesPerStock: { min: 12, max: 6 } } }, 'week.updatesPerStock: min 12 is above max 6, so no day could pass'],
    ['min above the default max', { week: { callsPerStock: { min: 11 } } }, 'week.callsPerStock: min 11 is above max 10, so no day could pass'],
    ['max below the default min', { week: { updatesPerStock: { max: 4 } } }, 'week.updatesPerStock: min 5 is above max 4, so no day could pass'],
    ['a negative bound', { week: { callsPerStock: { min: -1 } } }, 'week.callsPerStock.min: '],
    ['a success rate no rate can exceed', { week: { minSuccessRate: 1 } }, 'week.minSuccessRate: '],
  ];
  for (const [name, config, message] of CASES) {
    it(name, async () => {
      const file = path.join(tempDir(), 'config.json');
      fs.writeFileSync(file, JSON.stringify(config));
      const run = await cli(['--db', tempStore(), '--config', file, 'verify', 'week', '--from', '2025-11-01']);
      expect(run.code).toBe(2);
      expect(oneLine(run.stderr).startsWith(`craveny-ops: config ${file}: ${message}`), run.stderr).toBe(true);
    });
  }

  it('min equal to max still passes as a config (a day at exactly that value passes)', async () => {
    const file = path.join(tempDir(), 'config.json');
    fs.writeFileSync(file, JSON.stringify({ week: { updatesPerStock: { min: 7, max: 7 }, minSuccessRate: 0.99 } }));
    const run = await cli(['--db', tempStore(), '--config', file, 'verify', 'week', '--from', '2025-11-01', '--json']);
    expect(run.stderr).not.toMatch(/config/);
    expect([0, 1, 3]).toContain(run.code);
    expect(run.json()).toMatchObject({ kind: 'week', from: '2025-11-01' });
  });
});

describe('untrusted text on a terminal', () => {
  it('visible(): every control character becomes a visible escape; other text is left as it is', () => {
    expect(visible('\u001b]0;TITLE\u0007')).toBe('\\e]0;TITLE\\x07');
    expect(visible('\u001b[2J')).toBe('\\e[2J');
    expect(visible('\u001b]8;;http://x/\u001b\\link\u001b]8;;\u001b\\')).toBe('\\e]8;;http://x/\\e\\link\\e]8;;\\e\\');
    expect(visible('a\u009b31mb')).toBe('a\\x9b31mb');
    expect(visible('\u0000\u0008\t\n\r\u007f')).toBe('\\x00\\x08\\t\\n\\r\\x7f');
    expect(visible('\u202eevil\u202c \u2066x\u2069 \u200f \u061c \u2028')).toBe('\\u{202e}evil\\u{202c} \\u{2066}x\\u{2069} \\u{200f} \\u{61c} \\u{2028}');
    const plain = '종목 005930 업데이트 시작: 시장 단계별 TTL 초과 (trading: 2.3h > 2h) é ü → ×';
    expect(visible(plain)).toBe(plain);
    expect(hasControl(plain)).toBe(false);
  });

  // Every character a terminal could act on: C0 but the newline, DEL, C1, bidi controls.
  // eslint-disable-next-line no-control-regex
  const ACTIVE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

  it('no table or line output of a hostile log holds one, and the hostile text is still shown', async () => {
    const db = tempStore();
    const runs = [
      await cli(['--db', db, 'ingest', HOSTILE]),
      await cli(['--db', db, 'anomalies', '--days', '1', '--until', '2025-11-04']),
      await cli(['--db', db, 'verify', 'day1', '--date', '2025-11-04']),
      await cli(['--db', db, 'stats', '--days', '1', '--until', '2025-11-04']),
      await cli(['--db', db, 'cost', '--days', '1', '--until', '2025-11-04']),
    ];
    for (const run of runs) {
      expect(run.stdout).not.toMatch(ACTIVE);
      expect(run.stderr).not.toMatch(ACTIVE);
    }
    const [, anomalies, day1] = runs;
    expect(anomalies.code).toBe(1);
    expect(anomalies.stdout).toContain('\\e]0;PWNED\\x07\\e[2J\\e]8;;http://evil.example/\\e\\click\\e]8;;\\e\\ \\x9b31m \\u{202e}evil\\u{202c} \\x07');
    expect(day1.stdout).toContain('\\e]0;PWNED\\x07\\e[2J');
    expect(day1.stdout).toContain('\\u{202e}evil\\u{202c}');
  });

  it('JSON keeps the text exactly (programs read it), with C0 escaped by JSON itself', async () => {
    const db = tempStore();
    await cli(['--db', db, 'ingest', HOSTILE]);
    const run = await cli(['--db', db, 'anomalies', '--days', '1', '--until', '2025-11-04', '--json']);
    expect(run.stdout).not.toContain('\u001b');
    const spike = run.json().anomalies.find((a: { kind: string }) => a.kind === 'failure_spike');
    expect(spike.detail).toContain('\u001b]0;PWNED\u0007');
  });

  it('a file name holding control characters is shown escaped in ingest output and error lines', async () => {
    const dir = tempDir();
    const name = path.join(dir, 'evil\u001b]0;TITLE\u0007\u001b[2J.log');
    fs.copyFileSync(DAY, name);
    const good = await cli(['--db', tempStore(), 'ingest', name]);
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).not.toMatch(ACTIVE);
    expect(good.stdout).toContain('evil\\e]0;TITLE\\x07\\e[2J.log: ');
    const missing = await cli(['--db', tempStore(), 'ingest', name + '\nforged line']);
    expect(missing.code).toBe(2);
    expect(oneLine(missing.stderr)).toBe(`craveny-ops: ${dir}/evil\\e]0;TITLE\\x07\\e[2J.log\\nforged line: no such file`);
  });

  it('a bad flag value is quoted escaped, on one line', async () => {
    const run = await cli(['--db', tempStore(), 'stats', '--days', '7\u001b[2J\n8']);
    expect(run.code).toBe(2);
    expect(oneLine(run.stderr)).toBe("craveny-ops: --days must be a whole number from 1 to 30, got '7\\e[2J\\n8' (see craveny-ops stats --help)");
  });
});
