/**
 * Standard input arriving in pieces, as a pipe delivers it: test/helpers.ts `cli` gives stdin as one
 * chunk, which never lets a stream reader cross a chunk edge. Here each piece is one chunk.
 */
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { main } from '../../src/cli.js';
import type { Context } from '../../src/commands/context.js';

/** `bytes` cut into chunks of `size` bytes (the last one shorter). */
export function chunksOf(bytes: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  return chunks;
}

/** Runs the CLI in-process, as test/helpers.ts `cli` does, with `chunks` on standard input one by one (or a stream of its own). */
export async function cliPiped(args: string[], chunks: Buffer[] | NodeJS.ReadableStream, now: number): Promise<{ code: number; stdout: string; stderr: string; json<T = any>(): T }> {
  let stdout = '';
  let stderr = '';
  const ctx: Context = {
    io: {
      out: (t) => void (stdout += t.endsWith('\n') ? t : t + '\n'),
      err: (t) => void (stderr += t.endsWith('\n') ? t : t + '\n'),
      color: false,
      stderrIsTTY: false,
    },
    env: {},
    stdin: Array.isArray(chunks) ? Readable.from(chunks) : chunks,
    now: () => now,
    hostname: 'test-host',
    exitCode: 0,
  };
  const code = await main(args, ctx);
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}

/** The descriptors this process holds open (Linux): a reader that forgets to close one shows here. */
export const openDescriptors = (): number => fs.readdirSync('/proc/self/fd').length;
