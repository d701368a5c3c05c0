/**
 * A record as the store and the scan worker see it: every field of backend-logs.md's messages,
 * absent ones null, the reason labels the contract's `update_reasons[].label` prints, and a record
 * that crosses to another thread (packed into a flat array, as src/ingest/scan.ts reads it back)
 * arrives whole — its fields neither shifted nor lost, whatever its place in the array.
 */
import { describe, expect, it } from 'vitest';
import { emptyRecord, packRecord, PACKED_WIDTH, REASON_LABELS, REASONS, type LogRecord, unpackRecord } from '../src/logs/record.js';

describe('a record', () => {
  it('starts with its kind, time and line, every other field null', () => {
    expect(emptyRecord('skip', 1_762_215_302_123, 42)).toEqual({
      ts: 1_762_215_302_123,
      lineNo: 42,
      kind: 'skip',
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
    });
  });

  it('labels each reason with the text the backend starts it with, and `other` as 기타', () => {
    expect(REASONS).toEqual(['new_prediction', 'ttl_expired', 'price_move', 'direction_change', 'forced', 'other']);
    expect(REASON_LABELS).toEqual({
      new_prediction: '새 예측 추가',
      ttl_expired: '시장 단계별 TTL 초과',
      price_move: '주가 급변',
      direction_change: '예측 방향 급변',
      forced: '강제 업데이트 또는 리포트 없음',
      other: '기타',
    });
  });
});

describe('a record packed for another thread', () => {
  const attempt: LogRecord = {
    ...emptyRecord('attempt', Date.parse('2025-11-04T00:15:02.123Z'), 7),
    stockCode: '005930',
    reason: 'price_move',
    text: '주가 급변 (-3.4%, 임계값: 3.0%, 시장: trading)',
    phase: 'trading',
    rate: -3.4,
    threshold: 3,
  };
  const cost: LogRecord = {
    ...emptyRecord('llm_cost', Date.parse('2025-11-04T00:15:02.200Z'), 8),
    stockCode: '0009K0',
    mode: 'ab',
    reason: 'new_prediction',
    text: '새 예측 추가 (기존: 5, 현재: 6, 시장: trading)',
    phase: 'trading',
    ageHours: 1.5,
    ttlHours: 2,
    prevCount: 5,
    curCount: 6,
    predictions: 6,
    costUsd: 0.001,
    detail: 'openai.APITimeoutError: Request timed out.',
  };

  it('comes back whole, the first and the second of an array alike', () => {
    const values: unknown[] = [];
    packRecord(attempt, values);
    packRecord(cost, values);
    expect(values).toHaveLength(2 * PACKED_WIDTH);
    expect(values.length / PACKED_WIDTH).toBe(2);
    expect(unpackRecord(values, 0)).toEqual(attempt);
    expect(unpackRecord(values, 1)).toEqual(cost);
  });

  it('holds every field of a record: the width is the number of fields', () => {
    expect(PACKED_WIDTH).toBe(Object.keys(emptyRecord('attempt', 0, 0)).length);
  });
});
