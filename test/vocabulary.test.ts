import { describe, expect, it } from 'vitest';
import { parseLine } from '../src/logs/line.js';
import { matchMessage, MESSAGE_KINDS, reasonFields } from '../src/logs/vocabulary.js';
import { RECORD_KINDS } from '../src/logs/record.js';

const classify = (line: string) => {
  const parsed = parseLine(line);
  return parsed ? matchMessage(parsed.logger, parsed.message) : null;
};

describe('the message vocabulary', () => {
  it('has samples for every message kind, and every sample parses to its own kind', () => {
    for (const entry of MESSAGE_KINDS) {
      expect(entry.samples.length, entry.pattern.source).toBeGreaterThan(0);
      for (const sample of entry.samples) {
        const match = classify(sample);
        expect(match, sample).not.toBeNull();
        expect(match).not.toBe('malformed');
        expect((match as { kind: string }).kind, sample).toBe(entry.kind);
      }
    }
  });

  it('covers every record kind', () => {
    const covered = new Set(MESSAGE_KINDS.map((k) => k.kind));
    expect([...covered].sort()).toEqual([...RECORD_KINDS].sort());
  });

  it('reads the fields each reason prints', () => {
    expect(reasonFields('새 예측 추가 (기존: 20, 현재: 72, 시장: trading)')).toMatchObject({
      reason: 'new_prediction',
      prevCount: 20,
      curCount: 72,
      phase: 'trading',
    });
    expect(reasonFields('시장 단계별 TTL 초과 (after_hours: 6.2h > 6h)')).toMatchObject({
      reason: 'ttl_expired',
      phase: 'after_hours',
      ageHours: 6.2,
      ttlHours: 6,
    });
    expect(reasonFields('주가 급변 (3.4%, 임계값: 3.0%, 시장: trading)')).toMatchObject({
      reason: 'price_move',
      rate: 3.4,
      threshold: 3,
      phase: 'trading',
    });
    expect(
      reasonFields('예측 방향 급변 (상승 비율: 40.0% → 60.0%, 변화: 20.0%, 임계값: 15.0%, 시장: market_open)'),
    ).toMatchObject({ reason: 'direction_change', rate: 20, threshold: 15, phase: 'market_open' });
    expect(reasonFields('강제 업데이트 또는 리포트 없음')).toEqual({ reason: 'forced', text: '강제 업데이트 또는 리포트 없음' });
    expect(reasonFields('알 수 없는 사유')).toMatchObject({ reason: 'other' });
  });

  it('keeps the commas and parentheses of an [LLM_COST] reason', () => {
    const match = classify(
      '2025-11-04 09:15:02,123 - backend.services.stock_analysis_service - INFO - [LLM_COST] 리포트 생성: 종목=005930, 시장단계=trading, 사유=예측 방향 급변 (상승 비율: 40.0% → 60.0%, 변화: 20.0%, 임계값: 15.0%, 시장: trading), 예측개수=12, 비용예상=$0.0015',
    );
    expect(match).toMatchObject({
      kind: 'llm_cost',
      fields: {
        stockCode: '005930',
        phase: 'trading',
        reason: 'direction_change',
        text: '예측 방향 급변 (상승 비율: 40.0% → 60.0%, 변화: 20.0%, 임계값: 15.0%, 시장: trading)',
        predictions: 12,
        costUsd: 0.0015,
      },
    });
  });

  it('reads a text with a line or paragraph separator in it (an exception message can hold one) as the record it is', () => {
    // JavaScript's . stops at U+2028 and U+2029; the log line does not.
    const failed = classify('2025-11-04 10:00:20,000 - backend.services.stock_analysis_service - ERROR - 종목 005930의 분석 요약 업데이트 실패: bad\u2028value\u2029end');
    expect(failed).toMatchObject({ kind: 'update_failed', fields: { stockCode: '005930', text: 'bad\u2028value\u2029end' } });
    const generation = classify('2025-11-04 10:00:10,000 - backend.llm.investment_report - ERROR - 투자 리포트 생성 실패: Error code: 400 -\u2028 {"message": "x"}');
    expect(generation).toMatchObject({ kind: 'generation_failed' });
    const attempt = classify('2025-11-04 10:00:00,000 - backend.services.stock_analysis_service - INFO - 종목 005930 업데이트 시작: 새 예측 추가\u2028(기존: 5, 현재: 6, 시장: trading)');
    expect(attempt).toMatchObject({ kind: 'attempt', fields: { stockCode: '005930' } });
  });

  it('reads the skip decision with its phase, age and TTL', () => {
    const match = classify(
      '2025-11-04 18:10:00,000 - backend.services.stock_analysis_service - INFO - 종목 005930의 분석 요약이 최신 상태입니다. (업데이트 불필요 (시장: after_hours, 경과: 2.0h/6h))',
    );
    expect(match).toMatchObject({ kind: 'skip', fields: { phase: 'after_hours', ageHours: 2, ttlHours: 6 } });
  });
});

describe('look-alike lines', () => {
  const lookAlikes = [
    '2025-11-04 07:10:12,510 - backend.crawlers.news_saver - INFO - 종목 005930의 종합 분석 리포트 업데이트 시작',
    '2025-11-04 07:10:20,210 - backend.crawlers.news_saver - INFO - 종목 005930의 종합 분석 리포트 업데이트 완료',
    '2025-11-04 13:00:06,200 - backend.crawlers.news_saver - ERROR - 종합 분석 리포트 업데이트 실패: boom',
    '2025-11-04 09:15:45,200 - backend.scheduler.crawler_scheduler - WARNING -   ⚠️  SK하이닉스 (000660) 리포트 생성 실패',
    '2025-11-04 09:15:45,300 - backend.scheduler.crawler_scheduler - INFO - ✅ 리포트 생성 완료: 성공 2개, 실패 1개',
    '2025-11-04 07:10:12,500 - backend.crawlers.news_saver - INFO - ✅ 멀티 모델 예측 완료: 뉴스 ID=1201, 생성된 예측 수=2개',
    '2025-11-04 07:10:11,200 - backend.crawlers.news_crawler - INFO - 뉴스 저장: [속보] 종목 005930 업데이트 시작: 새 예측 추가 기대감',
    '2025-11-04 07:10:11,200 - backend.crawlers.news_crawler - INFO - 종목 005930의 분석 요약 업데이트 완료',
    'INFO:     127.0.0.1:51234 - "GET /api/stocks/005930 HTTP/1.1" 200 OK',
    '  File "/app/backend/services/stock_analysis_service.py", line 388, in update_stock_analysis_summary',
  ];

  it.each(lookAlikes)('never become records: %s', (line) => {
    expect(classify(line)).toBeNull();
  });

  it('counts a report logger line that matches no pattern as malformed, not as a record', () => {
    expect(
      classify('2025-11-04 09:15:02,123 - backend.services.stock_analysis_service - INFO - 종목 005930 업데이트 시작'),
    ).toBe('malformed');
    expect(classify('2025-11-04 09:15:02,123 - backend.services.stock_analysis_service - INFO - 종목 59 업데이트 시작: x')).toBe(
      'malformed',
    );
  });
});

describe('line formats', () => {
  const python = '2025-11-04 09:15:02,123 - backend.services.stock_analysis_service - INFO - 종목 005930의 분석 요약 업데이트 완료';
  const expected = {
    naiveMs: Date.UTC(2025, 10, 4, 9, 15, 2, 123),
    logger: 'backend.services.stock_analysis_service',
    level: 'INFO',
    message: '종목 005930의 분석 요약 업데이트 완료',
  };

  it('reads Python logging lines', () => {
    expect(parseLine(python)).toEqual(expected);
  });

  it('reads lines behind the PM2 date prefix', () => {
    expect(parseLine(`2025-11-04 09:15:02: ${python}`)).toEqual(expected);
  });

  it("reads Docker's json-file lines", () => {
    const docker = JSON.stringify({ log: python + '\n', stream: 'stderr', time: '2025-11-04T00:15:02.124Z' });
    expect(parseLine(docker)).toEqual(expected);
  });

  it('reads CRLF lines', () => {
    expect(parseLine(python + '\r')).toEqual(expected);
  });

  it('rejects lines without a timestamp and impossible dates', () => {
    expect(parseLine('Traceback (most recent call last):')).toBeNull();
    expect(parseLine(python.replace('2025-11-04', '2025-13-04'))).toBeNull();
    expect(parseLine('{"log": not json')).toBeNull();
  });
});
