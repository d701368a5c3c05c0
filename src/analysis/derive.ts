/**
 * Attempts from records: the one place that decides what an update attempt was and how it ended.
 * Pure: it takes one stock's records ordered by time and returns its attempts.
 */
import { isPhase } from '../market/rules.js';
import { phaseAt } from '../market/time.js';
import type { NewAttempt, RecordRow } from '../store/schema.js';

/** The columns of a record that decide attempts. */
export const DERIVE_COLUMNS = [
  'id',
  'host',
  'ts',
  'kind',
  'stock_code',
  'mode',
  'reason',
  'text',
  'phase',
  'age_h',
  'ttl_h',
  'rate',
  'threshold',
  'prev_count',
  'cur_count',
] as const satisfies readonly (keyof RecordRow)[];

export type DeriveRecord = Pick<RecordRow, (typeof DERIVE_COLUMNS)[number]>;

/**
 * An attempt's outcome comes from the records of its stock that follow it, up to the stock's next
 * attempt (the contract's Outcome): it failed when a failure record follows — even after a success
 * record, since the backend logs its completion before the commit that can still fail — or when its
 * generation failed (the placeholder it then saves is a silent failure); it succeeded when a success
 * record follows and neither happened. The first failure decides the outcome time and the error.
 */
export function deriveAttempts(records: readonly DeriveRecord[]): NewAttempt[] {
  const attempts: NewAttempt[] = [];
  let open: NewAttempt | null = null;
  const fail = (a: NewAttempt, r: DeriveRecord, error: string) => {
    if (a.outcome === 'failed') return;
    Object.assign(a, { outcome: 'failed', outcome_ts: r.ts, completed_ts: null, error });
  };
  for (const r of records) {
    if (r.kind === 'attempt') {
      if (open) attempts.push(open);
      open = startAttempt(r);
      continue;
    }
    if (!open) continue;
    switch (r.kind) {
      case 'generation_started':
        open.generation_mode ??= r.mode;
        break;
      case 'generation_failed':
        fail(open, r, r.text ?? '');
        open.generation_failed = 1;
        open.generation_mode ??= r.mode;
        break;
      case 'update_succeeded':
        if (open.outcome === null) Object.assign(open, { outcome: 'succeeded', outcome_ts: r.ts, completed_ts: r.ts });
        if (r.mode === 'ab') open.generation_mode ??= 'ab';
        open.completion_logged = 1;
        break;
      case 'report_failed':
      case 'update_failed':
        fail(open, r, r.text ?? '리포트 생성 실패');
        break;
    }
  }
  if (open) attempts.push(open);
  return attempts;
}

function startAttempt(r: DeriveRecord): NewAttempt {
  const named = r.phase !== null && isPhase(r.phase) ? r.phase : null;
  return {
    host: r.host,
    stock_code: r.stock_code!,
    ts: r.ts,
    record_id: r.id,
    reason: r.reason ?? 'other',
    reason_text: r.text ?? '',
    phase: named ?? phaseAt(r.ts),
    named_phase: named,
    age_h: r.age_h,
    ttl_h: r.ttl_h,
    rate: r.rate,
    threshold: r.threshold,
    prev_count: r.prev_count,
    cur_count: r.cur_count,
    outcome: null,
    outcome_ts: null,
    completed_ts: null,
    generation_mode: null,
    generation_failed: 0,
    completion_logged: 0,
    error: null,
  };
}
