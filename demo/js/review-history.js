// The review's version history on the review page: every save of every reviewer of the call, oldest
// first (GET /api/calls/{id}/review/history): who, when, the total and what changed since their
// previous save, in the archive's words.
import { el } from './ui.js';
import { totalText } from './scoring.js';

const when = (ms) => new Date(ms).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });

/** Fetches and lists the history of `callId` into `list` (an <ol>); `request(method, path)` → `{ status, data }`. */
export async function showHistory(list, request, callId) {
  const { status, data } = await request('GET', `/api/calls/${encodeURIComponent(callId)}/review/history`);
  if (status !== 200) {
    list.replaceChildren(el('li', { className: 'error' }, `History not loaded: ${data?.message ?? `HTTP ${status}`}`));
    return;
  }
  if (!data.versions.length) {
    list.replaceChildren(el('li', { className: 'muted' }, 'No saves yet.'));
    return;
  }
  list.replaceChildren(...data.versions.map((v) => el('li', { dataset: { reviewer: v.reviewer_id, version: String(v.version) } },
    el('strong', {}, `${v.reviewer_name}, version ${v.version}`),
    ` · ${when(v.reviewed_at)} · ${totalText(v.total)} on form version ${v.form_version}`,
    el('span', { className: 'changes' }, v.version === 1 ? ': first review' : `: ${v.changes.length ? v.changes.join('; ') : 'nothing changed'}`))));
}
