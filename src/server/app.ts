/**
 * The HTTP API of `craveny-ops serve`, as a fastify app factory (tests use app.inject).
 * Every endpoint returns what the matching command prints with --json, computed by the same
 * analysis function on each request; the store is opened once by the caller and shared.
 */
import crypto from 'node:crypto';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { markNew } from '../analysis/alert-once.js';
import { findAnomalies } from '../analysis/anomalies.js';
import { logEnd } from '../analysis/attempts.js';
import { computeCost } from '../analysis/cost.js';
import { collectMetrics } from '../analysis/metrics.js';
import { computeStats } from '../analysis/stats.js';
import { defaultDay1Date, verifyDay1 } from '../analysis/verify-day1.js';
import { verifyWeek } from '../analysis/verify-week.js';
import type { Config } from '../config.js';
import { CliError } from '../errors.js';
import { addDays, daysBetween, isoKst, kstDay, parseDay, windowOf } from '../market/time.js';
import { PROMETHEUS_CONTENT_TYPE, renderPrometheus } from '../render/prometheus.js';
import type { Database } from '../store/schema.js';
import {
  anomaliesSchema,
  costSchema,
  day1Schema,
  days,
  errorSchema,
  healthSchema,
  querystring,
  statsSchema,
  textSchema,
  until,
  weekSchema,
} from './openapi.js';

export interface AppOptions {
  db: Kysely<Database>;
  config: Config;
  now: () => number;
  /** When set, every endpoint but /healthz requires `Authorization: Bearer <token>`. */
  token?: string | null;
  version?: string;
  /** One line per request (method, URL, status, time), for the server's stderr. */
  log?: (line: string) => void;
}

// The defaults of the matching commands: stats/cost a week, anomalies a day (a cron's look-back).
const STATS_DAYS = 7;
const ANOMALY_DAYS = 1;
const MAX_WEEK_DAYS = 30;

/** A request the server understood but cannot answer as asked: 400 with the reason. */
class BadRequest extends Error {}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { db, config, now } = options;
  const app = Fastify({
    logger: false,
    // Unknown query parameters are rejected (see openapi.ts), not silently removed.
    ajv: { customOptions: { removeAdditional: false } },
  });
  // Documents go out exactly as the analysis built them: a response schema must never drop a field.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation) return reply.code(400).send({ error: validationMessage(error) });
    if (error instanceof BadRequest || error instanceof CliError) return reply.code(400).send({ error: error.message.replace(/^--/, '') });
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) return reply.code(error.statusCode).send({ error: error.message });
    options.log?.(`error: ${request.method} ${request.url}: ${error.stack ?? error.message}`);
    return reply.code(500).send({ error: 'internal error; see the server log' });
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: `no such endpoint: ${request.method} ${request.url.split('?')[0]}` }));

  if (options.token) {
    const expected = digest(options.token);
    app.addHook('onRequest', async (request, reply) => {
      if (request.url === '/healthz' || request.url.startsWith('/healthz?')) return;
      const match = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '');
      // Hashes have equal length, so the comparison takes the same time whatever was sent.
      if (!match || !crypto.timingSafeEqual(digest(match[1].trim()), expected)) {
        reply.header('www-authenticate', 'Bearer');
        return reply.code(401).send({ error: 'missing or wrong bearer token (send Authorization: Bearer <token>)' });
      }
    });
  }
  if (options.log) {
    const log = options.log;
    app.addHook('onResponse', async (request, reply) => {
      log(`${request.method} ${request.url} ${reply.statusCode} ${reply.elapsedTime.toFixed(0)}ms`);
    });
  }

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'craveny-ops',
        version: options.version ?? '0.0.0',
        description:
          'Report update statistics, LLM cost, verification verdicts, anomalies and Prometheus metrics of the craveny backend, ' +
          'read from its ingested logs. Every JSON document is the one the matching command prints with --json. Times are in Asia/Seoul.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: options.token ? [{ bearer: [] }] : [],
    },
  });
  await app.register(fastifySwaggerUi, {
    routePrefix: '/docs',
    // No calls to validator.swagger.io: the docs page works on an offline network.
    uiConfig: { validatorUrl: null, docExpansion: 'list', deepLinking: false },
  } as never);

  const failures = { 400: errorSchema, ...(options.token ? { 401: errorSchema } : {}) };
  const window = (q: { days: number; until?: string }) => windowOf(q.days, q.until === undefined ? kstDay(now()) : parseDay(q.until, 'until'));

  app.get(
    '/admin/report-updates/stats',
    {
      schema: {
        summary: 'Report update statistics (stats --json)',
        tags: ['reports'],
        querystring: querystring({ days: days(STATS_DAYS), until }),
        response: { 200: statsSchema, ...failures },
      },
    },
    async (request) => computeStats(db, window(request.query as { days: number; until?: string })),
  );

  app.get(
    '/admin/report-updates/cost',
    {
      schema: {
        summary: 'LLM calls and their cost (cost --json)',
        tags: ['reports'],
        querystring: querystring({
          days: days(STATS_DAYS),
          until,
          price_per_call: { type: 'number', minimum: 0, description: "USD per call (default: the config's pricePerCall, else each line's estimate, else 0.001)" },
        }),
        response: { 200: costSchema, ...failures },
      },
    },
    async (request) => {
      const q = request.query as { days: number; until?: string; price_per_call?: number };
      return computeCost(db, window(q), q.price_per_call ?? config.pricePerCall);
    },
  );

  app.get(
    '/admin/verify/day1',
    {
      schema: {
        summary: 'The Day 1 scenarios of one KST day (verify day1 --json)',
        tags: ['verify'],
        querystring: querystring({ date: { ...until, description: 'the KST day (default: the latest KRX trading day with data in the store)' } }),
        response: { 200: day1Schema, ...failures },
      },
    },
    async (request) => {
      const q = request.query as { date?: string };
      const day = q.date === undefined ? (await defaultDay1Date(db, now())).date : parseDay(q.date, 'date');
      return verifyDay1(db, day, config.rules);
    },
  );

  app.get(
    '/admin/verify/week',
    {
      schema: {
        summary: 'The Day 2–7 metrics, a verdict per KST day (verify week --json)',
        tags: ['verify'],
        querystring: querystring({ from: { ...until, description: 'the first KST day' }, to: { ...until, description: 'the last KST day, inclusive (default: from + 5)' } }, ['from']),
        response: { 200: weekSchema, ...failures },
      },
    },
    async (request) => {
      const q = request.query as { from: string; to?: string };
      const from = parseDay(q.from, 'from');
      const to = q.to === undefined ? addDays(from, 5) : parseDay(q.to, 'to');
      if (to < from) throw new BadRequest(`to ${to} is before from ${from}`);
      const span = daysBetween(from, to).length;
      if (span > MAX_WEEK_DAYS) throw new BadRequest(`from ${from} to ${to} spans ${span} days; at most ${MAX_WEEK_DAYS}`);
      return verifyWeek(db, from, to, config);
    },
  );

  app.get(
    '/admin/anomalies',
    {
      schema: {
        summary: 'Update storms, repeated triggers, failure spikes, silent failures, rule violations (anomalies --json)',
        tags: ['verify'],
        querystring: querystring({ days: days(ANOMALY_DAYS), until }),
        response: { 200: anomaliesSchema, ...failures },
      },
    },
    async (request) => markNew(db, await findAnomalies(db, window(request.query as { days: number; until?: string }), config, now())),
  );

  app.get(
    '/metrics',
    {
      schema: {
        summary: 'Prometheus metrics: counters over the whole store, gauges at the log end',
        tags: ['monitoring'],
        response: { 200: textSchema('Prometheus text exposition format 0.0.4', 'text/plain') },
      },
    },
    async (_request, reply) => {
      const text = await renderPrometheus(await collectMetrics(db, config.pricePerCall));
      return reply.type(PROMETHEUS_CONTENT_TYPE).send(text);
    },
  );

  app.get(
    '/healthz',
    {
      schema: {
        summary: 'Liveness: the server is up and its store answers (never needs the token)',
        tags: ['monitoring'],
        security: [],
        response: { 200: healthSchema, 503: errorSchema },
      },
    },
    async (_request, reply) => {
      try {
        const end = await logEnd(db);
        return { status: 'ok', log_end: end === null ? null : isoKst(end) };
      } catch (error) {
        return reply.code(503).send({ error: `store unavailable: ${(error as Error).message}` });
      }
    },
  );

  app.get(
    '/openapi.json',
    { schema: { summary: 'This OpenAPI document', tags: ['monitoring'], response: { 200: { description: 'OpenAPI 3.0 document', type: 'object' } } } },
    async () => app.swagger(),
  );

  return app;
}

/** `query parameter days must be <= 30`, naming the parameter even where ajv's own message does not. */
function validationMessage(error: FastifyError): string {
  const first = error.validation?.[0];
  if (!first) return error.message;
  const params = first.params as { additionalProperty?: string; missingProperty?: string };
  if (params.additionalProperty) return `unknown query parameter ${params.additionalProperty}`;
  if (params.missingProperty) return `query parameter ${params.missingProperty} is required`;
  const name = first.instancePath.replace(/^\//, '');
  return name ? `query parameter ${name} ${first.message}` : `query ${first.message}`;
}

const digest = (text: string) => crypto.createHash('sha256').update(text).digest();
