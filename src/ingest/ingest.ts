/**
 * Files → records → store, exactly once. Each input is known by the fingerprint of its first
 * bytes, so a checkpoint follows it through renames and compression; records and checkpoint
 * are committed in one transaction, and a batch whose checkpoint moved meanwhile (another
 * ingest) is rolled back and the input resumed from the new checkpoint.
 */
import { PhaseCheck } from '../analysis/phase-check.js';
import { LocalClock } from '../market/time.js';
import type { LogRecord } from '../logs/record.js';
import type { ScanStats } from '../logs/scanner.js';
import { CliError } from '../errors.js';
import { PgError } from '../store/postgres.js';
import { isSqliteError, storeProblem, type Store } from '../store/store.js';
import type { Phase } from '../market/rules.js';
import type { ControlledTransaction, Transaction } from 'kysely';
import type { Database, SourceRow } from '../store/schema.js';
import {
  advanceCheckpoint,
  attributeGenerationFailures,
  relocateSource,
  insertRecords,
  lockHost,
  RecordWriter,
  rederiveAttempts,
  allSources,
  toRecordRow,
} from '../store/writes.js';
import type { SqliteHandle } from '../store/statements.js';
import { badInputWarnings, Timeline } from './diagnostics.js';
import { candidateSources, fileVerifier, noteTruncation, resolveSource, sha1, type Resolved } from './identity.js';
import { readAhead } from './read-ahead.js';
import { openInput, type Input } from './input.js';
import { scanSteps } from './scan.js';

// Records per transaction. Larger batches derive attempts less often, but hold the write lock
// longer and load more back to derive: 20 000 saved ~10 % of the time on a dense log and peaked at
// 150 MB, 8 000 stays at ~145 MB (bench/).
const BATCH_RECORDS = 8_000;
/** Test knob: small batches make commits frequent, so that a crash test's SIGKILL lands in one. */
const batchRecords = () => Number(process.env.CRAVENY_OPS_BATCH_RECORDS) || BATCH_RECORDS;
const BATCH_BYTES = 256 << 20;
// A conflict means another ingest committed part of the same input, so every retry starts further
// on: two processes racing over one file take turns batch by batch. The bound only guards against a bug.
const MAX_CONFLICT_RETRIES = 10_000;

export interface FileSummary {
  path: string;
  lines: number;
  records: number;
  malformed: number;
  malformed_lines: number[];
  long_lines: number;
  /** Why the file could not be read (the others are still ingested). */
  error?: string;
  /** Something the operator should know, e.g. a copytruncate detected. */
  warnings: string[];
}

export interface IngestSummary {
  files: FileSummary[];
  records_added: number;
  phase_mismatches: number;
  suggested_log_tz: string | null;
}

export interface IngestOptions {
  logTz: string;
  host: string;
  now: () => number;
  stdin?: NodeJS.ReadableStream;
  /** Called with bytes read, for a progress bar. */
  onProgress?: (bytes: number) => void;
}

class CheckpointMoved extends Error {}

export async function ingest(store: Store, paths: string[], options: IngestOptions): Promise<IngestSummary> {
  const clock = new LocalClock(options.logTz);
  const phases = new PhaseCheck(clock);
  const files: FileSummary[] = [];
  // As they were before this run: a copy ingested first moves the checkpoint of the stream it copied.
  const before = await allSources(store.db);
  for (const path of paths) {
    files.push(await ingestPath(store, path, clock, phases, options, before));
  }
  return {
    files,
    records_added: files.reduce((n, f) => n + f.records, 0),
    phase_mismatches: phases.mismatches,
    suggested_log_tz: phases.suggestZone(),
  };
}

async function ingestPath(
  store: Store,
  path: string,
  clock: LocalClock,
  phases: PhaseCheck,
  options: IngestOptions,
  before: SourceRow[],
): Promise<FileSummary> {
  const summary: FileSummary = { path, lines: 0, records: 0, malformed: 0, malformed_lines: [], long_lines: 0, warnings: [] };
  // Stryker disable next-line UpdateOperator: the bound below only guards against a bug
  for (let attempt = 0; ; attempt++) {
    try {
      const input = await openInput(path, options.stdin);
      try {
        await ingestInput(store, input, clock, phases, options, summary, before);
      } finally {
        await input.close();
      }
      return summary;
    } catch (error) {
      // Standard input cannot be read again: what it held past the other run's checkpoint waits for the next run.
      const retry =
        error instanceof CheckpointMoved &&
        path !== '-' &&
        // Stryker disable next-line all: the bound only guards against a bug (each retry starts further on)
        attempt < MAX_CONFLICT_RETRIES;
      if (retry) continue;
      // The store failing (full disk, lock, read-only) is no problem of this file: the run stops.
      if (isSqliteError(error)) throw new CliError(`cannot write to the store ${store.location}: ${storeProblem(error)}`, 2);
      if (error instanceof PgError) throw error;
      summary.error = error instanceof CheckpointMoved ? `${path}: another ingest stored the same lines meanwhile: run again to store the rest` : (error as Error).message;
      return summary;
    }
  }
}

async function ingestInput(
  store: Store,
  input: Input,
  clock: LocalClock,
  phases: PhaseCheck,
  options: IngestOptions,
  summary: FileSummary,
  before: SourceRow[],
): Promise<void> {
  if (input.head.length === 0) return noteTruncation(store, before, input, null, summary.warnings);
  const identity = { fingerprint: sha1(input.head), fp_len: input.head.length };
  const candidates = candidateSources(await allSources(store.db), input.head);
  // An unchanged gzip file is not read again: known by its trailer (the CRC-32 and size of its
  // content), which proving it otherwise would mean decompressing it whole on every run.
  // Stryker disable all: equivalent (docs/mutation-testing.md): without this shortcut an unchanged gzip is proven and found unchanged by its size below
  const known = input.trailer === null ? undefined : candidates.find((c) => c.gzip_trailer === input.trailer && c.fp_len === input.head.length);
  if (known) {
    if (known.inode !== input.inode || known.path !== input.path) await relocateSource(store.db, known.id, input);
    return;
  }
  // Stryker restore all
  // Stryker disable next-line all: equivalent: a plain file read ahead like a stream is proven alike
  const ahead = input.fd !== null && input.size !== null ? null : await readAhead(input, candidates);
  try {
    const verify = ahead ? ahead.verify : fileVerifier(input.fd!, input.size!);
    const resolved = await resolveSource(store, input, verify, {
      host: options.host,
      path: input.path,
      ...identity,
      device: input.device,
      inode: input.inode,
      created_at: options.now(),
      updated_at: options.now(),
    });
    if (resolved.differs) {
      summary.warnings.push(
        `${input.path}: starts with the same bytes as the stream read from ${resolved.differs.path} but is another stream ` +
          `(its bytes differ before that stream's checkpoint at byte ${resolved.differs.byte_offset}): read whole as a new stream`,
      );
    }
    await ingestResolved(store, ahead ? ahead.input : input, resolved, identity, clock, phases, options, summary, before);
  } finally {
    ahead?.release();
  }
}

async function ingestResolved(
  store: Store,
  input: Input,
  { source, tail }: Resolved,
  identity: { fingerprint: string; fp_len: number },
  clock: LocalClock,
  phases: PhaseCheck,
  options: IngestOptions,
  summary: FileSummary,
  before: SourceRow[],
): Promise<void> {
  // The stream keeps the host label it was first read under: its records and attempts stay one sequence.
  const host = source.host;
  await noteTruncation(store, before, input, source, summary.warnings);
  // Stryker disable next-line all: equivalent: when equal, the identity written is the one stored
  const grown = source.fp_len < input.head.length;
  // An unchanged input is not read again: plain files by size, gzip by the size in its trailer
  // (its bytes proven first: the trailer is then kept, for the next run to know it by).
  // Stryker disable next-line all: equivalent: without the shortcut an unchanged input is scanned from its checkpoint and adds nothing
  if (!grown && input.size !== null && source.seen_size > 0) {
    // Stryker disable next-line all: equivalent: as above
    const seen = input.compressed ? source.seen_size % 2 ** 32 : source.seen_size;
    // Stryker disable next-line all: equivalent: as above
    if (seen === input.size) {
      // Still note where the stream lives now (renamed, compressed): the inode it left may be reused.
      const relocated =
        source.inode !== input.inode ||
        source.path !== input.path ||
        // Stryker disable next-line all: equivalent: the trailer only spares the next run a proof
        source.gzip_trailer !== input.trailer;
      if (relocated) await relocateSource(store.db, source.id, input);
      return;
    }
  }

  // SQLite, reading a file: the batch's transaction is opened before the first records are
  // stored and each is inserted as it is found, so that none waits in memory (flat memory
  // whatever the size). Standard input is batched in memory as before: a transaction must not
  // stay open while a pipe is idle.
  const raw = store.sqlite;
  const streaming = raw !== undefined && input.path !== '-';
  let open: { trx: ControlledTransaction<Database>; writer: RecordWriter } | null = null;
  let pending: LogRecord[] = [];
  let batch = new Batch();
  const timeline = new Timeline(options.now());
  let expected = source.byte_offset;
  let seen = source.byte_offset;
  let lastTs = source.last_ts;
  let bytesSinceCommit = 0;

  const begin = async () => {
    if (!streaming || open) return;
    const trx = await store.db.startTransaction().execute();
    open = { trx, writer: new RecordWriter(trx, raw!, source.id, host) };
    await lockHost(trx, host);
  };
  const rollback = async () => {
    const trx = open?.trx;
    open = null;
    await trx?.rollback().execute().catch(() => {});
  };

  // The gzip trailer is kept only once the whole file is stored: a run stopped half-way must read on.
  const commit = async (stats: ScanStats, whole = false) => {
    // This run read on from the checkpoint: its last timestamped line is the file's, whatever its time.
    if (stats.lastTs !== null) lastTs = stats.lastTs;
    const write = async (trx: Transaction<Database>, writer: RecordWriter | null) => {
      if (writer) writer.flush();
      else {
        await lockHost(trx, host);
        await insertRecords(trx, pending.map((r) => toRecordRow(r, source.id, host)), raw);
      }
      const moved = !(await advanceCheckpoint(trx, source.id, expected, {
        path: input.path,
        ...(grown ? identity : { fingerprint: source.fingerprint, fp_len: source.fp_len }),
        device: input.device,
        inode: input.inode,
        byte_offset: stats.consumed,
        // Stryker disable next-line all: equivalent: seen_size only lets the next run skip an unchanged input
        seen_size: Math.max(seen, stats.consumed),
        lines: stats.lines,
        last_ts: lastTs,
        updated_at: options.now(),
        ...proofOf(stats, source),
        gzip_trailer: whole ? input.trailer : null,
      }));
      if (moved) throw new CheckpointMoved();
      await deriveFor(trx, host, batch, raw);
    };
    if (streaming) {
      // A failure here is rolled back by the scan loop's catch, which every commit runs inside.
      await begin();
      const { trx, writer } = open!;
      await write(trx, writer);
      await trx.commit().execute();
      open = null;
    } else {
      await store.db.transaction().execute((trx) => write(trx, null));
    }
    batch.applyTo(phases);
    summary.records += batch.count;
    expected = stats.consumed;
    pending = [];
    batch = new Batch();
    bytesSinceCommit = 0;
  };

  const keep = (r: LogRecord) => {
    batch.note(r);
    timeline.note(r);
    if (open) open.writer.add(r);
    else pending.push(r);
  };

  // A compressed stream is complete: its last line counts even without a newline. A pipe may have
  // been cut mid-line (a tail, a copy still being written): its last line waits for the newline,
  // as a file's does, and the next run given the whole stream stores it once.
  const from = { offset: source.byte_offset, lines: source.lines, final: input.compressed, tail };
  const maxRecords = batchRecords();
  const steps = scanSteps(input, from, clock, keep);
  let stats: ScanStats | null = null;
  try {
    for (;;) {
      // Open before scanning on: each record goes into the transaction as it is found.
      await begin();
      const next = await steps.next();
      if (next.done) break;
      const step = next.value;
      stats = step.stats;
      // Stryker disable next-line all: equivalent: as seen_size above
      seen += step.bytes;
      // Stryker disable next-line all: the byte bound is reached only by 256 MiB read without a full batch
      bytesSinceCommit += step.bytes;
      if (step.bytes > 0) options.onProgress?.(step.bytes);
      const full =
        batch.count >= maxRecords ||
        // Stryker disable next-line all: as above
        bytesSinceCommit >= BATCH_BYTES;
      if (full) await commit(stats);
    }
    // Stryker disable next-line BooleanLiteral: equivalent: without the trailer kept, an unchanged gzip is proven and found unchanged
    await commit(stats!, true);
  } catch (error) {
    await steps.return?.();
    await rollback();
    throw error;
  }
  summary.lines += stats!.lines - from.lines;
  summary.malformed += stats!.malformed;
  summary.malformed_lines.push(...stats!.malformedLines);
  summary.long_lines += stats!.longLines;
  summary.warnings.push(...badInputWarnings(input.path, stats!, stats!.lines > from.lines && lastTs === null, timeline));
}

/** The proof a checkpoint at `stats.consumed` keeps: the bytes before it, or the source's own when it did not move. */
function proofOf(stats: ScanStats, source: SourceRow): { proof: string | null; proof_len: number | null } {
  if (stats.consumed === source.byte_offset) return { proof: source.proof, proof_len: source.proof_len };
  return stats.tail.length === 0 ? { proof: null, proof_len: null } : { proof: sha1(stats.tail), proof_len: stats.tail.length };
}

/** What a batch's records change, kept instead of the records themselves. */
class Batch {
  count = 0;
  from = Infinity;
  to = -Infinity;
  readonly stocks = new Set<string>();
  // Decisions' phases, noted for the time-zone check once the batch is committed.
  private readonly decisionTs: number[] = [];
  private readonly decisionPhases: Phase[] = [];

  note(r: LogRecord): void {
    this.count++;
    if (r.ts < this.from) this.from = r.ts;
    if (r.ts > this.to) this.to = r.ts;
    if (r.stockCode) this.stocks.add(r.stockCode);
    if ((r.kind === 'attempt' || r.kind === 'skip') && r.phase) {
      this.decisionTs.push(r.ts);
      this.decisionPhases.push(r.phase);
    }
  }

  applyTo(phases: PhaseCheck): void {
    for (let i = 0; i < this.decisionTs.length; i++) phases.note(this.decisionPhases[i], this.decisionTs[i]);
  }
}

/** Derives the attempts that the new records can change, in the same transaction. */
async function deriveFor(trx: Parameters<typeof insertRecords>[0], host: string, batch: Batch, raw?: SqliteHandle): Promise<void> {
  if (batch.count === 0) return;
  const { from, to } = batch;
  const stocks = new Set(batch.stocks);
  const attributed = await attributeGenerationFailures(trx, host, from, to, raw);
  for (const s of attributed.stocks) stocks.add(s);
  for (const stock of stocks) await rederiveAttempts(trx, host, stock, from, attributed.until, raw);
}


