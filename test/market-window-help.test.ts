/**
 * The window flags as every windowed command's --help states them (docs/commands.md, Windows): one
 * definition serves every command (STYLE.md, practice 11), and it says what the contract says —
 * `--since` is a duration back from `--until` or now, or a time that is KST unless it carries an
 * offset, and excludes `--days`; `--until` is a day (inclusive, today KST by default) or a time
 * (exclusive).
 */
import { describe, expect, it } from 'vitest';
import { cli } from './helpers.js';

const SINCE = 'start of the window: a duration back from --until or now (90m, 24h, 7d) or a time (2025-11-04T09:00, KST unless it carries an offset); excludes --days';
const UNTIL = 'end of the window: a day (inclusive, default today KST) or a time (exclusive)';

/** The help text with its line wrapping undone: commander wraps descriptions to the terminal width. */
async function helpOf(command: string): Promise<string> {
  const run = await cli([command, '--help']);
  return (run.stdout + run.stderr).replace(/\s+/g, ' ');
}

describe('--since and --until in --help', () => {
  it.each(['stats', 'cost', 'anomalies', 'attempts', 'whatif'])('%s states the same window bounds as the contract', async (command) => {
    const help = await helpOf(command);
    expect(help).toContain(`--since <duration|time> ${SINCE}`);
    expect(help).toContain(`--until <day|time> ${UNTIL}`);
  });
});
