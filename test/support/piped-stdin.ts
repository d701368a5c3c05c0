/**
 * Standard input arriving in pieces, as a pipe delivers it: stdin given as one string is one chunk,
 * which never lets a stream reader cross a chunk edge. Here each piece is one chunk.
 */
import fs from 'node:fs';
import { cli } from '../helpers.js';

/** `bytes` cut into chunks of `size` bytes (the last one shorter). */
export function chunksOf(bytes: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  return chunks;
}

/** Runs the CLI in-process (test/helpers.ts `cli`) with `chunks` on standard input one by one (or a stream of its own). */
export const cliPiped = (args: string[], chunks: Buffer[] | NodeJS.ReadableStream, now: number) => cli(args, { stdin: chunks, now });

/** The descriptors this process holds open (Linux): a reader that forgets to close one shows here. */
export const openDescriptors = (): number => fs.readdirSync('/proc/self/fd').length;
