/** `report --whatif FILE`: the what-if section in the HTML report, equal to `whatif --rules FILE --json`. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateLog } from '../bench/generate.mjs';
import { cli, fixture, tempDir, tempStore } from './helpers.js';

describe('craveny-ops report --whatif', () => {
  it('adds a what-if section with the whatif document of the same window and rules', async () => {
    // Two generated weekdays: the trading TTL updates are what a 12 h TTL saves.
    const dir = tempDir();
    const log = path.join(dir, 'backend.log');
    generateLog({ file: log, size: 300_000, days: 2, stocks: 6, start: '2025-11-06', seed: 7 });
    const db = tempStore();
    expect((await cli(['--db', db, 'ingest', log])).code).toBe(0);
    const rules = path.join(dir, 'rules.json');
    fs.writeFileSync(rules, JSON.stringify({ trading: { ttlHours: 12 } }));
    const window = ['--days', '2', '--until', '2025-11-07'];
    const file = path.join(tempDir(), 'report.html');
    const run = await cli(['--db', db, 'report', '--html', file, ...window, '--whatif', rules]);
    expect(run.code, run.stderr).toBe(0);
    const html = fs.readFileSync(file, 'utf8');
    const whatif = (await cli(['--db', db, 'whatif', '--json', ...window, '--rules', rules])).json();
    expect(whatif.delta.llm_calls).toBeLessThan(0);
    // The section, its rule change and its totals; the data island carries the whole document.
    const section = html.slice(html.indexOf('<section class="card" id="whatif">'));
    expect(section).toContain('What-if: trading.ttlHours 2 → 12');
    expect(section).toContain(whatif.exact ? '<span class="badge pass">exact</span>' : '<span class="badge fail">bounds</span>');
    expect(section).toMatch(new RegExp(`<td>LLM calls</td><td class="n">${whatif.actual.llm_calls}</td><td class="n">${whatif.whatif.llm_calls}</td><td class="n"><span class="badge pass">−${-whatif.delta.llm_calls}</span>`));
    // The changed decisions in the words the terminal prints (escaped).
    const changed = `${whatif.changed.dropped} attempt${whatif.changed.dropped === 1 ? '' : 's'} dropped, ${whatif.changed.added} added`;
    expect(section).toContain(`<p class="muted">${changed} (assumed to succeed after ${whatif.assumed.duration_s.toFixed(0)} s with the LLM calls of their stock&#39;s previous attempt), ${whatif.changed.reason_changed} fired by another trigger.</p>`);
    // The days stack on a phone, each number cell named: the table has seven columns.
    expect(section).toContain('<table class="stack"><thead><tr><th>day</th>');
    const day = whatif.days[0];
    expect(section).toContain(`<td class="nowrap">${day.date}</td><td class="n" data-label="calls">${day.actual.llm_calls}</td><td class="n" data-label="what-if calls">${day.whatif.llm_calls}</td>`);
    const island = html.slice(html.indexOf('id="report-data">') + 'id="report-data">'.length);
    expect(JSON.parse(island.slice(0, island.indexOf('</script'))).whatif).toEqual(whatif);
  });

  it('has no what-if section without --whatif', async () => {
    const db = tempStore();
    expect((await cli(['--db', db, 'ingest', fixture('verify', 'week.log')])).code).toBe(0);
    const run = await cli(['--db', db, 'report', '--html', '-', '--days', '7', '--until', '2025-11-16']);
    expect(run.stdout).not.toContain('id="whatif"');
  });

  it('rejects a rules file that fails the config schema before writing anything: one line, exit 2', async () => {
    const file = path.join(tempDir(), 'report.html');
    const run = await cli(['--db', tempStore(), 'report', '--html', file, '--whatif', fixture('whatif', 'bad-negative-ttl.json')]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/bad-negative-ttl.json: trading.ttlHours/);
    expect(fs.existsSync(file)).toBe(false);
  });
});
