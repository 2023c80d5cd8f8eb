// The saved reviews of a call on the review page, one per reviewer (their latest version): the form
// version each was scored on (old reviews keep their form's criteria and labels), every score with its
// note, the total, and the agent's answer to it: acknowledged, or disputed with the agent's comment.
import { el } from './ui.js';
import { criteriaOf, totalText } from './scoring.js';

const when = (ms) => new Date(ms).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });

/** The agent's newest answer to `qa` among `responses`, in words, or null. */
export function responseText(qa, responses) {
  const answer = responses.filter((r) => r.reviewer_id === qa.reviewer_id).sort((a, b) => b.responded_at - a.responded_at)[0];
  if (!answer) return null;
  const stale = answer.review_version < qa.version ? ` (to version ${answer.review_version}; the review changed since)` : '';
  const said = answer.comment ? `: “${answer.comment}”` : '';
  return { kind: answer.kind, text: `${answer.kind === 'disputed' ? 'Disputed' : 'Acknowledged'} by the agent on ${when(answer.responded_at)}${stale}${said}` };
}

/** One reviewer's review as an <article>: `forms` maps form versions to Forms. */
export function reviewCard(qa, forms, responses) {
  const form = forms[String(qa.form_version)];
  const criteria = form ? criteriaOf(form) : Object.keys(qa.scores).map((key) => ({ key, label: key }));
  const answer = responseText(qa, responses);
  return el('article', { className: 'saved-review', dataset: { reviewer: qa.reviewer_id } },
    el('h4', {}, `${qa.reviewer_name}: ${totalText(qa.total)}`,
      qa.auto_failed.length ? el('span', { className: 'badge auto-fail' }, 'auto-failed') : null),
    el('p', { className: 'muted' }, `Version ${qa.version}, ${when(qa.reviewed_at)}, on form version ${qa.form_version}${form ? ` (${form.title})` : ''}`
      + ` · ${qa.resolved ? 'resolved' : 'not resolved'} on first contact`),
    el('ul', { className: 'scores' }, ...criteria.map((c) => el('li', { dataset: { key: c.key } },
      `${c.label}: ${qa.scores[c.key] === 'na' ? 'N/A' : qa.scores[c.key] ?? '—'}`,
      qa.notes?.[c.key] ? el('span', { className: 'muted' }, ` — ${qa.notes[c.key]}`) : null))),
    qa.comment ? el('p', {}, qa.comment) : null,
    el('p', { className: `response ${answer?.kind ?? 'none'}` }, answer?.text ?? 'The agent has not answered yet.'));
}

/** Lists the Review's `reviews` in `box`. */
export function listReviews(box, review) {
  box.replaceChildren(...(review.reviews?.length
    ? review.reviews.map((qa) => reviewCard(qa, review.forms ?? {}, review.responses ?? []))
    : [el('p', { className: 'muted' }, 'Nobody has reviewed this call yet.')]));
}
