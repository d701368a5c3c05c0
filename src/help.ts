/**
 * What every command's --help shows beyond its options: examples and exit codes, per command path
 * (`stats`, `verify day1`). src/cli.ts adds them, with the global options, to every command's help.
 * Each example is a command line as a user types it; test/help.test.ts checks that every option it
 * names is one the command has, so the help cannot name a flag that is gone.
 */

export interface CommandHelp {
  examples: string[];
  /** Exit codes beyond the shared ones (0 success, 2 usage or input error), in the contract's words. */
  exitCodes?: string[];
}

export const SHARED_EXIT_CODES = ['0  success', '2  usage or input error (one line on stderr naming the problem)'];

const CHECK_EXIT_CODES = ['0  every check passes', '1  a check fails', '3  inconclusive: a check had nothing to judge (1 with --strict)'];

export const COMMAND_HELP: Record<string, CommandHelp> = {
  '': {
    examples: [
      'craveny-ops ingest /var/log/craveny/backend.log*',
      'craveny-ops stats --days 7',
      'craveny-ops anomalies --notify-webhook "$CRAVENY_OPS_WEBHOOK"',
      'craveny-ops stats --help        # each command: its options, examples and exit codes',
    ],
    exitCodes: ['1  a check failed or an anomaly was found', '3  inconclusive (a check could not be exercised, none failed)'],
  },
  migrate: { examples: ['craveny-ops migrate', 'craveny-ops migrate --status'] },
  ingest: {
    examples: [
      'craveny-ops ingest /var/log/craveny/backend.log*',
      'craveny-ops ingest --log-tz UTC container.log',
      'zcat old.log.gz | craveny-ops ingest -',
      'craveny-ops --db postgres://ops@db/ops ingest --source-host web1 backend.log',
    ],
    exitCodes: ['2  usage or input error, or a file could not be read (the other files are still ingested)'],
  },
  stats: {
    examples: [
      'craveny-ops stats',
      'craveny-ops stats --days 7 --until 2025-11-09',
      'craveny-ops stats --since 90m',
      'craveny-ops stats --days 30 --json',
      'craveny-ops stats --source backend --pg "$BACKEND_PG"',
    ],
  },
  cost: {
    examples: [
      'craveny-ops cost --days 30',
      'craveny-ops cost --days 7 --until 2025-11-09 --price-per-call 0.002',
      'craveny-ops cost --days 3 --format csv',
      'craveny-ops cost --month 2025-11',
    ],
  },
  verify: { examples: ['craveny-ops verify day1 --date 2025-11-04', 'craveny-ops verify week --from 2025-11-03'], exitCodes: CHECK_EXIT_CODES },
  'verify day1': {
    examples: ['craveny-ops verify day1', 'craveny-ops verify day1 --date 2025-11-04 --format junit > day1.xml', 'craveny-ops verify day1 --date 2025-11-04 --strict'],
    exitCodes: CHECK_EXIT_CODES,
  },
  'verify week': {
    examples: ['craveny-ops verify week --from 2025-11-03', 'craveny-ops verify week --from 2025-11-03 --to 2025-11-07 --json'],
    exitCodes: CHECK_EXIT_CODES,
  },
  anomalies: {
    examples: ['craveny-ops anomalies', 'craveny-ops anomalies --days 7 --until 2025-11-09 --json', 'craveny-ops anomalies --notify-webhook "$CRAVENY_OPS_WEBHOOK"'],
    exitCodes: ['0  no anomaly found', '1  an anomaly was found (for cron alerting)', '2  usage or input error, or the webhook post failed (the anomalies are still printed)'],
  },
  attempts: {
    examples: [
      'craveny-ops attempts --stock 005930 --since 2025-11-04T09:00',
      'craveny-ops attempts --since 24h --outcome failed',
      'craveny-ops attempts --days 7 --reason price_move --format csv > attempts.csv',
    ],
  },
  whatif: {
    examples: [
      'craveny-ops whatif --days 7 --set trading.ttlHours=3',
      'craveny-ops whatif --days 30 --fix-prediction-cap --json',
      'craveny-ops whatif --days 7 --rules proposed-rules.json',
    ],
  },
  report: { examples: ['craveny-ops report --html report.html', 'craveny-ops report --html - --days 30 | gzip > report.html.gz'] },
  serve: {
    examples: ['craveny-ops serve', 'craveny-ops serve --port 9000', 'CRAVENY_OPS_TOKEN=$(openssl rand -hex 24) craveny-ops serve --host 0.0.0.0'],
  },
  metrics: { examples: ['craveny-ops metrics', 'craveny-ops metrics --textfile /var/lib/node_exporter/textfile/craveny.prom'] },
  freshness: {
    examples: ['craveny-ops freshness --pg "$BACKEND_PG"', "craveny-ops freshness --pg \"$BACKEND_PG\" --at '2025-11-12 14:00' --json"],
  },
  backend: { examples: ['craveny-ops backend migrate --pg "$BACKEND_PG" --dry-run'] },
  'backend migrate': {
    examples: ['craveny-ops backend migrate --dry-run', 'craveny-ops backend migrate --pg "$BACKEND_PG"', 'craveny-ops backend migrate --pg "$BACKEND_PG" --down'],
  },
};

/** The text after a command's options: its examples and its exit codes. */
export function helpAfterOptions(path: string): string {
  const help = COMMAND_HELP[path];
  const out: string[] = [];
  if (help?.examples.length) out.push('', 'Examples:', ...help.examples.map((e) => `  $ ${e}`));
  const codes = help?.exitCodes ?? [];
  const codeOf = (line: string) => line.split(' ')[0];
  const overridden = new Set(codes.map(codeOf));
  const all = [...SHARED_EXIT_CODES.filter((c) => !overridden.has(codeOf(c))), ...codes].sort((a, b) => Number(codeOf(a)) - Number(codeOf(b)));
  out.push('', 'Exit codes:', ...all.map((c) => `  ${c}`));
  return out.join('\n');
}
