/**
 * The backend's report messages as data (backend-logs.md): one entry per message kind,
 * with its logger, an anchored pattern and real sample lines. A test proves that every
 * sample parses and every entry has samples; look-alike lines are tested as rejects.
 */
import { isPhase, type Phase } from '../market/rules.js';
import type { GenerationMode, LogRecord, Reason, RecordKind } from './record.js';

export const SERVICE_LOGGER = 'backend.services.stock_analysis_service';
export const GENERATOR_LOGGER = 'backend.llm.investment_report';

type Fields = Partial<Omit<LogRecord, 'ts' | 'lineNo' | 'kind'>>;

export interface MessageKind {
  kind: RecordKind;
  logger: typeof SERVICE_LOGGER | typeof GENERATOR_LOGGER;
  /** Over the message; with the `s` flag, so that a line separator (U+2028) in a text is part of it, not a malformed line. */
  pattern: RegExp;
  fields: (m: RegExpExecArray) => Fields;
  /** Whole log lines as the backend writes them. */
  samples: string[];
}

const num = (s: string | undefined) => (s === undefined ? null : Number(s));
const phaseOf = (s: string | undefined): Phase | null => (s !== undefined && isPhase(s) ? s : null);

const REASON_PREFIXES: ReadonlyArray<readonly [string, Reason]> = [
  ['새 예측 추가', 'new_prediction'],
  ['시장 단계별 TTL 초과', 'ttl_expired'],
  ['주가 급변', 'price_move'],
  ['예측 방향 급변', 'direction_change'],
  ['강제 업데이트 또는 리포트 없음', 'forced'],
];

export function reasonOf(text: string): Reason {
  for (const [prefix, reason] of REASON_PREFIXES) if (text.startsWith(prefix)) return reason;
  return 'other';
}

const NEW_PREDICTION = /\(기존: (\d+), 현재: (\d+), 시장: (\w+)\)/;
const TTL_EXPIRED = /\((\w+): (-?\d+(?:\.\d+)?)h > (\d+(?:\.\d+)?)h\)/;
const PRICE_MOVE = /\((-?\d+(?:\.\d+)?)%, 임계값: (\d+(?:\.\d+)?)%, 시장: (\w+)\)/;
const DIRECTION_CHANGE = /변화: (-?\d+(?:\.\d+)?)%, 임계값: (\d+(?:\.\d+)?)%, 시장: (\w+)\)/;
const SKIP_REASON = /시장: (\w+), 경과: (-?\d+(?:\.\d+)?)h\/(\d+(?:\.\d+)?)h/;

/** The fields an attempt's reason text prints (reasons 1–5 of the update decision). */
export function reasonFields(text: string): Fields {
  const reason = reasonOf(text);
  const fields: Fields = { reason, text };
  let m: RegExpExecArray | null;
  switch (reason) {
    case 'new_prediction':
      if ((m = NEW_PREDICTION.exec(text))) {
        Object.assign(fields, { prevCount: num(m[1]), curCount: num(m[2]), phase: phaseOf(m[3]) });
      }
      break;
    case 'ttl_expired':
      if ((m = TTL_EXPIRED.exec(text))) {
        Object.assign(fields, { phase: phaseOf(m[1]), ageHours: num(m[2]), ttlHours: num(m[3]) });
      }
      break;
    case 'price_move':
      if ((m = PRICE_MOVE.exec(text))) {
        Object.assign(fields, { rate: num(m[1]), threshold: num(m[2]), phase: phaseOf(m[3]) });
      }
      break;
    case 'direction_change':
      if ((m = DIRECTION_CHANGE.exec(text))) {
        Object.assign(fields, { rate: num(m[1]), threshold: num(m[2]), phase: phaseOf(m[3]) });
      }
      break;
  }
  return fields;
}

const P = '2025-11-04 09:15:02,123 - backend.services.stock_analysis_service - INFO - ';
const G = '2025-11-04 09:15:03,456 - backend.llm.investment_report - INFO - ';
const GE = '2025-11-04 09:15:33,456 - backend.llm.investment_report - ERROR - ';
const PE = '2025-11-04 09:15:34,001 - backend.services.stock_analysis_service - ERROR - ';

export const MESSAGE_KINDS: readonly MessageKind[] = [
  {
    kind: 'attempt',
    logger: SERVICE_LOGGER,
    pattern: /^종목 ([0-9A-Z]{6}) 업데이트 시작: (.+)$/s,
    fields: (m) => ({ stockCode: m[1], ...reasonFields(m[2]) }),
    samples: [
      `${P}종목 005930 업데이트 시작: 새 예측 추가 (기존: 5, 현재: 6, 시장: pre_market)`,
      `${P}종목 005930 업데이트 시작: 시장 단계별 TTL 초과 (trading: 2.3h > 2h)`,
      `${P}종목 000660 업데이트 시작: 주가 급변 (3.4%, 임계값: 3.0%, 시장: trading)`,
      `${P}종목 035720 업데이트 시작: 예측 방향 급변 (상승 비율: 40.0% → 60.0%, 변화: 20.0%, 임계값: 15.0%, 시장: trading)`,
      `${P}종목 005930 업데이트 시작: 강제 업데이트 또는 리포트 없음`,
    ],
  },
  {
    kind: 'skip',
    logger: SERVICE_LOGGER,
    pattern: /^종목 ([0-9A-Z]{6})의 분석 요약이 최신 상태입니다\. \((.*)\)$/s,
    fields: (m) => {
      const s = SKIP_REASON.exec(m[2]);
      return {
        stockCode: m[1],
        text: m[2],
        phase: phaseOf(s?.[1]),
        ageHours: num(s?.[2]),
        ttlHours: num(s?.[3]),
      };
    },
    samples: [`${P}종목 005930의 분석 요약이 최신 상태입니다. (업데이트 불필요 (시장: after_hours, 경과: 3.1h/6h))`],
  },
  {
    kind: 'generation_call',
    logger: SERVICE_LOGGER,
    pattern: /^종목 ([0-9A-Z]{6})에 대한 투자 리포트 생성 시작\.\.\.$/s,
    fields: (m) => ({ stockCode: m[1] }),
    samples: [`${P}종목 005930에 대한 투자 리포트 생성 시작...`],
  },
  {
    kind: 'update_succeeded',
    logger: SERVICE_LOGGER,
    pattern: /^종목 ([0-9A-Z]{6})의 (?:(A\/B) 분석 요약 (?:업데이트|생성)|분석 요약 (?:업데이트|신규 생성)) 완료$/s,
    fields: (m) => ({ stockCode: m[1], mode: (m[2] ? 'ab' : 'single') as GenerationMode }),
    samples: [
      `${P}종목 005930의 분석 요약 업데이트 완료`,
      `${P}종목 005930의 분석 요약 신규 생성 완료`,
      `${P}종목 005930의 A/B 분석 요약 업데이트 완료`,
      `${P}종목 005930의 A/B 분석 요약 생성 완료`,
    ],
  },
  {
    kind: 'report_failed',
    logger: SERVICE_LOGGER,
    pattern: /^종목 ([0-9A-Z]{6})의 리포트 생성 실패$/s,
    fields: (m) => ({ stockCode: m[1] }),
    samples: [`${PE.replace('ERROR', 'WARNING')}종목 005930의 리포트 생성 실패`],
  },
  {
    kind: 'update_failed',
    logger: SERVICE_LOGGER,
    pattern: /^종목 ([0-9A-Z]{6})의 분석 요약 업데이트 실패: (.*)$/s,
    fields: (m) => ({ stockCode: m[1], text: m[2] }),
    samples: [`${PE}종목 005930의 분석 요약 업데이트 실패: Request timed out.`],
  },
  {
    kind: 'no_predictions',
    logger: SERVICE_LOGGER,
    pattern: /^종목 ([0-9A-Z]{6})에 대한 예측 데이터가 없습니다\.$/s,
    fields: (m) => ({ stockCode: m[1] }),
    samples: [`${P.replace('INFO', 'WARNING')}종목 005930에 대한 예측 데이터가 없습니다.`],
  },
  {
    kind: 'llm_cost',
    logger: SERVICE_LOGGER,
    // 사유 is the full reason text and contains commas: the fixed tail anchors it.
    pattern: /^\[LLM_COST\] 리포트 생성: 종목=([0-9A-Z]{6}), 시장단계=(\w+), 사유=(.*), 예측개수=(\d+), 비용예상=\$(\d+(?:\.\d+)?)$/s,
    fields: (m) => ({
      stockCode: m[1],
      phase: phaseOf(m[2]),
      reason: reasonOf(m[3]),
      text: m[3],
      predictions: num(m[4]),
      costUsd: num(m[5]),
    }),
    samples: [
      `${P}[LLM_COST] 리포트 생성: 종목=005930, 시장단계=pre_market, 사유=새 예측 추가 (기존: 5, 현재: 6, 시장: pre_market), 예측개수=6, 비용예상=$0.001`,
    ],
  },
  {
    kind: 'generation_started',
    logger: GENERATOR_LOGGER,
    pattern: /^투자 리포트 생성 시작: ([0-9A-Z]{6}) \((\d+)건 분석\)$/s,
    fields: (m) => ({ stockCode: m[1], predictions: num(m[2]), mode: 'single' as GenerationMode }),
    samples: [`${G}투자 리포트 생성 시작: 005930 (6건 분석)`],
  },
  {
    kind: 'generation_started',
    logger: GENERATOR_LOGGER,
    pattern: /^A\/B 종합 리포트 생성: ([0-9A-Z]{6}) \((\d+)건 분석\) - 병렬 호출$/s,
    fields: (m) => ({ stockCode: m[1], predictions: num(m[2]), mode: 'ab' as GenerationMode }),
    samples: [`${G}A/B 종합 리포트 생성: 005930 (6건 분석) - 병렬 호출`],
  },
  {
    kind: 'generation_done',
    logger: GENERATOR_LOGGER,
    pattern: /^투자 리포트 생성 완료: ([0-9A-Z]{6}) \(추천: .*\)$/s,
    fields: (m) => ({ stockCode: m[1], mode: 'single' as GenerationMode }),
    samples: [`${G}투자 리포트 생성 완료: 005930 (추천: 매수)`],
  },
  {
    kind: 'generation_done',
    logger: GENERATOR_LOGGER,
    pattern: /^A\/B 종합 리포트 완료: ([0-9A-Z]{6}) - 추천 일치: \w+$/s,
    fields: (m) => ({ stockCode: m[1], mode: 'ab' as GenerationMode }),
    samples: [`${G}A/B 종합 리포트 완료: 005930 - 추천 일치: True`],
  },
  {
    kind: 'generation_failed',
    logger: GENERATOR_LOGGER,
    pattern: /^투자 리포트 생성 실패: (.*)$/s,
    fields: (m) => ({ text: m[1], mode: 'single' as GenerationMode }),
    samples: [`${GE}투자 리포트 생성 실패: Request timed out.`],
  },
  {
    kind: 'generation_failed',
    logger: GENERATOR_LOGGER,
    pattern: /^A\/B 종합 리포트 실패: (.*)$/s,
    fields: (m) => ({ text: m[1], mode: 'ab' as GenerationMode }),
    samples: [`${GE}A/B 종합 리포트 실패: Request timed out.`],
  },
  {
    // The answer was not JSON: the generator returns its placeholder, so the generation failed.
    // The whole message is kept as the error: "Expecting value" alone would not say what failed.
    kind: 'generation_failed',
    logger: GENERATOR_LOGGER,
    pattern: /^(JSON 파싱 실패: .*)$/s,
    fields: (m) => ({ text: m[1], mode: 'single' as GenerationMode }),
    samples: [`${GE}JSON 파싱 실패: Expecting value: line 1 column 1 (char 0)`],
  },
  {
    kind: 'generation_failed',
    logger: GENERATOR_LOGGER,
    pattern: /^(Model [AB] JSON 파싱 실패: .*)$/s,
    fields: (m) => ({ text: m[1], mode: 'ab' as GenerationMode }),
    samples: [
      `${GE}Model A JSON 파싱 실패: Expecting value: line 1 column 1 (char 0)`,
      `${GE}Model B JSON 파싱 실패: Unterminated string starting at: line 3 column 20 (char 57)`,
    ],
  },
];

const BY_LOGGER = new Map<string, MessageKind[]>();
for (const kind of MESSAGE_KINDS) {
  const list = BY_LOGGER.get(kind.logger) ?? [];
  list.push(kind);
  BY_LOGGER.set(kind.logger, list);
}

/**
 * Messages of the report loggers that announce a report event; one of these that matches
 * no pattern is counted as malformed rather than silently dropped.
 */
// `종목 ` and any code-like character: a code with a lower-case letter or too few characters is a
// broken report line, not another message.
const REPORT_MESSAGE_HINT = /^(?:종목 [0-9A-Za-z]|\[LLM_COST\]|투자 리포트 생성|A\/B 종합 리포트|(?:Model [AB] )?JSON 파싱 실패)/;

export type MessageMatch = { kind: RecordKind; fields: Fields } | 'malformed' | null;

/** Classifies one message of a known logger: a record, a malformed report line, or not a report line. */
export function matchMessage(logger: string, message: string): MessageMatch {
  const kinds = BY_LOGGER.get(logger);
  if (!kinds) return null;
  for (const k of kinds) {
    const m = k.pattern.exec(message);
    if (m) return { kind: k.kind, fields: k.fields(m) };
  }
  return REPORT_MESSAGE_HINT.test(message) ? 'malformed' : null;
}

export const REPORT_LOGGERS: readonly string[] = [...BY_LOGGER.keys()];
