/**
 * Reading attempts, skips and LLM calls back from the store, with the outcome definitions of
 * the contract. Every analysis (stats, cost, verify, anomalies, report, serve) reads through here.
 */
import type { ExpressionBuilder, Kysely } from 'kysely';
import { PHASES, type Phase, type Rules } from '../market/rules.js';
import { DAY_MS, MINUTE_MS } from '../market/time.js';
import type { Reason } from '../logs/record.js';
import type { AttemptRow, Database, RecordRow, RecordsTable } from '../store/schema.js';
import { rowsOf, shapedRows, sqliteHandleOf, type Query } from '../store/statements.js';

/** An attempt without an outcome record is abandoned once the log runs this long past its start. */
export const ABANDON_AFTER_MS = 30 * MINUTE_MS;

/** How far back lastCompletionsBefore looks first (see there). */
const RECENT_COMPLETIONS_MS = 7 * DAY_MS;

export type Status = 'succeeded' | 'failed' | 'in_flight';

export interface Attempt {
  host: string;
  stockCode: string;
  ts: number;
  reason: Reason;
  reasonText: string;
  phase: Phase;
  /** The phase printed in the reason, if any. */
  namedPhase: Phase | null;
  ageHours: number | null;
  ttlHours: number | null;
  rate: number | null;
  threshold: number | null;
  prevCount: number | null;
  curCount: number | null;
  status: Status;
  abandoned: boolean;
  /** Time of the success record (succeeded attempts only). */
  completedTs: number | null;
  /** Time of the outcome record (success or failure), or null (abandoned, in flight): the end of its duration. */
  outcomeTs: number | null;
  generationMode: 'single' | 'ab' | null;
  generationFailed: boolean;
  /** A completion was logged although the generation failed (the A/B defect). */
  completionLogged: boolean;
  error: string | null;
}

export interface TimeRange {
  fromMs: number;
  /** Exclusive. */
  untilMs: number;
}

type Db = Kysely<Database>;

/** The log end: the latest timestamped line of any ingested input; null for an empty store. */
export async function logEnd(db: Db): Promise<number | null> {
  const row = await db.selectFrom('sources').select((eb) => eb.fn.max('last_ts').as('end')).executeTakeFirst();
  return row?.end == null ? null : Number(row.end);
}

/** An attempt's status: its outcome record's, else abandoned (failed) or in flight by the log end. */
function settle(outcome: string | null, ts: number, end: number | null): { status: Status; abandoned: boolean } {
  if (outcome === 'succeeded' || outcome === 'failed') return { status: outcome, abandoned: false };
  if (end !== null && end - ts >= ABANDON_AFTER_MS) return { status: 'failed', abandoned: true };
  return { status: 'in_flight', abandoned: false };
}

const SUMMARY_COLUMNS = ['host', 'stock_code', 'ts', 'reason', 'phase', 'outcome', 'outcome_ts', 'completed_ts'] as const;

function toSummary(row: Pick<AttemptRow, (typeof SUMMARY_COLUMNS)[number]>, end: number | null): AttemptSummary {
  const { status, abandoned } = settle(row.outcome, row.ts, end);
  return {
    host: row.host,
    stockCode: row.stock_code,
    ts: row.ts,
    reason: row.reason as Reason,
    phase: row.phase as Phase,
    status,
    abandoned,
    completedTs: status === 'succeeded' ? row.completed_ts : null,
    outcomeTs: abandoned ? null : row.outcome_ts,
  };
}

/**
 * An attempt row as the analyses see it. Written out field by field rather than spread over
 * toSummary: a spread gives every attempt a slow object shape, which doubled the time and memory
 * of a month's anomalies.
 */
export function toAttempt(row: AttemptRow, end: number | null): Attempt {
  const { status, abandoned } = settle(row.outcome, row.ts, end);
  return {
    host: row.host,
    stockCode: row.stock_code,
    ts: row.ts,
    reason: row.reason as Reason,
    reasonText: row.reason_text,
    phase: row.phase as Phase,
    namedPhase: row.named_phase as Phase | null,
    ageHours: row.age_h,
    ttlHours: row.ttl_h,
    rate: row.rate,
    threshold: row.threshold,
    prevCount: row.prev_count,
    curCount: row.cur_count,
    status,
    abandoned,
    completedTs: status === 'succeeded' ? row.completed_ts : null,
    outcomeTs: abandoned ? null : row.outcome_ts,
    generationMode: row.generation_mode as 'single' | 'ab' | null,
    generationFailed: row.generation_failed === 1,
    completionLogged: row.completion_logged === 1,
    error: row.error,
  };
}

/** Attempts that started in [fromMs, untilMs), ordered by time. */
export async function attemptsIn(db: Db, range: TimeRange, end?: number | null): Promise<Attempt[]> {
  const logEndMs = end === undefined ? await logEnd(db) : end;
  const query = db
    .selectFrom('attempts')
    .selectAll()
    .where('ts', '>=', range.fromMs)
    .where('ts', '<', range.untilMs)
    .orderBy('ts')
    .orderBy('id');
  return rowsOf(query, sqliteHandleOf(db), (r) => toAttempt(r, logEndMs));
}

/** What counting analyses (stats, cost) need of an attempt. */
export type AttemptSummary = Pick<Attempt, 'host' | 'stockCode' | 'ts' | 'reason' | 'phase' | 'status' | 'abandoned' | 'completedTs' | 'outcomeTs'>;

/**
 * Attempts that started in [fromMs, untilMs), as summaries: a third of the columns, which is most
 * of the cost of reading a month of attempts.
 */
export async function attemptSummariesIn(db: Db, range: TimeRange, end?: number | null): Promise<AttemptSummary[]> {
  const logEndMs = end === undefined ? await logEnd(db) : end;
  const query = db
    .selectFrom('attempts')
    .select(SUMMARY_COLUMNS)
    .where('ts', '>=', range.fromMs)
    .where('ts', '<', range.untilMs)
    .orderBy('ts')
    .orderBy('id');
  return rowsOf(query, sqliteHandleOf(db), (r) => toSummary(r, logEndMs));
}

/** What `cost` counts of an attempt: its start, its stock and whether it succeeded. */
export interface AttemptStart {
  stockCode: string;
  ts: number;
  succeeded: boolean;
}

/** Attempts that started in [fromMs, untilMs), as starts: three columns, a third of the summaries' cost. */
export async function attemptStartsIn(db: Db, range: TimeRange): Promise<AttemptStart[]> {
  const query = db.selectFrom('attempts').select(['stock_code', 'ts', 'outcome']).where('ts', '>=', range.fromMs).where('ts', '<', range.untilMs).orderBy('ts').orderBy('id');
  // Abandonment needs no log end here: it decides only between failed and in flight.
  return rowsOf(query, sqliteHandleOf(db), (r) => ({ stockCode: r.stock_code, ts: r.ts, succeeded: settle(r.outcome, r.ts, null).status === 'succeeded' }));
}

/** What a trigger 2 printed: `새 예측 추가 (기존: prev, 현재: cur, …)`. */
export interface Trigger2Numbers {
  prev: number;
  cur: number;
}

/**
 * The latest trigger-2 numbers before `beforeMs` of each of `stocks`, however long before (a
 * Friday's, for a Monday's first trigger 2): what its next trigger 2 is compared with. Keyed by
 * host and stock; each read walks back the stock's own attempts (an index) to its latest one.
 */
export async function trigger2NumbersBefore(db: Db, beforeMs: number, stocks: Iterable<{ host: string; stockCode: string }>): Promise<Map<string, Trigger2Numbers>> {
  const latest = new Map<string, Trigger2Numbers>();
  for (const { host, stockCode } of stocks) {
    const key = `${host}\u0000${stockCode}`;
    if (latest.has(key)) continue;
    const row = await db
      .selectFrom('attempts')
      .select(['prev_count', 'cur_count'])
      .where('host', '=', host)
      .where('stock_code', '=', stockCode)
      .where('ts', '<', beforeMs)
      .where('reason', '=', 'new_prediction')
      .where('prev_count', 'is not', null)
      .where('cur_count', 'is not', null)
      .orderBy('ts', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (row) latest.set(key, { prev: row.prev_count!, cur: row.cur_count! });
  }
  return latest;
}

/**
 * Each stock's latest success completed before `beforeMs` (for report ages at the start of a range).
 * Keyed by host and stock: `${host}\u0000${stock}`.
 */
export async function lastCompletionsBefore(db: Db, beforeMs: number): Promise<Map<string, { host: string; stockCode: string; completedTs: number }>> {
  const latest = (lookBackMs: number | null, stock?: { host: string; stockCode: string }) => {
    let query = db
      .selectFrom('attempts')
      .select(['host', 'stock_code', (eb) => eb.fn.max('completed_ts').as('completed')])
      .where('outcome', '=', 'succeeded')
      .where('completed_ts', '<', beforeMs);
    if (lookBackMs !== null) query = query.where('completed_ts', '>=', beforeMs - lookBackMs);
    if (stock) query = query.where('host', '=', stock.host).where('stock_code', '=', stock.stockCode);
    return query.groupBy(['host', 'stock_code']).execute();
  };
  const map = new Map<string, { host: string; stockCode: string; completedTs: number }>();
  const add = (rows: { host: string; stock_code: string; completed: unknown }[]) => {
    for (const r of rows) {
      if (r.completed != null) map.set(`${r.host}\u0000${r.stock_code}`, { host: r.host, stockCode: r.stock_code, completedTs: Number(r.completed) });
    }
  };
  // A completion of the last week is later than every older one: one short range of the
  // completion index answers nearly every stock, where the whole history of a year-old store took
  // ten times as long. Only a stock without one is looked up in its whole history.
  add(await latest(RECENT_COMPLETIONS_MS));
  for (const s of await attemptStocks(db)) {
    if (!map.has(`${s.host}\u0000${s.stockCode}`)) add(await latest(null, s));
  }
  return map;
}

/**
 * Every host and stock the store holds attempts of, in order: one index seek each, from one to the
 * next, where `select distinct` read the index's entry of every attempt in the store.
 */
async function attemptStocks(db: Db): Promise<{ host: string; stockCode: string }[]> {
  const raw = sqliteHandleOf(db);
  const first = async <T>(rows: Promise<T[]>) => (await rows)[0];
  const hostAfter = (prev: string | null) =>
    first(
      prev === null
        ? shapedRows(raw, 'first attempt host', () => db.selectFrom('attempts').select('host').orderBy('host').limit(1))
        : shapedRows(raw, 'attempt host after', (h: string) => db.selectFrom('attempts').select('host').where('host', '>', h).orderBy('host').limit(1), prev),
    );
  const stockAfter = (host: string, prev: string | null) =>
    first(
      prev === null
        ? shapedRows(raw, 'first attempt stock', (h: string) => db.selectFrom('attempts').select('stock_code').where('host', '=', h).orderBy('stock_code').limit(1), host)
        : shapedRows(raw, 'attempt stock after', (h: string, p: string) => db.selectFrom('attempts').select('stock_code').where('host', '=', h).where('stock_code', '>', p).orderBy('stock_code').limit(1), host, prev),
    );
  const stocks: { host: string; stockCode: string }[] = [];
  for (let h = await hostAfter(null); h; h = await hostAfter(h.host)) {
    for (let s = await stockAfter(h.host, null); s; s = await stockAfter(h.host, s.stock_code)) stocks.push({ host: h.host, stockCode: s.stock_code });
  }
  return stocks;
}

export interface Skip {
  host: string;
  stockCode: string;
  ts: number;
  phase: Phase | null;
  ageHours: number | null;
  ttlHours: number | null;
  text: string;
}

const SKIP_COLUMNS = ['host', 'stock_code', 'ts', 'phase', 'age_h', 'ttl_h', 'text'] as const;

function toSkip(r: Pick<RecordRow, (typeof SKIP_COLUMNS)[number]>): Skip {
  return {
    host: r.host,
    stockCode: r.stock_code!,
    ts: r.ts,
    phase: r.phase as Phase | null,
    ageHours: r.age_h,
    ttlHours: r.ttl_h,
    text: r.text ?? '',
  };
}

export async function skipsIn(db: Db, range: TimeRange): Promise<Skip[]> {
  return recordsOfKind(db, 'skip', range, SKIP_COLUMNS, toSkip);
}

/**
 * The skips that can break the TTL rule: those whose printed age is past the TTL of the phase they
 * name (naming none, past the shortest TTL). The rule itself is checked on them by violations.ts;
 * this only spares reading a month of skips with their text, a sixth of the time of `anomalies`.
 */
export async function skipsPastTtlIn(db: Db, range: TimeRange, rules: Rules): Promise<Skip[]> {
  const shortest = Math.min(...PHASES.map((p) => rules[p].ttlHours));
  const query = db
    .selectFrom('records')
    .select(SKIP_COLUMNS)
    .where('kind', '=', 'skip')
    .where('ts', '>=', range.fromMs)
    .where('ts', '<', range.untilMs)
    .where((eb) => {
      // age_h > (case phase when 'pre_market' then 3 … else the shortest end)
      const [first, ...rest] = PHASES;
      let ttl = eb.case('phase').when(first).then(rules[first].ttlHours);
      for (const p of rest) ttl = ttl.when(p).then(rules[p].ttlHours);
      return eb('age_h', '>', ttl.else(shortest).end());
    })
    .orderBy('ts')
    .orderBy('id');
  return rowsOf(query, sqliteHandleOf(db), toSkip);
}

/** The phases skips named, in time order: for the time-zone check, which needs nothing else of them. */
export async function skipPhasesIn(db: Db, range: TimeRange): Promise<{ ts: number; phase: Phase }[]> {
  const query = db
    .selectFrom('records')
    .select(['ts', 'phase'])
    .where('kind', '=', 'skip')
    .where('ts', '>=', range.fromMs)
    .where('ts', '<', range.untilMs)
    .where('phase', 'is not', null)
    .orderBy('ts')
    .orderBy('id');
  return rowsOf(query, sqliteHandleOf(db), (r) => ({ ts: r.ts, phase: r.phase as Phase }));
}

export interface LlmCall {
  host: string;
  stockCode: string | null;
  ts: number;
  /** The cost the record printed, if any ([LLM_COST] lines). */
  printedCostUsd: number | null;
}

export type CallsSource = 'llm_cost_lines' | 'generation_lines';

/**
 * The generation mode of the attempt a record `r` belongs to: its stock's latest attempt on the same
 * host at or before it. One definition for every count of calls (here and the metrics).
 */
export function attemptModeOf(eb: ExpressionBuilder<Database & { r: RecordsTable }, 'r'>) {
  return eb
    .selectFrom('attempts as a')
    .select('a.generation_mode')
    .whereRef('a.host', '=', 'r.host')
    .whereRef('a.stock_code', '=', 'r.stock_code')
    .whereRef('a.ts', '<=', 'r.ts')
    .orderBy('a.ts', 'desc')
    .orderBy('a.id', 'desc')
    .limit(1);
}

/**
 * Attempts a caller has read already: all those that started from `fromMs` to the end of a range,
 * in (ts, id) order. Given to llmCallsIn, they spare it looking up each line's attempt in the store.
 */
export interface KnownAttempts {
  fromMs: number;
  attempts: readonly Pick<Attempt, 'host' | 'stockCode' | 'ts' | 'generationMode'>[];
}

/**
 * LLM calls in a range: the [LLM_COST] records if the range has any, each worth two calls when the
 * attempt it belongs to (attemptModeOf) generated in A/B mode — the backend prints one line per
 * report, but A/B mode calls two models; otherwise one call per single-mode generation start and
 * two per A/B generation start. Each call is one entry.
 */
export async function llmCallsIn(db: Db, range: TimeRange, known?: KnownAttempts): Promise<{ source: CallsSource; calls: LlmCall[] }> {
  const lines = known ? await costLinesOwnedBy(db, range, known) : await costLinesIn(db, range);
  if (lines.length > 0) return { source: 'llm_cost_lines', calls: lines.flatMap((c) => (c.ab ? [c.call, { ...c.call }] : [c.call])) };
  const starts = await recordsOfKind(db, 'generation_started', range, ['host', 'stock_code', 'ts', 'mode']);
  const calls: LlmCall[] = [];
  for (const r of starts) {
    const call = { host: r.host, stockCode: r.stock_code, ts: r.ts, printedCostUsd: null };
    calls.push(call);
    if (r.mode === 'ab') calls.push({ ...call });
  }
  return { source: 'generation_lines', calls };
}

type CostLine = { call: LlmCall; ab: boolean };

/** The [LLM_COST] lines of a range, each with its attempt's mode looked up in the store (attemptModeOf). */
async function costLinesIn(db: Db, range: TimeRange): Promise<CostLine[]> {
  const query = db
    .selectFrom('records as r')
    .select(['r.host', 'r.stock_code', 'r.ts', 'r.cost_usd'])
    .select((eb) => attemptModeOf(eb).as('generation_mode'))
    .where('r.kind', '=', 'llm_cost')
    .where('r.ts', '>=', range.fromMs)
    .where('r.ts', '<', range.untilMs)
    .orderBy('r.ts')
    .orderBy('r.id');
  return rowsOf(query, sqliteHandleOf(db), (r) => ({
    call: { host: r.host, stockCode: r.stock_code, ts: r.ts, printedCostUsd: r.cost_usd },
    ab: r.generation_mode === 'ab',
  }));
}

/**
 * The same, each line's attempt found among attempts already read (attemptModeOf by binary search):
 * only a line with none of its stock there, whose attempt started before them, asks the store.
 */
async function costLinesOwnedBy(db: Db, range: TimeRange, known: KnownAttempts): Promise<CostLine[]> {
  const byStock = new Map<string, KnownAttempts['attempts'][number][]>();
  for (const a of known.attempts) {
    const key = `${a.host}\u0000${a.stockCode}`;
    const list = byStock.get(key);
    if (list) list.push(a);
    else byStock.set(key, [a]);
  }
  const lines = await recordsOfKind(db, 'llm_cost', range, ['host', 'stock_code', 'ts', 'cost_usd'], (r) => ({
    call: { host: r.host, stockCode: r.stock_code, ts: r.ts, printedCostUsd: r.cost_usd } as LlmCall,
    ab: false,
  }));
  for (const line of lines) {
    const { host, stockCode, ts } = line.call;
    if (stockCode === null) continue;
    const owner = latestAtOrBefore(byStock.get(`${host}\u0000${stockCode}`), ts);
    line.ab = owner ? owner.generationMode === 'ab' : (await modeBefore(db, line.call)) === 'ab';
  }
  return lines;
}

/** How many of `length` items in time order (item i at `tsAt(i)`) are at or before `ts`: a binary search. */
export function countAtOrBefore(length: number, tsAt: (i: number) => number, ts: number): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tsAt(mid) <= ts) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The last of `list` (in time order) that started at or before `ts`. */
export function latestAtOrBefore<T extends { ts: number }>(list: readonly T[] | undefined, ts: number): T | undefined {
  if (!list) return undefined;
  const n = countAtOrBefore(list.length, (i) => list[i].ts, ts);
  return n > 0 ? list[n - 1] : undefined;
}

/** attemptModeOf for one line, by itself. */
async function modeBefore(db: Db, line: LlmCall): Promise<string | null> {
  const row = await db
    .selectFrom('records as r')
    .select((eb) => attemptModeOf(eb).as('mode'))
    .where('r.kind', '=', 'llm_cost')
    .where('r.host', '=', line.host)
    .where('r.stock_code', '=', line.stockCode)
    .where('r.ts', '=', line.ts)
    .limit(1)
    .executeTakeFirst();
  return row?.mode ?? null;
}

/**
 * The records of one kind in a range, with only the columns asked for: reading ten thousand
 * rows costs in proportion to their width.
 */
export async function recordsOfKind<C extends keyof RecordRow & string>(db: Db, kind: string, range: TimeRange, columns: readonly C[]): Promise<Pick<RecordRow, C>[]>;
export async function recordsOfKind<C extends keyof RecordRow & string, T>(
  db: Db,
  kind: string,
  range: TimeRange,
  columns: readonly C[],
  map: (row: Pick<RecordRow, C>) => T,
): Promise<T[]>;
export async function recordsOfKind<C extends keyof RecordRow & string, T>(
  db: Db,
  kind: string,
  range: TimeRange,
  columns: readonly C[],
  map?: (row: Pick<RecordRow, C>) => T,
): Promise<(Pick<RecordRow, C> | T)[]> {
  const query = db
    .selectFrom('records')
    .select(columns as readonly (keyof RecordRow & string)[])
    .where('kind', '=', kind)
    .where('ts', '>=', range.fromMs)
    .where('ts', '<', range.untilMs)
    .orderBy('ts')
    .orderBy('id');
  const raw = sqliteHandleOf(db);
  return map ? rowsOf(query as Query<Pick<RecordRow, C>>, raw, map) : (rowsOf(query, raw) as Promise<Pick<RecordRow, C>[]>);
}

/** What the what-if replay needs of an attempt: its decision and how it ended, without its texts. */
export type DecisionAttempt = Pick<
  Attempt,
  | 'host'
  | 'stockCode'
  | 'ts'
  | 'reason'
  | 'phase'
  | 'ageHours'
  | 'ttlHours'
  | 'rate'
  | 'threshold'
  | 'prevCount'
  | 'curCount'
  | 'status'
  | 'abandoned'
  | 'completedTs'
  | 'outcomeTs'
  | 'generationMode'
  | 'generationFailed'
  | 'completionLogged'
>;

const DECISION_COLUMNS = [
  'host',
  'stock_code',
  'ts',
  'reason',
  'phase',
  'age_h',
  'ttl_h',
  'rate',
  'threshold',
  'prev_count',
  'cur_count',
  'outcome',
  'outcome_ts',
  'completed_ts',
  'generation_mode',
  'generation_failed',
  'completion_logged',
] as const;

/** Attempts that started in [fromMs, untilMs) as decisions, ordered by time: the texts left unread. */
export async function decisionAttemptsIn(db: Db, range: TimeRange, end: number | null): Promise<DecisionAttempt[]> {
  const query = db.selectFrom('attempts').select(DECISION_COLUMNS).where('ts', '>=', range.fromMs).where('ts', '<', range.untilMs).orderBy('ts').orderBy('id');
  return rowsOf(query, sqliteHandleOf(db), (row) => {
    const { status, abandoned } = settle(row.outcome, row.ts, end);
    return {
      host: row.host,
      stockCode: row.stock_code,
      ts: row.ts,
      reason: row.reason as Reason,
      phase: row.phase as Phase,
      ageHours: row.age_h,
      ttlHours: row.ttl_h,
      rate: row.rate,
      threshold: row.threshold,
      prevCount: row.prev_count,
      curCount: row.cur_count,
      status,
      abandoned,
      completedTs: status === 'succeeded' ? row.completed_ts : null,
      outcomeTs: abandoned ? null : row.outcome_ts,
      generationMode: row.generation_mode as 'single' | 'ab' | null,
      generationFailed: row.generation_failed === 1,
      completionLogged: row.completion_logged === 1,
    };
  });
}

/** Skips in a range as decisions: without their text, the widest column. */
export async function skipDecisionsIn(db: Db, range: TimeRange): Promise<Omit<Skip, 'text'>[]> {
  return recordsOfKind(db, 'skip', range, ['host', 'stock_code', 'ts', 'phase', 'age_h', 'ttl_h'], (r) => ({
    host: r.host,
    stockCode: r.stock_code!,
    ts: r.ts,
    phase: r.phase as Phase | null,
    ageHours: r.age_h,
    ttlHours: r.ttl_h,
  }));
}
