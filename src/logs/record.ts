import type { Phase } from '../market/rules.js';

/** What a backend log line says, one kind per message of backend-logs.md. */
export const RECORD_KINDS = [
  'attempt', // 종목 X 업데이트 시작: reason
  'skip', // 종목 X의 분석 요약이 최신 상태입니다. (업데이트 불필요 …)
  'generation_call', // 종목 X에 대한 투자 리포트 생성 시작...
  'update_succeeded', // 종목 X의 (A/B) 분석 요약 … 완료
  'report_failed', // 종목 X의 리포트 생성 실패
  'update_failed', // 종목 X의 분석 요약 업데이트 실패: error
  'no_predictions', // 종목 X에 대한 예측 데이터가 없습니다.
  'llm_cost', // [LLM_COST] 리포트 생성: …
  'generation_started', // 투자 리포트 생성 시작: X / A/B 종합 리포트 생성: X
  'generation_done', // 투자 리포트 생성 완료: X / A/B 종합 리포트 완료: X
  'generation_failed', // 투자 리포트 생성 실패: e / A/B 종합 리포트 실패: e (no stock code)
] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

export const REASONS = ['new_prediction', 'ttl_expired', 'price_move', 'direction_change', 'forced', 'other'] as const;
export type Reason = (typeof REASONS)[number];

export const REASON_LABELS: Record<Reason, string> = {
  new_prediction: '새 예측 추가',
  ttl_expired: '시장 단계별 TTL 초과',
  price_move: '주가 급변',
  direction_change: '예측 방향 급변',
  forced: '강제 업데이트 또는 리포트 없음',
  other: '기타',
};

export const GENERATION_MODES = ['single', 'ab'] as const;
export type GenerationMode = (typeof GENERATION_MODES)[number];

/** One parsed line. Numbers are as printed (rounded by the backend); absent fields are null. */
export interface LogRecord {
  ts: number; // UTC milliseconds
  lineNo: number;
  kind: RecordKind;
  stockCode: string | null;
  mode: GenerationMode | null;
  reason: Reason | null;
  /** The reason text of attempts, skips and [LLM_COST]; the error of failures. */
  text: string | null;
  /** The phase the message names, if any. */
  phase: Phase | null;
  ageHours: number | null;
  ttlHours: number | null;
  /** Price move or direction change, in percent. */
  rate: number | null;
  threshold: number | null;
  prevCount: number | null;
  curCount: number | null;
  predictions: number | null;
  costUsd: number | null;
  /** The last line of an attached traceback. */
  detail: string | null;
}

export function emptyRecord(kind: RecordKind, ts: number, lineNo: number): LogRecord {
  return {
    ts,
    lineNo,
    kind,
    stockCode: null,
    mode: null,
    reason: null,
    text: null,
    phase: null,
    ageHours: null,
    ttlHours: null,
    rate: null,
    threshold: null,
    prevCount: null,
    curCount: null,
    predictions: null,
    costUsd: null,
    detail: null,
  };
}

/** Every field of a record, in one fixed order: the layout of packed records. */
const RECORD_FIELDS = Object.keys(emptyRecord('attempt', 0, 0)) as (keyof LogRecord)[];
/** Values per packed record. */
export const PACKED_WIDTH = RECORD_FIELDS.length;

/**
 * Appends a record's values to a flat array, to post to another thread: a structured clone of
 * plain values costs a third of one of objects, whose every property name is cloned too.
 */
export function packRecord(r: LogRecord, values: unknown[]): void {
  for (let f = 0; f < PACKED_WIDTH; f++) values.push(r[RECORD_FIELDS[f]]);
}

/** The record packed at `index` of a flat array. */
export function unpackRecord(values: readonly unknown[], index: number): LogRecord {
  const r = emptyRecord('attempt', 0, 0) as unknown as Record<string, unknown>;
  for (let f = 0, k = index * PACKED_WIDTH; f < PACKED_WIDTH; f++) r[RECORD_FIELDS[f]] = values[k++];
  return r as unknown as LogRecord;
}

/** Kinds that are decisions of the service and name (or imply) a market phase. */
export const DECISION_KINDS: ReadonlySet<RecordKind> = new Set(['attempt', 'skip']);
