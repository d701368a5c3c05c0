/** What every command gets: its streams, environment, clock and the global options. */
import os from 'node:os';
import type { Command } from 'commander';
import { loadConfig, type Config } from '../config.js';
import { DEFAULT_STORE, openStore, storeFault, type Store } from '../store/store.js';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Colours, spinners and progress bars: only on a terminal and never with NO_COLOR. */
  color: boolean;
  stderrIsTTY: boolean;
  /** The terminal's columns when stdout is one; unset in a pipe (layouts then take a stable 80). */
  width?: number;
}

/**
 * Colours by the conventions: `--no-color` always wins; FORCE_COLOR (set, and not 0 or false)
 * colours even a pipe; NO_COLOR (set and not empty) and TERM=dumb switch them off; else a
 * terminal gets them.
 */
export function colorWanted(isTTY: boolean, env: NodeJS.ProcessEnv, noColorFlag = false): boolean {
  if (noColorFlag) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !/^(0|false)$/i.test(force.trim());
  if (env.NO_COLOR) return false;
  if (env.TERM === 'dumb') return false;
  return isTTY;
}

/** Spinners and progress bars redraw lines: a real terminal only, never dumb, never with NO_COLOR or --no-color. */
export function animationWanted(isTTY: boolean, env: NodeJS.ProcessEnv, noColorFlag = false): boolean {
  return isTTY && !noColorFlag && !env.NO_COLOR && env.TERM !== 'dumb';
}

export interface Context {
  io: Io;
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadableStream;
  now: () => number;
  hostname: string;
  /** The exit code the command asks for; the entry point is the only place that exits. */
  exitCode: number;
}

export function processContext(argv: readonly string[] = []): Context {
  const tty = process.stdout.isTTY === true;
  const noColor = argv.includes('--no-color');
  return {
    io: {
      out: (text) => process.stdout.write(text.endsWith('\n') ? text : text + '\n'),
      err: (text) => process.stderr.write(text.endsWith('\n') ? text : text + '\n'),
      color: colorWanted(tty, process.env, noColor),
      stderrIsTTY: animationWanted(process.stderr.isTTY === true, process.env, noColor),
      width: tty ? process.stdout.columns : undefined,
    },
    env: process.env,
    // A getter: Node builds the stdin stream on first use, which costs a command that never reads it ~2 ms.
    get stdin() {
      return process.stdin;
    },
    now: () => Date.now(),
    hostname: os.hostname(),
    exitCode: 0,
  };
}

export interface GlobalOptions {
  db?: string;
  config?: string;
}

export async function configOf(command: Command, ctx: Context): Promise<Config> {
  return loadConfig((command.optsWithGlobals() as GlobalOptions).config, ctx.env);
}

/** --db, else $CRAVENY_OPS_DB, else the config's store, else ./craveny-ops.db. */
export function storeSpecOf(command: Command, ctx: Context, config: Config): string {
  return (command.optsWithGlobals() as GlobalOptions).db ?? ctx.env.CRAVENY_OPS_DB ?? config.store ?? DEFAULT_STORE;
}

/**
 * Opens the store (schema brought up to date), runs `fn`, and always closes it. A store fault
 * that `fn` meets (a corrupt page is found only by the query that reads it) becomes one line.
 * Only a command that writes logs into it passes `create`: the others never leave a new store file behind.
 */
export async function withStore<T>(spec: string, fn: (store: Store) => Promise<T>, options: { create?: boolean } = {}): Promise<T> {
  const store = await openStore(spec, { create: options.create === true });
  try {
    return await fn(store);
  } catch (error) {
    throw storeFault(error, store.location) ?? error;
  } finally {
    await store.close();
  }
}
