/**
 * Backend log lines written by hand, one builder per message of ../shared/backend-logs.md, and a
 * store ingested from them through the CLI: the analysis tests state their inputs line by line, as
 * test/boundaries.test.ts does, and read the results as a user would (`--json`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { Phase } from '../../src/market/rules.js';
import { cli, tempDir } from '../helpers.js';

export const SERVICE = 'backend.services.stock_analysis_service';
export const GENERATOR = 'backend.llm.investment_report';
export const SCHEDULER = 'backend.scheduler.crawler_scheduler';

/** One log line; `time` is the wall clock as the backend prints it, `2025-11-04 09:15:02,123`. */
export const line = (time: string, message: string, level = 'INFO', logger = SERVICE) => `${time} - ${logger} - ${level} - ${message}`;
export const attempt = (time: string, code: string, reason: string) => line(time, `종목 ${code} 업데이트 시작: ${reason}`);
export const succeeded = (time: string, code: string) => line(time, `종목 ${code}의 분석 요약 업데이트 완료`);
export const failed = (time: string, code: string, error = 'Request timed out.') => line(time, `종목 ${code}의 분석 요약 업데이트 실패: ${error}`, 'ERROR');
export const skip = (time: string, code: string, phase: string, age: string, ttl: number) =>
  line(time, `종목 ${code}의 분석 요약이 최신 상태입니다. (업데이트 불필요 (시장: ${phase}, 경과: ${age}h/${ttl}h))`);
export const llmCost = (time: string, code: string, phase: Phase, reason: string, cost = '0.001') =>
  line(time, `[LLM_COST] 리포트 생성: 종목=${code}, 시장단계=${phase}, 사유=${reason}, 예측개수=5, 비용예상=$${cost}`);
export const generation = (time: string, code: string) => line(time, `투자 리포트 생성 시작: ${code} (5건 분석)`, 'INFO', GENERATOR);
export const abGeneration = (time: string, code: string) => line(time, `A/B 종합 리포트 생성: ${code} (5건 분석) - 병렬 호출`, 'INFO', GENERATOR);
export const generationFailed = (time: string, error = 'Request timed out.') => line(time, `투자 리포트 생성 실패: ${error}`, 'ERROR', GENERATOR);
export const noise = (time: string) => line(time, '📊 리포트 생성 대상: 3개 종목', 'INFO', SCHEDULER);

export const FORCED = '강제 업데이트 또는 리포트 없음';
export const ttlReason = (phase: Phase, age: string, ttl: number) => `시장 단계별 TTL 초과 (${phase}: ${age}h > ${ttl}h)`;
export const priceReason = (rate: string, phase: Phase, threshold = '3.0') => `주가 급변 (${rate}%, 임계값: ${threshold}%, 시장: ${phase})`;
export const newPredictionReason = (prev: number, cur: number, phase: Phase) => `새 예측 추가 (기존: ${prev}, 현재: ${cur}, 시장: ${phase})`;

/** Long after every log of these tests: no window reaches the present. */
export const LATER = Date.parse('2025-12-01T12:00:00+09:00');

/** Writes the lines as one log file and ingests it into a fresh store; returns the store, the log and the ingest summary. */
export async function storeOf(lines: string[], ingestArgs: string[] = []): Promise<{ db: string; log: string; ingest: any }> {
  const dir = tempDir();
  const log = path.join(dir, 'backend.log');
  fs.writeFileSync(log, lines.join('\n') + '\n');
  const db = path.join(dir, 'store.db');
  const run = await cli(['--db', db, 'ingest', '--json', ...ingestArgs, log]);
  expect(run.code, run.stderr).toBe(0);
  return { db, log, ingest: run.json() };
}

/** Runs a command with `--json` against the store, checks its exit code, and returns the document. */
export async function json(db: string, args: string[], expectedCode: number, now = LATER): Promise<any> {
  const run = await cli(['--db', db, ...args, '--json'], { now });
  expect(run.code, run.stderr).toBe(expectedCode);
  return run.json();
}

/** Ingests each host's lines as its own log (`--source-host`) into one fresh store. */
export async function fleetStoreOf(logs: Record<string, string[]>): Promise<string> {
  const dir = tempDir();
  const db = path.join(dir, 'store.db');
  for (const [host, lines] of Object.entries(logs)) {
    const log = path.join(dir, `${host}.log`);
    fs.writeFileSync(log, lines.join('\n') + '\n');
    const run = await cli(['--db', db, 'ingest', '--source-host', host, log]);
    expect(run.code, run.stderr).toBe(0);
  }
  return db;
}
