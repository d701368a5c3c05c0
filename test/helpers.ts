/** Shared test helpers: run the CLI in-process or as the real binary, and temporary stores. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { main } from '../src/cli.js';
import type { Context } from '../src/commands/context.js';

export const ROOT = path.resolve(import.meta.dirname, '..');
export const FIXTURES = path.join(ROOT, 'fixtures');
export const BIN = path.join(ROOT, 'bin', 'craveny-ops');
export const fixture = (...parts: string[]) => path.join(FIXTURES, ...parts);

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

const created: string[] = [];

/** A fresh directory, removed when its test file ends (test/support/cleanup.ts). */
export function tempDir(prefix = 'craveny-ops-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** Removes every directory tempDir made; one that cannot be removed is named, not hidden. */
export function removeTempDirs(): void {
  for (const dir of created.splice(0)) {
    try {
      fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch (error) {
      console.warn(`could not remove the temporary directory ${dir}: ${(error as Error).message}`);
    }
  }
}

/**
 * A new, empty SQLite store (an empty file is an empty database): commands that only read refuse
 * a store that does not exist, and tests of them start from an empty one.
 */
export function tempStore(): string {
  const file = path.join(tempDir(), 'store.db');
  fs.writeFileSync(file, '');
  return file;
}

/**
 * Runs the CLI in-process with a pinned clock and captured output. Standard input: one chunk (a
 * string or Buffer), chunks one by one as a pipe hands them over (Buffer[]), or a stream.
 */
export async function cli(
  args: string[],
  options: { now?: number; stdin?: string | Buffer | Buffer[] | NodeJS.ReadableStream; env?: NodeJS.ProcessEnv; hostname?: string } = {},
): Promise<RunResult & { json<T = any>(): T }> {
  let stdout = '';
  let stderr = '';
  const ctx: Context = {
    io: {
      out: (t) => void (stdout += t.endsWith('\n') ? t : t + '\n'),
      err: (t) => void (stderr += t.endsWith('\n') ? t : t + '\n'),
      color: false,
      stderrIsTTY: false,
    },
    env: options.env ?? {},
    stdin: stdinOf(options.stdin),
    now: () => options.now ?? Date.parse('2025-11-05T00:00:00+09:00'),
    hostname: options.hostname ?? 'test-host',
    exitCode: 0,
  };
  const code = await main(args, ctx);
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}

function stdinOf(stdin: string | Buffer | Buffer[] | NodeJS.ReadableStream | undefined): NodeJS.ReadableStream {
  if (stdin === undefined) return Readable.from([]);
  if (Array.isArray(stdin)) return Readable.from(stdin);
  if (typeof stdin === 'string' || Buffer.isBuffer(stdin)) return Readable.from([Buffer.from(stdin)]);
  return stdin;
}

/** Runs the built binary as a user would (needs `npm run build`). */
export function bin(args: string[], options: { input?: string | Buffer; env?: NodeJS.ProcessEnv; cwd?: string } = {}): RunResult {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    input: options.input,
    cwd: options.cwd ?? ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env },
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}
