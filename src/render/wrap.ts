/** Long detail lines wrapped at a terminal's width (widths as the tables count them). */
import { displayWidth } from './table.js';

/**
 * `text` in lines of at most `width` columns, broken between words; the first line keeps the
 * text's leading spaces, the others start with `indent`; a word longer than a line is cut.
 */
export function wrap(text: string, width: number, indent = ''): string[] {
  const lines: string[] = [];
  let line = /^\s*/.exec(text)![0];
  let empty = true;
  const flush = () => {
    lines.push(line);
    line = indent;
    empty = true;
  };
  for (let word of text.split(/\s+/).filter(Boolean)) {
    const candidate = empty ? line + word : `${line} ${word}`;
    if (displayWidth(candidate) <= width) {
      line = candidate;
      empty = false;
      continue;
    }
    if (!empty) flush();
    // A word wider than a line: as much as fits, then the rest on the next lines.
    while (displayWidth(line + word) > width) {
      let cut = '';
      for (const ch of word) {
        if (displayWidth(line + cut + ch) > width) break;
        cut += ch;
      }
      if (!cut) break;
      line += cut;
      word = word.slice(cut.length);
      flush();
    }
    line += word;
    empty = word.length === 0;
  }
  if (!empty || lines.length === 0) lines.push(line);
  return lines;
}
