/** `craveny-ops metrics`: the /metrics text, on stdout or written for node_exporter's textfile collector. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { collectMetrics } from '../analysis/metrics.js';
import { UsageError } from '../errors.js';
import { renderPrometheus } from '../render/prometheus.js';
import { messageOf } from '../store/store.js';
import { configOf, storeSpecOf, withStore, type Context } from './context.js';

interface MetricsFlags {
  textfile?: string;
}

export function register(program: Command, ctx: Context): void {
  program
    .command('metrics')
    .description('Prometheus metrics of the store (the text of serve\'s /metrics), on stdout or into a textfile')
    .option('--textfile <path>', "write atomically to this file for node_exporter's textfile collector (a *.prom file)")
    .action(async (flags: MetricsFlags, command: Command) => {
      const config = await configOf(command, ctx);
      const text = await withStore(storeSpecOf(command, ctx, config), async ({ db }) => renderPrometheus(await collectMetrics(db, config.pricePerCall, config.anomalies)));
      if (flags.textfile === undefined) {
        ctx.io.out(text);
        return;
      }
      writeAtomically(flags.textfile, text);
      if (!flags.textfile.endsWith('.prom')) ctx.io.err(`warning: node_exporter's textfile collector reads only *.prom files; ${flags.textfile} will be ignored by it`);
    });
}

/**
 * Temp file in the same directory, then rename: the collector never reads half a file, and rename is
 * atomic only within one file system. The temp name does not end in .prom, so it is never collected.
 */
export function writeAtomically(file: string, text: string): void {
  const dir = path.dirname(path.resolve(file));
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
  try {
    fs.writeFileSync(temp, text, { mode: 0o644 });
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw new UsageError(`cannot write ${file}: ${messageOf(error)}`);
  }
}
