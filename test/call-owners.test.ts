/**
 * An [LLM_COST] line is worth two calls when the attempt it belongs to — its stock's latest attempt
 * on the same host at or before it — generated in A/B mode (cli-contract.md, LLM calls). `cost`
 * looks each line's attempt up in the store; `whatif` finds it among the attempts it has read, and
 * asks the store only for a line whose attempt started before those. Both must count the same.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeWhatIf } from '../src/analysis/whatif-read.js';
import { DEFAULT_RULES } from '../src/market/rules.js';
import { windowOf } from '../src/market/time.js';
import { openStore } from '../src/store/store.js';
import { cli, tempDir } from './helpers.js';

const SERVICE = 'backend.services.stock_analysis_service';
const REPORT = 'backend.llm.investment_report';
const at = (time: string, logger: string, message: string) => `${time},000 - ${logger} - INFO - ${message}`;
const costLine = (time: string, code: string) =>
  at(time, SERVICE, `[LLM_COST] 리포트 생성: 종목=${code}, 시장단계=trading, 사유=강제 업데이트 또는 리포트 없음, 예측개수=5, 비용예상=$0.001`);
/** A forced attempt of `code` at `time` (HH:MM on `day`), generating in A/B or single mode, completed 11 s later. */
const attempt = (day: string, clock: string, code: string, mode: 'ab' | 'single') => [
  at(`${day} ${clock}:00`, SERVICE, `종목 ${code} 업데이트 시작: 강제 업데이트 또는 리포트 없음`),
  at(`${day} ${clock}:01`, SERVICE, `종목 ${code}에 대한 투자 리포트 생성 시작...`),
  mode === 'ab' ? at(`${day} ${clock}:02`, REPORT, `A/B 종합 리포트 생성: ${code} (5건 분석) - 병렬 호출`) : at(`${day} ${clock}:02`, REPORT, `투자 리포트 생성 시작: ${code} (5건 분석)`),
  mode === 'ab' ? at(`${day} ${clock}:10`, REPORT, `A/B 종합 리포트 완료: ${code} - 추천 일치: True`) : at(`${day} ${clock}:10`, REPORT, `투자 리포트 생성 완료: ${code} (추천: 매수)`),
  at(`${day} ${clock}:11`, SERVICE, mode === 'ab' ? `종목 ${code}의 A/B 분석 요약 업데이트 완료` : `종목 ${code}의 분석 요약 업데이트 완료`),
];

describe('the attempt an [LLM_COST] line belongs to', () => {
  it('makes the same number of calls in cost and in whatif, however long before the line its attempt started', async () => {
    const log = path.join(tempDir(), 'backend.log');
    fs.writeFileSync(
      log,
      [
        // 035720's A/B attempt starts three days before the window; the line of 11-05 10:00 is still its
        // (the latest attempt of 035720 at or before it): 2 calls. whatif reads attempts from a day
        // before the window only, so it has to ask the store for this one.
        ...attempt('2025-11-02', '10:00', '035720', 'ab'),
        costLine('2025-11-05 10:00:00', '035720'),
        // 005930: a single attempt at 11:00, then an A/B one at 12:00, each with its line: 1 + 2 calls.
        ...attempt('2025-11-05', '11:00', '005930', 'single'),
        costLine('2025-11-05 11:00:00', '005930'),
        ...attempt('2025-11-05', '12:00', '005930', 'ab'),
        // The same millisecond as its attempt's start: at or before counts it.
        costLine('2025-11-05 12:00:00', '005930'),
        // 000660 has no attempt at all: its line is one call.
        costLine('2025-11-05 13:00:00', '000660'),
        '',
      ].join('\n'),
    );
    const db = path.join(tempDir(), 'store.db');
    expect((await cli(['--db', db, 'ingest', log])).code).toBe(0);

    const cost = await cli(['--db', db, 'cost', '--days', '1', '--until', '2025-11-05', '--json']);
    expect(cost.code, cost.stderr).toBe(0);
    expect(cost.json().total_calls).toBe(2 + 1 + 2 + 1);

    const store = await openStore(db);
    try {
      const doc = await computeWhatIf(store.db, windowOf(1, '2025-11-05'), { rules: DEFAULT_RULES, actualRules: DEFAULT_RULES, fixPredictionCap: false, pricePerCall: null });
      expect(doc.calls_source).toBe('llm_cost_lines');
      expect(doc.actual.llm_calls).toBe(6);
      expect(doc.days.map((d) => d.actual.llm_calls)).toEqual([6]);
    } finally {
      await store.close();
    }
  });
});
