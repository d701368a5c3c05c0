/**
 * Which stored stream an input continues. A stream is known by the fingerprint of its first bytes,
 * so that its checkpoint follows it through renames and compression, and by a proof: a hash of the
 * bytes just before its checkpoint, which a file must hold to resume there. Two files that open
 * alike (a container's log starts with uvicorn's lines, which carry no timestamp) are two streams.
 * Neither the host nor the path is part of it: a container's host name changes every run.
 * A path and inode that no longer carry the bytes they did were truncated in place (copytruncate).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { sql } from 'kysely';
import { PostgresAdapter } from 'kysely';
import type { SourceRow } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { allSources, createSource, detachSources } from '../store/writes.js';
import type { Input } from './input.js';
import { PROOF_BYTES } from '../logs/scanner.js';

export const sha1 = (bytes: Uint8Array) => createHash('sha1').update(bytes).digest('hex');

/**
 * The sources whose fingerprint the head starts with: the streams these bytes may continue, most
 * likely first: the stream this very file was last seen as (its inode and device), then the
 * longest fingerprint, then the furthest checkpoint. Two files that start alike each keep their own
 * stream as they grow, even past the other's checkpoint.
 */
export function candidateSources(sources: readonly SourceRow[], head: Buffer, at?: { device: string | null; inode: string | null }): SourceRow[] {
  const hashes = new Map<number, string>();
  const found = sources.filter((s) => {
    // Stryker disable next-line all: equivalent: a shorter head's hash is never the fingerprint (short of a SHA-1 collision)
    if (s.fp_len > head.length) return false;
    let hash = hashes.get(s.fp_len);
    // Stryker disable next-line ConditionalExpression: equivalent: a memo; the hash recomputed is the same
    if (hash === undefined) hashes.set(s.fp_len, (hash = sha1(head.subarray(0, s.fp_len))));
    return hash === s.fingerprint;
  });
  const own = (s: SourceRow) => (at?.inode != null && s.inode === at.inode && s.device === at.device ? 0 : 1);
  return found.sort((a, b) => own(a) - own(b) || b.fp_len - a.fp_len || b.byte_offset - a.byte_offset || a.id - b.id);
}

/**
 * The bytes before a source's checkpoint if the input holds the same ones (its proof), else null.
 * A checkpoint at offset 0 proves nothing and needs nothing; one stored before proofs existed is trusted.
 */
export type Verifier = (source: SourceRow) => Buffer | null;

/** Checks a plain file's bytes where each checkpoint says they are (a read of a few KiB). */
export function fileVerifier(fd: number, size: number): Verifier {
  return (source) => {
    // Stryker disable next-line ConditionalExpression: the `false` variant is equivalent: a checkpoint at 0 has no proof, and reading 0 bytes gives the same empty tail
    if (source.byte_offset === 0) return Buffer.alloc(0);
    if (source.byte_offset > size) return source.proof === null ? Buffer.alloc(0) : null;
    // A checkpoint stored before proofs is trusted; its bytes start the proof of the next one.
    const bytes = Buffer.alloc(source.proof_len ?? Math.min(source.byte_offset, PROOF_BYTES));
    const n = fs.readSync(fd, bytes, 0, bytes.length, source.byte_offset - bytes.length);
    if (source.proof === null) return bytes.subarray(0, n);
    // Stryker disable next-line ConditionalExpression: the `false` variant is equivalent: the checkpoint is at most the size just taken from this descriptor, so the read is whole
    if (n < bytes.length) return null;
    return sha1(bytes) === source.proof ? bytes : null;
  };
}

export interface Resolved {
  source: SourceRow;
  /** The bytes just before the checkpoint, which the next proof continues from. */
  tail: Buffer;
  /** A stream whose first bytes these are too, but not the bytes before its checkpoint. */
  differs: SourceRow | null;
}

/**
 * The source an input continues, or a new one. Decided under a lock (SQLite's write lock, an
 * advisory lock on PostgreSQL), so that two ingests of one new file create it once.
 */
export async function resolveSource(store: Store, input: Input, verify: Verifier, fresh: Omit<SourceRow, 'id' | 'byte_offset' | 'seen_size' | 'lines' | 'last_ts' | 'proof' | 'proof_len' | 'gzip_trailer'>): Promise<Resolved> {
  return store.db.transaction().execute(async (trx) => {
    if (trx.getExecutor().adapter instanceof PostgresAdapter) await sql`select pg_advisory_xact_lock(hashtext('craveny-ops sources'))`.execute(trx);
    const candidates = candidateSources(await allSources(trx), input.head, input);
    for (const c of candidates) {
      const tail = verify(c);
      if (tail) return { source: c, tail, differs: null };
    }
    // Stryker disable next-line ConditionalExpression,EqualityOperator: the `true` and `>=` variants are equivalent: a candidate at 0 always proves (an empty proof), so none is left here
    const differs = candidates.find((c) => c.byte_offset > 0) ?? null;
    return { source: await createSource(trx, fresh), tail: Buffer.alloc(0), differs };
  });
}

/**
 * Copytruncate keeps the inode and starts the bytes again: lines written meanwhile are lost by nature.
 * It shows as a stream that lived at this path and inode before the run but whose bytes the file no
 * longer continues (empty, or new bytes of any length). That stream is then detached from the inode,
 * so that one truncation is reported once. An inode freed by rotation and reused by a new file is
 * another file: the inode identity carries the file's birth time (src/ingest/input.ts).
 */
export async function noteTruncation(store: Store, before: SourceRow[], input: Input, current: SourceRow | null, warnings: string[]): Promise<void> {
  if (input.compressed || input.inode === null) return;
  // The same path too: logrotate frees the inode of a compressed file, and a new file soon reuses it.
  const gone = before.filter(
    (s) => s.id !== current?.id && s.seen_size > 0 && s.inode === input.inode && s.device === input.device && s.path === input.path,
  );
  if (gone.length === 0) return;
  warnings.push(
    `${input.path} was truncated in place (copytruncate): lines written between the copy and the truncation cannot be recovered`,
  );
  await detachSources(store.db, gone.map((s) => s.id), input.inode);
}
