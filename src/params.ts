/**
 * One definition of every option that both the CLI and the HTTP API take: its name, its help, the
 * JSON Schema the OpenAPI document shows, and the one parse function both use, so that `--days 7.0`
 * and `?days=7.0` are refused alike, with the same words. A flag is `--` and the name with `-` for
 * `_` (`price_per_call` is `--price-per-call`). To add one (`since`, …): define it here, add it to
 * PARAMS, then use `flagOption` in the command and name it in the route's `querySchema`.
 */
import { Option } from 'commander';
import { OUTCOMES, STOCK_CODE } from './analysis/attempt-list.js';
import { UsageError } from './errors.js';
import { REASONS } from './logs/record.js';
import { isDay, parseDays } from './market/time.js';
import { parseDuration, parseTime, WINDOW_HELP } from './market/window.js';

export interface Param<T> {
  /** The query parameter; the flag is derived from it. */
  name: string;
  /** The flag's value placeholder in help: `<n>`, `<YYYY-MM-DD>`. */
  placeholder: string;
  description: string;
  /** What /openapi.json shows. Values are checked by `parse`, never by this schema. */
  schema: Readonly<Record<string, unknown>>;
  /** The value of `text`, or a UsageError naming `label` (`--days` on the CLI, `days` over HTTP). */
  parse(text: string, label: string): T;
  /** Given any number of times (`?set=a&set=b`, `--set a --set b`): the value is the list of parsed values. */
  repeatable?: boolean;
}

export const flagOf = (param: Param<unknown>) => `--${param.name.replace(/_/g, '-')}`;

/** `--days` is the contract's 1–30 (the bounds of the original admin API; parseDays holds them). */
export const MAX_DAYS = 30;
/**
 * No LLM call costs anywhere near this; a larger price is a typo or an attack (`1e308` made every
 * total overflow to Infinity, which JSON prints as null).
 */
export const MAX_PRICE_PER_CALL = 100;

const DAY_SCHEMA = { type: 'string', format: 'date', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } as const;

function dayParam(name: string, description: string): Param<string> {
  return {
    name,
    placeholder: '<YYYY-MM-DD>',
    description,
    schema: DAY_SCHEMA,
    parse(text, label) {
      if (!isDay(text)) throw new UsageError(`${label} must be a date as YYYY-MM-DD, got '${text}'`);
      return text;
    },
  };
}

export const DAYS: Param<number> = {
  name: 'days',
  placeholder: '<n>',
  description: `KST calendar days ending with until, 1–${MAX_DAYS}`,
  schema: { type: 'integer', minimum: 1, maximum: MAX_DAYS },
  parse: (text, label) => parseDays(text, 0, label),
};

const TIME_SCHEMA = { type: 'string' } as const;

/** A window bound as a day or a time, checked here and read by market/window.ts's parseWindow. */
export const UNTIL: Param<string> = {
  name: 'until',
  placeholder: '<day|time>',
  description: WINDOW_HELP.until,
  schema: TIME_SCHEMA,
  parse(text, label) {
    if (!isDay(text) && parseTime(text) === null) {
      throw new UsageError(`${label} must be a day (YYYY-MM-DD) or a time (YYYY-MM-DDTHH:MM, KST unless it carries an offset), got '${text}'`);
    }
    return text;
  },
};

export const SINCE: Param<string> = {
  name: 'since',
  placeholder: '<duration|time>',
  description: WINDOW_HELP.since,
  schema: TIME_SCHEMA,
  parse(text, label) {
    if (parseDuration(text) === null && !isDay(text) && parseTime(text) === null) {
      throw new UsageError(`${label} must be a duration (90m, 24h, 7d), a day (YYYY-MM-DD) or a time (YYYY-MM-DDTHH:MM, KST unless it carries an offset), got '${text}'`);
    }
    return text;
  },
};

function oneOf<T extends string>(name: string, values: readonly T[], description: string): Param<T> {
  return {
    name,
    placeholder: `<${name}>`,
    description: `${description}: ${values.join(', ')}`,
    schema: { type: 'string', enum: [...values] },
    parse(text, label) {
      if (!(values as readonly string[]).includes(text)) throw new UsageError(`${label} must be one of ${values.join(', ')}, got '${text}'`);
      return text as T;
    },
  };
}

export const STOCK: Param<string> = {
  name: 'stock',
  placeholder: '<code>',
  description: 'only this stock: a KRX short code of six digits or capital letters (005930, 0001A0)',
  schema: { type: 'string', pattern: STOCK_CODE.source },
  parse(text, label) {
    if (!STOCK_CODE.test(text)) throw new UsageError(`${label} must be a KRX short code of six digits or capital letters (005930, 0001A0), got '${text}'`);
    return text;
  },
};
export const REASON = oneOf('reason', REASONS, 'only this reason');
export const OUTCOME = oneOf('outcome', OUTCOMES, 'only this outcome (abandoned attempts are failed ones)');

export const SET: Param<string> = {
  name: 'set',
  placeholder: '<phase.key=value>',
  description: 'PHASE.KEY=VALUE, e.g. trading.ttlHours=3 (repeatable), as whatif --set',
  schema: { type: 'array', items: { type: 'string' } },
  // Each setting is checked against the rules by whatif-rules.ts, with the same words for the CLI and the API.
  parse: (text) => text,
  repeatable: true,
};
export const RULES: Param<string> = {
  name: 'rules',
  placeholder: '<json>',
  description: "the what-if rules as JSON in the config's `rules` shape, as the file of whatif --rules",
  schema: { type: 'string' },
  parse: (text) => text,
};
export const FIX_PREDICTION_CAP: Param<boolean> = {
  name: 'fix_prediction_cap',
  placeholder: '',
  description: 'replay as if the 20-prediction cap defect were fixed',
  schema: { type: 'boolean' },
  parse(text, label) {
    if (text !== 'true' && text !== 'false') throw new UsageError(`${label} must be true or false, got '${text}'`);
    return text === 'true';
  },
};
export const DATE = dayParam('date', 'the KST day (default: the latest KRX trading day with data in the store)');
export const FROM = dayParam('from', 'the first KST day');
export const TO = dayParam('to', 'the last KST day, inclusive (default: from + 5, six days)');

// Decimal only, an optional `$` and exponent: no hex, no Infinity, no sign, no space.
const PRICE = /^\$?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

export const PRICE_PER_CALL: Param<number> = {
  name: 'price_per_call',
  placeholder: '<usd>',
  description: "price of one LLM call in USD, 0 to 100 (default: the config's pricePerCall, else each line's 비용예상, else 0.001)",
  schema: { type: 'number', minimum: 0, maximum: MAX_PRICE_PER_CALL },
  parse(text, label) {
    const price = PRICE.test(text) ? Number(text.replace(/^\$/, '')) : NaN;
    if (!(price >= 0 && price <= MAX_PRICE_PER_CALL)) {
      throw new UsageError(`${label} must be a price in USD from 0 to ${MAX_PRICE_PER_CALL} such as 0.001, got '${text}'`);
    }
    return price;
  },
};

/** Every parameter by its name: the HTTP API parses a query parameter by the definition of its name. */
export const PARAMS: ReadonlyMap<string, Param<unknown>> = new Map(
  ([DAYS, SINCE, UNTIL, DATE, FROM, TO, PRICE_PER_CALL, STOCK, REASON, OUTCOME, SET, RULES, FIX_PREDICTION_CAP] as Param<unknown>[]).map((p) => [p.name, p]),
);

/** The commander option of a parameter; `fallback` says what applies without it. */
export function flagOption(param: Param<unknown>, fallback?: string): Option {
  const help = fallback === undefined ? param.description : `${param.description.replace(/ \(default[^)]*\)$/, '')} (default ${fallback})`;
  return new Option(`${flagOf(param)} ${param.placeholder}`, help);
}

/** A flag's value as the parameter's parse reads it; `fallback` when the flag was not given. */
export function fromFlag<T, F>(param: Param<T>, text: string | undefined, fallback: F): T | F {
  return text === undefined ? fallback : param.parse(text, flagOf(param));
}
