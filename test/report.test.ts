/** `craveny-ops report --html`: a self-contained page, log strings shown as text, charts drawn in real Chromium offline. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { esc, jsonForScript, renderHtml } from '../src/render/html.js';
import { bin, cli, fixture, ROOT, tempDir, tempStore } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const HOSTILE_STRINGS = [
  '<script>alert(1)</script> "double" \'single\' & more',
  '</script><script>alert(2)</script><img src=x onerror=alert(3)> "quoted" \'single\'',
  '<script>alert(4)</script><!-- "x" \'y\'',
];

/** The report's data island, read the way a browser does: up to the first `</script`. */
function island(html: string): any {
  const start = html.indexOf('<script type="application/json" id="report-data">');
  expect(start).toBeGreaterThan(-1);
  const body = html.slice(html.indexOf('>', start) + 1);
  return JSON.parse(body.slice(0, body.search(/<\/script/i)));
}

async function reportOf(log: string, args: string[]): Promise<{ db: string; file: string; html: string; stderr: string }> {
  const db = tempStore();
  expect((await cli(['--db', db, 'ingest', log])).code).toBe(0);
  const file = path.join(tempDir(), 'report.html');
  const run = await cli(['--db', db, 'report', '--html', file, ...args]);
  expect(run.code, run.stderr).toBe(0);
  return { db, file, html: fs.readFileSync(file, 'utf8'), stderr: run.stderr };
}

describe('craveny-ops report --html', () => {
  let day: Awaited<ReturnType<typeof reportOf>>;
  beforeAll(async () => {
    day = await reportOf(fixture('logs', 'day.log'), ['--days', '7', '--until', '2025-11-04']);
  });

  it('writes one file and says so on stderr, nothing on stdout', () => {
    expect(day.stderr).toMatch(/^wrote .*report\.html \(2025-10-29 to 2025-11-04, 10 attempts, \d+ KiB\)\n$/);
  });

  it('needs nothing from the network: no external script, style, image or font', () => {
    expect(day.html).not.toMatch(/<(script|img|iframe)[^>]+src=/i);
    expect(day.html).not.toMatch(/<link\b/i);
    expect(day.html).not.toMatch(/url\(\s*['"]?https?:/i);
    expect(day.html).toContain('Chart.js v4'); // the bundle itself is inlined
    expect(day.html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; script-src &#39;sha256-/);
  });

  it('carries the stats and cost documents of the same window, unchanged', async () => {
    const data = island(day.html);
    expect(data.stats).toEqual((await cli(['--db', day.db, 'stats', '--json', '--days', '7', '--until', '2025-11-04'])).json());
    expect(data.cost).toEqual((await cli(['--db', day.db, 'cost', '--json', '--days', '7', '--until', '2025-11-04'])).json());
  });

  it('counts attempts per KST day and hour in the heatmap', () => {
    const { heatmap } = island(day.html);
    expect(heatmap.days).toEqual(['2025-10-29', '2025-10-30', '2025-10-31', '2025-11-01', '2025-11-02', '2025-11-03', '2025-11-04']);
    const last = heatmap.counts[6];
    // The fixture's attempts: 07:10, three at 09:15, 10:40, 11:20, 12:05, 13:00, 15:45, 21:30.
    expect(last[7]).toBe(1);
    expect(last[9]).toBe(3);
    expect(last[21]).toBe(1);
    expect(last.reduce((s: number, x: number) => s + x, 0)).toBe(10);
    expect(heatmap.counts.slice(0, 6).flat().every((x: number) => x === 0)).toBe(true);
  });

  it('shows the latest verdicts: Day 1 of the newest trading day, Day 2–7 of the window', async () => {
    const data = island(day.html);
    expect(data.day1).toEqual((await cli(['--db', day.db, 'verify', 'day1', '--date', '2025-11-04', '--json'])).json());
    expect(data.week).toEqual((await cli(['--db', day.db, 'verify', 'week', '--from', '2025-10-29', '--to', '2025-11-04', '--json'])).json());
    expect(day.html).toMatch(/Day 1 checks, 2025-11-04 <span class="badge pass">pass<\/span>/);
  });

  it('lists every stock and the failed updates, newest first', () => {
    for (const code of ['005930', '000660', '035720']) expect(day.html).toContain(`<td>${code}</td>`);
    const failures = island(day.html).failures;
    expect(failures.map((f: { ts: string }) => f.ts.slice(11, 16))).toEqual(['21:30', '13:00', '12:05', '09:15']);
    expect(failures.map((f: { cause: string }) => f.cause)).toEqual(['abandoned', 'update_error', 'generation_failed', 'generation_failed']);
  });

  it('lists at most 25 anomalies in the page, with the count per kind and of those left out', () => {
    const doc = island(day.html);
    const one = doc.anomalies.anomalies[0];
    doc.anomalies.anomalies = Array.from({ length: 30 }, (_, i) => ({ ...one, detail: `anomaly number ${i}` }));
    const html = renderHtml(doc, '/* no chart bundle needed here */');
    // The day's one anomaly is its silent A/B failure: the page names the mode with the kind.
    expect([one.kind, one.mode]).toEqual(['silent_failure', 'ab']);
    expect(html).toContain('silent_failure (ab) ×30');
    expect(html).toContain('anomaly number 24');
    expect(html).not.toContain('anomaly number 25<');
    expect(html).toContain('5 more not shown');
  });

  it('writes to stdout with --html -', async () => {
    const run = await cli(['--db', day.db, 'report', '--html', '-', '--days', '1', '--until', '2025-11-04']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^<!DOCTYPE html>/);
    expect(island(run.stdout).window).toMatchObject({ days: 1, first_day: '2025-11-04' });
  });

  it('rejects a bad window or a missing --html with exit 2', async () => {
    expect((await cli(['--db', day.db, 'report', '--html', '-', '--days', '31'])).code).toBe(2);
    const missing = await cli(['--db', day.db, 'report']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--html/);
  });

  it('still writes a readable page for an empty store, with a warning', async () => {
    const file = path.join(tempDir(), 'empty.html');
    const run = await cli(['--db', tempStore(), 'report', '--html', file]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/the store holds no logs yet/);
    expect(fs.readFileSync(file, 'utf8')).toContain('No update attempts in this window.');
  });

  it('works from the built binary (the chart bundle is found from dist/)', () => {
    if (!fs.existsSync(path.join(ROOT, 'dist', 'src', 'cli.js'))) throw new Error('run `npm run build` first (npm test does)');
    const run = bin(['--db', day.db, 'report', '--html', '-', '--days', '1', '--until', '2025-11-04']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Chart.js v4');
  });
});

describe('untrusted log strings in the report', () => {
  let hostile: Awaited<ReturnType<typeof reportOf>>;
  beforeAll(async () => {
    hostile = await reportOf(fixture('report', 'hostile.log'), ['--days', '1', '--until', '2025-11-04']);
  });

  it('escapes them in the page: no markup from a log survives', () => {
    expect(hostile.html).not.toMatch(/<script>alert|<img src=x|<\/script><script>alert/);
    expect(hostile.html.match(/<script\b/g)).toHaveLength(3); // the data island, Chart.js, the chart code
    expect(hostile.html).toContain(esc(HOSTILE_STRINGS[0]));
    expect(hostile.html).toContain(esc(HOSTILE_STRINGS[1]));
  });

  it('keeps them whole in the data island, which they cannot break out of', () => {
    const data = island(hostile.html);
    expect(data.failures.map((f: { reason_text: string }) => f.reason_text)).toContain(HOSTILE_STRINGS[0]);
    expect(data.failures.map((f: { error: string }) => f.error)).toContain(HOSTILE_STRINGS[1]);
    expect(data.anomalies.anomalies.some((a: { detail: string }) => a.detail.includes(HOSTILE_STRINGS[2]))).toBe(true);
  });

  it('escapes script-breaking characters in JSON for <script>', () => {
    const text = jsonForScript({ s: '</script><!--\u2028&' });
    expect(text).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(text)).toEqual({ s: '</script><!--\u2028&' });
  });
});

describe('the report in headless Chromium', () => {
  const available = fs.existsSync(CHROMIUM);
  if (!available) console.warn(`notice: ${CHROMIUM} is absent; skipping the browser tests (CI installs it: .ci/run)`);

  let browser: import('playwright-core').Browser;
  beforeAll(async () => {
    if (!available) return;
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => browser?.close());

  /** Opens a report by file:// and records every request, dialog, console error and page error. */
  async function open(file: string) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const seen = { requests: [] as string[], dialogs: [] as string[], errors: [] as string[] };
    page.on('request', (r) => seen.requests.push(r.url()));
    page.on('dialog', (d) => {
      seen.dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('pageerror', (e) => seen.errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && seen.errors.push(m.text()));
    await page.goto(`file://${file}`, { waitUntil: 'load' });
    return { page, seen };
  }

  it.skipIf(!available)('draws the three charts, makes no network request, and saves a screenshot', async () => {
    const day = await reportOf(fixture('logs', 'day.log'), ['--days', '7', '--until', '2025-11-04']);
    const { page, seen } = await open(day.file);
    const charts = await page.evaluate(() => {
      const Chart = (window as any).Chart;
      return Object.values(Chart.instances).map((c: any) => ({ id: c.canvas.id, type: c.config.type, points: c.data.datasets[0].data.length }));
    });
    expect(charts.map((c) => c.id).sort()).toEqual(['chart-cost', 'chart-phases', 'chart-reasons']);
    expect(charts.find((c) => c.id === 'chart-cost')!.points).toBe(7);
    // Something was painted on every canvas: count pixels that are not transparent.
    const painted = await page.evaluate(() =>
      [...document.querySelectorAll('canvas')].map((canvas) => {
        const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
        return n;
      }),
    );
    expect(painted).toHaveLength(3);
    for (const n of painted) expect(n).toBeGreaterThan(1000);
    expect(seen.requests.every((u) => u.startsWith('file:') || u.startsWith('data:')), seen.requests.join(' ')).toBe(true);
    expect(seen.errors).toEqual([]);
    fs.mkdirSync(path.join(ROOT, 'test-results'), { recursive: true });
    await page.screenshot({ path: path.join(ROOT, 'test-results', 'report.png'), fullPage: true });
    await page.close();
  });

  it.skipIf(!available)('shows hostile log strings as text and runs none of them', async () => {
    const hostile = await reportOf(fixture('report', 'hostile.log'), ['--days', '1', '--until', '2025-11-04']);
    const { page, seen } = await open(hostile.file);
    const text = await page.evaluate(() => document.body.innerText);
    expect(text).toContain('<script>alert(1)</script> "double" \'single\' & more');
    expect(text).toContain('</script><script>alert(2)</script><img src=x onerror=alert(3)>');
    expect(await page.evaluate(() => document.scripts.length)).toBe(3);
    expect(await page.evaluate(() => document.images.length)).toBe(0);
    expect(seen.dialogs).toEqual([]);
    expect(seen.requests.every((u) => u.startsWith('file:') || u.startsWith('data:'))).toBe(true);
    expect(await page.evaluate(() => Object.keys((window as any).Chart.instances).length)).toBe(3);
    await page.screenshot({ path: path.join(ROOT, 'test-results', 'report-hostile.png'), fullPage: true });
    await page.close();
  });
});
