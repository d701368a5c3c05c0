/**
 * Alert once: an anomaly is known by its kind, stock and first time; `new` says whether a webhook
 * has been told of it yet. The CLI and the HTTP API mark the same document the same way.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { wereNotified, type AnomalyKey } from '../store/unattended.js';
import type { AnomaliesDocument, Anomaly } from './anomalies.js';

export const anomalyKey = (a: Anomaly): AnomalyKey => ({ kind: a.kind, stockCode: a.stock_code, firstMs: Date.parse(a.first_ts) });

/** Sets `new` on every anomaly of the document. */
export async function markNew(db: Kysely<Database>, doc: AnomaliesDocument): Promise<AnomaliesDocument> {
  const notified = await wereNotified(db, doc.anomalies.map(anomalyKey));
  doc.anomalies.forEach((a, i) => (a.new = !notified[i]));
  return doc;
}
