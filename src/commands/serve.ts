/** `craveny-ops serve`: the admin API, /metrics and the OpenAPI docs over HTTP until SIGINT/SIGTERM. */
import net from 'node:net';
import type { Command } from 'commander';
import { CliError, UsageError } from '../errors.js';
import { openStore } from '../store/store.js';
import { configOf, storeSpecOf, type Context } from './context.js';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8765;
const MIN_TOKEN_LENGTH = 16;

interface ServeFlags {
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
    .action(async (flags: ServeFlags, command: Command) => {
      const options = parseServeOptions(flags, ctx.env);
      const config = await configOf(command, ctx);
      const store = await openStore(storeSpecOf(command, ctx, config), { create: false });
      try {
        // Loaded here, not at the top: fastify and swagger would slow every other command's start.
        const { buildApp } = await import('../server/app.js');
        const app = await buildApp({ db: store.db, config, now: ctx.now, token: options.token, version: program.version(), log: (line) => ctx.io.err(line) });
        let address: string;
        try {
          address = await app.listen({ host: options.host, port: options.port });
        } catch (error) {
          await app.close();
          throw new CliError(`cannot listen on ${options.host}:${options.port}: ${(error as Error).message}`, 2);
        }
        ctx.io.err(`craveny-ops: serving ${store.location} at ${address} (API docs ${address}/docs, metrics ${address}/metrics); Ctrl-C stops`);
        const signal = await stopSignal();
        ctx.io.err(`craveny-ops: ${signal}: finishing open requests and stopping`);
        await app.close();
      } finally {
        await store.close();
      }
    });
}

function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
