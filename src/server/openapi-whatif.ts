/** The JSON Schema of the `whatif --json` document, for /openapi.json (see openapi.ts). */
import { REASONS } from '../logs/record.js';
import { PHASES } from '../market/rules.js';

const ISO_TIME = { type: 'string', format: 'date-time', description: 'ISO 8601 in Asia/Seoul (+09:00)' } as const;
const DAY = { type: 'string', format: 'date', description: 'a KST calendar day, YYYY-MM-DD' } as const;
const COUNT = { type: 'integer', minimum: 0 } as const;
const NUMBER = { type: 'number' } as const;
const obj = (properties: Record<string, unknown>, required = Object.keys(properties)) => ({ type: 'object', properties, required });

const rules = obj(
  Object.fromEntries(
    PHASES.map((p) => [p, obj({ ttlHours: NUMBER, priceThreshold: NUMBER, directionThreshold: NUMBER, priceTriggerActive: { type: 'boolean' } })]),
  ),
);
const figures = obj({
  attempts: { ...NUMBER, description: 'update attempts' },
  by_reason: obj(Object.fromEntries(REASONS.map((r) => [r, COUNT]))),
  llm_calls: { ...NUMBER, description: 'LLM calls; fractional where the what-if adds attempts the log lacks (the window\'s calls per attempt)' },
  cost_usd: NUMBER,
  avg_freshness_hours: { ...NUMBER, nullable: true, description: 'as avg_freshness_hours of verify week, over the span' },
});

export const whatIfSchema = {
  description: 'The `whatif --json` document: actual vs what-if, in total and per day',
  ...obj(
    {
      from: ISO_TIME,
      until: { ...ISO_TIME, description: 'exclusive end of the window' },
      log_end: { ...ISO_TIME, nullable: true },
      rules: { ...rules, description: 'the what-if rule table' },
      fix_prediction_cap: { type: 'boolean' },
      exact: { type: 'boolean', description: 'false when the what-if figures are bounds (inexact_because says why)' },
      inexact_because: { type: 'string', nullable: true },
      actual: figures,
      whatif: figures,
      delta: obj({ attempts: { type: 'integer' }, llm_calls: NUMBER, cost_usd: NUMBER, avg_freshness_hours: { ...NUMBER, nullable: true } }),
      days: { type: 'array', items: obj({ date: DAY, actual: figures, whatif: figures, exact: { type: 'boolean' } }) },
      calls_source: { type: 'string', enum: ['llm_cost_lines', 'generation_lines'] },
      assumed: obj({ duration_s: NUMBER, llm_calls_per_attempt: NUMBER, cost_per_call_usd: NUMBER }),
      changed: obj({ dropped: COUNT, added: COUNT, reason_changed: COUNT }),
      logged_rules: { ...rules, description: 'the rules the log shows: the most printed TTL and thresholds per phase, else the config\'s' },
    },
    ['from', 'until', 'log_end', 'rules', 'exact', 'inexact_because', 'actual', 'whatif', 'delta', 'days'],
  ),
} as const;
