/**
 * The HTML dashboard of `craveny-ops report --html`: one self-contained file that opens offline and
 * from a mail attachment, on a phone as on a desktop, and prints on A4. Tables are rendered here
 * (readable even where scripts are blocked) and become stacked rows on narrow screens; the charts
 * are drawn by the Chart.js bundle inlined into the page, from the report's JSON, which the page also
 * carries whole (id report-data) for anyone who wants the numbers back out.
 *
 * Every string that came from a log is untrusted: text goes through esc(), the data island through
 * jsonForScript(), and a Content-Security-Policy allows only the page's own two scripts (by hash)
 * and no network at all, so even a missed escape could neither run nor phone home.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { kindLabel, type Anomaly, type AnomaliesDocument } from '../analysis/anomalies.js';
import type { Status } from '../analysis/attempts.js';
import type { CostDocument } from '../analysis/cost.js';
import type { DurationStats } from '../analysis/durations.js';
import type { FailureCause } from '../analysis/metrics.js';
import type { StatsDocument } from '../analysis/stats.js';
import type { Day1Result } from '../analysis/verify-day1.js';
import type { WeekResult } from '../analysis/verify-week.js';
import type { Reason } from '../logs/record.js';
import type { WhatIfDocument } from '../analysis/whatif.js';
import { whatIfSection } from './html-whatif.js';
import { krxDay } from '../market/calendar.js';
import type { Phase } from '../market/rules.js';
import { plural } from './text.js';

export interface FailedAttempt {
  ts: string;
  stock_code: string;
  reason: Reason;
  /** The reason as the log printed it (untrusted). */
  reason_text: string;
  /** The error the log printed, if any (untrusted). */
  error: string | null;
  cause: FailureCause;
}

/** One KST day of the window. */
export interface DayRow {
  date: string;
  /** A KRX trading day; days that are not are marked, and not judged, in every daily view. */
  trading: boolean;
  closed_because: string | null;
  /** The day started before the log end: an empty day after it was not observed, not quiet. */
  observed: boolean;
  attempts: number;
  succeeded: number;
  failed: number;
  in_flight: number;
  /** succeeded / (succeeded + failed), null without decided attempts. */
  success_rate: number | null;
  silent_failures: number;
  /** Durations of that day's attempts with an outcome record (durations.ts). */
  duration_seconds: DurationStats;
  calls: number;
  cost_usd: number;
}

/** The calendar month of the window's last day: cost from its 1st through that day, and projected to its end. */
export interface MonthCost {
  month: string;
  through: string;
  days_elapsed: number;
  days_in_month: number;
  calls: number;
  cost_usd: number;
  /** cost_usd / days_elapsed × days_in_month. */
  projected_cost_usd: number;
}

export interface StockAttempt {
  ts: string;
  reason: Reason;
  /** Untrusted. */
  reason_text: string;
  phase: Phase;
  outcome: Status;
  abandoned: boolean;
  silent_failure: boolean;
  duration_s: number | null;
  /** Untrusted. */
  error: string | null;
}

export interface StockAttempts {
  stock_code: string;
  /** Attempts of the stock in the window, and how many of them failed. */
  total: number;
  failed: number;
  /** The newest of them (at most STOCK_ATTEMPTS_SHOWN), newest first. */
  attempts: StockAttempt[];
}

export interface ReportDocument {
  generated_at: string;
  window: { days: number; first_day: string; last_day: string; from: string; until: string };
  log_end: string | null;
  stats: StatsDocument;
  cost: CostDocument;
  /** Durations of the window's attempts with an outcome record. */
  latency: DurationStats;
  /** Per KST day of the window, oldest first. */
  daily: DayRow[];
  month: MonthCost;
  /** Attempts per KST day (rows, oldest first) and hour of day (24 columns); observed: the hour started by the log end. */
  heatmap: { days: string[]; counts: number[][]; observed: boolean[][] };
  /** Day 1 checks of the latest KRX trading day with updates in the window, if any. */
  day1: Day1Result | null;
  /** Day 2–7 checks over the window's last seven days. */
  week: WeekResult | null;
  anomalies: AnomaliesDocument;
  /** The latest failed attempts of the window, newest first. */
  failures: FailedAttempt[];
  /** The window replayed under the rules of `report --whatif FILE`, when given. */
  whatif?: WhatIfDocument;
  /** Per stock, its attempts in the window (the drill-down linked from the per-stock table). */
  stock_attempts: StockAttempts[];
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for an HTML element or a quoted attribute value. */
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/**
 * JSON that can sit inside <script>: `<` `>` `&` escaped as \u003c…, so `</script>` or `<!--` in a
 * log line cannot end or change the script element; U+2028/2029 escaped for old JS parsers.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The Chart.js UMD bundle, found through module resolution so that it works from src/ and dist/. */
export function chartJsBundle(): string {
  const main = createRequire(import.meta.url).resolve('chart.js');
  const code = fs.readFileSync(path.join(path.dirname(main), 'chart.umd.js'), 'utf8');
  // Inert inside JS, and keeps the HTML parser in the script element whatever a future bundle holds.
  return code.replace(/<\/script/gi, '<\\/script').replace(/<!--/g, '<\\!--');
}

const sha256 = (text: string) => `'sha256-${crypto.createHash('sha256').update(text, 'utf8').digest('base64')}'`;

const PHASE_COLORS: Record<string, string> = {
  pre_market: '#8e7cc3',
  market_open: '#e69138',
  trading: '#3d85c6',
  market_close: '#cc4125',
  after_hours: '#6aa84f',
};
const REASON_COLORS: Record<Reason, string> = {
  forced: '#6d6d6d',
  new_prediction: '#3d85c6',
  ttl_expired: '#e69138',
  price_move: '#cc4125',
  direction_change: '#8e7cc3',
  other: '#b7b7b7',
};
/** The heatmap's colour: light to dark blue by share of the busiest hour. */
const HEAT_RGB = '61,133,198';
const heatAlpha = (share: number) => (0.15 + 0.85 * share).toFixed(2);

/** The chart code: fixed text, reads only the data island; no log string is ever code here. */
const CHART_SCRIPT = `
(function () {
  // A link to a stock's attempts opens its <details>, also when the page is opened at that link.
  function openTarget() {
    var el = location.hash.length > 1 ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
    if (el && el.tagName === 'DETAILS') el.open = true;
  }
  window.addEventListener('hashchange', openTarget);
  openTarget();

  var data = JSON.parse(document.getElementById('report-data').textContent);
  var reasonColors = ${JSON.stringify(REASON_COLORS)};
  var phaseColors = ${JSON.stringify(PHASE_COLORS)};
  Chart.defaults.animation = false;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.maintainAspectRatio = false;
  // Charts are drawn for the screen's width; redraw them for the paper's.
  window.addEventListener('beforeprint', function () { Object.values(Chart.instances).forEach(function (c) { c.resize(); }); });

  var reasons = data.stats.update_reasons;
  if (reasons.length) {
    new Chart(document.getElementById('chart-reasons'), {
      type: 'doughnut',
      data: {
        labels: reasons.map(function (r) { return r.reason; }),
        datasets: [{ data: reasons.map(function (r) { return r.count; }),
                     backgroundColor: reasons.map(function (r) { return reasonColors[r.reason] || '#999'; }) }]
      },
      // The legend goes below the doughnut where beside it would be cut off.
      options: {
        plugins: { legend: { position: document.getElementById('chart-reasons').parentNode.clientWidth < 420 ? 'bottom' : 'right' } },
        onResize: function (chart, size) { chart.options.plugins.legend.position = size.width < 420 ? 'bottom' : 'right'; }
      }
    });
  }
  var phases = Object.keys(data.stats.market_phases);
  new Chart(document.getElementById('chart-phases'), {
    type: 'bar',
    data: {
      labels: phases,
      datasets: [{ label: 'update attempts', data: phases.map(function (p) { return data.stats.market_phases[p]; }),
                   backgroundColor: phases.map(function (p) { return phaseColors[p]; }) }]
    },
    options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
  });

  // Daily charts: days the exchange was closed get a grey band and a "closed" label, days after the
  // log end a lighter one; neither is drawn as a failure (no success rate without decided attempts).
  var daily = data.daily;
  var labels = daily.map(function (d) { return d.trading ? d.date.slice(5) : [d.date.slice(5), 'closed']; });
  var dayBands = {
    id: 'dayBands',
    beforeDatasetsDraw: function (chart) {
      var x = chart.scales.x, area = chart.chartArea, ctx = chart.ctx;
      var width = (area.right - area.left) / Math.max(1, daily.length);
      ctx.save();
      daily.forEach(function (d, i) {
        if (d.trading && d.observed) return;
        ctx.fillStyle = d.trading ? 'rgba(140,149,159,0.08)' : 'rgba(140,149,159,0.22)';
        ctx.fillRect(x.getPixelForValue(i) - width / 2, area.top, width, area.bottom - area.top);
      });
      ctx.restore();
    }
  };
  var xAxis = { offset: true, grid: { offset: true } };
  new Chart(document.getElementById('chart-outcomes'), {
    data: {
      labels: labels,
      datasets: [
        { type: 'line', label: 'success rate', yAxisID: 'rate', data: daily.map(function (d) { return d.success_rate === null ? null : d.success_rate * 100; }),
          borderColor: '#1f2328', backgroundColor: '#1f2328', tension: 0, spanGaps: false, order: 0 },
        { type: 'bar', label: 'succeeded', data: daily.map(function (d) { return d.succeeded; }), backgroundColor: '#2da44e', stack: 'n', order: 1 },
        { type: 'bar', label: 'failed', data: daily.map(function (d) { return d.failed - d.silent_failures; }), backgroundColor: '#cf222e', stack: 'n', order: 1 },
        { type: 'bar', label: 'silent failures', data: daily.map(function (d) { return d.silent_failures; }), backgroundColor: '#bf8700', stack: 'n', order: 1 }
      ]
    },
    options: {
      scales: {
        x: xAxis,
        y: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'attempts' } },
        rate: { position: 'right', min: 0, max: 100, grid: { drawOnChartArea: false }, ticks: { callback: function (v) { return v + '%'; } } }
      }
    },
    plugins: [dayBands]
  });
  new Chart(document.getElementById('chart-latency'), {
    type: 'line',
    data: {
      labels: labels,
      datasets: [
        { label: 'p50', data: daily.map(function (d) { return d.duration_seconds.p50; }), borderColor: '#3d85c6', backgroundColor: '#3d85c6', tension: 0, spanGaps: false },
        { label: 'p95', data: daily.map(function (d) { return d.duration_seconds.p95; }), borderColor: '#cc4125', backgroundColor: '#cc4125', tension: 0, spanGaps: false }
      ]
    },
    options: { scales: { x: xAxis, y: { beginAtZero: true, title: { display: true, text: 'seconds' } } } },
    plugins: [dayBands]
  });
  new Chart(document.getElementById('chart-calls'), {
    type: 'bar',
    data: { labels: labels, datasets: [{ label: 'LLM calls', data: daily.map(function (d) { return d.calls; }), backgroundColor: 'rgba(61,133,198,0.7)', maxBarThickness: 48 }] },
    options: {
      plugins: { legend: { display: false }, tooltip: { callbacks: { footer: function (items) { return '$' + daily[items[0].dataIndex].cost_usd.toFixed(4); } } } },
      scales: { x: xAxis, y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'calls' } } }
    },
    plugins: [dayBands]
  });
})();
`;

const STYLE = `
:root { color-scheme: light; --fg: #1f2328; --muted: #656d76; --line: #d0d7de; --bg: #f6f8fa; --closed: #eef0f2; }
* { box-sizing: border-box; }
/* Korean breaks between words, never inside one; a long token with no break (a URL, a hash) may still wrap. */
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "Noto Sans KR", "NanumGothic", "Apple SD Gothic Neo", "Malgun Gothic", sans-serif;
  color: var(--fg); background: var(--bg); word-break: keep-all; overflow-wrap: break-word; }
main { max-width: 1180px; margin: 0 auto; padding: 20px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 0 0 10px; }
a { color: #0969da; }
.sub { color: var(--muted); margin: 0 0 16px; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(340px, 100%), 1fr)); gap: 16px; margin-bottom: 16px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; margin-bottom: 16px; overflow-x: auto; min-width: 0; }
.grid .card { margin-bottom: 0; }
.kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(160px, 100%), 1fr)); gap: 12px; margin-bottom: 16px; }
.kpi { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; min-width: 0; }
.kpi b { display: block; font-size: 22px; }
.kpi span { color: var(--muted); font-size: 12px; }
.chart { position: relative; height: 260px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
td.n, th.n { text-align: right; }
tr.closed, tr.closed > * { background: var(--closed); }
.tag { display: inline-block; margin-left: 6px; padding: 0 5px; border-radius: 4px; font-size: 11px; font-weight: 400; color: var(--muted); border: 1px solid var(--line); background: #fff; white-space: nowrap; }
.heat { table-layout: fixed; }
.heat col.day { width: 124px; }
.heat td, .heat th { text-align: center; padding: 2px 0; font-size: 11px; border: 1px solid #fff; }
.heat th.day { text-align: right; padding-right: 6px; white-space: nowrap; overflow: hidden; }
.heat td.zero { background: #fff; box-shadow: inset 0 0 0 1px #eaeef2; }
.heat tr.closed td.zero { background: var(--closed); }
.heat td.unobserved, .swatch.unobserved { background: repeating-linear-gradient(135deg, #d8dee4 0 2px, #fff 2px 6px); }
.legend { display: flex; flex-wrap: wrap; gap: 6px 16px; align-items: center; margin-top: 10px; font-size: 12px; color: var(--muted); }
.legend span { display: inline-flex; align-items: center; gap: 6px; }
.swatch { display: inline-block; width: 16px; height: 12px; border: 1px solid #d0d7de; }
.swatch.zero { background: #fff; } .swatch.closed { background: var(--closed); }
.ramp { display: inline-block; width: 96px; height: 12px; background: linear-gradient(to right, rgba(${HEAT_RGB},0.15), rgba(${HEAT_RGB},1)); }
.badge { display: inline-block; padding: 0 7px; border-radius: 10px; font-size: 12px; font-weight: 600; color: #fff; background: #8c959f; white-space: nowrap; }
.pass, .succeeded { background: #1a7f37; } .fail, .failed { background: #cf222e; } .inconclusive, .not_exercised, .no_data, .in_flight, .market_closed { background: #8c959f; }
.silent { background: #bf8700; }
.dot { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 6px; }
.bad { color: #cf222e; font-weight: 600; }
.muted { color: var(--muted); }
.nowrap { white-space: nowrap; }
th { white-space: normal; vertical-align: bottom; }
.msg { font-family: ui-monospace, "DejaVu Sans Mono", "NanumGothicCoding", monospace; font-size: 12px; white-space: pre-wrap; overflow-wrap: anywhere; }
.quiet-note { display: none; }
details { border-top: 1px solid var(--line); padding: 6px 0; }
details > summary { cursor: pointer; }
details[open] > summary { margin-bottom: 6px; }
details:target > summary { font-weight: 600; }
footer { color: var(--muted); font-size: 12px; margin-top: 8px; }

/* Phones and narrow tablets: tables become one block per row, each cell labelled by its column. */
@media (max-width: 900px) {
  main { padding: 12px; }
  .card { padding: 12px; }
  .chart { height: 220px; }
  .kpi b { font-size: 18px; }
  th, td { padding: 4px 5px; }
  table.stack, table.stack > tbody, table.stack > tbody > tr > td { display: block; width: auto; }
  table.stack > thead { display: none; }
  /* Two labelled cells a line; the first cell (the day, stock or time) heads the block. */
  table.stack > tbody > tr { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); column-gap: 16px; border-bottom: 1px solid var(--line); padding: 6px 0; }
  table.stack > tbody > tr > td { border: 0; padding: 1px 0; text-align: right; min-width: 0; white-space: normal; }
  table.stack > tbody > tr > td::before { content: attr(data-label); float: left; margin-right: 8px; color: var(--muted); text-align: left; font: 12px/1.7 system-ui, sans-serif; }
  table.stack > tbody > tr > td:first-child { grid-column: 1 / -1; text-align: left; font-weight: 600; }
  table.stack > tbody > tr > td:first-child::before { content: none; }
  table.stack > tbody > tr > td.msg, table.stack > tbody > tr > td.block { grid-column: 1 / -1; text-align: left; }
  table.stack > tbody > tr > td.msg::before, table.stack > tbody > tr > td.block::before { float: none; display: block; }
  table.stack > tbody > tr > td.block:empty, table.stack > tbody > tr > td.msg:empty { display: none; }
  table.stack > tbody > tr.quiet > td:not(:first-child) { display: none; }
  .quiet-note { display: inline-block; }
  .heat col.day { width: 62px; }
  .heat td { font-size: 0; }
  .heat th { font-size: 9px; }
  .heat th.minor { font-size: 0; }
  .heat .wd { display: none; }
  .heat .tag { margin-left: 2px; padding: 0 2px; font-size: 8px; }
}

/* The weekly mail on A4: no backgrounds, no cut tables (rows stay whole, headers repeat), no drill-down. */
@media print {
  @page { size: A4; margin: 12mm; }
  body { background: #fff; font-size: 10px; }
  main { max-width: none; padding: 0; }
  .grid { display: block; }
  .card, .kpi { border: 0; border-radius: 0; padding: 0; }
  .card { overflow: visible; margin-bottom: 14px; }
  .kpis { grid-template-columns: repeat(4, 1fr); gap: 6px; }
  .kpi b { font-size: 15px; }
  h2 { break-after: avoid; }
  thead { display: table-header-group; }
  tr, .chart, .kpi, .legend { break-inside: avoid; }
  .chart { height: 190px; }
  th, td { padding: 2px 4px; }
  .heat td, .heat th { font-size: 7px; }
  .heat col.day { width: 90px; }
  .drilldown { display: none; }
  a { color: inherit; text-decoration: none; }
  .badge, .dot, .heat td, tr.closed, tr.closed > *, .swatch, .ramp { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
}
`;

const n = (x: number) => x.toLocaleString('en-US');
const usd = (x: number) => `$${x.toFixed(x > 0 && x < 0.1 ? 4 : 2)}`;
const pct = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(1)}%`);
const secs = (x: number | null) => (x === null ? '–' : `${x < 10 ? x.toFixed(1) : Math.round(x)} s`);
const badge = (status: string, label = status.replace('_', ' ')) => `<span class="badge ${esc(status)}">${esc(label)}</span>`;
/** A table cell that keeps its column name, for the stacked layout on narrow screens. */
const td = (label: string, html: string, cls = '') => `<td data-label="${esc(label)}"${cls ? ` class="${cls}"` : ''}>${html}</td>`;
const num = (label: string, x: unknown) => td(label, esc(x), 'n');
const shortDay = (day: string) => day.slice(5);
const closedTag = (d: Pick<DayRow, 'trading' | 'closed_because'>) =>
  d.trading ? '' : `<span class="tag" title="${esc(`not a KRX trading day: ${d.closed_because ?? ''}`)}">closed</span>`;
/** A stock's drill-down anchor: codes are [0-9A-Z]{6}, escaped all the same. */
const stockAnchor = (code: string) => `stock-${esc(code)}`;

export function renderHtml(doc: ReportDocument, chartJs: string = chartJsBundle()): string {
  const { stats, cost } = doc;
  const decided = stats.succeeded + stats.failed;
  const silent = doc.daily.reduce((s, d) => s + d.silent_failures, 0);
  const latency = doc.latency;
  const span = doc.window.days === 1 ? doc.window.last_day : `${doc.window.first_day} – ${doc.window.last_day}`;
  const scripts = [chartJs, CHART_SCRIPT];
  // No default source: no fetch, image, font or frame can reach the network, and only these two scripts run.
  const csp = [
    "default-src 'none'",
    `script-src ${scripts.map(sha256).join(' ')}`,
    "style-src 'unsafe-inline'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const m = doc.month;

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>craveny-ops report ${esc(span)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>Report updates, ${esc(span)} <span class="muted">(${plural(doc.window.days, 'day')}, KST)</span></h1>
<p class="sub">From ${esc(doc.window.from)} to ${esc(doc.window.until)} (exclusive) · log end ${esc(doc.log_end ?? 'none: the store is empty')} · generated ${esc(doc.generated_at)}</p>

<section class="kpis">
  <div class="kpi"><b>${n(stats.total_updates)}</b><span>update attempts</span></div>
  <div class="kpi"><b>${n(stats.succeeded)} / ${n(stats.failed)}</b><span>succeeded / failed${stats.in_flight ? ` (${n(stats.in_flight)} in flight)` : ''}</span></div>
  <div class="kpi"><b>${pct(decided ? stats.succeeded / decided : null)}</b><span>success rate</span></div>
  <div class="kpi"><b${silent ? ' class="bad"' : ''}>${n(silent)}</b><span>silent failures (placeholder saved)</span></div>
  <div class="kpi"><b>${secs(latency.p50)} / ${secs(latency.p95)}</b><span>generation latency p50 / p95</span></div>
  <div class="kpi"><b>${n(cost.total_calls)} · ${usd(cost.total_cost_usd)}</b><span>LLM calls · cost (${esc(cost.calls_source)})</span></div>
  <div class="kpi"><b>${usd(m.projected_cost_usd)}</b><span>projected for ${esc(m.month)} (${usd(m.cost_usd)} in ${m.days_elapsed} of ${m.days_in_month} days)</span></div>
  <div class="kpi"><b>${n(doc.anomalies.anomalies.length)}</b><span>anomalies</span></div>
</section>

<section class="card"><h2>Outcomes per day</h2><div class="chart"><canvas id="chart-outcomes" role="img" aria-label="succeeded, failed and silently failed attempts and the success rate per day"></canvas></div>
<p class="muted">Bars: attempts by outcome (silent failures are failed attempts the backend logged as completed); line: success rate of the decided attempts. Grey: not a KRX trading day; light grey: after the log end.</p></section>

<section class="grid">
  <div class="card"><h2>Generation latency per day</h2><div class="chart"><canvas id="chart-latency" role="img" aria-label="p50 and p95 attempt duration per day"></canvas></div>
  <p class="muted">Start of the attempt to its outcome record, nearest-rank percentiles; abandoned attempts have no duration.</p></div>
  <div class="card"><h2>LLM calls per day</h2><div class="chart"><canvas id="chart-calls" role="img" aria-label="LLM calls per day"></canvas></div>
  <p class="muted">Cost is calls × price: ${usd(cost.price_per_call)} per call; calls counted from ${esc(cost.calls_source === 'llm_cost_lines' ? '[LLM_COST] lines' : 'generation lines (no [LLM_COST] lines in this window)')}. Each day's cost is in the table below.</p></div>
</section>

<section class="card"><h2>By day</h2>${dayTable(doc.daily)}</section>

<section class="grid">
  <div class="card"><h2>Update reasons</h2>${
    stats.update_reasons.length ? '<div class="chart"><canvas id="chart-reasons" role="img" aria-label="update reasons"></canvas></div>' : '<p class="muted">No update attempts in this window.</p>'
  }
  ${reasonTable(stats)}</div>
  <div class="card"><h2>Market phases</h2><div class="chart"><canvas id="chart-phases" role="img" aria-label="update attempts by market phase"></canvas></div>
  ${phaseTable(stats)}</div>
</section>

<section class="card"><h2>Update attempts by hour of day (KST)</h2>${heatmap(doc.heatmap, doc.daily)}</section>

<section class="card"><h2>By stock</h2>${stockTable(stats, cost, doc.stock_attempts)}</section>

<section class="card drilldown"><h2>Attempts by stock</h2>${stockDrilldown(doc.stock_attempts)}</section>

<section class="card"><h2>Day 1 checks${doc.day1 ? `, ${esc(doc.day1.date)} ${badge(doc.day1.status)}` : ''}</h2>${day1Table(doc.day1)}</section>

<section class="card"><h2>Day 2–7 checks${doc.week ? `, ${esc(doc.week.from)} – ${esc(doc.week.to)} ${badge(doc.week.status)}` : ''}</h2>${weekTable(doc.week)}</section>

<section class="card"><h2>Anomalies</h2>${anomalyTable(doc.anomalies.anomalies)}</section>

<section class="card"><h2>Latest failed updates</h2>${failureTable(doc.failures)}</section>
${doc.whatif ? whatIfSection(doc.whatif) : ''}

<footer>craveny-ops · times in Asia/Seoul · charts by Chart.js (MIT) · this file makes no network requests</footer>
</main>
<script type="application/json" id="report-data">${jsonForScript(doc)}</script>
<script>${chartJs}</script>
<script>${CHART_SCRIPT}</script>
</body>
</html>
`;
}

function reasonTable(stats: StatsDocument): string {
  if (!stats.update_reasons.length) return '';
  const rows = stats.update_reasons.map(
    (r) =>
      `<tr>${td('reason', `<span class="dot" style="background:${REASON_COLORS[r.reason] ?? '#999'}"></span>${esc(r.reason)}`, 'nowrap')}${td('label', esc(r.label))}${num('attempts', r.count)}</tr>`,
  );
  return `<table><thead><tr><th>reason</th><th>label</th><th class="n">attempts</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function phaseTable(stats: StatsDocument): string {
  const total = stats.total_updates;
  const rows = Object.entries(stats.market_phases).map(
    ([phase, count]) =>
      `<tr>${td('phase', `<span class="dot" style="background:${PHASE_COLORS[phase] ?? '#999'}"></span>${esc(phase)}`, 'nowrap')}${num('attempts', count)}${num('share', total ? pct(count / total) : '–')}</tr>`,
  );
  return `<table><thead><tr><th>phase</th><th class="n">attempts</th><th class="n">share</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function dayTable(daily: readonly DayRow[]): string {
  const rows = daily.map((d) => {
    // A day with nothing to show folds to one line on a phone.
    const quiet = d.attempts === 0 && d.calls === 0;
    const day = `${esc(d.date)}${closedTag(d)}${d.observed ? '' : ' <span class="tag" title="after the log end">not observed</span>'}${
      quiet && d.observed ? ' <span class="tag quiet-note">no attempts</span>' : ''
    }`;
    const classes = [d.trading ? '' : 'closed', quiet ? 'quiet' : ''].filter(Boolean).join(' ');
    return (
      `<tr${classes ? ` class="${classes}"` : ''}>${td('day', day)}${num('attempts', d.attempts)}${num('succeeded', d.succeeded)}` +
      td('failed', d.failed ? `<span class="bad">${n(d.failed)}</span>` : '0', 'n') +
      num('success rate', pct(d.success_rate)) +
      td('silent failures', d.silent_failures ? `<span class="bad">${n(d.silent_failures)}</span>` : '0', 'n') +
      num('latency p50', secs(d.duration_seconds.p50)) +
      num('latency p95', secs(d.duration_seconds.p95)) +
      num('LLM calls', d.calls) +
      num('cost', usd(d.cost_usd)) +
      '</tr>'
    );
  });
  return (
    '<table class="stack"><thead><tr><th>day</th><th class="n">attempts</th><th class="n">succeeded</th><th class="n">failed</th><th class="n">success rate</th>' +
    '<th class="n">silent failures</th><th class="n">latency p50</th><th class="n">latency p95</th><th class="n">LLM calls</th><th class="n">cost</th></tr></thead>' +
    `<tbody>${rows.join('')}</tbody></table>`
  );
}

function heatmap(h: ReportDocument['heatmap'], daily: readonly DayRow[]): string {
  const max = Math.max(0, ...h.counts.flat());
  if (max === 0) return '<p class="muted">No update attempts in this window.</p>';
  const head = `<tr><th></th>${Array.from({ length: 24 }, (_, hour) => `<th${hour % 6 ? ' class="minor"' : ''}>${hour}</th>`).join('')}</tr>`;
  const rows = h.days.map((day, i) => {
    const d = daily[i];
    const cells = h.counts[i].map((count, hour) => {
      if (!h.observed[i][hour]) return `<td class="unobserved" title="${esc(`${day} ${hour}h: not observed (after the log end)`)}"></td>`;
      if (count === 0) return `<td class="zero" title="${esc(`${day} ${hour}h: no attempts`)}"></td>`;
      const share = count / max;
      const style = `background:rgba(${HEAT_RGB},${heatAlpha(share)});${share > 0.5 ? 'color:#fff;' : ''}`;
      return `<td style="${style}" title="${esc(`${day} ${hour}h: ${count} attempt(s)`)}">${count}</td>`;
    });
    const label = `${esc(shortDay(day))}<span class="wd"> ${esc(weekdayOf(day))}</span>${d ? closedTag(d) : ''}`;
    return `<tr${d && !d.trading ? ' class="closed"' : ''}><th class="day">${label}</th>${cells.join('')}</tr>`;
  });
  const legend =
    '<div class="legend">' +
    `<span>attempts 1 <i class="ramp"></i> ${n(max)}</span>` +
    '<span><i class="swatch zero"></i> no attempts</span>' +
    '<span><i class="swatch closed"></i> not a KRX trading day</span>' +
    '<span><i class="swatch unobserved"></i> not observed (after the log end)</span>' +
    '</div>';
  return `<table class="heat"><colgroup><col class="day"></colgroup><thead>${head}</thead><tbody>${rows.join('')}</tbody></table>${legend}`;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
function weekdayOf(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  return WEEKDAYS[new Date(Date.UTC(y, m - 1, d)).getUTCDay()];
}

function stockTable(stats: StatsDocument, cost: CostDocument, drilldown: readonly StockAttempts[]): string {
  const calls = new Map(cost.by_stock.map((s) => [s.stock_code, s]));
  const codes = [...new Set([...stats.by_stock.map((s) => s.stock_code), ...cost.by_stock.map((s) => s.stock_code)])];
  if (!codes.length) return '<p class="muted">No stocks in this window.</p>';
  const byCode = new Map(stats.by_stock.map((s) => [s.stock_code, s]));
  const listed = new Set(drilldown.map((s) => s.stock_code));
  const rows = codes.map((code) => {
    const s = byCode.get(code);
    const c = calls.get(code);
    const interval = stats.avg_interval_hours.by_stock[code];
    const name = listed.has(code) ? `<a href="#${stockAnchor(code)}" title="this stock's attempts">${esc(code)}</a>` : esc(code);
    return `<tr>${td('stock', name)}${num('attempts', s?.updates ?? 0)}${num('succeeded', s?.succeeded ?? 0)}${num('failed', s?.failed ?? 0)}${num(
      'succeeded/day',
      (s?.updates_per_day ?? 0).toFixed(2),
    )}${num('interval h', interval === undefined ? '–' : interval.toFixed(2))}${num('LLM calls', c?.calls ?? 0)}${num('cost', usd(c?.cost_usd ?? 0))}</tr>`;
  });
  return (
    '<table class="stack"><thead><tr><th>stock</th><th class="n">attempts</th><th class="n">succeeded</th><th class="n">failed</th>' +
    '<th class="n">succeeded/day</th><th class="n">interval h</th><th class="n">LLM calls</th><th class="n">cost</th></tr></thead>' +
    `<tbody>${rows.join('')}</tbody></table>`
  );
}

function outcomeBadge(a: StockAttempt): string {
  if (a.silent_failure) return badge('silent', 'silent failure');
  if (a.abandoned) return badge('failed', 'abandoned');
  return badge(a.outcome);
}

/** One <details> per stock, the target of its link in the per-stock table. */
function stockDrilldown(stocks: readonly StockAttempts[]): string {
  if (!stocks.length) return '<p class="muted">No update attempts in this window.</p>';
  return stocks
    .map((s) => {
      const more =
        s.total > s.attempts.length
          ? `<p class="muted">${n(s.total - s.attempts.length)} earlier attempts not shown: craveny-ops attempts --stock ${esc(s.stock_code)} lists them all.</p>`
          : '';
      const rows = s.attempts.map(
        (a) =>
          `<tr>${td('time', esc(a.ts.slice(0, 19).replace('T', ' ')), 'nowrap')}${td('reason as logged', esc(a.reason_text), 'msg')}${td('phase', esc(a.phase))}${td(
            'outcome',
            outcomeBadge(a),
          )}${num('duration', secs(a.duration_s))}${td('error as logged', esc(a.error ?? ''), 'msg')}</tr>`,
      );
      return (
        `<details id="${stockAnchor(s.stock_code)}"><summary><b>${esc(s.stock_code)}</b> · ${plural(s.total, 'attempt', n(s.total))}` +
        `${s.failed ? `, <span class="bad">${n(s.failed)} failed</span>` : ''}</summary>` +
        '<table class="stack"><thead><tr><th>time</th><th>reason as logged</th><th>phase</th><th>outcome</th><th class="n">duration</th><th>error as logged</th></tr></thead>' +
        `<tbody>${rows.join('')}</tbody></table>${more}</details>`
      );
    })
    .join('');
}

function day1Table(day1: Day1Result | null): string {
  if (!day1) return '<p class="muted">No KRX trading day with update attempts in this window.</p>';
  const rows = day1.checks.map((c) => {
    const violations = c.violations.map((v) => `<div class="msg">${esc(v.ts.slice(11, 19))} ${esc(v.message)}</div>`).join('');
    return `<tr>${td('check', esc(c.id))}${td('status', badge(c.status))}${num('evidence', c.evidence_count)}${num('violations', c.violation_count)}</tr>${
      violations ? `<tr>${td('', violations, 'block')}</tr>`.replace('<td ', '<td colspan="4" ') : ''
    }`;
  });
  return `<table class="stack"><thead><tr><th>check</th><th>status</th><th class="n">evidence</th><th class="n">violations</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function weekTable(week: WeekResult | null): string {
  if (!week) return '<p class="muted">No days to check.</p>';
  const days = week.checks[0]?.days.map((d) => d.date) ?? [];
  const closed = new Map(
    days.map((d) => {
      const k = krxDay(d);
      return [d, { trading: k.trading, closed_because: k.closedBecause }];
    }),
  );
  const head = `<tr><th>check</th><th>status</th>${days.map((d) => `<th class="n">${esc(shortDay(d))}${closedTag(closed.get(d)!)}</th>`).join('')}</tr>`;
  const rows = week.checks.map(
    (c) =>
      `<tr>${td('check', esc(c.id))}${td('status', badge(c.status))}${c.days
        .map((d) => {
          const day = closed.get(d.date)!;
          // A day the exchange was closed is shown, never painted as a failure.
          const status = day.trading ? d.status : 'market_closed';
          const label = `${shortDay(d.date)}${day.trading ? '' : ' (closed)'}`;
          const value = d.value === null ? '<span class="muted">–</span>' : `<span class="badge ${esc(status)}">${esc(d.value)}</span>`;
          return `<td class="n" data-label="${esc(label)}" title="${esc(day.trading ? d.status : `not a KRX trading day: ${day.closed_because}`)}">${value}</td>`;
        })
        .join('')}</tr>`,
  );
  return `<table class="stack"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table>`;
}

/** Anomalies listed in the page; a storm can make hundreds, and the JSON island keeps them all. */
const ANOMALIES_SHOWN = 25;

function anomalyTable(anomalies: readonly Anomaly[]): string {
  if (!anomalies.length) return '<p class="muted">None found.</p>';
  const kinds = new Map<string, number>();
  for (const a of anomalies) kinds.set(kindLabel(a), (kinds.get(kindLabel(a)) ?? 0) + 1);
  const summary = `<p>${[...kinds].map(([kind, count]) => `${esc(kind)} ×${count}`).join(' · ')}</p>`;
  const more =
    anomalies.length > ANOMALIES_SHOWN
      ? `<p class="muted">${anomalies.length - ANOMALIES_SHOWN} more not shown: craveny-ops anomalies lists them all.</p>`
      : '';
  const rows = anomalies
    .slice(0, ANOMALIES_SHOWN)
    .map(
      (a) =>
        `<tr>${td('kind', esc(kindLabel(a)))}${td('stock', esc(a.stock_code ?? '–'))}${td('first', esc(a.first_ts.slice(0, 16).replace('T', ' ')), 'nowrap')}${num('count', a.count)}${td('detail', esc(a.detail), 'msg')}</tr>`,
    );
  return `${summary}<table class="stack"><thead><tr><th>kind</th><th>stock</th><th>first</th><th class="n">count</th><th>detail</th></tr></thead><tbody>${rows.join('')}</tbody></table>${more}`;
}

function failureTable(failures: readonly FailedAttempt[]): string {
  if (!failures.length) return '<p class="muted">No failed updates in this window.</p>';
  const rows = failures.map(
    (f) =>
      `<tr>${td('time', esc(f.ts.slice(0, 19).replace('T', ' ')), 'nowrap')}${td('stock', esc(f.stock_code))}${td('cause', esc(f.cause.replace('_', ' ')), 'nowrap')}${td(
        'reason as logged',
        esc(f.reason_text),
        'msg',
      )}${td('error as logged', esc(f.error ?? ''), 'msg')}</tr>`,
  );
  return `<table class="stack"><thead><tr><th>time</th><th>stock</th><th>cause</th><th>reason as logged</th><th>error as logged</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}
