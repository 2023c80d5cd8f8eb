// The agent's side of the review page: the reviews of the agent's own calls, and only theirs (GET
// /api/reports/my-reviews: the archive decides), each reviewer's latest with its form, scores, notes
// and total; the agent acknowledges a review or disputes it with a comment (POST
// /api/calls/{id}/review/response), and sees what they answered.
import { $, el, say, show } from './ui.js';
import { reviewCard } from './review-list.js';
import { showProblems } from './review-form.js';

const when = (ms) => new Date(ms).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });

/** Shows the signed-in agent's reviews in #my-reviews, hiding the supervisors' parts of the page. */
export async function showMyReviews({ request, user }) {
  for (const node of document.querySelectorAll('.supervisors-only')) show(node, false);
  show($('#my-reviews'), true);
  const { status, data } = await request('GET', '/api/reports/my-reviews');
  if (status !== 200) return say(`Your reviews were not loaded: ${data?.message ?? `HTTP ${status}`}`, true);
  const list = $('#my-calls');
  list.replaceChildren(...(data.calls.length
    ? data.calls.map((call) => callCard(call, request, () => showMyReviews({ request, user })))
    : [el('p', { className: 'muted' }, 'None of your calls has been reviewed yet.')]));
  say(`Signed in as ${user.name}: ${data.calls.length} reviewed call${data.calls.length === 1 ? '' : 's'}.`);
}

function callCard(call, request, reload) {
  return el('section', { className: 'my-call', dataset: { call: call.call_id } },
    el('h3', {}, `Your call with ${call.customer_label}, ${when(call.started_at)}`),
    ...call.reviews.map((qa) => el('div', { className: 'my-review' },
      reviewCard(qa, call.forms ?? {}, call.responses ?? []),
      answerForm(call.call_id, qa, request, reload))));
}

/** Acknowledge, or dispute with a comment: the archive says what is missing. */
function answerForm(callId, qa, request, reload) {
  const comment = el('textarea', { rows: 2, placeholder: 'A comment (needed to dispute)', 'aria-label': `Your comment on ${qa.reviewer_name}'s review` });
  const error = el('div', { className: 'error', role: 'alert' });
  const send = (kind) => async () => {
    const body = { reviewer_id: qa.reviewer_id, kind, comment: comment.value };
    const { status, data } = await request('POST', `/api/calls/${encodeURIComponent(callId)}/review/response`, body);
    if (status !== 201) return showProblems(error, data, status, 'Your answer was not sent');
    say(kind === 'acknowledged' ? 'Review acknowledged.' : 'Dispute sent.');
    await reload();
  };
  return el('form', { className: 'answer', onsubmit: (event) => event.preventDefault() },
    comment,
    el('button', { type: 'button', className: 'primary acknowledge', onclick: send('acknowledged') }, 'Acknowledge'),
    el('button', { type: 'button', className: 'dispute', onclick: send('disputed') }, 'Dispute'),
    error);
}
