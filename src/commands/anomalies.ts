/**
 * `craveny-ops anomalies`: what in the window needs a person — for cron: exit 1 when anything is
 * found, and optionally a webhook post.
 */
import { createHash } from 'node:crypto';
import type { Command } from 'commander';
import { findAnomalies, kindLabel, type AnomaliesDocument, type Anomaly } from '../analysis/anomalies.js';
import { CliError, UsageError } from '../errors.js';
import { type Window } from '../market/time.js';
import { parseWindow, WINDOW_HELP, windowLength, windowSpan, type WindowFlags } from '../market/window.js';
import { parseWebhookUrl, postJson, redactWebhookUrl, type PostOptions } from '../notify/webhook.js';
import { anomalyKey, markNew } from '../analysis/alert-once.js';
import { markNotified, type AnomalyKey } from '../store/unattended.js';
import { formatUsd, heading, table } from '../render/table.js';
import { wrap } from '../render/wrap.js';
import { visible } from '../render/text.js';
import { configOf, storeSpecOf, withStore, type Context } from './context.js';
import { warnAboutLogEnd } from './log-end.js';
import { formatOption, jsonOption, outputFormat, TABLE_OR_JSON, type TableOrJson } from './output.js';

/** The cron case: today. */
export const DEFAULT_DAYS = 1;
/** Lines of the Slack text before it says "and N more". */
const TEXT_LINES = 20;

interface AnomaliesFlags extends WindowFlags {
  json?: boolean;
  format?: TableOrJson;
  notifyWebhook?: string;
}

export interface AnomaliesOptions {
  window: Window;
  json: boolean;
  webhook: URL | null;
}

export function parseAnomaliesOptions(flags: AnomaliesFlags, ctx: Context): AnomaliesOptions {
  const window = parseWindow(flags, ctx.now(), DEFAULT_DAYS);
  let webhook: URL | null = null;
  if (flags.notifyWebhook !== undefined) {
    webhook = parseWebhookUrl(flags.notifyWebhook);
    // The value may hold a secret: the message does not repeat it.
    if (!webhook) throw new UsageError('--notify-webhook must be an http:// or https:// URL');
  }
  return { window, json: outputFormat(flags, TABLE_OR_JSON) === 'json', webhook };
}

export function register(program: Command, ctx: Context): void {
  program
    .command('anomalies')
    .description('find update storms, repeated trigger 2, failure spikes, silent failures (placeholder reports), rule violations and phase mismatches; exit 1 when any')
    .option('--days <n>', `KST calendar days, 1–30 (default ${DEFAULT_DAYS}: today)`)
    .option('--since <duration|time>', WINDOW_HELP.since)
    .option('--until <day|time>', WINDOW_HELP.until)
    .addOption(formatOption(TABLE_OR_JSON))
    .addOption(jsonOption())
    .option('--notify-webhook <url>', 'POST the anomalies not posted before (the store remembers them) as the JSON document with a Slack-compatible text field; retried on network errors and 5xx')
    .action(async (flags: AnomaliesFlags, command: Command) => {
      const options = parseAnomaliesOptions(flags, ctx);
      const config = await configOf(command, ctx);
      await withStore(storeSpecOf(command, ctx, config), async (store) => {
        const doc = await markNew(store.db, await findAnomalies(store.db, options.window, config, ctx.now()));
        warnAboutLogEnd(ctx, doc.log_end, options.window, config);
        ctx.io.out(options.json ? JSON.stringify(doc, null, 2) : renderAnomalies(doc, options.window, ctx.io.color, ctx.io.width));
        // Every anomaly in the window counts for the exit code, posted before or not.
        if (doc.anomalies.length > 0) ctx.exitCode = 1;
        const fresh = doc.anomalies.filter((a) => a.new);
        if (!options.webhook || fresh.length === 0) return;
        const post = { ...doc, anomalies: fresh };
        const freshKeys = fresh.map(anomalyKey);
        const result = await postJson(options.webhook, { ...post, text: summaryText(post, options.window, ctx.hostname) }, webhookOptions(ctx, freshKeys));
        if (!result.ok) throw new CliError(`cannot notify the webhook ${redactWebhookUrl(options.webhook)}: ${result.error}`, 2);
        // Only once the receiver took them: a failed post is tried again by the next run.
        await markNotified(store.db, freshKeys, ctx.now());
      });
    });
}

/**
 * The same set of anomalies gets the same Idempotency-Key, on a retry or from another host's run,
 * so a receiver can drop the duplicate. CRAVENY_OPS_WEBHOOK_BACKOFF_MS shortens the pauses (tests).
 */
function webhookOptions(ctx: Context, keys: readonly AnomalyKey[]): PostOptions {
  const hash = createHash('sha256');
  for (const k of keys) hash.update(`${k.kind}\u0000${k.stockCode ?? ''}\u0000${k.firstMs}\n`);
  const options: PostOptions = { headers: { 'idempotency-key': `craveny-ops-${hash.digest('hex').slice(0, 32)}` } };
  const backoff = ctx.env.CRAVENY_OPS_WEBHOOK_BACKOFF_MS;
  if (backoff !== undefined && Number(backoff) >= 0) options.backoffMs = Number(backoff);
  return options;
}

function windowName(window: Window): string {
  return windowSpan(window);
}

const shortTime = (iso: string) => iso.slice(0, 19).replace('T', ' ');

/** `wrapAt`: a terminal's width; a pipe keeps every detail on one line, for grep. */
export function renderAnomalies(doc: AnomaliesDocument, window: Window, color: boolean, wrapAt?: number): string {
  const title = `Anomalies, ${windowName(window)} (${windowLength(window)})`;
  if (doc.anomalies.length === 0) return `${heading(title, color)}\n\n  no anomalies`;
  // Within one day the date goes without saying; minutes keep the table inside 80 columns.
  const clock = (iso: string) => (window.firstDay === window.lastDay ? iso.slice(11, 16) : `${iso.slice(5, 10)} ${iso.slice(11, 16)}`);
  const rows = doc.anomalies.map((a) => [
    kindLabel(a),
    a.stock_code ?? '–',
    a.first_ts === a.last_ts
      ? clock(a.first_ts)
      : // Within one day the end needs only its clock time: the row then fits 80 columns.
        `${clock(a.first_ts)}–${a.first_ts.slice(0, 10) === a.last_ts.slice(0, 10) ? a.last_ts.slice(11, 16) : clock(a.last_ts)}`,
    a.count,
    a.llm_calls ?? '–',
    a.cost_usd === undefined ? '–' : formatUsd(a.cost_usd),
  ]);
  const grid = table(['kind', 'stock', 'time', 'count', 'calls', 'cost'], rows, {
    align: ['left', 'left', 'left', 'right', 'right', 'right'],
    color,
  });
  // Details are sentences: wrapped at the terminal's width, continued under their first word.
  const details = doc.anomalies.flatMap((a) => wrap(visible(`  ${kindLabel(a)}${a.stock_code ? ' ' + a.stock_code : ''}: ${a.detail}`), wrapAt ?? Infinity, '    '));
  return [heading(`${title}: ${doc.anomalies.length} found`, color), '', grid, '', ...details].join('\n');
}

/** Slack's `text`: one line per anomaly, capped so a storm of anomalies stays one readable message. */
export function summaryText(doc: AnomaliesDocument, window: Window, host: string): string {
  const n = doc.anomalies.length;
  const lines = [`craveny-ops on ${host}: ${n} anomal${n === 1 ? 'y' : 'ies'}, ${windowName(window)} (KST)`];
  for (const a of doc.anomalies.slice(0, TEXT_LINES)) lines.push(`• ${textLine(a)}`);
  if (n > TEXT_LINES) lines.push(`… and ${n - TEXT_LINES} more`);
  return lines.join('\n');
}

function textLine(a: Anomaly): string {
  const who = a.stock_code ? ` ${a.stock_code}` : '';
  const [first, last] = [shortTime(a.first_ts), shortTime(a.last_ts)];
  const when = first === last ? first : `${first}–${first.slice(0, 10) === last.slice(0, 10) ? last.slice(11) : last}`;
  return `${kindLabel(a)}${who} ×${a.count} (${when}): ${a.detail}`;
}
