// The reports page's quality part: the scores of the window's reviews (GET /api/reports/quality) per
// agent, per reviewer, per criterion and per week, each line its reviews, average total and the
// distribution of totals over the archive's buckets; every agent's line links to the reviewed calls
// behind it on the review page. The archive computes every figure.
import { el } from './ui.js';

const GROUPS = [
  ['by_agent', 'Agent', 'agent'],
  ['by_reviewer', 'Reviewer', null],
  ['by_criterion', 'Criterion (as % of its scale)', null],
  ['by_week', 'Week starting', null],
];

const average = (a) => (a === null ? '—' : `${a.toFixed(1)}%`);

/**
 * Draws `quality` (the Quality JSON) into `box`; `callsLink(filter)` makes the review page's address
 * for the window with `filter` (e.g. `{ agent: 'a1', reviewed: 'yes' }`).
 */
export function renderQuality(box, quality, callsLink) {
  if (!quality.reviews) {
    box.replaceChildren(el('p', { className: 'muted' }, 'No reviewed calls in this window.'));
    return;
  }
  box.replaceChildren(
    el('p', { className: 'muted' }, `${quality.reviews} review${quality.reviews === 1 ? '' : 's'} (each reviewer's latest of each call). Totals are percentages of the scorecard.`),
    ...GROUPS.map(([key, heading, filter]) => el('table', { className: 'quality', dataset: { group: key } },
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, heading), el('th', { scope: 'col', className: 'num' }, 'Reviews'),
        el('th', { scope: 'col', className: 'num' }, 'Average'),
        ...quality.buckets.map((b) => el('th', { scope: 'col', className: 'num' }, b)))),
      el('tbody', {}, ...quality[key].map((line) => el('tr', { dataset: { id: line.id } },
        el('th', { scope: 'row' }, filter ? el('a', { href: callsLink({ [filter]: line.id, reviewed: 'yes' }), title: `The reviewed calls of ${line.name}` }, line.name) : line.name),
        el('td', { className: 'num' }, String(line.reviews)),
        el('td', { className: 'num average' }, average(line.average)),
        ...line.distribution.map((n) => el('td', { className: 'num' }, String(n)))))))));
}
