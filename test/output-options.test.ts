/** The contract's convention: `--json` (or `--format json`) prints exactly one JSON document. */
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, fixture, tempStore } from './helpers.js';

let db: string;
beforeAll(async () => {
  db = tempStore();
  expect((await cli(['--db', db, 'ingest', fixture('logs', 'day.log')])).code).toBe(0);
});

const commands: [string, string[]][] = [
  ['stats', ['stats', '--days', '7', '--until', '2025-11-04']],
  ['cost', ['cost', '--days', '7', '--until', '2025-11-04']],
  ['anomalies', ['anomalies', '--until', '2025-11-04']],
  ['verify day1', ['verify', 'day1', '--date', '2025-11-04']],
  ['verify week', ['verify', 'week', '--from', '2025-11-04']],
  ['ingest', ['ingest', fixture('logs', 'day.log')]],
];

describe.each(commands)('%s', (name, args) => {
  it('prints the same single JSON document for --json and --format json', async () => {
    const json = await cli(['--db', db, ...args, '--json']);
    const format = await cli(['--db', db, ...args, '--format', 'json']);
    expect(format.stdout).toBe(json.stdout);
    expect(format.code).toBe(json.code);
    expect(() => JSON.parse(json.stdout)).not.toThrow();
  });

  it('refuses --json with another --format, exit 2', async () => {
    const run = await cli(['--db', db, ...args, '--json', '--format', 'table']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`craveny-ops: --json conflicts with --format table: give one of them (see craveny-ops ${name} --help)\n`);
  });
});
