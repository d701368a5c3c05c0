/** The built binary, run as a user would: stdout, stderr and exit codes. */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bin, fixture, ROOT, tempDir, tempStore } from './helpers.js';

beforeAll(() => {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'src', 'cli.js'))) throw new Error('run `npm run build` first (npm test does)');
});

describe('craveny-ops, the binary', () => {
  it('prints its version', () => {
    const version = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
    expect(bin(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('lists its commands in --help', () => {
    const run = bin(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Usage: craveny-ops/);
    for (const command of ['ingest', 'migrate']) expect(run.stdout).toContain(`  ${command} `);
  });

  it('answers an unknown command with exit 2 and a pointer to --help', () => {
    const run = bin(['ingset']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/unknown command 'ingset'/);
    expect(run.stderr).toMatch(/Did you mean ingest\?/);
  });

  it('answers an unknown option with exit 2', () => {
    const run = bin(['ingest', '--frobnicate', fixture('logs', 'day.log')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown option '--frobnicate'/);
  });

  it('ingests a log and prints a summary, then nothing new', () => {
    const db = tempStore();
    const first = bin(['--db', db, 'ingest', fixture('logs', 'day.log')]);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toBe(`${fixture('logs', 'day.log')}: 92 new lines, 63 records\nrecords added: 63\n`);
    const second = bin(['--db', db, 'ingest', fixture('logs', 'day.log')]);
    expect(second.stdout).toMatch(/records added: 0\n$/);
  });

  it('takes the store from CRAVENY_OPS_DB', () => {
    const db = tempStore();
    const run = bin(['ingest', fixture('logs', 'day.log')], { env: { CRAVENY_OPS_DB: db } });
    expect(run.code).toBe(0);
    expect(fs.existsSync(db)).toBe(true);
  });

  it('takes the store from the config file', () => {
    const dir = tempDir();
    const db = path.join(dir, 'from-config.db');
    const config = path.join(dir, 'ops.json');
    fs.writeFileSync(config, JSON.stringify({ store: db }));
    const run = bin(['--config', config, 'ingest', fixture('logs', 'day.log')]);
    expect(run.code).toBe(0);
    expect(fs.existsSync(db)).toBe(true);
  });

  it('rejects a bad config value naming the key', () => {
    const dir = tempDir();
    const config = path.join(dir, 'ops.json');
    fs.writeFileSync(config, JSON.stringify({ rules: { trading: { ttlHours: -2 } } }));
    const run = bin(['--config', config, '--db', tempStore(), 'migrate']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^craveny-ops: config .*ops\.json: rules\.trading\.ttlHours: /);
  });

  it('names a missing file, still ingests the others, and exits 2', () => {
    const db = tempStore();
    const run = bin(['--db', db, 'ingest', '/nonexistent/backend.log', fixture('logs', 'day.log')]);
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/records added: 63/);
    expect(run.stderr).toBe('craveny-ops: /nonexistent/backend.log: no such file\n');
  });

  it('migrates a new store and reports the status of each migration', () => {
    const db = tempStore();
    const before = bin(['--db', db, 'migrate', '--status']);
    expect(before.stdout).toMatch(/^pending\s+0001_initial\npending\s+0002_drop_records_source_index$/m);
    expect(bin(['--db', db, 'migrate'])).toMatchObject({ code: 0, stdout: `store ${db} is up to date\n` });
    const after = bin(['--db', db, 'migrate', '--status']).stdout;
    expect(after).toMatch(/^applied\s+0001_initial\s+\d{4}-\d\d-\d\dT.*\+09:00$/m);
    expect(after).toMatch(/^applied\s+0002_drop_records_source_index\s+\d{4}-\d\d-\d\dT.*\+09:00$/m);
  });
});
