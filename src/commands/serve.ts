/** `craveny-ops serve`: the admin API, /metrics and the OpenAPI docs over HTTP until SIGINT/SIGTERM. */
import net from 'node:net';
import type { Command } from 'commander';
import { CliError, UsageError } from '../errors.js';
import { visible } from '../render/text.js';
import { openStore } from '../store/store.js';
import { follow, parseInterval, stopOnSignals } from '../ingest/follow.js';
import type { IngestSummary } from '../ingest/ingest.js';
import { assertTimeZone, KST_ZONE } from '../market/time.js';
import { configOf, storeSpecOf, type Context } from './context.js';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8765;
const MIN_TOKEN_LENGTH = 16;

interface ServeFlags {
  follow?: string[];
  interval?: string;
  logTz?: string;
  sourceHost?: string;
  host?: string;
  port?: string;
  token?: string;
}

export interface ServeOptions {
  host: string;
  port: number;
  token: string | null;
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return net.isIPv4(host) && host.startsWith('127.');
}

/** The token comes from --token or $CRAVENY_OPS_TOKEN (which keeps it out of `ps`). */
export function parseServeOptions(flags: ServeFlags, env: NodeJS.ProcessEnv): ServeOptions {
  const host = flags.host ?? DEFAULT_HOST;
  const portText = flags.port ?? String(DEFAULT_PORT);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65_535) throw new UsageError(`--port must be a TCP port from 0 to 65535, got '${portText}'`);
  const token = flags.token ?? env.CRAVENY_OPS_TOKEN ?? null;
  if (token !== null && token.length < MIN_TOKEN_LENGTH) throw new UsageError(`--token must be at least ${MIN_TOKEN_LENGTH} characters (try: openssl rand -hex 24)`);
  if (!isLoopback(host) && token === null) {
    throw new UsageError(`refusing to serve on ${host}, which is not a loopback address, without an access token: pass --token or set CRAVENY_OPS_TOKEN`);
  }
  return { host, port, token };
}

export function register(program: Command, ctx: Context): void {
  program
    .command('serve')
    .description('serve the admin API (stats, cost, verify, anomalies), /metrics, /healthz and /openapi.json with docs at /docs')
    .option('--host <address>', `address to listen on (default ${DEFAULT_HOST}; a non-loopback address needs a token)`)
    .option('--port <n>', `TCP port, 0 for any free one (default ${DEFAULT_PORT})`)
    .option('--token <token>', 'require Authorization: Bearer <token> on every endpoint but /healthz (env CRAVENY_OPS_TOKEN)')
    .option('--follow <files...>', 'also ingest these log files as ingest --follow does, so that /metrics and the API are live')
    .option('--interval <duration>', 'with --follow: how often to look (5s, 500ms, 1m; default 5s)')
    .option('--log-tz <zone>', `with --follow: IANA time zone of the log's timestamps (default ${KST_ZONE})`)
    .option('--source-host <name>', 'with --follow: the host these logs come from (default: this machine)')
    .action(async (flags: ServeFlags, command: Command) => {
      const options = parseServeOptions(flags, ctx.env);
      const config = await configOf(command, ctx);
      const following = flags.follow ?? [];
      if (following.includes('-')) throw new UsageError('--follow reads files, not stdin (-)');
      if (!following.length && (flags.interval ?? flags.logTz ?? flags.sourceHost) !== undefined) throw new UsageError('--interval, --log-tz and --source-host need --follow');
      const intervalMs = parseInterval(flags.interval);
      const logTz = assertTimeZone(flags.logTz ?? config.logTz ?? KST_ZONE);
      // Following logs may start a new store; only reading refuses to make one.
      const store = await openStore(storeSpecOf(command, ctx, config), { create: following.length > 0 });
      try {
        // Loaded here, not at the top: fastify and swagger would slow every other command's start.
        const { buildApp } = await import('../server/app.js');
        const app = await buildApp({ db: store.db, config, now: ctx.now, token: options.token, version: program.version(), log: (line) => ctx.io.err(visible(line)) });
        let address: string;
        try {
          await app.listen({ host: options.host, port: options.port });
          address = boundAddress(app.server.address());
        } catch (error) {
          await app.close();
          throw new CliError(`cannot listen on ${options.host}:${options.port}: ${(error as Error).message}`, 2);
        }
        ctx.io.err(`craveny-ops: serving ${store.location} at ${address} (API docs ${address}/docs, metrics ${address}/metrics); Ctrl-C stops`);
        const stop = stopOnSignals((signal) => ctx.io.err(`craveny-ops: ${signal}: finishing open requests${following.length ? ' and the current batch' : ''} and stopping`));
        try {
          const host = flags.sourceHost ?? ctx.hostname;
          const onRound = (summary: IngestSummary) => {
            for (const f of summary.files) if (f.error) ctx.io.err(`warning: ${visible(f.error)}`);
            if (summary.records_added > 0) ctx.io.err(`craveny-ops: ingested ${summary.records_added} records`);
          };
          if (following.length) {
            // A connection of its own: the API's reads then see only committed batches, never one
            // half-written (on SQLite a read on the writing connection would see inside its transaction).
            const writer = await openStore(storeSpecOf(command, ctx, config), { create: true });
            try {
              await follow(writer, following, { logTz, host, now: ctx.now, intervalMs, signal: stop.signal, onRound });
            } finally {
              await writer.close();
            }
          } else {
            await new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve(), { once: true }));
          }
        } finally {
          stop.release();
          await app.close();
        }
      } finally {
        await store.close();
      }
    });
}

/**
 * The URL of the address actually bound: fastify's own answer names 127.0.0.1 when bound to
 * every interface, which sent readers to the wrong place.
 */
export function boundAddress(bound: string | net.AddressInfo | null): string {
  if (bound === null || typeof bound === 'string') return String(bound);
  const host = bound.family === 'IPv6' || bound.address.includes(':') ? `[${bound.address}]` : bound.address;
  return `http://${host}:${bound.port}`;
}
