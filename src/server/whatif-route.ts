/**
 * `GET /admin/report-updates/whatif`: the `whatif --json` document, with the command's parameters
 * (`set` repeated, `rules` as the JSON of a rules file, `fix_prediction_cap`), checked by the same
 * code as the CLI's flags (analysis/whatif-rules.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { computeWhatIf } from '../analysis/whatif-read.js';
import { parseRulesDocument, whatIfRules } from '../analysis/whatif-rules.js';
import type { Config } from '../config.js';
import { UsageError } from '../errors.js';
import type { Window } from '../market/time.js';
import type { Database } from '../store/schema.js';
import { FIX_PREDICTION_CAP, PRICE_PER_CALL, RULES, SET } from '../params.js';
import { querySchema, type QueryParams } from './query.js';
import { whatIfSchema } from './openapi-whatif.js';

interface WhatIfQuery {
  set?: string[];
  rules?: string;
  fix_prediction_cap?: boolean;
  price_per_call?: number;
}

export function registerWhatIf(
  app: FastifyInstance,
  options: { db: Kysely<Database>; config: Config; window: (request: { url: string; query: unknown }, defaultDays: number) => Window;
    windowParams: (defaultDays: number) => QueryParams; failures: Record<number, unknown>; defaultDays: number },
): void {
  const { db, config } = options;
  app.get(
    '/admin/report-updates/whatif',
    {
      schema: {
        summary: 'The window replayed under other trigger rules: calls, cost and freshness, actual vs what-if (whatif --json)',
        tags: ['reports'],
        querystring: querySchema([...options.windowParams(options.defaultDays), SET, RULES, FIX_PREDICTION_CAP, PRICE_PER_CALL]),
        response: { 200: whatIfSchema, ...options.failures },
      },
    },
    async (request) => {
      const q = request.query as WhatIfQuery;
      const sets = q.set ?? [];
      if (q.rules !== undefined && sets.length) throw new UsageError('rules and set exclude each other');
      if (q.rules === undefined && !sets.length && !q.fix_prediction_cap) throw new UsageError('nothing to replay: give rules, set or fix_prediction_cap=true');
      let document = null;
      if (q.rules !== undefined) {
        let raw: unknown;
        try {
          raw = JSON.parse(q.rules);
        } catch (error) {
          throw new UsageError(`query parameter rules: ${(error as Error).message}`);
        }
        document = await parseRulesDocument(raw, 'query parameter rules');
      }
      const rules = whatIfRules(config.rules, document, sets);
      return computeWhatIf(db, options.window(request, options.defaultDays), {
        rules,
        actualRules: config.rules,
        fixPredictionCap: q.fix_prediction_cap === true,
        pricePerCall: q.price_per_call ?? config.pricePerCall,
      });
    },
  );
}
