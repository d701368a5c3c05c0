/**
 * The examples in README.md and docs/*.md run as written, so they cannot drift from the tool.
 *
 * An example is a fenced block whose info string is `console`: `$ craveny-ops …` lines, each
 * followed by what it prints (stdout, then stderr). A line that is only `…` stands for any number
 * of lines. `$ echo $?` followed by a number checks the exit code of the command before it. The
 * commands of one page run in order against one store, made empty in a temporary directory for
 * that page, with the clock at NOW; relative paths are read from the repository's root, where
 * the bundled example logs are (fixtures/example, fixtures/logs, …).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, ROOT, tempStore, type RunResult } from './helpers.js';

/** The clock of every example: the Monday after the bundled example week, at noon KST. */
const NOW = Date.parse('2025-11-10T12:00:00+09:00');
const ELISION = '…';

interface Step {
  line: number;
  command: string;
  expected: string[];
}

export interface Example {
  line: number;
  steps: Step[];
}

/** The checked pages: the README and every page of docs/ (docs/pending holds drafts, not yet pages). */
function pages(): string[] {
  const docs = fs.existsSync(path.join(ROOT, 'docs')) ? fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => path.join('docs', f)) : [];
  return ['README.md', ...docs.sort()];
}

/** Fenced blocks with their info string and first line number. */
function fencedBlocks(text: string): { info: string; line: number; lines: string[] }[] {
  const blocks: { info: string; line: number; lines: string[] }[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})(.*)$/.exec(lines[i]);
    if (!open) continue;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !lines[j].trimStart().startsWith(open[2]); j++) body.push(lines[j].slice(open[1].length));
    blocks.push({ info: open[3].trim(), line: i + 1, lines: body });
    i = j;
  }
  return blocks;
}

export function examplesOf(text: string): Example[] {
  return fencedBlocks(text)
    .filter((b) => b.info === 'console')
    .map((block) => {
      const steps: Step[] = [];
      block.lines.forEach((text, k) => {
        if (text.startsWith('$ ')) steps.push({ line: block.line + 1 + k, command: text.slice(2), expected: [] });
        else if (steps.length) steps[steps.length - 1].expected.push(text);
        else throw new Error(`line ${block.line + 1 + k}: a console block starts with a $ line`);
      });
      return { line: block.line, steps };
    });
}

/** Shell words: quotes, and `*` expanded against the directory (sorted, as a shell does). */
function words(command: string): string[] {
  const out: string[] = [];
  for (const [, dq, sq, bare] of command.replace(/\s#\s.*$/, '').matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) {
    if (bare?.includes('*')) {
      const dir = path.dirname(bare);
      const pattern = new RegExp(`^${path.basename(bare).replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
      const found = fs.readdirSync(path.join(ROOT, dir)).filter((f) => pattern.test(f)).sort();
      out.push(...(found.length ? found.map((f) => path.join(dir, f)) : [bare]));
    } else out.push(dq ?? sq ?? bare);
  }
  return out;
}

/** Whether the output matches the expected lines, `…` standing for any number of lines. */
export function matches(actual: string[], expected: string[]): boolean {
  const segments: string[][] = [[]];
  for (const line of expected) {
    if (line.trim() === ELISION) segments.push([]);
    else segments[segments.length - 1].push(line);
  }
  const at = (start: number, segment: string[]) => segment.every((line, k) => actual[start + k] === line);
  if (segments.length === 1) return actual.length === expected.length && at(0, expected);
  const [first, ...rest] = segments;
  const last = rest.pop()!;
  if (!at(0, first) || actual.length < first.length + last.length || !at(actual.length - last.length, last)) return false;
  let position = first.length;
  const end = actual.length - last.length;
  for (const segment of rest) {
    // Each middle segment at its first place after the one before: the earliest fit leaves the most room.
    while (position + segment.length <= end && !at(position, segment)) position++;
    if (position + segment.length > end) return false;
    position += segment.length;
  }
  return true;
}

/** GitHub's anchors of a page's headings: lower case, punctuation dropped, spaces as hyphens. */
function anchorsOf(text: string): string[] {
  return [...text.matchAll(/^#+ (.+)$/gm)].map((m) =>
    m[1]
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, '')
      .replace(/ /g, '-'),
  );
}

/** Output lines; CSV's CRLF line ends read as LF, as a page cannot show them. */
const lines = (text: string) => (text === '' ? [] : text.replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n'));

for (const page of pages()) {
  const text = fs.readFileSync(path.join(ROOT, page), 'utf8');
  const examples = examplesOf(text);

  describe(page, () => {
    it('shows every command example in a checked console block', () => {
      const unchecked = fencedBlocks(text).filter((b) => b.info !== 'console' && b.lines.some((l) => /^\$ craveny-ops /.test(l)));
      expect(unchecked.map((b) => `line ${b.line}`)).toEqual([]);
    });

    it('links only to files inside the repository, and to headings that exist', () => {
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^https?:/.test(target)) continue;
        const [file, anchor] = target.split('#');
        const resolved = file ? path.resolve(path.dirname(path.join(ROOT, page)), file) : path.join(ROOT, page);
        expect(path.relative(ROOT, resolved), `${target} stays inside the repository`).not.toMatch(/^\.\./);
        expect(fs.existsSync(resolved), `${target} exists`).toBe(true);
        if (anchor) expect(anchorsOf(fs.readFileSync(resolved, 'utf8')), `${target}`).toContain(anchor);
      }
    });

    if (examples.length === 0) return;
    // The page's steps run once, in order, whichever of its tests asks first (so `-t` filters still see the store they need).
    const db = tempStore();
    const steps = examples.flatMap((e) => e.steps);
    const results: Promise<RunResult>[] = [];
    const resultOf = (index: number): Promise<RunResult> => {
      for (let k = results.length; k <= index; k++) {
        const before = k === 0 ? Promise.resolve({ code: 0, stdout: '', stderr: '' }) : results[k - 1];
        results.push(before.then((previous) => run(steps[k].command, db, previous)));
      }
      return results[index];
    };
    steps.forEach((step, index) => {
      it(`line ${step.line}: $ ${step.command}`, async () => {
        const result = await resultOf(index);
        const actual = [...lines(result.stdout), ...lines(result.stderr)];
        // On a mismatch, a diff of the whole output against the page's text.
        if (!matches(actual, step.expected)) expect(actual.join('\n')).toBe(step.expected.join('\n'));
      });
    });
  });
}

/** One step: craveny-ops on the page's store, or `echo $?`, which prints the exit code of the step before. */
async function run(command: string, db: string, previous: RunResult): Promise<RunResult> {
  if (command === 'echo $?') return { code: 0, stdout: `${previous.code}\n`, stderr: '' };
  const args = words(command);
  if (args[0] !== 'craveny-ops') throw new Error(`an example runs craveny-ops or echo $?, not: ${command}`);
  return cli(['--db', db, ...args.slice(1)], { now: NOW, env: { NO_COLOR: '1' } });
}

describe('the example checker', () => {
  it('reads console blocks into commands and their output', () => {
    const page = ['text', '```console', '$ craveny-ops stats', 'a', '…', 'b', '$ echo $?', '0', '```', '```sh', '$ not checked', '```'].join('\n');
    expect(examplesOf(page)).toEqual([
      {
        line: 2,
        steps: [
          { line: 3, command: 'craveny-ops stats', expected: ['a', '…', 'b'] },
          { line: 7, command: 'echo $?', expected: ['0'] },
        ],
      },
    ]);
  });

  it('matches output exactly, or with … for any number of lines', () => {
    expect(matches(['a', 'b'], ['a', 'b'])).toBe(true);
    expect(matches(['a', 'b', 'c'], ['a', 'b'])).toBe(false);
    expect(matches(['a'], ['a', 'b'])).toBe(false);
    expect(matches(['a', 'x', 'y', 'b'], ['a', '…', 'b'])).toBe(true);
    expect(matches(['a', 'b'], ['a', '…', 'b'])).toBe(true);
    expect(matches(['a', 'x', 'c'], ['a', '…', 'b'])).toBe(false);
    expect(matches(['a', 'x', 'm', 'y', 'b'], ['…', 'm', '…'])).toBe(true);
    expect(matches(['a', 'x', 'y', 'b'], ['…', 'm', '…'])).toBe(false);
    expect(matches(['a', 'm', 'b'], ['a', '…', 'm', '…', 'b'])).toBe(true);
    expect(matches(['m', 'b'], ['a', '…', 'm', '…', 'b'])).toBe(false);
  });
});
