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
import { MAX_WEEK_DAYS, verifyWeek } from '../analysis/verify-week.js';
import type { Config } from '../config.js';
import { CliError } from '../errors.js';
import { PgError } from '../store/postgres.js';
import { storeFault } from '../store/store.js';
import { addDays, daysBetween, isoKst } from '../market/time.js';
import { parseWindow } from '../market/window.js';
import { listAttempts, parseFilters } from '../analysis/attempt-list.js';
import { DATE, DAYS, FROM, OUTCOME, PRICE_PER_CALL, REASON, SINCE, STOCK, TO, UNTIL } from '../params.js';
import { PROMETHEUS_CONTENT_TYPE, renderPrometheus } from '../render/prometheus.js';
import type { Database } from '../store/schema.js';
import {
  anomaliesSchema,
  attemptsSchema,
  costSchema,
  day1Schema,
  errorSchema,
  healthSchema,
  statsSchema,
  textSchema,
  weekSchema,
} from './openapi.js';
import { compileQuery, querySchema, type QueryParams } from './query.js';
import { registerWhatIf } from './whatif-route.js';

export interface AppOptions {
  db: Kysely<Database>;
  config: Config;
  now: () => number;
  /** When set, every endpoint but /healthz requires `Authorization: Bearer <token>`. */
  token?: string | null;
  version?: string;
  /** One line per request (method, URL, status, time), for the server's stderr. */
  log?: (line: string) => void;
  limits?: Partial<ServerLimits>;
}

/**
 * What one client may hold: a slow or half-sent request is cut off (408) after the header or
 * request timeout, an idle keep-alive connection after its timeout, and connections beyond the
 * cap are refused, so that slow clients cannot stall the server or use up its descriptors.
 */
export interface ServerLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** A connection with no traffic at all (not even a response being computed) for this long is closed. */
  idleTimeoutMs: number;
  /** Below a normal descriptor limit (1024), with room for the store and logs. */
  maxConnections: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 120_000,
  maxConnections: 512,
};

// The defaults of the matching commands: stats/cost a week, anomalies a day (a cron's look-back).
const STATS_DAYS = 7;
const ANOMALY_DAYS = 1;
const ATTEMPT_DAYS = 1;

/** A request the server understood but cannot answer as asked: 400 with the reason. */
class BadRequest extends Error {}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { db, config, now } = options;
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const app = Fastify({
    logger: false,
    connectionTimeout: limits.idleTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    // Node checks the header and request timeouts only this often (30 s by default).
    http: { headersTimeout: limits.headersTimeoutMs, requestTimeout: limits.requestTimeoutMs, connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs) },
  });
  app.server.maxConnections = limits.maxConnections;
  // Query strings are parsed by the parameters' definitions, as the CLI parses its flags (query.ts).
  app.setValidatorCompiler(compileQuery as never);
  // Documents go out exactly as the analysis built them: a response schema must never drop a field.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  app.setErrorHandler((error: FastifyError, request, reply) => {
    // The store failing (PostgreSQL gone, a corrupt page) is not the client's fault, and not a bug
    // worth a stack: 503 and one line, and the next request tries again.
    const fault = error instanceof PgError ? error : storeFault(error);
    if (fault && (error instanceof PgError || !(error instanceof CliError))) {
      options.log?.(`error: ${request.method} ${request.url}: ${fault.message}`);
      return reply.code(503).send({ error: `store unavailable: ${fault.message}` });
    }
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
  const windowParams = (defaultDays: number): QueryParams => [[DAYS, defaultDays], SINCE, UNTIL];
  // `days` has a default in the schema, so whether the request gave it is read off the URL: with `since` it is an error.
  const window = (request: { url: string; query: unknown }, defaultDays: number) => {
    const q = request.query as { days?: number; since?: string; until?: string };
    const daysGiven = new URLSearchParams(request.url.split('?')[1] ?? '').has('days');
    return parseWindow({ days: q.since === undefined || daysGiven ? q.days : undefined, since: q.since, until: q.until }, now(), defaultDays);
  };


  app.get(
    '/admin/report-updates/stats',
    {
      schema: {
        summary: 'Report update statistics (stats --json)',
        tags: ['reports'],
        querystring: querySchema(windowParams(STATS_DAYS)),
        response: { 200: statsSchema, ...failures },
      },
    },
    async (request) => computeStats(db, window(request, STATS_DAYS)),
  );

  app.get(
    '/admin/report-updates/cost',
    {
      schema: {
        summary: 'LLM calls and their cost (cost --json)',
        tags: ['reports'],
        querystring: querySchema([...windowParams(STATS_DAYS), PRICE_PER_CALL]),
        response: { 200: costSchema, ...failures },
      },
    },
    async (request) => {
      const q = request.query as { price_per_call?: number };
      return computeCost(db, window(request, STATS_DAYS), q.price_per_call ?? config.pricePerCall);
    },
  );

  app.get(
    '/admin/report-updates/attempts',
    {
      schema: {
        summary: 'Every update attempt of the window, filtered (attempts --json)',
        tags: ['reports'],
        querystring: querySchema([STOCK, ...windowParams(ATTEMPT_DAYS), REASON, OUTCOME, PRICE_PER_CALL]),
        response: { 200: attemptsSchema, ...failures },
      },
    },
    async (request) => {
      const q = request.query as { stock?: string; reason?: string; outcome?: string; price_per_call?: number };
      const filters = parseFilters(q, '');
      return listAttempts(db, window(request, ATTEMPT_DAYS), filters, q.price_per_call ?? config.pricePerCall);
    },
  );

  registerWhatIf(app, { db, config, window, windowParams, failures, defaultDays: STATS_DAYS });

  app.get(
    '/admin/verify/day1',
    {
      schema: {
        summary: 'The Day 1 scenarios of one KST day (verify day1 --json)',
        tags: ['verify'],
        querystring: querySchema([DATE]),
        response: { 200: day1Schema, ...failures },
      },
    },
    async (request) => {
      const q = request.query as { date?: string };
      const day = q.date ?? (await defaultDay1Date(db, now())).date;
      return verifyDay1(db, day, config.rules);
    },
  );

  app.get(
    '/admin/verify/week',
    {
      schema: {
        summary: 'The Day 2–7 metrics, a verdict per KST day (verify week --json)',
        tags: ['verify'],
        querystring: querySchema([FROM, TO], ['from']),
        response: { 200: weekSchema, ...failures },
      },
    },
    async (request) => {
      const q = request.query as { from: string; to?: string };
      const from = q.from;
      const to = q.to ?? addDays(from, 5);
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
        querystring: querySchema(windowParams(ANOMALY_DAYS)),
        response: { 200: anomaliesSchema, ...failures },
      },
    },
    async (request) => markNew(db, await findAnomalies(db, window(request, ANOMALY_DAYS), config, now())),
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
      const text = await renderPrometheus(await collectMetrics(db, config.pricePerCall, config.anomalies));
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
        return reply.code(503).send({ error: `store unavailable: ${(storeFault(error) ?? (error as Error)).message}` });
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
