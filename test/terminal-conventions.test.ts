/** Terminal conventions: the terminal's width, --no-color, NO_COLOR, TERM=dumb, FORCE_COLOR, wrapped details. */
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { animationWanted, colorWanted } from '../src/commands/context.js';
import { barChart, displayWidth, outputWidth } from '../src/render/table.js';
import { wrap } from '../src/render/wrap.js';
import { bin, BIN, cli, fixture, tempStore } from './helpers.js';

const ESC = '\u001b[';
const hasScript = spawnSync('script', ['--version']).status === 0;

function onTerminal(args: string[], env: NodeJS.ProcessEnv = {}, columns = 100): string {
  const command = `stty cols ${columns}; ` + [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const run = spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'xterm', ...env } });
  return run.stdout;
}

describe('colours by convention', () => {
  it('colours a terminal, never a pipe, unless told otherwise', () => {
    expect(colorWanted(true, {})).toBe(true);
    expect(colorWanted(false, {})).toBe(false);
    expect(colorWanted(true, { NO_COLOR: '1' })).toBe(false);
    expect(colorWanted(true, { NO_COLOR: '' })).toBe(true); // NO_COLOR counts only when not empty
    expect(colorWanted(true, { TERM: 'dumb' })).toBe(false);
    expect(colorWanted(true, {}, true)).toBe(false); // --no-color
  });

  it('lets FORCE_COLOR colour a pipe, and FORCE_COLOR=0 switch colours off', () => {
    expect(colorWanted(false, { FORCE_COLOR: '1' })).toBe(true);
    expect(colorWanted(false, { FORCE_COLOR: '' })).toBe(true);
    expect(colorWanted(true, { FORCE_COLOR: '0' })).toBe(false);
    expect(colorWanted(true, { FORCE_COLOR: 'false' })).toBe(false);
    expect(colorWanted(false, { FORCE_COLOR: '1', TERM: 'dumb' })).toBe(true);
    expect(colorWanted(false, { FORCE_COLOR: '1' }, true)).toBe(false); // the flag still wins
  });

  it('draws progress bars only on a terminal that can redraw', () => {
    expect(animationWanted(true, {})).toBe(true);
    expect(animationWanted(true, { TERM: 'dumb' })).toBe(false);
    expect(animationWanted(true, { NO_COLOR: '1' })).toBe(false);
    expect(animationWanted(true, { FORCE_COLOR: '1' }, true)).toBe(false);
    expect(animationWanted(false, { FORCE_COLOR: '1' })).toBe(false);
  });
});

describe('widths', () => {
  it('counts Hangul and CJK as two columns and colour codes as none (string-width)', () => {
    expect(displayWidth('삼성전자')).toBe(8);
    expect(displayWidth('005930 삼성')).toBe(11);
    expect(displayWidth(`${ESC}1mbold${ESC}22m`)).toBe(4);
  });

  it('takes the terminal’s columns, and 80 in a pipe', () => {
    expect(outputWidth(132)).toBe(132);
    expect(outputWidth(undefined)).toBe(80);
    expect(outputWidth(0)).toBe(80);
  });

  it('wraps between words at the width, Hangul counted double, continuing under the indent', () => {
    expect(wrap('  1. 시장 단계별 TTL 초과 (trading: 2.3h > 2h)', 24, '     ')).toEqual(['  1. 시장 단계별 TTL', '     초과 (trading: 2.3h', '     > 2h)']);
    for (const line of wrap('  1. 시장 단계별 TTL 초과 (trading: 2.3h > 2h)', 24, '     ')) expect(displayWidth(line)).toBeLessThanOrEqual(24);
    expect(wrap('short', 80)).toEqual(['short']);
    expect(wrap('abcdefghij', 4, '')).toEqual(['abcd', 'efgh', 'ij']);
    expect(wrap('one two', Infinity)).toEqual(['one two']);
  });

  it('scales bar charts to the width it is given', () => {
    const chart = (width: number) => barChart([{ label: 'a', value: 10 }], { width });
    expect(displayWidth(chart(80))).toBe(80);
    expect(displayWidth(chart(120))).toBe(120);
  });
});

describe('on a terminal and in a pipe', () => {
  let db: string;
  beforeAll(async () => {
    db = tempStore();
    expect((await cli(['--db', db, 'ingest', fixture('logs', 'day.log')])).code).toBe(0);
  });
  const stats = () => ['--db', db, 'stats', '--days', '1', '--until', '2025-11-04'];

  it.skipIf(!hasScript)('takes the terminal’s width for the charts', () => {
    const wide = onTerminal([...stats(), '--no-color'], {}, 120);
    const widest = Math.max(...wide.split(/\r?\n/).map(displayWidth));
    expect(widest).toBe(120);
    const narrow = onTerminal([...stats(), '--no-color'], {}, 90);
    expect(Math.max(...narrow.split(/\r?\n/).map(displayWidth))).toBe(90);
  });

  it.skipIf(!hasScript)('prints no colours with --no-color or TERM=dumb', () => {
    expect(onTerminal(stats())).toContain(ESC);
    expect(onTerminal([...stats(), '--no-color'])).not.toContain(ESC);
    const dumb = onTerminal(stats(), { TERM: 'dumb' });
    expect(dumb).toContain('10 attempts');
    expect(dumb).not.toContain(ESC);
  });

  it('colours a pipe with FORCE_COLOR and keeps 80 columns there', () => {
    const forced = bin(stats(), { env: { FORCE_COLOR: '1' } });
    expect(forced.stdout).toContain(ESC);
    const piped = bin(stats());
    expect(piped.stdout).not.toContain(ESC);
    expect(Math.max(...piped.stdout.split('\n').map(displayWidth))).toBe(80);
  });

  it('shows the duration percentiles in the stats table', () => {
    const out = bin(stats()).stdout;
    // Hand-derived in test/stats.test.ts: all 9 with an outcome record, p50 7.68 s, p95 and max 30.03 s.
    expect(out).toContain('Duration, start to outcome (s)');
    expect(out).toMatch(/│ all +│ +9 │ +7\.7 │ +30\.0 │ +30\.0 │/);
    expect(out).toMatch(/│ market_close +│ +0 │ +– │ +– │ +– │/);
  });
});
