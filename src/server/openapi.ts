/**
 * The JSON Schemas of the HTTP API: they validate the query strings and, through @fastify/swagger,
 * make /openapi.json. Response schemas document the contract's documents; they never filter them
 * (app.ts sends every document with JSON.stringify, so the API stays identical to `--json`).
 */
import { ANOMALY_KINDS } from '../analysis/anomalies.js';
import { DAY1_CHECK_IDS } from '../analysis/verify-day1.js';
import { WEEK_CHECK_IDS } from '../analysis/verify-week.js';
import { REASONS } from '../logs/record.js';
import { PHASES } from '../market/rules.js';

const DAY = { type: 'string', format: 'date', description: 'a KST calendar day, YYYY-MM-DD' } as const;
const ISO_TIME = { type: 'string', format: 'date-time', description: 'ISO 8601 in Asia/Seoul (+09:00)' } as const;
const COUNT = { type: 'integer', minimum: 0 } as const;
const NUMBER = { type: 'number' } as const;
const LOG_END = { ...ISO_TIME, nullable: true, description: 'the log end: the latest timestamped line ingested (null: no logs yet)' } as const;
const obj = (properties: Record<string, unknown>, required = Object.keys(properties)) => ({ type: 'object', properties, required });

export const errorSchema = {
  description: 'The request was not understood (or not allowed); `error` says why',
  ...obj({ error: { type: 'string' } }),
} as const;

const SECONDS = { type: 'number', nullable: true } as const;
const durationSchema = {
  description: 'attempt durations (start to outcome record) in seconds, nearest-rank percentiles',
  ...obj({ count: COUNT, p50: SECONDS, p95: SECONDS, max: SECONDS }),
} as const;

const phaseCounts = obj(Object.fromEntries(PHASES.map((p) => [p, COUNT])));

export const statsSchema = {
  description: 'The `stats --json` document of the window',
  ...obj({
    period_days: { ...NUMBER, description: 'days of the window (a fraction for a window given by times)' },
    from: ISO_TIME,
    until: { ...ISO_TIME, description: 'exclusive end of the window' },
    log_end: LOG_END,
    total_updates: COUNT,
    succeeded: COUNT,
    failed: COUNT,
    in_flight: COUNT,
    update_reasons: { type: 'array', items: obj({ reason: { type: 'string', enum: [...REASONS] }, label: { type: 'string' }, count: COUNT }) },
    market_phases: phaseCounts,
    avg_interval_hours: obj({
      overall: { type: 'number', nullable: true },
      by_stock: { type: 'object', additionalProperties: NUMBER },
    }),
    by_stock: {
      type: 'array',
      items: obj({ stock_code: { type: 'string' }, updates: COUNT, succeeded: COUNT, failed: COUNT, updates_per_day: NUMBER }),
    },
    duration_seconds: durationSchema,
    duration_seconds_by_phase: obj(Object.fromEntries(PHASES.map((p) => [p, durationSchema]))),
  }),
} as const;

export const costSchema = {
  description: 'The `cost --json` document of the window',
  ...obj({
    from: ISO_TIME,
    until: ISO_TIME,
    log_end: LOG_END,
    price_per_call: NUMBER,
    calls_source: { type: 'string', enum: ['llm_cost_lines', 'generation_lines'] },
    total_calls: COUNT,
    total_cost_usd: NUMBER,
    days: { type: 'array', items: obj({ date: DAY, calls: COUNT, cost_usd: NUMBER, updates: COUNT }) },
    by_stock: { type: 'array', items: obj({ stock_code: { type: 'string' }, calls: COUNT, cost_usd: NUMBER, updates_per_day: NUMBER }) },
    projected_30d_cost_usd: NUMBER,
  }),
} as const;

const checkStatus = { type: 'string', enum: ['pass', 'fail', 'not_exercised'] } as const;
const runStatus = { type: 'string', enum: ['pass', 'fail', 'inconclusive'] } as const;

export const day1Schema = {
  description: 'The `verify day1 --json` document (the verdict is in `status`; the HTTP status is 200 whatever it is)',
  ...obj(
    {
      kind: { type: 'string', enum: ['day1'] },
      date: DAY,
      status: runStatus,
      checks: {
        type: 'array',
        items: obj(
          {
            id: { type: 'string', enum: [...DAY1_CHECK_IDS] },
            status: checkStatus,
            evidence_count: COUNT,
            violation_count: COUNT,
            violations: {
              type: 'array',
              items: obj({ ts: ISO_TIME, stock_code: { type: 'string' }, message: { type: 'string' } }),
            },
          },
          ['id', 'status', 'evidence_count', 'violation_count', 'violations'],
        ),
      },
    },
    ['kind', 'date', 'status', 'checks'],
  ),
} as const;

export const weekSchema = {
  description: 'The `verify week --json` document (the verdict is in `status`)',
  ...obj(
    {
      kind: { type: 'string', enum: ['week'] },
      from: DAY,
      to: DAY,
      status: runStatus,
      checks: {
        type: 'array',
        items: obj(
          {
            id: { type: 'string', enum: [...WEEK_CHECK_IDS] },
            status: checkStatus,
            days: {
              type: 'array',
              items: obj({ date: DAY, value: { type: 'number', nullable: true }, status: { type: 'string', enum: ['pass', 'fail', 'no_data', 'market_closed'] } }),
            },
          },
          ['id', 'status', 'days'],
        ),
      },
    },
    ['kind', 'from', 'to', 'status', 'checks'],
  ),
} as const;

export const anomaliesSchema = {
  description: 'The `anomalies --json` document (an empty list when nothing was found)',
  ...obj({
    from: ISO_TIME,
    until: ISO_TIME,
    log_end: LOG_END,
    anomalies: {
      type: 'array',
      items: obj(
        {
          kind: { type: 'string', enum: [...ANOMALY_KINDS] },
          stock_code: { type: 'string', nullable: true },
          first_ts: ISO_TIME,
          last_ts: ISO_TIME,
          count: COUNT,
          mode: { type: 'string', enum: ['single', 'ab'], description: 'silent_failure: the generation mode whose placeholder report was saved' },
          detail: { type: 'string' },
          llm_calls: { ...COUNT, description: "LLM calls the anomaly's attempts made (absent for phase_mismatch and stale_logs)" },
          cost_usd: NUMBER,
          new: { type: 'boolean', description: 'not posted by an earlier run of anomalies --notify-webhook' },
        },
        ['kind', 'stock_code', 'first_ts', 'last_ts', 'count', 'detail'],
      ),
    },
  }),
} as const;

export const healthSchema = {
  description: 'The server is up and its store answers',
  ...obj({ status: { type: 'string', enum: ['ok'] }, log_end: { ...ISO_TIME, nullable: true, description: 'the log end, null for an empty store' } }),
} as const;

export const textSchema = (description: string, mediaType: string) => ({
  description,
  content: { [mediaType]: { schema: { type: 'string' } } },
});

export const attemptsSchema = {
  description: 'The `attempts --json` document: one row per attempt of the window, oldest first',
  ...obj({
    from: ISO_TIME,
    until: { ...ISO_TIME, description: 'exclusive end of the window' },
    log_end: { ...ISO_TIME, nullable: true },
    attempts: {
      type: 'array',
      items: obj({
        ts: ISO_TIME,
        stock_code: { type: 'string' },
        reason: { type: 'string', enum: [...REASONS] },
        reason_text: { type: 'string' },
        phase: { type: 'string', enum: [...PHASES] },
        outcome: { type: 'string', enum: ['succeeded', 'failed', 'in_flight'] },
        abandoned: { type: 'boolean' },
        silent_failure: { type: 'boolean' },
        completed_ts: { ...ISO_TIME, nullable: true },
        duration_s: SECONDS,
        llm_calls: COUNT,
        cost_usd: NUMBER,
        error: { type: 'string', nullable: true },
      }),
    },
  }),
} as const;
