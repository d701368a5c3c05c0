/**
 * No command exits before its output is written: each command's largest output, read through a
 * pipe by a reader that waits before reading and then reads slowly, has every byte of the same
 * run redirected to a file. (Before the fix, `report --html - | cat` stopped at 65,536 bytes.)
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateLog } from '../bench/generate.mjs';
import { BIN, bin, ROOT, tempDir } from './helpers.js';

const WINDOW = ['--days', '30', '--until', '2025-11-04'];
const LARGEST_OUTPUTS: string[][] = [
  ['report', '--html', '-', ...WINDOW],
  ['stats', '--json', ...WINDOW],
  ['cost', '--json', ...WINDOW],
  ['cost', '--format', 'csv', ...WINDOW],
  ['anomalies', '--json', ...WINDOW],
  ['verify', 'week', '--from', '2025-10-27', '--to', '2025-11-04', '--format', 'junit'],
  ['verify', 'day1', '--date', '2025-11-03', '--format', 'junit'],
  ['metrics'],
];

let db: string;
let dir: string;

beforeAll(() => {
  dir = tempDir();
  const log = path.join(dir, 'backend.log');
  generateLog({ file: log, size: 1 << 20, days: 30, stocks: 40, start: '2025-10-06', seed: 3 });
  db = path.join(dir, 'store.db');
  expect(bin(['--db', db, 'ingest', log]).code).toBe(0);
}, 120_000);

/** The run with stdout redirected to a file: nothing can be lost there. */
function toFile(args: string[]): Promise<{ code: number | null; bytes: Buffer }> {
  const file = path.join(dir, `out-${Math.random().toString(36).slice(2)}`);
  const fd = fs.openSync(file, 'w');
  const child = spawn(process.execPath, [BIN, '--db', db, ...args], { cwd: ROOT, stdio: ['ignore', fd, 'ignore'] });
  return new Promise((resolve) => {
    child.on('exit', (code) => {
      fs.closeSync(fd);
      resolve({ code, bytes: fs.readFileSync(file) });
    });
  });
}


/**
 * A reader in a process of its own that reads nothing for a while, then one chunk every few
 * milliseconds, and hands back what it read. (A reader in this process would not do: Node resumes
 * a child's unread stdout once the child exits, and drops what was in the pipe.)
 */
const SLOW_READER = `
const chunks = [];
setTimeout(() => {
  process.stdin.on('readable', function read() {
    const chunk = process.stdin.read(4096);
    if (chunk === null) return;
    chunks.push(chunk);
    setTimeout(read, 3);
  });
  process.stdin.on('end', () => process.stdout.write(Buffer.concat(chunks)));
}, 1500);
`;

/** The run through a pipe into the slow reader: long enough for the command to finish and try to exit while the pipe is full. */
async function throughSlowPipe(args: string[]): Promise<{ code: number | null; bytes: Buffer }> {
  const reader = spawn(process.execPath, ['-e', SLOW_READER], { stdio: ['pipe', 'pipe', 'ignore'] });
  const read: Buffer[] = [];
  reader.stdout.on('data', (chunk: Buffer) => read.push(chunk));
  const readerDone = new Promise((resolve) => reader.on('close', resolve));
  const child = spawn(process.execPath, [BIN, '--db', db, ...args], { cwd: ROOT, stdio: ['ignore', reader.stdin, 'ignore'] });
  // The writing end belongs to the command now: the reader sees the end when the command closes it.
  reader.stdin.destroy();
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  await readerDone;
  return { code, bytes: Buffer.concat(read) };
}

describe('output through a slow pipe', () => {
  for (const args of LARGEST_OUTPUTS) {
    it(`${args.join(' ')}: every byte reaches the reader, with the same exit code`, async () => {
      const [file, pipe] = await Promise.all([toFile(args), throughSlowPipe(args)]);
      expect(file.bytes.length).toBeGreaterThan(0);
      expect(pipe.bytes.length).toBe(file.bytes.length);
      // The HTML report states when it was generated: the runs' clocks differ, their ends do not.
      expect(pipe.bytes.subarray(-256).equals(file.bytes.subarray(-256))).toBe(true);
      expect(pipe.code).toBe(file.code);
    }, 60_000);
  }

  it('the HTML report is larger than a pipe holds, so the test above exercises the queue', async () => {
    const { bytes } = await toFile(LARGEST_OUTPUTS[0]);
    expect(bytes.length).toBeGreaterThan(4 * 65_536);
    expect(bytes.toString('utf8').trimEnd().endsWith('</html>')).toBe(true);
  }, 60_000);
});
