/**
 * Terminal rendering shared by the human-readable views: tables (cli-table3), small horizontal
 * bar charts and number formats. Everything fits 80 columns and reads without colour; colour is
 * added only when the caller's Io allows it.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import { visible } from './text.js';

export const TERMINAL_WIDTH = 80;

/** A chalk that colours only when asked to (never with NO_COLOR or into a pipe). */
export function paint(color: boolean): ChalkInstance {
  return new Chalk({ level: color ? 1 : 0 });
}

// Hangul, CJK and full-width forms take two terminal columns; labels here are Korean.
const WIDE: ReadonlyArray<readonly [number, number]> = [
  [0x1100, 0x115f],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa960, 0xa97f],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe30, 0xfe4f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
];
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

/** Columns a string takes on a terminal (ANSI colour codes take none). */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text.replace(ANSI, '')) {
    const cp = ch.codePointAt(0)!;
    width += WIDE.some(([lo, hi]) => cp >= lo && cp <= hi) ? 2 : 1;
  }
  return width;
}

export function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

export function padStart(text: string, width: number): string {
  return ' '.repeat(Math.max(0, width - displayWidth(text))) + text;
}

export type Align = 'left' | 'right';

/** A cell the caller built and coloured itself: shown as it is. Every other cell may hold untrusted text and is shown with `visible`. */
export class Styled {
  constructor(readonly text: string) {}
}
export const styled = (text: string) => new Styled(text);
const cellText = (cell: string | number | Styled) => (cell instanceof Styled ? cell.text : visible(String(cell)));

/** A boxed table; numeric columns should be aligned right. */
export function table(head: string[], rows: Array<Array<string | number | Styled>>, options: { align?: Align[]; color?: boolean } = {}): string {
  const c = paint(options.color ?? false);
  const t = new Table({
    head: head.map((h) => c.bold(h)),
    colAligns: options.align ?? head.map(() => 'left'),
    // cli-table3 colours heads and borders by default; the plain look is the baseline.
    style: { head: [], border: [], 'padding-left': 1, 'padding-right': 1, compact: true },
  });
  for (const row of rows) t.push(row.map(cellText));
  return t.toString();
}

export interface Bar {
  label: string;
  value: number;
  /** What to print for the value; the value itself by default. */
  shown?: string;
}

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/**
 * One line per item: label, value, and a bar scaled to the largest value. Bars use block
 * characters, so the chart reads in any terminal without colour; a non-zero value always
 * shows at least a sliver.
 */
export function barChart(items: readonly Bar[], options: { width?: number; color?: boolean; indent?: number } = {}): string {
  const width = options.width ?? TERMINAL_WIDTH;
  const indent = ' '.repeat(options.indent ?? 2);
  const c = paint(options.color ?? false);
  const shown = items.map((i) => visible(i.shown ?? String(i.value)));
  const labels = items.map((i) => visible(i.label));
  const labelWidth = Math.max(0, ...labels.map(displayWidth));
  const valueWidth = Math.max(0, ...shown.map(displayWidth));
  const barWidth = Math.max(1, width - indent.length - labelWidth - valueWidth - 4);
  const max = Math.max(0, ...items.map((i) => i.value));
  return items
    .map((item, k) => {
      const bar = max > 0 ? blocks((item.value / max) * barWidth) : '';
      return `${indent}${padEnd(labels[k], labelWidth)}  ${padStart(shown[k], valueWidth)}  ${c.cyan(bar)}`.trimEnd();
    })
    .join('\n');
}

function blocks(length: number): string {
  if (length <= 0) return '';
  const eighths = Math.max(1, Math.round(length * 8));
  return '█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8];
}

/** Dollars with at least three decimals and at most six (the precision of the JSON). */
export function formatUsd(x: number): string {
  return `$${x.toFixed(6).replace(/0{1,3}$/, '')}`;
}

/** A heading line, bold on a colour terminal. */
export function heading(text: string, color = false): string {
  return paint(color).bold(text);
}
