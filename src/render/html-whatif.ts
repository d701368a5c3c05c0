/**
 * The what-if section of the HTML report (`report --whatif FILE`): actual vs what-if in total and
 * per day, the delta coloured, and whether the figures are exact or bounds. Its own file so that
 * html.ts only places it.
 */
import { changedSentence, type Figures, type WhatIfDocument } from '../analysis/whatif.js';
import { REASONS } from '../logs/record.js';
import { ruleChanges } from '../analysis/whatif-rules.js';
import { esc } from './html.js';

const usd = (x: number) => `$${x.toFixed(6).replace(/0{1,3}$/, '')}`;
const plain = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(2));

/** A number cell; `label` names it where a phone-width table stacks its cells (table.stack). */
const numberCell = (html: string, label?: string) => `<td class="n"${label ? ` data-label="${esc(label)}"` : ''}>${html}</td>`;

/** A delta cell: fewer calls, lower cost and younger reports are better (green), more worse (red). */
function delta(x: number | null, text: (v: number) => string, label?: string): string {
  if (x === null) return numberCell('<span class="muted">–</span>', label);
  const shown = x > 0 ? `+${text(x)}` : x < 0 ? `−${text(-x)}` : text(0);
  return numberCell(x === 0 ? esc(shown) : `<span class="badge ${x < 0 ? 'pass' : 'fail'}">${esc(shown)}</span>`, label);
}

function row(label: string, doc: WhatIfDocument, get: (f: Figures) => number | null, text: (v: number) => string): string {
  const a = get(doc.actual);
  const w = get(doc.whatif);
  const cell = (v: number | null) => `<td class="n">${v === null ? '<span class="muted">–</span>' : esc(text(v))}</td>`;
  return `<tr><td>${esc(label)}</td>${cell(a)}${cell(w)}${delta(a === null || w === null ? null : Math.round((w - a) * 1e6) / 1e6, text)}</tr>`;
}

export function whatIfSection(doc: WhatIfDocument): string {
  const changes = ruleChanges(doc.logged_rules, doc.rules);
  if (doc.fix_prediction_cap) changes.push('20-prediction cap fixed');
  const exactness = doc.exact
    ? '<p><span class="badge pass">exact</span> every what-if figure follows from the log.</p>'
    : `<p><span class="badge fail">bounds</span> ${esc(doc.inexact_because)}</p>`;
  const totals = [
    row('attempts', doc, (f) => f.attempts, plain),
    ...REASONS.filter((r) => doc.actual.by_reason[r] || doc.whatif.by_reason[r]).map((r) => row(`· ${r}`, doc, (f) => f.by_reason[r], plain)),
    row('LLM calls', doc, (f) => f.llm_calls, plain),
    row('cost', doc, (f) => f.cost_usd, usd),
    row('average report age (h)', doc, (f) => f.avg_freshness_hours, (v) => v.toFixed(2)),
  ];
  const days = doc.days.map((d) => {
    const fa = d.actual.avg_freshness_hours;
    const fw = d.whatif.avg_freshness_hours;
    return (
      `<tr><td class="nowrap">${esc(d.date)}${d.exact ? '' : ' ≥'}</td>${numberCell(esc(plain(d.actual.llm_calls)), 'calls')}${numberCell(esc(plain(d.whatif.llm_calls)), 'what-if calls')}` +
      `${delta(Math.round((d.whatif.llm_calls - d.actual.llm_calls) * 1e4) / 1e4, plain, 'calls delta')}` +
      `${numberCell(fa === null ? '–' : esc(fa.toFixed(2)), 'age h')}${numberCell(fw === null ? '–' : esc(fw.toFixed(2)), 'what-if age h')}` +
      `${delta(fa === null || fw === null ? null : Math.round((fw - fa) * 1e4) / 1e4, (v) => v.toFixed(2), 'age delta')}</tr>`
    );
  });
  return `<section class="card" id="whatif"><h2>What-if: ${esc(changes.length ? changes.join(', ') : 'the rules unchanged')}</h2>
${exactness}
<p class="muted">${esc(changedSentence(doc))}.</p>
<table><thead><tr><th></th><th class="n">actual</th><th class="n">what-if</th><th class="n">delta</th></tr></thead><tbody>${totals.join('')}</tbody></table>
<table class="stack"><thead><tr><th>day</th><th class="n">calls</th><th class="n">what-if</th><th class="n">delta</th><th class="n">age h</th><th class="n">what-if</th><th class="n">delta</th></tr></thead><tbody>${days.join('')}</tbody></table>
${doc.days.some((d) => !d.exact) ? '<p class="muted">≥: a day whose what-if calls are a lower bound (and report age an upper bound).</p>' : ''}</section>`;
}
