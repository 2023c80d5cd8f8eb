// Finding calls on the review page: the ended-calls list's filters as the archive takes them (agent,
// supervisor who listened, mode used, reviewed, outcome, help raised, health flag), kept in the page's
// URL so a report row can link to "the calls behind it", and the random sample of N unreviewed calls
// per agent (GET /api/reports/calls/sample). The archive checks every filter and names a bad one.
import { $, el } from './ui.js';

/** The filters, by the archive's parameter names (docs/PROTOCOL.md, GET /api/reports/calls). */
export const FILTERS = ['agent', 'supervisor', 'mode', 'reviewed', 'resolved', 'help', 'flag'];

/** The query string of the filters in `values` (name → value), empty ones left out, in FILTERS order. */
export function filterQuery(values) {
  const query = new URLSearchParams();
  for (const name of FILTERS) if (values[name]) query.set(name, values[name]);
  return query.toString();
}

/** The filters set in a URL's parameters (`params`, URLSearchParams), by name. */
export const filtersIn = (params) => Object.fromEntries(FILTERS.filter((n) => params.get(n)).map((n) => [n, params.get(n)]));

/** The filter controls' current values. */
export const currentFilters = () => Object.fromEntries(FILTERS.map((name) => [name, $(`#filter-${name}`).value]));

/**
 * Fills the agent and supervisor pickers with the people of the window (`people`: `{ agents,
 * supervisors }`, each `[{ id, name }]`), keeping a picked one (e.g. from a report's link) even when
 * it is not among them.
 */
export function offerPeople(people) {
  for (const [name, list] of [['agent', people.agents], ['supervisor', people.supervisors]]) {
    const select = $(`#filter-${name}`);
    const picked = select.value;
    const known = new Map(list.map((p) => [p.id, p.name]));
    if (picked && !known.has(picked)) known.set(picked, picked);
    select.replaceChildren(el('option', { value: '' }, name === 'agent' ? 'any agent' : 'any supervisor'),
      ...[...known].sort((a, b) => a[1].localeCompare(b[1])).map(([id, label]) => el('option', { value: id, selected: id === picked }, label)));
  }
}

/** Sets the controls from `values` (a picked agent or supervisor gets an option until offerPeople names it). */
export function setFilters(values) {
  for (const name of FILTERS) {
    const select = $(`#filter-${name}`);
    const value = values[name] ?? '';
    if (value && ![...select.options].some((o) => o.value === value)) select.append(el('option', { value }, value));
    select.value = value;
  }
}

/** Lists a sample's calls in `list`; clicking one opens it with `open(callId)`. */
export function listSample(list, sample, when, open) {
  list.replaceChildren(...(sample.calls.length
    ? sample.calls.map((c) => el('li', { dataset: { call: c.call_id } },
      el('button', { type: 'button', className: 'link', onclick: () => open(c.call_id) },
        `${c.agent_name}: ${c.customer_label}, ${when(c.started_at)}`)))
    : [el('li', { className: 'muted' }, 'No unreviewed calls in this window (with these filters).')]));
}
