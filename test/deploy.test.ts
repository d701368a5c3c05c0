/**
 * The deployment files under deploy/ work as shipped: systemd checks the units where it can run
 * here, a parser checks their keys everywhere, their commands run on the example logs as the
 * units would run them, and the cron.d lines are well-formed and set what cron does not.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram, commandsFor } from '../src/cli.js';
import type { Context } from '../src/commands/context.js';
import { BIN, ROOT, tempDir } from './helpers.js';

const DEPLOY = path.join(ROOT, 'deploy');
const SYSTEMD = path.join(DEPLOY, 'systemd');
const UNITS = fs.readdirSync(SYSTEMD).sort();
const ENV_FILE = '/etc/craveny-ops/env';

type Unit = Record<string, Record<string, string[]>>;

/** A unit file as sections of keys, each with its values in order (systemd's syntax: no continuation lines used here). */
function parseUnit(text: string): Unit {
  const unit: Unit = {};
  let section: string | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) {
      section = header[1];
      unit[section] ??= {};
      continue;
    }
    const pair = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (!pair || !section) throw new Error(`not a unit file line: ${raw}`);
    (unit[section][pair[1]] ??= []).push(pair[2]);
  }
  return unit;
}

const unitOf = (name: string) => parseUnit(fs.readFileSync(path.join(SYSTEMD, name), 'utf8'));

/** NAME=value lines of an environment file. */
function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const pair = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!pair) throw new Error(`not a NAME=value line: ${line}`);
    env[pair[1]] = pair[2];
  }
  return env;
}

const EXAMPLE_ENV = parseEnvFile(fs.readFileSync(path.join(DEPLOY, 'craveny-ops.env.example'), 'utf8'));

/** The shell command of an `ExecStart=/bin/sh -c '…'` line, with systemd's `$$` read as the shell's `$`. */
function shellCommandOf(exec: string): string {
  const match = /^\/bin\/sh -c '(.*)'$/.exec(exec);
  if (!match) throw new Error(`not a /bin/sh -c '…' command: ${exec}`);
  expect(match[1].replace(/\$\$/g, ''), 'every $ of the shell is written $$, so that systemd leaves it alone').not.toMatch(/\$/);
  return match[1].replace(/\$\$/g, '$');
}

/** A PATH whose craveny-ops is this checkout's binary, as `npm install -g` would put it. */
function pathWithCravenyOps(): string {
  const dir = tempDir('craveny-ops-path-');
  fs.writeFileSync(path.join(dir, 'craveny-ops'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`, { mode: 0o755 });
  return `${dir}:/usr/bin:/bin`;
}

function runShell(command: string, env: Record<string, string>) {
  const run = spawnSync('/bin/sh', ['-c', command], { env, encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const silent = { io: { out() {}, err() {}, color: false, stderrIsTTY: false }, env: {}, now: Date.now, hostname: 'h', exitCode: 0 } as unknown as Context;
const program = buildProgram(silent, await commandsFor([]));

/** Each `craveny-ops …` invocation in a shell line names a real command and only its options. */
function expectKnownInvocations(shell: string): void {
  const invocations = [...shell.matchAll(/(?:^|exec |&& |; )craveny-ops ((?:[^&;|>])*)/g)].map((m) => m[1].trim().split(/\s+/));
  expect(invocations.length).toBeGreaterThan(0);
  for (const words of invocations) {
    let command = program;
    for (let sub = command.commands.find((c) => c.name() === words[0]); sub; sub = command.commands.find((c) => c.name() === words[0])) {
      command = sub;
      words.shift();
    }
    expect(command, `${shell} names a command`).not.toBe(program);
    const known = [...command.options, ...program.options].map((o) => o.long);
    for (const word of words.filter((w) => w.startsWith('--'))) {
      expect(known, `${shell}: ${word}`).toContain(word);
    }
  }
}

describe('the systemd units', () => {
  it('are a service and timer pair for ingest and for the anomaly check, and services for ingest --follow and serve --follow', () => {
    expect(UNITS).toEqual([
      'craveny-ops-anomalies.service',
      'craveny-ops-anomalies.timer',
      'craveny-ops-follow.service',
      'craveny-ops-ingest.service',
      'craveny-ops-ingest.timer',
      'craveny-ops-serve.service',
    ]);
  });

  const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
  it.skipIf(analyze.status !== 0)('pass systemd-analyze verify (skipped where systemd-analyze is not installed)', () => {
    const run = spawnSync('systemd-analyze', ['verify', ...UNITS.map((u) => path.join(SYSTEMD, u))], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
  if (analyze.status !== 0) console.log('deploy.test: systemd-analyze is not installed: the units are checked by the key parser only');

  for (const name of UNITS.filter((u) => u.endsWith('.timer'))) {
    it(`${name} fires on a calendar in Asia/Seoul and starts its service`, () => {
      const timer = unitOf(name);
      expect(timer.Timer.OnCalendar).toHaveLength(1);
      expect(timer.Timer.OnCalendar[0]).toMatch(/^\S+ \S+ Asia\/Seoul$/);
      expect(timer.Install.WantedBy).toEqual(['timers.target']);
      expect(UNITS).toContain(name.replace(/\.timer$/, '.service'));
      if (analyze.status === 0) {
        const calendar = spawnSync('systemd-analyze', ['calendar', timer.Timer.OnCalendar[0]], { encoding: 'utf8' });
        expect(calendar.status, calendar.stderr).toBe(0);
      }
    });
  }

  for (const name of UNITS.filter((u) => u.endsWith('.service'))) {
    it(`${name} reads the environment file, runs as its own user and names only real commands and options`, () => {
      const service = unitOf(name).Service;
      expect(service.EnvironmentFile).toEqual([ENV_FILE]);
      expect(service.User).toEqual(['craveny-ops']);
      expect(service.StateDirectory).toEqual(['craveny-ops']);
      for (const exec of [...service.ExecStart, ...(service.ExecStartPost ?? [])]) expectKnownInvocations(shellCommandOf(exec));
    });
  }

  it('the ingest service ingests the example logs and writes the metrics file, as systemd would run it', () => {
    const dir = tempDir();
    const service = unitOf('craveny-ops-ingest.service').Service;
    const env = {
      ...EXAMPLE_ENV,
      PATH: pathWithCravenyOps(),
      CRAVENY_OPS_DB: path.join(dir, 'store.db'),
      CRAVENY_OPS_LOGS: path.join(ROOT, 'fixtures', 'example', 'backend.log*'),
      CRAVENY_OPS_TEXTFILE: path.join(dir, 'craveny.prom'),
    };
    const start = runShell(shellCommandOf(service.ExecStart[0]), env);
    expect(start, start.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(start.stdout).toMatch(/\nrecords added: 2468\n$/);
    expect(runShell(shellCommandOf(service.ExecStart[0]), env).stdout).toMatch(/\nrecords added: 0\n$/);
    const post = runShell(shellCommandOf(service.ExecStartPost[0]), env);
    expect(post, post.stderr).toMatchObject({ code: 0 });
    expect(fs.readFileSync(env.CRAVENY_OPS_TEXTFILE, 'utf8')).toMatch(/^craveny_report_updates_total\{/m);
    // Without a textfile the post step does nothing, successfully.
    expect(runShell(shellCommandOf(service.ExecStartPost[0]), { ...env, CRAVENY_OPS_TEXTFILE: '' }).code).toBe(0);
  });

  it('the anomaly service posts to the webhook, and exit 1 (anomalies found) counts as success', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'store.db');
    const PATH = pathWithCravenyOps();
    expect(runShell(`craveny-ops ingest ${path.join(ROOT, 'fixtures', 'anomalies', 'prediction-cap.log')}`, { PATH, CRAVENY_OPS_DB: db }).code).toBe(0);
    const posts: string[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c)).on('end', () => (posts.push(body), res.end('ok')));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
      const service = unitOf('craveny-ops-anomalies.service').Service;
      const day = fs.readFileSync(path.join(ROOT, 'fixtures', 'anomalies', 'prediction-cap.log'), 'utf8').slice(0, 10);
      // The unit's command, on the day of the fixture (the unit's own window is today).
      const command = `${shellCommandOf(service.ExecStart[0])} --until ${day}`;
      const run = await runShellAsync(command, { ...EXAMPLE_ENV, PATH, CRAVENY_OPS_DB: db, CRAVENY_OPS_WEBHOOK: url });
      expect(run.code).toBe(1);
      expect(service.SuccessExitStatus).toEqual(['1']);
      expect(posts).toHaveLength(1);
      expect(JSON.parse(posts[0]).anomalies.length).toBeGreaterThan(0);
    } finally {
      server.close();
    }
  });

  it('the follow service keeps ingesting the logs of the environment file', () => {
    const service = unitOf('craveny-ops-follow.service').Service;
    expect(service.Type).toEqual(['simple']);
    expect(service.Restart).toEqual(['on-failure']);
    expect(shellCommandOf(service.ExecStart[0])).toMatch(/^exec craveny-ops ingest --follow --interval 5s .*\$CRAVENY_OPS_LOGS$/);
  });
});

/** A shell command run without blocking the event loop (the webhook receiver runs in this process). */
function runShellAsync(command: string, env: Record<string, string>): Promise<{ code: number | null }> {
  return new Promise((resolve) => spawn('/bin/sh', ['-c', command], { env, stdio: 'ignore' }).on('close', (code) => resolve({ code })));
}

describe('the environment file example', () => {
  it('sets the store, PATH, the logs and the webhook', () => {
    expect(Object.keys(EXAMPLE_ENV)).toEqual(expect.arrayContaining(['CRAVENY_OPS_DB', 'PATH', 'CRAVENY_OPS_LOGS', 'CRAVENY_OPS_WEBHOOK']));
    expect(EXAMPLE_ENV.PATH.split(':')).toContain('/usr/local/bin');
    expect(EXAMPLE_ENV.CRAVENY_OPS_DB).toMatch(/^\//);
  });
});

describe('the cron.d file', () => {
  const text = fs.readFileSync(path.join(DEPLOY, 'cron.d', 'craveny-ops'), 'utf8');
  const lines = text.split('\n').filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
  const assignments = Object.fromEntries(lines.filter((l) => /^[A-Z_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  const jobs = lines.filter((l) => !/^[A-Z_]+=/.test(l));

  /** A cron field: *, numbers, ranges, lists and steps within the field's bounds. */
  function validField(field: string, min: number, max: number): boolean {
    return field.split(',').every((part) => {
      const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
      if (!m) return false;
      const [lo, hi] = m[1] === '*' ? [min, max] : [Number(m[2]), Number(m[3] ?? m[2])];
      return lo >= min && hi <= max && lo <= hi && (m[4] === undefined || Number(m[4]) >= 1);
    });
  }

  it('sets PATH and the store, and does not rely on CRON_TZ (Debian cron ignores it)', () => {
    expect(assignments.PATH.split(':')).toContain('/usr/local/bin');
    expect(assignments.CRAVENY_OPS_DB).toBe(EXAMPLE_ENV.CRAVENY_OPS_DB);
    expect(Object.keys(assignments)).not.toContain('CRON_TZ');
    expect(Object.keys(assignments)).not.toContain('TZ');
  });

  it('has well-formed job lines: five time fields, a user, and commands craveny-ops knows', () => {
    expect(jobs.length).toBeGreaterThanOrEqual(2);
    const bounds: [number, number][] = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 7]];
    for (const job of jobs) {
      const fields = job.trim().split(/\s+/);
      bounds.forEach(([min, max], k) => expect(validField(fields[k], min, max), `${job}: field ${k + 1} '${fields[k]}'`).toBe(true));
      expect(fields[5]).toBe('craveny-ops');
      const command = fields.slice(6).join(' ');
      expect(command).not.toContain('%'); // cron turns % into a newline
      expectKnownInvocations(command);
    }
    expect(jobs.some((j) => / craveny-ops ingest /.test(j))).toBe(true);
    expect(jobs.some((j) => / craveny-ops anomalies --notify-webhook /.test(j))).toBe(true);
  });

  it('runs its ingest job as cron would: the environment of the file only', () => {
    const dir = tempDir();
    const ingest = jobs.find((j) => / craveny-ops ingest /.test(j))!;
    const command = ingest
      .trim()
      .split(/\s+/)
      .slice(6)
      .join(' ')
      .replace('/var/log/craveny/backend.log*', path.join(ROOT, 'fixtures', 'example', 'backend.log*'))
      .replace('/var/lib/node_exporter/textfile/craveny.prom', path.join(dir, 'craveny.prom'));
    const run = runShell(command, { ...assignments, PATH: pathWithCravenyOps(), CRAVENY_OPS_DB: path.join(dir, 'store.db') });
    expect(run, run.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(fs.existsSync(path.join(dir, 'store.db'))).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'craveny.prom'), 'utf8')).toMatch(/^craveny_llm_calls_total /m);
  });
});
