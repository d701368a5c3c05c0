/** The shape of the configuration file, checked by zod (see config.ts). */
import { z } from 'zod';
import { PHASES } from './market/rules.js';
import { MAX_PRICE_PER_CALL } from './params.js';

const positive = z.number().positive();
const phaseRule = z
  .object({
    ttlHours: positive,
    priceThreshold: positive,
    directionThreshold: positive,
    priceTriggerActive: z.boolean(),
  })
  .partial()
  .strict();

const range = z.object({ min: z.number().nonnegative().optional(), max: z.number().nonnegative().optional() }).strict();

export const configSchema = z
  .object({
    store: z.string().min(1),
    logTz: z.string().min(1),
    pricePerCall: z.number().nonnegative().max(MAX_PRICE_PER_CALL),
    rules: z.object(Object.fromEntries(PHASES.map((p) => [p, phaseRule.optional()]))).strict(),
    week: z
      .object({
        updatesPerStock: range,
        // The rate must be above it, and no rate is above 1.
        minSuccessRate: z.number().min(0).lt(1),
        callsPerStock: range,
        maxFreshnessHours: positive,
        judgeMarketClosedDays: z.boolean(),
      })
      .partial()
      .strict(),
    anomalies: z
      .object({
        stormAttempts: z.number().int().positive(),
        stormWindowMinutes: positive,
        failureSpikeCount: z.number().int().positive(),
        failureWindowMinutes: positive,
        maxLogSilenceMinutes: positive,
      })
      .partial()
      .strict(),
  })
  .partial()
  .strict();
