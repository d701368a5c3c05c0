/**
 * The Grafana dashboard and the Prometheus alert rules in deploy/: every metric and label they name
 * exists in the `metrics` output (so a rename cannot silently empty a panel or mute an alert), every
 * query parses, and the rules pass their own promtool unit tests.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, fixture, ROOT, tempDir, tempStore } from './helpers.js';

const DASHBOARD = path.join(ROOT, 'deploy', 'grafana', 'craveny-ops.json');
const RULES = path.join(ROOT, 'deploy', 'prometheus', 'craveny-ops.rules.yml');
const RULES_TEST = path.join(ROOT, 'deploy', 'prometheus', 'craveny-ops.rules.test.yml');

interface Family {
  name: string;
  type: string;
  metrics: { labels?: Record<string, string> }[];
}
const parsePrometheus = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => Family[];

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { uid: string };
  targets?: { expr: string; datasource?: { uid: string } }[];
}
const dashboard = JSON.parse(fs.readFileSync(DASHBOARD, 'utf8')) as { uid: string; panels: Panel[]; templating: { list: { name: string; type: string }[] } };
const dashboardExprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
const rulesText = fs.readFileSync(RULES, 'utf8');
/** The rules' expressions: `expr:` values, on one line or folded over the indented lines below it. */
const ruleExprs = [...rulesText.matchAll(/^(\s*)(?:- )?expr: (?:>-\n((?:\1\s+.*\n)+)|(.*)$)/gm)].map((m) => (m[2] ?? m[3]).replace(/\s+/g, ' ').trim());
const recorded = [...rulesText.matchAll(/^\s*- record: (\S+)$/gm)].map((m) => m[1]);

/** Grafana's interval variables, as the dashboard would have them on a 7-day view. */
const withoutVariables = (expr: string) => expr.replaceAll('$__rate_interval', '5m').replaceAll('$__interval', '1m').replaceAll('$__range', '7d');
const HISTOGRAM_SUFFIX = /_(bucket|sum|count)$/;

/** Labels each metric family carries in the fixture store's output (le for histograms). */
let labelsOf: Map<string, Map<string, Set<string>>>;

beforeAll(async () => {
  const db = tempStore();
  expect((await cli(['--db', db, 'ingest', fixture('logs', 'day.log')])).code).toBe(0);
  const text = (await cli(['--db', db, 'metrics'])).stdout;
  labelsOf = new Map();
  for (const f of parsePrometheus(text)) {
    const labels = new Map<string, Set<string>>();
    for (const m of f.metrics) for (const [k, v] of Object.entries(m.labels ?? {})) labels.set(k, (labels.get(k) ?? new Set()).add(v));
    if (f.type === 'HISTOGRAM') {
      // The parser folds a labelled histogram's series together; read its label names off the text.
      for (const m of text.matchAll(new RegExp(`^${f.name}_\\w+\\{([^}]*)\\}`, 'gm')))
        for (const [, k, v] of m[1].matchAll(/(\w+)="([^"]*)"/g)) labels.set(k, (labels.get(k) ?? new Set()).add(v));
    }
    labelsOf.set(f.name, labels);
  }
});

/** The exported family a name in a query refers to (a histogram's _bucket/_sum/_count series are its family's). */
function familyOf(name: string): string | undefined {
  if (labelsOf.has(name)) return name;
  const base = name.replace(HISTOGRAM_SUFFIX, '');
  return labelsOf.has(base) ? base : undefined;
}
const metricNames = (expr: string) => [...new Set(expr.match(/\bcraveny_[a-z_]+\b/g) ?? [])];

describe.each([
  ['the Grafana dashboard', () => dashboardExprs],
  ['the alert rules', () => ruleExprs],
])('%s', (_, exprsOf) => {
  it('queries something: every expression names a craveny metric or a recorded one', () => {
    const exprs = exprsOf();
    expect(exprs.length).toBeGreaterThan(5);
    // A constant is a setting (the cost budget), recorded once for the alert and the dashboard.
    for (const expr of exprs) if (!/^vector\([\d.]+\)$/.test(expr)) expect(expr, expr).toMatch(/\bcraveny[_:]/);
  });

  it('names only metrics the metrics command exports, and recordings the rules make', () => {
    for (const expr of exprsOf()) {
      for (const name of metricNames(expr)) expect(familyOf(name), `${name} in ${expr}`).toBeDefined();
      for (const name of expr.match(/\bcraveny:[a-z_:]+/g) ?? []) expect(recorded, `${name} in ${expr}`).toContain(name);
    }
  });

  it('matches only labels and label values the metrics carry', () => {
    for (const expr of exprsOf()) {
      for (const [, name, matchers] of expr.matchAll(/\b(craveny_[a-z_]+)\{([^}]*)\}/g)) {
        const labels = labelsOf.get(familyOf(name)!)!;
        for (const [, k, op, v] of matchers.matchAll(/(\w+)\s*(=~|!=|!~|=)\s*"([^"]*)"/g)) {
          expect(labels.has(k), `${name} has no label ${k}`).toBe(true);
          if (op === '=') expect(labels.get(k)!.has(v), `${name}{${k}="${v}"} is never exported`).toBe(true);
        }
      }
      // Grouping labels exist on at least one metric of the expression.
      for (const [, by] of expr.matchAll(/\bby \(([^)]*)\)/g)) {
        for (const label of by.split(',').map((l) => l.trim())) {
          const carried = metricNames(expr).some((n) => labelsOf.get(familyOf(n)!)?.has(label));
          expect(carried, `no metric in ${expr} carries ${label}`).toBe(true);
        }
      }
    }
  });
});

it('reads every rule\'s expression, folded ones included', () => {
  expect(ruleExprs).toHaveLength([...rulesText.matchAll(/^\s*- (alert|record): /gm)].length);
  expect(ruleExprs).toContainEqual(expect.stringMatching(/^\(time\(\) - craveny_log_end_timestamp_seconds > 3600\) and on \(\) \(time\(\)/));
});

describe('the Grafana dashboard, as Grafana imports it', () => {
  it('has unique panel ids and a datasource variable on every query', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(dashboard.templating.list).toContainEqual(expect.objectContaining({ name: 'datasource', type: 'datasource' }));
    for (const p of dashboard.panels.filter((p) => p.type !== 'row')) {
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      expect(p.datasource?.uid, p.title).toBe('${datasource}');
      for (const t of p.targets!) expect(t.datasource?.uid).toBe('${datasource}');
    }
  });

  it('covers what the issue asks for', () => {
    const all = dashboardExprs.join('\n');
    for (const needed of [
      'craveny_report_updates_total',
      'craveny_report_update_failures_total',
      'craveny_report_silent_failures_total',
      'craveny_llm_calls_total',
      'craveny_llm_cost_usd_total',
      'craveny_oldest_report_age_seconds',
      'craveny_report_updates_in_flight',
      'histogram_quantile(0.95',
      'craveny_log_end_timestamp_seconds',
      'craveny_ingest_last_run_timestamp_seconds',
    ])
      expect(all).toContain(needed);
  });
});

describe('promtool', () => {
  const promtool = spawnSync('promtool', ['--version']).status === 0;
  if (!promtool) console.warn('notice: promtool is absent; skipping the rule checks (CI installs Debian\'s prometheus package: .ci/run)');
  const run = (args: string[], cwd = ROOT) => spawnSync('promtool', args, { cwd, encoding: 'utf8' });

  it.skipIf(!promtool)('checks the rules file', () => {
    const r = run(['check', 'rules', RULES]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it.skipIf(!promtool)('passes the rules\' unit tests, and would fail a wrong expectation', () => {
    const ok = run(['test', 'rules', path.basename(RULES_TEST)], path.dirname(RULES_TEST));
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toContain('SUCCESS');
    // The same tests with one expectation changed: promtool really compares.
    const dir = tempDir();
    fs.copyFileSync(RULES, path.join(dir, path.basename(RULES)));
    const wrong = fs.readFileSync(RULES_TEST, 'utf8').replace('summary: "3 report updates failed', 'summary: "4 report updates failed');
    fs.writeFileSync(path.join(dir, 'wrong.test.yml'), wrong);
    expect(run(['test', 'rules', 'wrong.test.yml'], dir).status).not.toBe(0);
  });

  it.skipIf(!promtool)('parses every dashboard query (as recording rules)', () => {
    const file = path.join(tempDir(), 'dashboard-queries.yml');
    const rules = dashboardExprs.map((e, i) => `      - record: dashboard:query_${i}\n        expr: ${JSON.stringify(withoutVariables(e))}\n`);
    fs.writeFileSync(file, `groups:\n  - name: dashboard\n    rules:\n${rules.join('')}`);
    const r = run(['check', 'rules', file]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`${dashboardExprs.length} rules found`);
  });
});
