/**
 * Prometheus text exposition of a MetricsSnapshot.
 *
 * prom-client rather than hand-written text: it owns the format's escaping (label values, HELP),
 * number formatting and the content type. A fresh Registry per render keeps no state between
 * requests: the numbers are recomputed from the store each time, never accumulated in the process.
 * Process metrics (collectDefaultMetrics) are left out so that the server and the textfile write the
 * same text, and node_exporter does not get a short-lived process's CPU time.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import { DURATION_BUCKETS, FAILURE_CAUSES, GENERATION_MODES, type MetricsSnapshot } from '../analysis/metrics.js';
import { REASONS } from '../logs/record.js';
import { PHASES } from '../market/rules.js';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export async function renderPrometheus(m: MetricsSnapshot): Promise<string> {
  const registry = new Registry();
  const registers = [registry];

  const updates = new Counter({
    name: 'craveny_report_updates_total',
    help: 'Report update attempts with a decided outcome, over the whole store (in-flight ones are in craveny_report_updates_in_flight).',
    labelNames: ['reason', 'phase', 'outcome'] as const,
    registers,
  });
  // Every known label set starts at zero, so increase() sees the first failure of a new series.
  for (const reason of REASONS) for (const phase of PHASES) for (const outcome of ['succeeded', 'failed']) updates.inc({ reason, phase, outcome }, 0);
  for (const u of m.updates) updates.inc({ reason: u.reason, phase: u.phase, outcome: u.outcome }, u.count);

  const failures = new Counter({
    name: 'craveny_report_update_failures_total',
    help: 'Failed report update attempts by cause: the LLM generation failed, the update raised, or no outcome was logged within 30 minutes.',
    labelNames: ['cause'] as const,
    registers,
  });
  for (const cause of FAILURE_CAUSES) failures.inc({ cause }, m.failures[cause]);

  const silent = new Counter({
    name: 'craveny_report_silent_failures_total',
    help: 'Attempts whose generation failed although a completion was logged (the placeholder report was saved), by generation mode: single or ab.',
    labelNames: ['mode'] as const,
    registers,
  });
  for (const mode of GENERATION_MODES) silent.inc({ mode }, m.silentFailures[mode]);

  registry.registerMetric(durationHistogram(m.durations) as never);

  const skips = new Counter({
    name: 'craveny_report_update_skips_total',
    help: 'Decisions not to update because the report was fresh, by market phase.',
    labelNames: ['phase'] as const,
    registers,
  });
  for (const phase of PHASES) skips.inc({ phase }, m.skips[phase]);

  new Gauge({
    name: 'craveny_report_updates_in_flight',
    help: 'Attempts started less than 30 minutes before the log end with no outcome logged yet.',
    registers,
  }).set(m.inFlight);

  new Counter({
    name: 'craveny_llm_calls_total',
    help: 'LLM calls for reports: [LLM_COST] lines, or generation lines on days without them.',
    registers,
  }).inc(m.llmCalls);

  new Counter({
    name: 'craveny_llm_cost_usd_total',
    help: 'Estimated cost of the LLM calls in US dollars (price per call from the config, else the printed estimate, else 0.001).',
    registers,
  }).inc(m.llmCostUsd);

  const reports = new Gauge({
    name: 'craveny_reports',
    help: "Stocks with a report, by the market phase in which each stock's current report was generated.",
    labelNames: ['phase'] as const,
    registers,
  });
  const age = new Gauge({
    name: 'craveny_oldest_report_age_seconds',
    help: "Age of the oldest current report at the log end, by the market phase in which it was generated (absent for a phase with no report).",
    labelNames: ['phase'] as const,
    registers,
  });
  for (const phase of PHASES) reports.set({ phase }, 0);
  for (const r of m.reports) {
    reports.set({ phase: r.phase }, r.count);
    age.set({ phase: r.phase }, r.maxAgeSeconds);
  }

  new Gauge({
    name: 'craveny_stocks_seen',
    help: 'Distinct stocks with an update attempt or skip on the KST day of the log end.',
    registers,
  }).set(m.stocksSeen);

  new Gauge({
    name: 'craveny_stocks_in_update_storm',
    help: 'Stocks with more attempts than the storm limit (anomalies.stormAttempts, default 3) in the storm window (default 60 min) ending at the log end.',
    registers,
  }).set(m.stocksInStorm);

  // Absent rather than 0 for an empty store: a 1970 timestamp would read as "stale for 55 years".
  if (m.logEndMs !== null) {
    new Gauge({
      name: 'craveny_log_end_timestamp_seconds',
      help: 'Time of the last timestamped backend log line ingested (the log end), in Unix seconds.',
      registers,
    }).set(m.logEndMs / 1000);
  }
  if (m.lastIngestMs !== null) {
    new Gauge({
      name: 'craveny_ingest_last_run_timestamp_seconds',
      help: 'When craveny-ops ingest last read any input, in Unix seconds.',
      registers,
    }).set(m.lastIngestMs / 1000);
  }

  return registry.metrics();
}

const DURATION_NAME = 'craveny_report_update_duration_seconds';

/**
 * The duration histogram from bucket counts the database already summed. prom-client's Histogram
 * only takes one observation at a time, which would mean reading every attempt; a registry accepts
 * any object with get(), and still does the text format and the label escaping itself.
 */
function durationHistogram(durations: MetricsSnapshot['durations']) {
  const values = durations.flatMap((d) => [
    ...DURATION_BUCKETS.map((le, i) => ({ metricName: `${DURATION_NAME}_bucket`, labels: { phase: d.phase, le }, value: d.buckets[i] })),
    { metricName: `${DURATION_NAME}_bucket`, labels: { phase: d.phase, le: '+Inf' }, value: d.count },
    { metricName: `${DURATION_NAME}_sum`, labels: { phase: d.phase }, value: d.sumSeconds },
    { metricName: `${DURATION_NAME}_count`, labels: { phase: d.phase }, value: d.count },
  ]);
  return {
    name: DURATION_NAME,
    get: async () => ({
      name: DURATION_NAME,
      help: 'Time from an attempt\'s start to its outcome record (success or failure; abandoned attempts have none), by the phase of the attempt.',
      type: 'histogram',
      values,
    }),
  };
}
