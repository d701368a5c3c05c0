/**
 * Every message of backend-logs.md is read whole (The lines): a message is a record only from its
 * first character to its last — the same words quoted inside other text (a news title, a message
 * with more after it) are no record, and on a report logger they count as malformed when they start
 * like a report line. The numbers a line prints are read as printed, whatever their number of
 * digits on either side of the point (a crash of -12.3 %, 20 predictions, a TTL of 12 h).
 */
import { describe, expect, it } from 'vitest';
import { GENERATOR_LOGGER, matchMessage, reasonFields, SERVICE_LOGGER } from '../src/logs/vocabulary.js';

const service = (message: string) => matchMessage(SERVICE_LOGGER, message);
const generator = (message: string) => matchMessage(GENERATOR_LOGGER, message);

const SERVICE_MESSAGES = [
  '종목 005930 업데이트 시작: 강제 업데이트 또는 리포트 없음',
  '종목 005930의 분석 요약이 최신 상태입니다. (업데이트 불필요 (시장: after_hours, 경과: 3.1h/6h))',
  '종목 005930에 대한 투자 리포트 생성 시작...',
  '종목 005930의 분석 요약 업데이트 완료',
  '종목 005930의 A/B 분석 요약 생성 완료',
  '종목 005930의 리포트 생성 실패',
  '종목 005930의 분석 요약 업데이트 실패: Request timed out.',
  '종목 005930에 대한 예측 데이터가 없습니다.',
  '[LLM_COST] 리포트 생성: 종목=005930, 시장단계=trading, 사유=강제 업데이트 또는 리포트 없음, 예측개수=6, 비용예상=$0.001',
];
const GENERATOR_MESSAGES = [
  '투자 리포트 생성 시작: 005930 (6건 분석)',
  'A/B 종합 리포트 생성: 005930 (6건 분석) - 병렬 호출',
  '투자 리포트 생성 완료: 005930 (추천: 매수)',
  'A/B 종합 리포트 완료: 005930 - 추천 일치: True',
  '투자 리포트 생성 실패: Request timed out.',
  'A/B 종합 리포트 실패: Request timed out.',
  'JSON 파싱 실패: Expecting value: line 1 column 1 (char 0)',
  'Model A JSON 파싱 실패: Expecting value: line 1 column 1 (char 0)',
];

describe('a message quoted after other text', () => {
  it.each(SERVICE_MESSAGES)('is a record alone, and nothing after a news title on the service logger: %s', (message) => {
    expect(service(message)).not.toBeNull();
    expect(service(message)).not.toBe('malformed');
    expect(service(`뉴스 저장: [속보] ${message}`)).toBeNull();
  });

  it.each(GENERATOR_MESSAGES)('is a record alone, and nothing after other text on the generator logger: %s', (message) => {
    expect(generator(message)).not.toBeNull();
    expect(generator(message)).not.toBe('malformed');
    expect(generator(`응답 내용 (처음 500자): ${message}`)).toBeNull();
  });
});

describe('a message with more after its fixed end', () => {
  it.each([
    [SERVICE_LOGGER, '종목 005930의 분석 요약이 최신 상태입니다. (업데이트 불필요 (시장: after_hours, 경과: 3.1h/6h)) 다음 확인'],
    [SERVICE_LOGGER, '종목 005930에 대한 투자 리포트 생성 시작... 재시도'],
    [SERVICE_LOGGER, '종목 005930의 리포트 생성 실패 (재시도 예정)'],
    [SERVICE_LOGGER, '종목 005930에 대한 예측 데이터가 없습니다. 건너뜀'],
    [SERVICE_LOGGER, '[LLM_COST] 리포트 생성: 종목=005930, 시장단계=trading, 사유=강제 업데이트 또는 리포트 없음, 예측개수=6, 비용예상=$0.001, 모델=gpt-4o'],
    [GENERATOR_LOGGER, '투자 리포트 생성 시작: 005930 (6건 분석) 재시도'],
    [GENERATOR_LOGGER, 'A/B 종합 리포트 생성: 005930 (6건 분석) - 병렬 호출 (재시도)'],
    [GENERATOR_LOGGER, '투자 리포트 생성 완료: 005930 (추천: 매수) 끝'],
    [GENERATOR_LOGGER, 'A/B 종합 리포트 완료: 005930 - 추천 일치: True 끝'],
  ])('is a malformed report line, not a record: %s %s', (logger, message) => {
    expect(matchMessage(logger, message)).toBe('malformed');
  });

  it('is no different for a failure: its error text runs to the end of the line', () => {
    expect(service('종목 005930의 분석 요약 업데이트 실패: a - b (c)')).toEqual({ kind: 'update_failed', fields: { stockCode: '005930', text: 'a - b (c)' } });
  });
});

describe('a generator line that starts like a failure but is none', () => {
  it.each(['JSON 파싱 실패', 'Model A JSON 파싱 실패', 'Model B JSON 파싱 실패 '])('%j is malformed', (message) => {
    expect(generator(message)).toBe('malformed');
  });
});

describe('numbers with any number of digits', () => {
  it('of a TTL update: a two-digit TTL, two decimals', () => {
    expect(reasonFields('시장 단계별 TTL 초과 (after_hours: 12.5h > 12h)')).toMatchObject({ ageHours: 12.5, ttlHours: 12 });
    expect(reasonFields('시장 단계별 TTL 초과 (trading: 2.25h > 1.75h)')).toMatchObject({ phase: 'trading', ageHours: 2.25, ttlHours: 1.75 });
  });

  it('of a price move: a two-digit fall and threshold, two decimals', () => {
    expect(reasonFields('주가 급변 (-12.3%, 임계값: 10.0%, 시장: trading)')).toMatchObject({ rate: -12.3, threshold: 10, phase: 'trading' });
    expect(reasonFields('주가 급변 (3.45%, 임계값: 2.75%, 시장: market_open)')).toMatchObject({ rate: 3.45, threshold: 2.75, phase: 'market_open' });
  });

  it('of a direction change: whole numbers, two decimals', () => {
    expect(reasonFields('예측 방향 급변 (상승 비율: 40% → 60%, 변화: -20%, 임계값: 15%, 시장: trading)')).toMatchObject({ rate: -20, threshold: 15, phase: 'trading' });
    expect(reasonFields('예측 방향 급변 (상승 비율: 40.0% → 60.55%, 변화: 20.55%, 임계값: 15.25%, 시장: trading)')).toMatchObject({ rate: 20.55, threshold: 15.25 });
  });

  it('of a skip: two-digit and whole ages and TTLs, two decimals', () => {
    const skip = (tail: string) => service(`종목 005930의 분석 요약이 최신 상태입니다. (업데이트 불필요 (시장: after_hours, 경과: ${tail}))`);
    expect(skip('12.5h/18h')).toMatchObject({ fields: { phase: 'after_hours', ageHours: 12.5, ttlHours: 18 } });
    expect(skip('3h/6h')).toMatchObject({ fields: { ageHours: 3, ttlHours: 6 } });
    expect(skip('3.15h/6.25h')).toMatchObject({ fields: { ageHours: 3.15, ttlHours: 6.25 } });
  });

  it('of a cost line and of an A/B generation', () => {
    expect(service('[LLM_COST] 리포트 생성: 종목=005930, 시장단계=trading, 사유=강제 업데이트 또는 리포트 없음, 예측개수=20, 비용예상=$12.5')).toMatchObject({
      fields: { predictions: 20, costUsd: 12.5 },
    });
    expect(generator('A/B 종합 리포트 생성: 005930 (20건 분석) - 병렬 호출')).toEqual({ kind: 'generation_started', fields: { stockCode: '005930', predictions: 20, mode: 'ab' } });
  });
});
