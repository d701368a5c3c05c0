/** A progress bar on a terminal for large inputs; nothing at all in cron or pipes. */
import fs from 'node:fs';
import cliProgress from 'cli-progress';
import type { Io } from '../commands/context.js';

const MIN_BYTES = 32 << 20;

export function createProgress(io: Io, files: string[]): { tick: (bytes: number) => void; stop: () => void } | null {
  if (!io.stderrIsTTY) return null;
  let total = 0;
  for (const f of files) {
    try {
      if (f !== '-') total += fs.statSync(f).size;
    } catch {
      // Unreadable files are reported by the ingest itself.
    }
  }
  if (total < MIN_BYTES) return null;
  const bar = new cliProgress.SingleBar(
    { format: 'ingest [{bar}] {percentage}% {value}/{total} MB', stream: process.stderr, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  const mb = (n: number) => Math.round(n / 1e6);
  bar.start(mb(total), 0);
  let done = 0;
  return {
    tick: (bytes) => {
      done += bytes;
      bar.update(Math.min(mb(done), mb(total)));
    },
    stop: () => bar.stop(),
  };
}
