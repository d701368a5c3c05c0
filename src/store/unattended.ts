/**
 * What the store remembers for unattended runs: when ingest last ran (is the ingest job alive?)
 * and which anomalies a webhook was already told of (alert once).
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

type Db = Kysely<Database>;

export async function recordIngestRun(db: Db, host: string, at: number): Promise<void> {
  await db
    .insertInto('ingest_runs')
    .values({ host, finished_at: at })
    .onConflict((oc) => oc.column('host').doUpdateSet({ finished_at: at }))
    .execute();
}

/** The latest ingest run of any host sharing the store, or null when none was recorded. */
export async function lastIngestRun(db: Db): Promise<number | null> {
  const row = await db.selectFrom('ingest_runs').select((eb) => eb.fn.max('finished_at').as('last')).executeTakeFirst();
  return row?.last == null ? null : Number(row.last);
}

/** An anomaly's identity: the same anomaly seen by a later run has the same key. */
export interface AnomalyKey {
  kind: string;
  stockCode: string | null;
  firstMs: number;
}

const keyString = (k: { kind: string; stock_code: string; first_ts: number }) => `${k.kind}\u0000${k.stock_code}\u0000${Number(k.first_ts)}`;

/** Which of `keys` were notified before, as a parallel array of booleans. */
export async function wereNotified(db: Db, keys: readonly AnomalyKey[]): Promise<boolean[]> {
  if (keys.length === 0) return [];
  const firsts = [...new Set(keys.map((k) => k.firstMs))];
  const known = new Set<string>();
  // Chunks keep the statement within SQLite's bound-parameter limit.
  for (let i = 0; i < firsts.length; i += 500) {
    const rows = await db
      .selectFrom('notified_anomalies')
      .select(['kind', 'stock_code', 'first_ts'])
      .where('first_ts', 'in', firsts.slice(i, i + 500))
      .execute();
    for (const row of rows) known.add(keyString(row));
  }
  return keys.map((k) => known.has(keyString({ kind: k.kind, stock_code: k.stockCode ?? '', first_ts: k.firstMs })));
}

/** Remembers `keys` as notified; one already remembered (another host's run) stays as it was. */
export async function markNotified(db: Db, keys: readonly AnomalyKey[], at: number): Promise<void> {
  for (let i = 0; i < keys.length; i += 200) {
    await db
      .insertInto('notified_anomalies')
      .values(keys.slice(i, i + 200).map((k) => ({ kind: k.kind, stock_code: k.stockCode ?? '', first_ts: k.firstMs, notified_at: at })))
      .onConflict((oc) => oc.columns(['kind', 'stock_code', 'first_ts']).doNothing())
      .execute();
  }
}
