/**
 * `verify day1` and `verify week`: production-verification checklists as pass/fail commands.
 * Exit 0 pass, 1 fail, 3 inconclusive (1 with --strict); every verdict shows its evidence.
 */
import type { Command } from 'commander';
import Table from 'cli-table3';
import { defaultDay1Date, verifyDay1, type Day1Result, type RunStatus } from '../analysis/verify-day1.js';
import { MAX_WEEK_DAYS, verifyWeek, type WeekResult } from '../analysis/verify-week.js';
import { UsageError } from '../errors.js';
import { calendarWarning, krxDay, tradingDaysThrough } from '../market/calendar.js';
import { addDays, daysBetween, kstDay } from '../market/time.js';
import { DATE, flagOf, flagOption, FROM, fromFlag, TO } from '../params.js';
import { day1Suite, junitXml, weekSuite } from '../render/junit.js';
import { paint, TERMINAL_WIDTH } from '../render/table.js';
import { visible } from '../render/text.js';
import { configOf, storeSpecOf, withStore, type Context } from './context.js';
import { formatOption, jsonOption, outputFormat, type OutputFlags } from './output.js';

const FORMATS = ['table', 'json', 'junit'] as const;
type Format = (typeof FORMATS)[number];
interface VerifyFlags extends OutputFlags<Format> {
  strict?: boolean;
}

const FORMAT_HELP = 'output: a table for people, JSON, or JUnit XML for CI';

export function exitCodeOf(status: RunStatus, strict: boolean): number {
  if (status === 'pass') return 0;
  if (status === 'fail') return 1;
  return strict ? 1 : 3;
}

export function register(program: Command, ctx: Context): void {
  const verify = program
    .command('verify')
    .description('production verification: the Day 1 scenarios and the Day 2–7 metrics as pass/fail checks (exit 0 pass, 1 fail, 3 inconclusive)');

  verify
    .command('day1')
    .description('the five Day 1 scenarios over the decisions of one KST day')
    .addOption(flagOption(DATE))
    .addOption(formatOption(FORMATS, FORMAT_HELP))
    .addOption(jsonOption())
    .option('--strict', 'an inconclusive run (a check not exercised) fails: exit 1 instead of 3')
    .action(async (flags: VerifyFlags & { date?: string }, command: Command) => {
      const format = outputFormat(flags, FORMATS);
      const date = fromFlag(DATE, flags.date, undefined);
      const config = await configOf(command, ctx);
      const result = await withStore(storeSpecOf(command, ctx, config), async ({ db }) => {
        let day = date;
        if (day === undefined) {
          const chosen = await defaultDay1Date(db, ctx.now());
          if (chosen.note) ctx.io.err(`note: ${chosen.note}`);
          day = chosen.date;
        }
        return verifyDay1(db, day, config.rules);
      });
      const warning = calendarWarning(result.date);
      if (warning) ctx.io.err(`warning: ${warning}`);
      if (format === 'json') ctx.io.out(JSON.stringify(result, null, 2));
      else if (format === 'junit') ctx.io.out(junitXml(day1Suite(result)));
      else ctx.io.out(renderDay1(result, ctx.io.color));
      ctx.exitCode = exitCodeOf(result.status, flags.strict === true);
    });

  verify
    .command('week')
    .description('the Day 2–7 metrics, a verdict per KST day (updates per stock, success rate, LLM calls, freshness)')
    .addOption(flagOption(FROM, 'the first of the last six completed KRX trading days'))
    .addOption(flagOption(TO, '--from + 5, six days; without --from, yesterday'))
    .addOption(formatOption(FORMATS, FORMAT_HELP))
    .addOption(jsonOption())
    .option('--strict', 'an inconclusive run (a check without data) fails: exit 1 instead of 3')
    .action(async (flags: VerifyFlags & { from?: string; to?: string }, command: Command) => {
      const format = outputFormat(flags, FORMATS);
      const { from, to } = weekOf(flags, ctx);
      if (to < from) throw new UsageError(`--to ${to} is before --from ${from}`);
      const days = daysBetween(from, to);
      if (days.length > MAX_WEEK_DAYS) throw new UsageError(`--from ${from} --to ${to} spans ${days.length} days; at most ${MAX_WEEK_DAYS}`);
      const config = await configOf(command, ctx);
      const result = await withStore(storeSpecOf(command, ctx, config), ({ db }) => verifyWeek(db, from, to, config));
      for (const day of days) {
        // A closed day is shown as market_closed, not judged: no warning unless it is judged anyway.
        const warning = krxDay(day).trading || config.week.judgeMarketClosedDays ? calendarWarning(day) : null;
        if (warning) ctx.io.err(`warning: ${warning}`);
      }
      if (format === 'json') ctx.io.out(JSON.stringify(result, null, 2));
      else if (format === 'junit') ctx.io.out(junitXml(weekSuite(result)));
      else ctx.io.out(renderWeek(result, ctx.io.color));
      ctx.exitCode = exitCodeOf(result.status, flags.strict === true);
    });
}

/** Days a week checks when the run means a trading week. */
const WEEK_TRADING_DAYS = 6;

/**
 * --from and --to; without --from, the last six completed trading days (ending with --to, or
 * yesterday): a week of six trading days spans its weekend and holidays, shown as market_closed.
 */
function weekOf(flags: { from?: string; to?: string }, ctx: Context): { from: string; to: string } {
  if (flags.from !== undefined) {
    const from = FROM.parse(flags.from, flagOf(FROM));
    return { from, to: fromFlag(TO, flags.to, null) ?? addDays(from, 5) };
  }
  const to = fromFlag(TO, flags.to, null) ?? addDays(kstDay(ctx.now()), -1);
  const trading = tradingDaysThrough(to, WEEK_TRADING_DAYS);
  return { from: trading[0], to: trading[trading.length - 1] };
}

// Column widths (padding included) that keep the table within 80 columns: 5 borders + these.
const STATUS_WIDTH = 11;

function statusPainter(color: boolean) {
  const c = paint(color);
  return (status: string) => {
    const shown = status === 'not_exercised' ? 'not exercised' : status === 'no_data' ? 'no data' : status;
    if (status === 'pass') return c.green(shown);
    if (status === 'fail') return c.red.bold(shown.toUpperCase());
    return c.yellow(shown);
  };
}

function boxed(idWidth: number): Table.Table {
  const rest = TERMINAL_WIDTH - 5 - idWidth - STATUS_WIDTH;
  const expected = Math.floor(rest / 2);
  return new Table({
    head: ['check', 'status', 'expected', 'observed'],
    colWidths: [idWidth, STATUS_WIDTH, expected, rest - expected],
    wordWrap: true,
    wrapOnWordBoundary: true,
    style: { head: [], border: [], 'padding-left': 1, 'padding-right': 1 },
  });
}

const timeOf = (iso: string) => iso.slice(11, 19);

function verdictLine(kind: string, status: RunStatus, counts: Record<string, number>, color: boolean): string {
  const show = statusPainter(color);
  const parts = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s.replace('_', ' ')}`);
  return `${kind}: ${status === 'inconclusive' ? paint(color).yellow('INCONCLUSIVE') : show(status)} (${parts.join(', ')})`;
}

function countStatuses(statuses: string[]): Record<string, number> {
  const counts: Record<string, number> = { pass: 0, fail: 0, not_exercised: 0 };
  for (const s of statuses) counts[s] = (counts[s] ?? 0) + 1;
  return counts;
}

function dayHeading(day: string): string {
  const k = krxDay(day);
  return `${day} (${k.weekday}${k.trading ? '' : `, market closed: ${k.closedBecause}`})`;
}

export function renderDay1(result: Day1Result, color = false): string {
  const show = statusPainter(color);
  const table = boxed(20);
  for (const check of result.checks) {
    table.push([`${check.id}\n(${check.phase})`, show(check.status), check.expectation, check.observed]);
    if (check.violations.length) {
      const lines = check.violations.map((v) => `${visible(`${timeOf(v.ts)} ${v.stock_code} ${v.message}`)}\n  → ${visible(v.explanation)}`);
      table.push([{ colSpan: 4, content: lines.join('\n') }]);
    }
  }
  return [
    `verify day1 ${dayHeading(result.date)}`,
    table.toString(),
    verdictLine('day1', result.status, countStatuses(result.checks.map((c) => c.status)), color),
  ].join('\n');
}

const formatValue = (v: number | null) => (v === null ? '–' : Number.isInteger(v) ? String(v) : v.toFixed(2));

const WEEK_DAY_MARK: Record<WeekResult['checks'][number]['days'][number]['status'], string> = { pass: 'ok', fail: 'FAIL', no_data: 'n/a', market_closed: 'off' };

const closedJudged = (result: WeekResult) => !result.checks.some((c) => c.days.some((d) => d.status === 'market_closed'));

export function renderWeek(result: WeekResult, color = false): string {
  const show = statusPainter(color);
  const table = boxed(25);
  for (const check of result.checks) {
    const perDay = check.days.map((d) => `${d.date.slice(5)} ${formatValue(d.value).padStart(6)} ${WEEK_DAY_MARK[d.status]}`);
    table.push([check.id, show(check.status), check.expectation, perDay.join('\n')]);
    const failing = check.days.filter((d) => d.status === 'fail');
    if (failing.length) table.push([{ colSpan: 4, content: failing.map((d) => `${d.date} ${formatValue(d.value)}: ${d.detail}`).join('\n') }]);
  }
  const closed = result.calendar.filter((c) => !c.trading_day).map((c) => `${c.date} (${c.closed_because})`);
  return [
    `verify week ${result.from} – ${result.to}`,
    table.toString(),
    ...(closed.length ? [`market closed${closedJudged(result) ? '' : ' (off: shown, not judged)'}: ${closed.join(', ')}`] : []),
    verdictLine('week', result.status, countStatuses(result.checks.map((c) => c.status)), color),
  ].join('\n');
}
