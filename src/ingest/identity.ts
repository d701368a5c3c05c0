/**
 * Which stored stream an input continues. A stream is known by the fingerprint of its first bytes,
 * not by its name, so that its checkpoint follows it through renames and compression; a path and
 * inode that no longer carry the bytes they did were truncated in place (copytruncate).
 */
import { createHash } from 'node:crypto';
import type { SourceRow } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { detachSources } from '../store/writes.js';
import type { Input } from './input.js';

export const sha1 = (bytes: Buffer) => createHash('sha1').update(bytes).digest('hex');

/** The source these bytes continue: the longest stored fingerprint that the head starts with. */
export function findSource(sources: SourceRow[], head: Buffer): SourceRow | undefined {
  let found: SourceRow | undefined;
  const hashes = new Map<number, string>();
  for (const s of sources) {
    if (s.fp_len > head.length || (found && found.fp_len >= s.fp_len)) continue;
    let hash = hashes.get(s.fp_len);
    if (hash === undefined) hashes.set(s.fp_len, (hash = sha1(head.subarray(0, s.fp_len))));
    if (hash === s.fingerprint) found = s;
  }
  return found;
}

/**
 * Copytruncate keeps the inode and starts the bytes again: lines written meanwhile are lost by nature.
 * It shows as a stream that lived at this path and inode before the run but whose bytes the file no
 * longer continues (empty, or new bytes of any length). That stream is then detached from the inode,
 * so that one truncation is reported once.
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
