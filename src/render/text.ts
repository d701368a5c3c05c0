/**
 * Untrusted text (log lines, file names, database values) on a terminal: control characters
 * would act instead of showing — an ESC sequence sets the window title, clears the screen or
 * plants an OSC 8 link; a bidi override reorders what the reader sees; a newline forges a line.
 * `visible` shows each one as a visible escape, so the text reads as it is and does nothing.
 * JSON output needs none of this: JSON.stringify escapes C0 itself, and JSON is read by programs.
 */

// C0 and DEL, C1, the bidi embeddings, overrides and isolates, the direction marks, and the
// line and paragraph separators (which some terminals and editors treat as newlines).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex
const ANY_CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

const NAMED: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r', '\u001b': '\\e' };

function escapeOne(ch: string): string {
  const named = NAMED[ch];
  if (named) return named;
  const cp = ch.codePointAt(0)!;
  return cp <= 0xff ? `\\x${cp.toString(16).padStart(2, '0')}` : `\\u{${cp.toString(16)}}`;
}

/** The text with every control character shown as an escape (`\e`, `\x07`, `\u{202e}`); the text itself when it holds none. */
export function visible(text: string): string {
  // Most text holds none: a test is cheaper than a replace that changes nothing.
  return ANY_CONTROL.test(text) ? text.replace(CONTROL, escapeOne) : text;
}

/** Whether the text holds a character `visible` would escape. */
export function hasControl(text: string): boolean {
  return ANY_CONTROL.test(text);
}

/** `1 attempt`, `2 attempts`, `0 attempts`: a count and its word (`shown`: the count as printed, if formatted). */
export const plural = (n: number, word: string, shown = String(n)): string => `${shown} ${word}${n === 1 ? '' : 's'}`;
