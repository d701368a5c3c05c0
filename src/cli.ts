/** The entry point: builds the program from src/commands, maps errors to exit codes, and exits. */
import fs from 'node:fs';
import { Command, CommanderError } from 'commander';
import { CliError, UsageError } from './errors.js';
import { processContext, type Context } from './commands/context.js';
import { helpAfterOptions } from './help.js';
import { visible } from './render/text.js';
import { storeFault } from './store/store.js';

interface CommandModule {
  register(program: Command, ctx: Context): void;
}

/**
 * A command whose module is loaded only when it runs (or for help): Node loads a graph of modules
 * at about a millisecond per file, so loading every command's libraries (charts, Prometheus, the
 * PostgreSQL driver, …) for every run cost more than Node's own start-up.
 */
interface LazyCommand {
  name: string;
  load: () => Promise<CommandModule>;
}

/** In help order. An entry is `{ name, load: () => import(…) }`; a plain imported module works too (always loaded). */
const COMMANDS: (CommandModule | LazyCommand)[] = [
  { name: 'migrate', load: () => import('./commands/migrate.js') },
  { name: 'ingest', load: () => import('./commands/ingest.js') },
  { name: 'stats', load: () => import('./commands/stats.js') },
  { name: 'cost', load: () => import('./commands/cost.js') },
  { name: 'verify', load: () => import('./commands/verify.js') },
  { name: 'anomalies', load: () => import('./commands/anomalies.js') },
  { name: 'attempts', load: () => import('./commands/attempts.js') },
  { name: 'whatif', load: () => import('./commands/whatif.js') },
  { name: 'report', load: () => import('./commands/report.js') },
  { name: 'serve', load: () => import('./commands/serve.js') },
  { name: 'metrics', load: () => import('./commands/metrics.js') },
  { name: 'freshness', load: () => import('./commands/freshness.js') },
  { name: 'backend', load: () => import('./commands/backend.js') },
];

/** Global options that take a value, so that the command name can be found before parsing. */
const GLOBAL_VALUE_OPTIONS = new Set(['--db', '--config']);

/** The command a run names, if any: the first argument that is not a global option or its value. */
function commandName(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') return argv[i + 1];
    if (GLOBAL_VALUE_OPTIONS.has(arg)) i++;
    else if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}

/** The modules to register: only the named command's, or all of them for help, typos and suggestions. */
export async function commandsFor(argv: string[]): Promise<CommandModule[]> {
  const name = commandName(argv);
  if (name === undefined && (argv.includes('-V') || argv.includes('--version'))) return [];
  const known = COMMANDS.some((c) => 'name' in c && c.name === name);
  const modules: CommandModule[] = [];
  for (const c of COMMANDS) {
    if (!('load' in c)) modules.push(c);
    else if (!known || c.name === name) modules.push(await c.load());
  }
  return modules;
}

/** The package version; package.json sits one level above src/ and two above dist/src/. */
function packageVersion(): string {
  for (const rel of ['../package.json', '../../package.json']) {
    const file = new URL(rel, import.meta.url);
    if (fs.existsSync(file)) return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
  }
  return '0.0.0';
}
const version = packageVersion();

/** The error prefix of every line the CLI prints about a failure. */
const PREFIX = 'craveny-ops: ';

/** `stats`, `verify day1`: the words a user types after `craveny-ops`. */
function pathOf(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Where a usage error sends the reader: the help of the command it came from. */
function helpPointer(command: Command): string {
  const path = pathOf(command);
  return `(see craveny-ops ${path ? `${path} ` : ''}--help)`;
}

/**
 * One mechanism for every command, so command modules only declare their options: help shows the
 * global options, examples and exit codes; errors (commander's too) are one line with one prefix,
 * ending with a pointer to the help of the command that was typed.
 */
function dressCommand(command: Command, ctx: Context): void {
  command
    .exitOverride()
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({
      writeOut: (s) => ctx.io.out(s),
      writeErr: (s) => ctx.io.err(s),
      outputError: (s, write) => write(`${PREFIX}${s.replace(/^error: /, '').trim().replace(/\s*\n\s*/g, ' ')} ${helpPointer(command)}\n`),
    })
    .addHelpText('after', helpAfterOptions(pathOf(command)));
  for (const sub of command.commands) dressCommand(sub, ctx);
}

export function buildProgram(ctx: Context, commands: CommandModule[]): Command {
  const program = new Command('craveny-ops')
    .description('Operations toolkit for the craveny stock-report backend: update statistics, LLM cost, verification and anomalies from its logs')
    .version(version, '-V, --version')
    .option('--db <path|url>', 'store: a SQLite file or postgres://… URL (env CRAVENY_OPS_DB; default ./craveny-ops.db)')
    .option('--config <file>', 'configuration file (env CRAVENY_OPS_CONFIG; default ./craveny-ops.config.json if present)')
    .option('--no-color', 'no colours, spinners or progress bars (also NO_COLOR=1 or TERM=dumb; FORCE_COLOR=1 colours a pipe)')
    .showSuggestionAfterError(true);
  for (const command of commands) command.register(program, ctx);
  dressCommand(program, ctx);
  return program;
}

/**
 * Exits once everything written to stdout and stderr has left the process. Into a pipe, Node
 * writes what the pipe takes at once (64 KiB) and queues the rest; process.exit drops the queue,
 * so `report --html - | cat` got the first 64 KiB. Every command exits through here.
 */
export async function exitWhenWritten(code: number): Promise<never> {
  await Promise.all([written(process.stdout), written(process.stderr)]);
  process.exit(code);
}

/** Resolves when what was written before has been handed to the system (or can never be: a closed pipe). */
function written(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || stream.writableLength === 0) return resolve();
    // A reader that went away (`| head`) ends the wait instead of failing the run.
    stream.once('error', () => resolve());
    // Writes complete in order: the callback of an empty one runs after all earlier ones.
    stream.write('', () => resolve());
  });
}

/** Runs the CLI and returns the exit code: 0 ok, 1 check failed or anomaly found, 2 usage or input error, 3 inconclusive. */
export async function main(argv: string[], ctx: Context = processContext()): Promise<number> {
  // Before any command runs: commander would only tell the command, and the context decides colours.
  if (argv.includes('--no-color')) ctx.io = { ...ctx.io, color: false, stderrIsTTY: false };
  const program = buildProgram(ctx, await commandsFor(argv));
  let running: Command = program;
  program.hook('preAction', (_program, command) => void (running = command));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return ctx.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are successes; every other commander error is a usage error.
      return error.exitCode === 0 ? 0 : 2;
    }
    // A message may quote what the user or a log gave (a flag's value, a file name): it is shown,
    // never obeyed, and stays one line.
    const expected = error instanceof CliError ? error : storeFault(error);
    if (expected) {
      // A usage error that names an option first is about how the command was typed: send the reader to its help.
      const pointer = expected instanceof UsageError && expected.message.startsWith('--') ? ` ${helpPointer(running)}` : '';
      ctx.io.err(`${PREFIX}${visible(expected.message)}${pointer}`);
      return expected.exitCode;
    }
    ctx.io.err(`${PREFIX}unexpected error: ${(error as Error)?.stack ?? String(error)}`);
    return 70;
  }
}
