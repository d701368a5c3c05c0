/**
 * `freshness`'s `placeholder` for an A/B row (cli-contract.md, freshness; docs/contract.md): the
 * model reports are the `custom_data` entries named `model_a` / `model_b` (any case, with or
 * without a space, `_` or `-` between), at the top level or one level down. A key that merely ends
 * in such a name is no model report, and other entries of any JSON value (null among them) are
 * passed over.
 */
import { describe, expect, it } from 'vitest';
import { AB_MARKER, isPlaceholder, PLACEHOLDER_SUMMARY } from '../src/backend/freshness.js';

const report = (summary: string) => ({ overall_summary: summary, recommendation: '보유' });
const ok = report('광고 매출 회복');
const bad = report(PLACEHOLDER_SUMMARY);

describe('the model reports of an A/B row', () => {
  it('are named model_a / model_b with no separator or several: modelB, model__b', () => {
    // The placeholder is model B's report: the row holds a placeholder however the key is spelt.
    expect(isPlaceholder(AB_MARKER, { model_a: ok, modelB: bad })).toBe(true);
    expect(isPlaceholder(AB_MARKER, { model_a: ok, model__b: bad })).toBe(true);
    expect(isPlaceholder(AB_MARKER, { model_a: ok, 'model - b': bad })).toBe(true);
    expect(isPlaceholder(AB_MARKER, { model_a: ok, modelB: ok })).toBe(false);
  });

  it('start with "model": previous_model_b or my-model-a is another entry, not a model report', () => {
    // Both model reports are analyses; the extra entry holding the placeholder says nothing of the row.
    expect(isPlaceholder(AB_MARKER, { model_a: ok, model_b: ok, previous_model_b: bad })).toBe(false);
    expect(isPlaceholder(AB_MARKER, { model_a: ok, model_b: ok, 'my-model-a': bad })).toBe(false);
    expect(isPlaceholder(AB_MARKER, { reports: { model_a: ok, model_b: ok, old_model_a: bad } })).toBe(false);
  });

  it('sit beside entries of any JSON value, null included, which are passed over', () => {
    const other = { error: null, retries: 0, note: 'ok', flags: [1, 2], done: true };
    expect(isPlaceholder(AB_MARKER, { model_a: ok, model_b: ok, ...other })).toBe(false);
    expect(isPlaceholder(AB_MARKER, { model_a: ok, model_b: bad, ...other })).toBe(true);
    expect(isPlaceholder(AB_MARKER, JSON.stringify({ error: null, reports: { model_a: ok, model_b: ok } }))).toBe(false);
  });
});
