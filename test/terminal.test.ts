/** What a person at a terminal sees, and what cron sees: colours and the progress bar (run under a pty). */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bin, BIN, fixture, tempDir, tempStore } from './helpers.js';

const ESC = '\u001b[';
const hasScript = spawnSync('script', ['--version']).status === 0;
if (!hasScript) console.info('skipping the terminal tests: util-linux `script` is absent, so no pseudo-terminal can be opened');

/** Runs the binary on a pseudo-terminal (util-linux `script`); stdout and stderr arrive together. */
function onTerminal(args: string[], env: NodeJS.ProcessEnv = {}): string {
  const command = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const run = spawnSync('script', ['-qec', command, '/dev/null'], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'xterm', COLUMNS: '100', ...env },
  });
  return run.stdout;
}

let db: string;
beforeAll(() => {
  db = tempStore();
  expect(bin(['--db', db, 'ingest', fixture('logs', 'day.log')]).code).toBe(0);
});

describe.skipIf(!hasScript)('on a terminal', () => {
  const stats = () => ['--db', db, 'stats', '--days', '1', '--until', '2025-11-04'];

  it('prints colours', () => {
    expect(onTerminal(stats())).toContain(ESC);
  });

  it('prints none with NO_COLOR', () => {
    const out = onTerminal(stats(), { NO_COLOR: '1' });
    expect(out).toContain('10 attempts');
    expect(out).not.toContain(ESC);
  });

  it('shows a progress bar while ingesting a large file, and only the summary in a pipe', () => {
    const dir = tempDir();
    const log = path.join(dir, 'backend.log');
    const day = fs.readFileSync(fixture('logs', 'day.log'));
    // 36 MB of the example day, each copy shifted by a day so that every record is new.
    const copies: Buffer[] = [];
    for (let i = 0; copies.length * day.length < 36 << 20; i++) {
      const date = new Date(Date.UTC(2010, 0, 1 + i)).toISOString().slice(0, 10);
      copies.push(Buffer.from(day.toString('utf8').replaceAll('2025-11-04', date).replaceAll('2025-11-03', date)));
    }
    fs.writeFileSync(log, Buffer.concat(copies));
    const tty = onTerminal(['--db', tempStore(), 'ingest', log]);
    expect(tty).toMatch(/ingest \[.*\] \d+% \d+\/\d+ MB/);
    expect(tty).toMatch(/records added: \d+/);
    const piped = bin(['--db', tempStore(), 'ingest', log]);
    expect(piped.code).toBe(0);
    expect(piped.stderr).toBe('');
    expect(piped.stdout).not.toContain(ESC);
    expect(piped.stdout).toMatch(/^.*backend\.log: \d+ new lines, \d+ records\nrecords added: \d+\n$/);
  });
});

describe('in a pipe', () => {
  it('prints no colours', () => {
    const run = bin(['--db', db, 'stats', '--days', '1', '--until', '2025-11-04']);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain(ESC);
  });
});
