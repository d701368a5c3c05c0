/**
 * The HTML dashboard of `craveny-ops report --html`: one self-contained file that opens offline and
 * from a mail attachment. Tables are rendered here (readable even where scripts are blocked); the
 * three charts are drawn by the Chart.js bundle inlined into the page, from the report's JSON, which
 * the page also carries whole (id report-data) for anyone who wants the numbers back out.
 *
 * Every string that came from a log is untrusted: text goes through esc(), the data island through
 * jsonForScript(), and a Content-Security-Policy allows only the page's own two scripts (by hash)
 * and no network at all, so even a missed escape could neither run nor phone home.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Anomaly, AnomaliesDocument } from '../analysis/anomalies.js';
import type { CostDocument } from '../analysis/cost.js';
import type { FailureCause } from '../analysis/metrics.js';
import type { StatsDocument } from '../analysis/stats.js';
import type { Day1Result } from '../analysis/verify-day1.js';
import type { WeekResult } from '../analysis/verify-week.js';
import { REASON_LABELS, type Reason } from '../logs/record.js';

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

export interface ReportDocument {
  generated_at: string;
  window: { days: number; first_day: string; last_day: string; from: string; until: string };
  log_end: string | null;
  stats: StatsDocument;
  cost: CostDocument;
  /** Attempts per KST day (rows, oldest first) and hour of day (24 columns). */
  heatmap: { days: string[]; counts: number[][] };
  /** Day 1 checks of the latest KRX trading day with updates in the window, if any. */
  day1: Day1Result | null;
  /** Day 2–7 checks over the window's last seven days. */
  week: WeekResult | null;
  anomalies: AnomaliesDocument;
  /** The latest failed attempts of the window, newest first. */
  failures: FailedAttempt[];
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

/** The chart code: fixed text, reads only the data island; no log string is ever code here. */
const CHART_SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var reasonColors = ${JSON.stringify(REASON_COLORS)};
  var phaseColors = ${JSON.stringify(PHASE_COLORS)};
  Chart.defaults.animation = false;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.maintainAspectRatio = false;
  var reasons = data.stats.update_reasons;
  if (reasons.length) {
    new Chart(document.getElementById('chart-reasons'), {
      type: 'doughnut',
      data: {
        labels: reasons.map(function (r) { return r.reason; }),
        datasets: [{ data: reasons.map(function (r) { return r.count; }),
                     backgroundColor: reasons.map(function (r) { return reasonColors[r.reason] || '#999'; }) }]
      },
      options: { plugins: { legend: { position: 'right' } } }
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
  var days = data.cost.days;
  new Chart(document.getElementById('chart-cost'), {
    data: {
      labels: days.map(function (d) { return d.date.slice(5); }),
      datasets: [
        { type: 'line', label: 'cost (USD)', data: days.map(function (d) { return d.cost_usd; }), yAxisID: 'usd',
          borderColor: '#cc4125', backgroundColor: '#cc4125', tension: 0, order: 0 },
        { type: 'bar', label: 'LLM calls', data: days.map(function (d) { return d.calls; }), yAxisID: 'calls',
          backgroundColor: 'rgba(61,133,198,0.35)', maxBarThickness: 48, order: 1 }
      ]
    },
    options: {
      scales: {
        usd: { position: 'left', beginAtZero: true, title: { display: true, text: 'USD' } },
        calls: { position: 'right', beginAtZero: true, grid: { drawOnChartArea: false }, ticks: { precision: 0 }, title: { display: true, text: 'calls' } }
      }
    }
  });
})();
`;

const STYLE = `
:root { color-scheme: light; --fg: #1f2328; --muted: #656d76; --line: #d0d7de; --bg: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "Noto Sans KR", "Apple SD Gothic Neo", "Malgun Gothic", sans-serif; color: var(--fg); background: var(--bg); }
main { max-width: 1180px; margin: 0 auto; padding: 20px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 0 0 10px; }
.sub { color: var(--muted); margin: 0 0 16px; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(340px, 1fr)); gap: 16px; margin-bottom: 16px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; margin-bottom: 16px; overflow-x: auto; }
.grid .card { margin-bottom: 0; }
.kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; margin-bottom: 16px; }
.kpi { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; }
.kpi b { display: block; font-size: 22px; }
.kpi span { color: var(--muted); font-size: 12px; }
.chart { position: relative; height: 260px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
td.n, th.n { text-align: right; }
.heat td, .heat th { text-align: center; padding: 2px 0; min-width: 26px; font-size: 11px; border: 1px solid #fff; }
.heat th.day { text-align: right; padding-right: 6px; white-space: nowrap; }
.badge { display: inline-block; padding: 0 7px; border-radius: 10px; font-size: 12px; font-weight: 600; color: #fff; background: #8c959f; }
.pass { background: #1a7f37; } .fail { background: #cf222e; } .inconclusive, .not_exercised, .no_data, .market_closed { background: #8c959f; }
.muted { color: var(--muted); }
.nowrap, th { white-space: nowrap; }
.msg { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; white-space: pre-wrap; word-break: break-word; }
footer { color: var(--muted); font-size: 12px; margin-top: 8px; }
`;

const n = (x: number) => x.toLocaleString('en-US');
const usd = (x: number) => `$${x.toFixed(x > 0 && x < 0.1 ? 4 : 2)}`;
const pct = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(1)}%`);
const badge = (status: string) => `<span class="badge ${esc(status)}">${esc(status.replace('_', ' '))}</span>`;
const num = (x: unknown) => `<td class="n">${esc(x)}</td>`;

export function renderHtml(doc: ReportDocument, chartJs: string = chartJsBundle()): string {
  const { stats, cost } = doc;
  const decided = stats.succeeded + stats.failed;
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
<h1>Report updates, ${esc(span)} <span class="muted">(${doc.window.days} day${doc.window.days === 1 ? '' : 's'}, KST)</span></h1>
<p class="sub">From ${esc(doc.window.from)} to ${esc(doc.window.until)} (exclusive) · log end ${esc(doc.log_end ?? 'none: the store is empty')} · generated ${esc(doc.generated_at)}</p>

<section class="kpis">
  <div class="kpi"><b>${n(stats.total_updates)}</b><span>update attempts</span></div>
  <div class="kpi"><b>${n(stats.succeeded)} / ${n(stats.failed)}</b><span>succeeded / failed${stats.in_flight ? ` (${n(stats.in_flight)} in flight)` : ''}</span></div>
  <div class="kpi"><b>${pct(decided ? stats.succeeded / decided : null)}</b><span>success rate</span></div>
  <div class="kpi"><b>${n(cost.total_calls)}</b><span>LLM calls (${esc(cost.calls_source)})</span></div>
  <div class="kpi"><b>${usd(cost.total_cost_usd)}</b><span>LLM cost · ${usd(cost.projected_30d_cost_usd)} per 30 days</span></div>
  <div class="kpi"><b>${n(doc.anomalies.anomalies.length)}</b><span>anomalies</span></div>
</section>

<section class="grid">
  <div class="card"><h2>Update reasons</h2>${
    stats.update_reasons.length ? '<div class="chart"><canvas id="chart-reasons" role="img" aria-label="update reasons"></canvas></div>' : '<p class="muted">No update attempts in this window.</p>'
  }
  ${reasonTable(stats)}</div>
  <div class="card"><h2>Market phases</h2><div class="chart"><canvas id="chart-phases" role="img" aria-label="update attempts by market phase"></canvas></div>
  ${phaseTable(stats)}</div>
</section>

<section class="card"><h2>Daily LLM calls and cost</h2><div class="chart"><canvas id="chart-cost" role="img" aria-label="LLM calls and cost per day"></canvas></div>
<p class="muted">Price per call ${usd(cost.price_per_call)}; calls counted from ${esc(cost.calls_source === 'llm_cost_lines' ? '[LLM_COST] lines' : 'generation lines (no [LLM_COST] lines in this window)')}.</p></section>

<section class="card"><h2>Update attempts by hour of day (KST)</h2>${heatmap(doc.heatmap)}</section>

<section class="card"><h2>By stock</h2>${stockTable(stats, cost)}</section>

<section class="card"><h2>Day 1 checks${doc.day1 ? `, ${esc(doc.day1.date)} ${badge(doc.day1.status)}` : ''}</h2>${day1Table(doc.day1)}</section>

<section class="card"><h2>Day 2–7 checks${doc.week ? `, ${esc(doc.week.from)} – ${esc(doc.week.to)} ${badge(doc.week.status)}` : ''}</h2>${weekTable(doc.week)}</section>

<section class="card"><h2>Anomalies</h2>${anomalyTable(doc.anomalies.anomalies)}</section>

<section class="card"><h2>Latest failed updates</h2>${failureTable(doc.failures)}</section>

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
      `<tr><td><span class="badge" style="background:${REASON_COLORS[r.reason] ?? '#999'}">&nbsp;</span> ${esc(r.reason)}</td><td>${esc(r.label)}</td>${num(r.count)}</tr>`,
  );
  return `<table><thead><tr><th>reason</th><th>label</th><th class="n">attempts</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function phaseTable(stats: StatsDocument): string {
  const total = stats.total_updates;
  const rows = Object.entries(stats.market_phases).map(
    ([phase, count]) =>
      `<tr><td><span class="badge" style="background:${PHASE_COLORS[phase] ?? '#999'}">&nbsp;</span> ${esc(phase)}</td>${num(count)}${num(total ? pct(count / total) : '–')}</tr>`,
  );
  return `<table><thead><tr><th>phase</th><th class="n">attempts</th><th class="n">share</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function heatmap(h: ReportDocument['heatmap']): string {
  const max = Math.max(0, ...h.counts.flat());
  if (max === 0) return '<p class="muted">No update attempts in this window.</p>';
  const head = `<tr><th></th>${Array.from({ length: 24 }, (_, hour) => `<th>${hour}</th>`).join('')}</tr>`;
  const rows = h.days.map((day, i) => {
    const cells = h.counts[i].map((count) => {
      if (count === 0) return '<td></td>';
      // Light to dark blue by share of the busiest hour; text flips to white on dark cells.
      const share = count / max;
      const style = `background:rgba(61,133,198,${(0.15 + 0.85 * share).toFixed(2)});${share > 0.5 ? 'color:#fff;' : ''}`;
      return `<td style="${style}" title="${esc(`${day} ${String(count)} attempt(s)`)}">${count}</td>`;
    });
    return `<tr><th class="day">${esc(day)}</th>${cells.join('')}</tr>`;
  });
  return `<table class="heat"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table>`;
}

function stockTable(stats: StatsDocument, cost: CostDocument): string {
  const calls = new Map(cost.by_stock.map((s) => [s.stock_code, s]));
  const codes = [...new Set([...stats.by_stock.map((s) => s.stock_code), ...cost.by_stock.map((s) => s.stock_code)])];
  if (!codes.length) return '<p class="muted">No stocks in this window.</p>';
  const byCode = new Map(stats.by_stock.map((s) => [s.stock_code, s]));
  const rows = codes.map((code) => {
    const s = byCode.get(code);
    const c = calls.get(code);
    const interval = stats.avg_interval_hours.by_stock[code];
    return `<tr><td>${esc(code)}</td>${num(s?.updates ?? 0)}${num(s?.succeeded ?? 0)}${num(s?.failed ?? 0)}${num((s?.updates_per_day ?? 0).toFixed(2))}${num(
      interval === undefined ? '–' : interval.toFixed(2),
    )}${num(c?.calls ?? 0)}${num(usd(c?.cost_usd ?? 0))}</tr>`;
  });
  return (
    '<table><thead><tr><th>stock</th><th class="n">attempts</th><th class="n">succeeded</th><th class="n">failed</th>' +
    '<th class="n">succeeded/day</th><th class="n">interval h</th><th class="n">LLM calls</th><th class="n">cost</th></tr></thead>' +
    `<tbody>${rows.join('')}</tbody></table>`
  );
}

function day1Table(day1: Day1Result | null): string {
  if (!day1) return '<p class="muted">No KRX trading day with update attempts in this window.</p>';
  const rows = day1.checks.map((c) => {
    const violations = c.violations.map((v) => `<div class="msg">${esc(v.ts.slice(11, 19))} ${esc(v.message)}</div>`).join('');
    return `<tr><td>${esc(c.id)}</td><td>${badge(c.status)}</td>${num(c.evidence_count)}${num(c.violation_count)}</tr>${
      violations ? `<tr><td colspan="4">${violations}</td></tr>` : ''
    }`;
  });
  return `<table><thead><tr><th>check</th><th>status</th><th class="n">evidence</th><th class="n">violations</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function weekTable(week: WeekResult | null): string {
  if (!week) return '<p class="muted">No days to check.</p>';
  const days = week.checks[0]?.days.map((d) => d.date) ?? [];
  const head = `<tr><th>check</th><th>status</th>${days.map((d) => `<th class="n">${esc(d.slice(5))}</th>`).join('')}</tr>`;
  const rows = week.checks.map(
    (c) =>
      `<tr><td>${esc(c.id)}</td><td>${badge(c.status)}</td>${c.days
        .map((d) => `<td class="n" title="${esc(d.status)}">${d.value === null ? '<span class="muted">–</span>' : `<span class="badge ${esc(d.status)}">${esc(d.value)}</span>`}</td>`)
        .join('')}</tr>`,
  );
  return `<table><thead>${head}</thead><tbody>${rows.join('')}</tbody></table>`;
}

/** Anomalies listed in the page; a storm can make hundreds, and the JSON island keeps them all. */
const ANOMALIES_SHOWN = 25;

function anomalyTable(anomalies: readonly Anomaly[]): string {
  if (!anomalies.length) return '<p class="muted">None found.</p>';
  const kinds = new Map<string, number>();
  for (const a of anomalies) kinds.set(a.kind, (kinds.get(a.kind) ?? 0) + 1);
  const summary = `<p>${[...kinds].map(([kind, count]) => `${esc(kind)} ×${count}`).join(' · ')}</p>`;
  const more =
    anomalies.length > ANOMALIES_SHOWN
      ? `<p class="muted">${anomalies.length - ANOMALIES_SHOWN} more not shown: craveny-ops anomalies lists them all.</p>`
      : '';
  const rows = anomalies.slice(0, ANOMALIES_SHOWN).map(
    (a) =>
      `<tr><td>${esc(a.kind)}</td><td>${esc(a.stock_code ?? '–')}</td><td class="nowrap">${esc(a.first_ts.slice(0, 16).replace('T', ' '))}</td>${num(a.count)}<td class="msg">${esc(a.detail)}</td></tr>`,
  );
  return `${summary}<table><thead><tr><th>kind</th><th>stock</th><th>first</th><th class="n">count</th><th>detail</th></tr></thead><tbody>${rows.join('')}</tbody></table>${more}`;
}

function failureTable(failures: readonly FailedAttempt[]): string {
  if (!failures.length) return '<p class="muted">No failed updates in this window.</p>';
  const rows = failures.map(
    (f) =>
      `<tr><td class="nowrap">${esc(f.ts.slice(0, 19).replace('T', ' '))}</td><td>${esc(f.stock_code)}</td><td class="nowrap">${esc(f.cause.replace('_', ' '))}</td><td class="msg">${esc(f.reason_text)}</td><td class="msg">${esc(f.error ?? '')}</td></tr>`,
  );
  return `<table><thead><tr><th>time</th><th>stock</th><th>cause</th><th>reason as logged</th><th>error as logged</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}
