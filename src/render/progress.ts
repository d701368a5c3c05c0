/** A progress bar on a terminal for large inputs; nothing at all in cron or pipes. */
import fs from 'node:fs';
import type { Io } from '../commands/context.js';

const MIN_BYTES = 32 << 20;

/** The library is loaded only when a bar is shown: most runs (cron, pipes, small files) show none. */
export async function createProgress(io: Io, files: string[]): Promise<{ tick: (bytes: number) => void; stop: () => void } | null> {
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
  const { default: cliProgress } = await import('cli-progress');
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
