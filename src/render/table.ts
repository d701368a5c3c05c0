/**
 * Terminal rendering shared by the human-readable views: tables (cli-table3), small horizontal
 * bar charts and number formats. Everything fits the terminal's width (80 columns in a pipe, so
 * that tools see a stable layout) and reads without colour; colour is added only when the caller's
 * Io allows it.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import stringWidth from 'string-width';
import { visible } from './text.js';

/** The width of output that is not a terminal, and the least a layout assumes. */
export const TERMINAL_WIDTH = 80;

/** The columns to lay output out in: a terminal's own width, else the stable default. */
export function outputWidth(columns: number | undefined): number {
  return columns !== undefined && Number.isInteger(columns) && columns > 0 ? columns : TERMINAL_WIDTH;
}

/** A chalk that colours only when asked to (never with NO_COLOR or into a pipe). */
export function paint(color: boolean): ChalkInstance {
  return new Chalk({ level: color ? 1 : 0 });
}

/** Columns a string takes on a terminal: Hangul and CJK take two, ANSI colour codes none. */
export function displayWidth(text: string): number {
  return stringWidth(text);
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
