/**
 * The output options every command shares (the contract: `--json`, or `--format json`):
 * `--format` with the command's own choices, and `--json` as its alias.
 */
import { Option } from 'commander';
import { UsageError } from '../errors.js';

export const TABLE_OR_JSON = ['table', 'json'] as const;
export type TableOrJson = (typeof TABLE_OR_JSON)[number];

export interface OutputFlags<F extends string> {
  json?: boolean;
  format?: F;
}

/** `--format <choices>`; the first choice is the default. */
export function formatOption(formats: readonly string[], description = 'output: a table, or the JSON document'): Option {
  return new Option('--format <format>', `${description} (default ${formats[0]})`).choices(formats);
}

export function jsonOption(): Option {
  return new Option('--json', 'print the JSON document of the contract (same as --format json)');
}

/** The format asked for; `--json` with another `--format` is a usage error. */
export function outputFormat<F extends string>(flags: OutputFlags<F>, formats: readonly F[]): F {
  if (flags.json && flags.format && flags.format !== 'json') {
    throw new UsageError(`--json conflicts with --format ${flags.format}: give one of them`);
  }
  return flags.json ? ('json' as F) : (flags.format ?? formats[0]);
}
