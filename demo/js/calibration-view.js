// The calibration view on the review page: each reviewer's latest scores of the call side by side, one
// row per criterion with its spread (highest minus lowest) and mean, and the totals' spread, as the
// archive computes them (GET /api/calls/{id}/review/calibration).
import { el } from './ui.js';
import { totalText } from './scoring.js';

const cell = (score) => (score === null ? '—' : score === 'na' ? 'N/A' : String(score));
const number = (x) => (x === null ? '—' : Number.isInteger(x) ? String(x) : x.toFixed(1));

/** Fetches and draws the calibration of `callId` into `box`. */
export async function showCalibration(box, request, callId) {
  const { status, data } = await request('GET', `/api/calls/${encodeURIComponent(callId)}/review/calibration`);
  if (status !== 200) {
    box.replaceChildren(el('p', { className: 'error' }, `Calibration not loaded: ${data?.message ?? `HTTP ${status}`}`));
    return;
  }
  if (data.reviewers.length < 2) {
    box.replaceChildren(el('p', { className: 'muted' }, data.reviewers.length
      ? 'One reviewer so far: calibration compares two or more.' : 'Nobody has reviewed this call yet.'));
    return;
  }
  box.replaceChildren(el('table', { className: 'calibration' },
    el('caption', { className: 'muted' }, `${data.reviewers.length} reviewers; spread = highest − lowest score`),
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Criterion'),
      ...data.reviewers.map((r) => el('th', { scope: 'col', className: 'num', dataset: { reviewer: r.id } }, r.name)),
      el('th', { scope: 'col', className: 'num' }, 'Spread'), el('th', { scope: 'col', className: 'num' }, 'Mean'))),
    el('tbody', {}, ...data.criteria.map((c) => el('tr', { dataset: { key: c.key } },
      el('th', { scope: 'row' }, c.label),
      ...c.scores.map((s) => el('td', { className: 'num' }, cell(s))),
      el('td', { className: `num spread${c.spread > 1 ? ' wide' : ''}` }, number(c.spread)),
      el('td', { className: 'num' }, number(c.mean))))),
    el('tfoot', {}, el('tr', { dataset: { key: 'total' } }, el('th', { scope: 'row' }, 'Total'),
      ...data.reviewers.map((r) => el('td', { className: 'num' }, totalText(r.total))),
      el('td', { className: 'num spread' }, number(data.total_spread)), el('td', {}, '')))));
}
