/** Every command's --help shows examples, exit codes and the global options; every error line has one prefix and points to help. */
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram, commandsFor } from '../src/cli.js';
import type { Context } from '../src/commands/context.js';
import { COMMAND_HELP } from '../src/help.js';
import { cli } from './helpers.js';

/** Every command path of the program, `''` for the program itself. */
function commandPaths(command: Command, prefix = ''): [string, Command][] {
  const own: [string, Command][] = [[prefix, command]];
  for (const sub of command.commands) {
    if (sub.name() === 'help') continue;
    own.push(...commandPaths(sub, prefix ? `${prefix} ${sub.name()}` : sub.name()));
  }
  return own;
}

const silent = { io: { out() {}, err() {}, color: false, stderrIsTTY: false }, env: {}, now: Date.now, hostname: 'test-host', exitCode: 0 } as unknown as Context;
const program = buildProgram(silent, await commandsFor([]));
const PATHS = commandPaths(program);
const GLOBAL = program.options.map((o) => o.long);

/** The words after `craveny-ops` in one example line: env assignments, pipes, redirections and comments left out. */
function wordsOf(example: string): string[] {
  const words = example.replace(/#.*$/, '').split(/\s+/).filter(Boolean);
  const start = words.indexOf('craveny-ops');
  const rest = words.slice(start + 1);
  const end = rest.findIndex((w) => w === '|' || w.startsWith('>'));
  return end === -1 ? rest : rest.slice(0, end);
}

describe('command help', () => {
  it('has examples and exit codes for every command, and for nothing else', () => {
    expect(Object.keys(COMMAND_HELP).sort()).toEqual(PATHS.map(([path]) => path).sort());
  });

  for (const [path] of PATHS) {
    it(`shows examples, exit codes and the global options: craveny-ops ${path} --help`.replace('  ', ' '), async () => {
      const run = await cli([...path.split(' ').filter(Boolean), '--help']);
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('');
      expect(run.stdout).toMatch(/\nExamples:\n {2}\$ craveny-ops /);
      for (const example of COMMAND_HELP[path].examples) expect(run.stdout).toContain(`  $ ${example}\n`);
      expect(run.stdout).toMatch(/\nExit codes:\n {2}0 {2}.+\n(.+\n)* {2}2 {2}usage or input error/);
      expect(run.stdout).toMatch(/--db <path\|url>/);
      expect(run.stdout).toMatch(/--config <file>/);
      if (path) expect(run.stdout).toMatch(/\nGlobal Options:\n/);
    });
  }

  it('names the checks exit codes where a command has them', async () => {
    for (const args of [['verify', 'day1'], ['verify', 'week'], ['anomalies']]) {
      const run = await cli([...args, '--help']);
      expect(run.stdout).toMatch(/\n {2}1 {2}(a check fails|an anomaly was found)/);
    }
    expect((await cli(['verify', 'day1', '--help'])).stdout).toMatch(/\n {2}3 {2}inconclusive/);
  });

  it('gives examples that name only commands and options that exist', () => {
    const byPath = new Map(PATHS);
    for (const [path, help] of Object.entries(COMMAND_HELP)) {
      for (const example of help.examples) {
        const words = wordsOf(example);
        // Global options with their values come first, then the command's words.
        while (GLOBAL.includes(words[0])) words.splice(0, 2);
        let commandPath = '';
        while (words.length && byPath.has(commandPath ? `${commandPath} ${words[0]}` : words[0])) commandPath = commandPath ? `${commandPath} ${words.shift()}` : words.shift()!;
        expect(commandPath, `${path}: ${example} names no command`).not.toBe('');
        const known = [...byPath.get(commandPath)!.options.map((o) => o.long), ...GLOBAL, '--help'];
        for (const word of words.filter((w) => w.startsWith('--'))) expect(known, `${example} names ${word}`).toContain(word);
      }
    }
  });
});

describe('usage errors', () => {
  const cases: [string[], RegExp][] = [
    [['ingset'], /^craveny-ops: unknown command 'ingset' \(Did you mean ingest\?\) \(see craveny-ops --help\)\n$/],
    [['stats', '--frobnicate'], /^craveny-ops: unknown option '--frobnicate' \(see craveny-ops stats --help\)\n$/],
    [['stats', '--days', '31'], /^craveny-ops: --days must be a whole number from 1 to 30, got '31' \(see craveny-ops stats --help\)\n$/],
    [['cost', '--days'], /^craveny-ops: option '--days <n>' argument missing \(see craveny-ops cost --help\)\n$/],
    [['verify', 'week', '--to', '2025-13-01'], /^craveny-ops: --to must be a date as YYYY-MM-DD, got '2025-13-01' \(see craveny-ops verify week --help\)\n$/],
    [['verify', 'week', '--from', '2025-11-05', '--to', '2025-11-01'], /^craveny-ops: --to 2025-11-01 is before --from 2025-11-05 \(see craveny-ops verify week --help\)\n$/],
    [['verify', 'bogus'], /^craveny-ops: unknown command 'bogus' \(see craveny-ops verify --help\)\n$/],
    [['backend', 'migrate', '--pg', 'mysql://x'], /^craveny-ops: --pg must be a postgres:\/\/ URL, got 'mysql:\/\/x' \(see craveny-ops backend migrate --help\)\n$/],
  ];
  for (const [args, expected] of cases) {
    it(`is one line with the prefix, pointing to the command's help: ${args.join(' ')}`, async () => {
      const run = await cli(args);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(expected);
    });
  }

  it('does not point an input error that is not about the options to the help', async () => {
    const run = await cli(['--db', '/nonexistent-dir/x.db', 'stats']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('craveny-ops: no store at /nonexistent-dir/x.db: run craveny-ops ingest <log files> to create it, or point --db or CRAVENY_OPS_DB at the existing one\n');
  });
});
