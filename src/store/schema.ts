/** The store, typed once. Times are UTC milliseconds; flags are 0/1 integers on both dialects. */
import type { Generated, Insertable, Selectable } from 'kysely';

export interface SourcesTable {
  id: Generated<number>;
  host: string;
  path: string;
  /** SHA-1 of the first fp_len bytes (decompressed). */
  fingerprint: string;
  fp_len: number;
  device: string | null;
  inode: string | null;
  /** Bytes consumed: the end of the last complete line stored. */
  byte_offset: number;
  /** Bytes seen, including a pending partial line: an unchanged file is not read again. */
  seen_size: number;
  lines: number;
  /** Time of the last timestamped line of any logger: the log end. */
  last_ts: number | null;
  created_at: number;
  updated_at: number;
  /** SHA-1 of the proof_len bytes just before byte_offset: a file must hold them to resume here (null: stored before 0003, or at offset 0). */
  proof: string | null;
  proof_len: number | null;
  /** The trailer (CRC-32 and size, hex) of the gzip file this stream was last read to the end of. */
  gzip_trailer: string | null;
}

/** Settings of the store itself, such as the version of the rules attempts were derived by. */
export interface StateTable {
  name: string;
  value: number;
}

export interface RecordsTable {
  id: Generated<number>;
  source_id: number;
  host: string;
  line_no: number;
  ts: number;
  kind: string;
  /** For generation_failed, the stock of the generation in progress (attributed at ingest). */
  stock_code: string | null;
  mode: string | null;
  reason: string | null;
  text: string | null;
  phase: string | null;
  age_h: number | null;
  ttl_h: number | null;
  rate: number | null;
  threshold: number | null;
  prev_count: number | null;
  cur_count: number | null;
  predictions: number | null;
  cost_usd: number | null;
  detail: string | null;
}

export interface AttemptsTable {
  id: Generated<number>;
  host: string;
  stock_code: string;
  ts: number;
  record_id: number;
  reason: string;
  reason_text: string;
  /** The phase the reason names, else the clock's phase at ts. */
  phase: string;
  /** The phase as printed, if the text names one. */
  named_phase: string | null;
  age_h: number | null;
  ttl_h: number | null;
  rate: number | null;
  threshold: number | null;
  prev_count: number | null;
  cur_count: number | null;
  /** 'succeeded' | 'failed', or null while no outcome record has been seen. */
  outcome: string | null;
  outcome_ts: number | null;
  /** Time of the success record of a succeeded attempt. */
  completed_ts: number | null;
  generation_mode: string | null;
  generation_failed: number;
  /** A success record was logged (even though the generation failed: the A/B defect). */
  completion_logged: number;
  error: string | null;
}

/** When a host last ran an ingest (UTC ms). */
export interface IngestRunsTable {
  host: string;
  finished_at: number;
}

/** An anomaly a webhook was told of; stock_code is '' for an anomaly of no stock. */
export interface NotifiedAnomaliesTable {
  kind: string;
  stock_code: string;
  first_ts: number;
  notified_at: number;
}

export interface Database {
  sources: SourcesTable;
  records: RecordsTable;
  attempts: AttemptsTable;
  craveny_ops_state: StateTable;
  ingest_runs: IngestRunsTable;
  notified_anomalies: NotifiedAnomaliesTable;
}

export type SourceRow = Selectable<SourcesTable>;
export type RecordRow = Selectable<RecordsTable>;
export type NewRecord = Insertable<RecordsTable>;
export type AttemptRow = Selectable<AttemptsTable>;
export type NewAttempt = Insertable<AttemptsTable>;
