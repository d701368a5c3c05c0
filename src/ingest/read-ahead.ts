/**
 * Proving a stream (gzip, standard input) before resuming it. Unlike a plain file, a stream is read
 * once, from its start: the bytes up to the furthest checkpoint it may continue are read ahead into
 * a temporary file while each candidate's proof is checked, and then read again from there — from
 * the checkpoint it does continue, or from byte 0 when it continues none (a different stream, read whole).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SourceRow } from '../store/schema.js';
import { sha1, type Verifier } from './identity.js';
import { readBytes, readChunks, type Input } from './input.js';

export interface ReadAhead {
  verify: Verifier;
  /** The input with its bytes available again from any offset (once). */
  input: Input;
  /** Frees the bytes read ahead; called once the input is done with. */
  release: () => void;
}

export async function readAhead(input: Input, candidates: readonly SourceRow[]): Promise<ReadAhead> {
  // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator: equivalent: proof and proof_len are null together, and null at offset 0, so each term decides as the three do
  const proven = candidates.filter((c) => c.byte_offset > 0 && c.proof !== null && c.proof_len !== null);
  const furthest = Math.max(0, ...proven.map((c) => c.byte_offset));
  // Stryker disable next-line ConditionalExpression,LogicalOperator: equivalent: as above
  const trusted: Verifier = (c) => (c.byte_offset === 0 || c.proof === null || c.proof_len === null ? Buffer.alloc(0) : null);
  if (furthest === 0) return { verify: trusted, input, release: () => {} };

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'craveny-ops-'));
  const file = path.join(dir, 'read-ahead');
  const fd = fs.openSync(file, 'w+');
  fs.unlinkSync(file);
  fs.rmdirSync(dir);
  const source = input.chunks(0);
  const iterator = (Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]()) as AsyncIterator<Buffer> | Iterator<Buffer>;
  let length = 0;
  let ended = false;
  try {
    while (length < furthest) {
      const next = await iterator.next();
      if (next.done) {
        ended = true;
        break;
      }
      fs.writeSync(fd, next.value, 0, next.value.length, length);
      length += next.value.length;
    }
  } catch (error) {
    fs.closeSync(fd);
    throw error;
  }

  const proofs = new Map<number, Buffer>();
  for (const c of proven) {
    if (c.byte_offset > length) continue;
    const bytes = Buffer.alloc(c.proof_len!);
    fs.readSync(fd, bytes, 0, bytes.length, c.byte_offset - bytes.length);
    if (sha1(bytes) === c.proof) proofs.set(c.id, bytes);
  }
  const verify: Verifier = (c) => proofs.get(c.id) ?? trusted(c);

  let closed = false;
  const release = () => {
    if (!closed) fs.closeSync(fd);
    closed = true;
  };
  async function* again(offset: number): AsyncIterable<Buffer> {
    try {
      yield* readChunks(fd, offset, readBytes());
      let skip = Math.max(0, offset - length);
      while (!ended) {
        const next = await iterator.next();
        if (next.done) break;
        if (skip >= next.value.length) {
          skip -= next.value.length;
          continue;
        }
        yield skip ? next.value.subarray(skip) : next.value;
        skip = 0;
      }
    } finally {
      release();
    }
  }
  return { verify, input: { ...input, chunks: again }, release };
}
