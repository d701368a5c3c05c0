/**
 * The message vocabulary at its edges (backend-logs.md, The lines): the numbers each reason prints
 * with a sign, without decimals or with them; a phase word that is no phase; six-character codes
 * and the near-misses beside them; and which look-alikes of a report logger count as malformed
 * rather than as other messages. test/vocabulary.test.ts proves the samples; these are the edges.
 */
import { describe, expect, it } from 'vitest';
import { GENERATOR_LOGGER, matchMessage, reasonFields, reasonOf, REPORT_LOGGERS, SERVICE_LOGGER } from '../src/logs/vocabulary.js';

const service = (message: string) => matchMessage(SERVICE_LOGGER, message);
const generator = (message: string) => matchMessage(GENERATOR_LOGGER, message);

describe('the reason of an attempt, by the start of its text', () => {
  it.each([
    ['새 예측 추가 (기존: 5, 현재: 6, 시장: trading)', 'new_prediction'],
    ['시장 단계별 TTL 초과 (trading: 2.3h > 2h)', 'ttl_expired'],
    ['주가 급변 (3.4%, 임계값: 3.0%, 시장: trading)', 'price_move'],
    ['예측 방향 급변 (상승 비율: 40.0% → 60.0%, 변화: 20.0%, 임계값: 15.0%, 시장: trading)', 'direction_change'],
    ['강제 업데이트 또는 리포트 없음', 'forced'],
    ['강제 업데이트', 'other'],
    [' 주가 급변 (3.4%, 임계값: 3.0%, 시장: trading)', 'other'],
    ['기타: 주가 급변', 'other'],
    ['', 'other'],
  ])('%j is %s', (text, reason) => {
    expect(reasonOf(text)).toBe(reason);
  });
});

describe('the numbers a reason prints', () => {
  it('reads a TTL update with a negative, whole or decimal age and TTL', () => {
    expect(reasonFields('시장 단계별 TTL 초과 (pre_market: -0.5h > 3h)')).toEqual({
      reason: 'ttl_expired',
      text: '시장 단계별 TTL 초과 (pre_market: -0.5h > 3h)',
      phase: 'pre_market',
      ageHours: -0.5,
      ttlHours: 3,
    });
    expect(reasonFields('시장 단계별 TTL 초과 (market_close: 12h > 1.5h)')).toMatchObject({ phase: 'market_close', ageHours: 12, ttlHours: 1.5 });
  });

  it('reads the sign of a price move, and a whole-number rate and threshold', () => {
    expect(reasonFields('주가 급변 (-3.4%, 임계값: 3.0%, 시장: market_open)')).toEqual({
      reason: 'price_move',
      text: '주가 급변 (-3.4%, 임계값: 3.0%, 시장: market_open)',
      phase: 'market_open',
      rate: -3.4,
      threshold: 3,
    });
    expect(reasonFields('주가 급변 (5%, 임계값: 5%, 시장: market_close)')).toMatchObject({ rate: 5, threshold: 5, phase: 'market_close' });
  });

  it('reads the sign of a direction change', () => {
    expect(reasonFields('예측 방향 급변 (상승 비율: 60.0% → 40.0%, 변화: -20.0%, 임계값: 15.0%, 시장: after_hours)')).toMatchObject({
      reason: 'direction_change',
      rate: -20,
      threshold: 15,
      phase: 'after_hours',
    });
  });

  it('reads the counts of new predictions', () => {
    expect(reasonFields('새 예측 추가 (기존: 0, 현재: 120, 시장: market_open)')).toEqual({
      reason: 'new_prediction',
      text: '새 예측 추가 (기존: 0, 현재: 120, 시장: market_open)',
      prevCount: 0,
      curCount: 120,
      phase: 'market_open',
    });
  });

  it('names no phase for a word that is no phase, and keeps the numbers', () => {
    expect(reasonFields('주가 급변 (3.4%, 임계값: 3.0%, 시장: lunch)')).toMatchObject({ rate: 3.4, threshold: 3, phase: null });
    expect(reasonFields('시장 단계별 TTL 초과 (Trading: 2.3h > 2h)')).toMatchObject({ phase: null, ageHours: 2.3, ttlHours: 2 });
  });

  it('gives only the reason and the text when the numbers are not printed as the backend prints them', () => {
    for (const text of ['시장 단계별 TTL 초과', '주가 급변 (3,4%, 임계값: 3.0%, 시장: trading)', '새 예측 추가 (기존: 5)', '예측 방향 급변']) {
      expect(Object.keys(reasonFields(text)).sort(), text).toEqual(['reason', 'text']);
    }
  });
});

describe('a skip decision', () => {
  it('reads its phase, age and TTL, a negative age and a decimal TTL included', () => {
    expect(service('종목 005930의 분석 요약이 최신 상태입니다. (업데이트 불필요 (시장: market_open, 경과: -0.2h/1.5h))')).toEqual({
      kind: 'skip',
      fields: { stockCode: '005930', text: '업데이트 불필요 (시장: market_open, 경과: -0.2h/1.5h)', phase: 'market_open', ageHours: -0.2, ttlHours: 1.5 },
    });
  });

  it('is still a skip when its reason prints no numbers', () => {
    expect(service('종목 005930의 분석 요약이 최신 상태입니다. (업데이트 불필요)')).toEqual({
      kind: 'skip',
      fields: { stockCode: '005930', text: '업데이트 불필요', phase: null, ageHours: null, ttlHours: null },
    });
  });
});

describe('stock codes: six characters, digits and capital letters', () => {
  it('reads a code with a letter', () => {
    expect(service('종목 0009K0 업데이트 시작: 강제 업데이트 또는 리포트 없음')).toEqual({
      kind: 'attempt',
      fields: { stockCode: '0009K0', reason: 'forced', text: '강제 업데이트 또는 리포트 없음' },
    });
  });

  it.each(['종목 05930 업데이트 시작: 강제 업데이트 또는 리포트 없음', '종목 0059301 업데이트 시작: 강제 업데이트 또는 리포트 없음', '종목 0009k0 업데이트 시작: 강제 업데이트 또는 리포트 없음', '종목 00593a의 분석 요약 업데이트 완료'])(
    'counts %j as a malformed report line',
    (message) => {
      expect(service(message)).toBe('malformed');
    },
  );
});

describe('completion lines', () => {
  it.each([
    ['종목 005930의 분석 요약 업데이트 완료', 'single'],
    ['종목 005930의 분석 요약 신규 생성 완료', 'single'],
    ['종목 005930의 A/B 분석 요약 업데이트 완료', 'ab'],
    ['종목 005930의 A/B 분석 요약 생성 완료', 'ab'],
  ])('%s succeeded, mode %s', (message, mode) => {
    expect(service(message)).toEqual({ kind: 'update_succeeded', fields: { stockCode: '005930', mode } });
  });

  it.each(['종목 005930의 분석 요약 생성 완료', '종목 005930의 A/B 분석 요약 신규 생성 완료', '종목 005930의 분석 요약 업데이트 완료 ', '종목 005930의 분석 요약 업데이트 완료됨'])(
    '%j is no completion the backend writes: malformed',
    (message) => {
      expect(service(message)).toBe('malformed');
    },
  );

  it('reads the failure lines with their error text, and the no-predictions line', () => {
    expect(service('종목 005930의 분석 요약 업데이트 실패: ')).toEqual({ kind: 'update_failed', fields: { stockCode: '005930', text: '' } });
    expect(service('종목 005930의 리포트 생성 실패')).toEqual({ kind: 'report_failed', fields: { stockCode: '005930' } });
    expect(service('종목 005930에 대한 예측 데이터가 없습니다.')).toEqual({ kind: 'no_predictions', fields: { stockCode: '005930' } });
    expect(service('종목 005930에 대한 투자 리포트 생성 시작...')).toEqual({ kind: 'generation_call', fields: { stockCode: '005930' } });
    expect(service('종목 005930에 대한 투자 리포트 생성 시작.')).toBe('malformed');
  });
});

describe('[LLM_COST] lines', () => {
  const cost = (tail: string) => service(`[LLM_COST] 리포트 생성: 종목=005930, 시장단계=trading, 사유=강제 업데이트 또는 리포트 없음, ${tail}`);

  it('reads a whole-dollar cost and the prediction count', () => {
    expect(cost('예측개수=20, 비용예상=$1')).toEqual({
      kind: 'llm_cost',
      fields: { stockCode: '005930', phase: 'trading', reason: 'forced', text: '강제 업데이트 또는 리포트 없음', predictions: 20, costUsd: 1 },
    });
  });

  it('is malformed without the dollar sign, the count, or with a negative cost', () => {
    for (const tail of ['예측개수=20, 비용예상=0.001', '비용예상=$0.001', '예측개수=20, 비용예상=$-0.001', '예측개수=x, 비용예상=$0.001']) {
      expect(cost(tail), tail).toBe('malformed');
    }
  });
});

describe('generator lines', () => {
  it('read the prediction count and the mode of a generation', () => {
    expect(generator('투자 리포트 생성 시작: 005930 (12건 분석)')).toEqual({ kind: 'generation_started', fields: { stockCode: '005930', predictions: 12, mode: 'single' } });
    expect(generator('A/B 종합 리포트 생성: 0009K0 (3건 분석) - 병렬 호출')).toEqual({ kind: 'generation_started', fields: { stockCode: '0009K0', predictions: 3, mode: 'ab' } });
    expect(generator('A/B 종합 리포트 완료: 005930 - 추천 일치: False')).toEqual({ kind: 'generation_done', fields: { stockCode: '005930', mode: 'ab' } });
    expect(generator('투자 리포트 생성 완료: 005930 (추천: )')).toEqual({ kind: 'generation_done', fields: { stockCode: '005930', mode: 'single' } });
  });

  it('read each failure with its whole message as the error, and its mode', () => {
    expect(generator('투자 리포트 생성 실패: Request timed out.')).toEqual({ kind: 'generation_failed', fields: { text: 'Request timed out.', mode: 'single' } });
    expect(generator("A/B 종합 리포트 실패: 'NoneType' object has no attribute 'lower'")).toEqual({
      kind: 'generation_failed',
      fields: { text: "'NoneType' object has no attribute 'lower'", mode: 'ab' },
    });
    expect(generator('JSON 파싱 실패: Expecting value')).toEqual({ kind: 'generation_failed', fields: { text: 'JSON 파싱 실패: Expecting value', mode: 'single' } });
    expect(generator('Model B JSON 파싱 실패: Expecting value')).toEqual({ kind: 'generation_failed', fields: { text: 'Model B JSON 파싱 실패: Expecting value', mode: 'ab' } });
  });

  it('count a report-like line that matches no pattern as malformed, and other lines as nothing', () => {
    expect(generator('투자 리포트 생성 시작: 005930')).toBe('malformed');
    expect(generator('A/B 종합 리포트 생성: 005930 (6건 분석)')).toBe('malformed');
    expect(generator('OpenAI 모델 사용: gpt-4o-mini')).toBeNull();
    expect(generator('Model C JSON 파싱 실패: x')).toBeNull();
    expect(generator('응답 내용 (처음 500자): {')).toBeNull();
    // A generator message on the service logger is no record of either.
    expect(service('투자 리포트 생성 시작: 005930 (12건 분석)')).toBe('malformed');
    expect(service('뉴스 저장: 종목 005930 업데이트 시작: x')).toBeNull();
  });

  it('are read only from the two report loggers', () => {
    expect([...REPORT_LOGGERS].sort()).toEqual([GENERATOR_LOGGER, SERVICE_LOGGER].sort());
    expect(matchMessage('backend.crawlers.news_saver', '종목 005930의 분석 요약 업데이트 완료')).toBeNull();
    expect(matchMessage('backend.llm.predictor', 'A/B 종합 리포트 완료: 005930 - 추천 일치: True')).toBeNull();
  });
});
