// The review page's QA panel for supervisors: the form on the team's current scorecard (prefilled
// with this reviewer's own latest review: several supervisors review the same call, each their own),
// its save (a refusal shown by field and as the archive's full list), and around it the call's saved
// reviews with the agent's answers, the calibration of the reviewers and the version history. Each
// part is its own module; this one puts them on the page and refreshes them after a save.
import { $, say } from './ui.js';
import { countCharacters, showProblems } from './review-form.js';
import { readAnswers, renderScorecard, showFieldProblems } from './scorecard-form.js';
import { listReviews } from './review-list.js';
import { showCalibration } from './calibration-view.js';
import { showHistory } from './review-history.js';

const when = (ms) => new Date(ms).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });

/**
 * The panel for the signed-in supervisor `me` (`{ sub }`). `request(method, path, body)` →
 * `{ status, data }`; `current()` is the open Review or null; `onSaved()` runs after a save.
 */
export function qaPanel({ request, me, current, onSaved }) {
  const updateCounter = countCharacters($('#qa-comment'), $('#qa-comment-count'));
  const fields = { resolved: $('#qa-resolved-error'), comment: $('#qa-comment-error') };
  const mineOf = (review) => review.reviews?.find((r) => r.reviewer_id === me.sub) ?? null;

  /** Fills the form and the parts around it for `review` (the Review JSON). */
  function show(review) {
    const mine = mineOf(review);
    renderScorecard($('#qa-criteria'), review.scorecard, mine, $('#qa-total'));
    for (const input of document.querySelectorAll('#qa-resolved input')) input.checked = mine ? (input.value === 'yes') === mine.resolved : false;
    $('#qa-comment').value = mine?.comment ?? '';
    updateCounter();
    $('#qa-error').textContent = '';
    showFieldProblems($('#qa-criteria'), review.scorecard.form, [], fields);
    $('#qa-saved').textContent = mine ? `Reviewed by ${mine.reviewer_name} on ${when(mine.reviewed_at)} (your version ${mine.version}).` : 'You have not reviewed this call yet.';
    listReviews($('#qa-reviews'), review);
    const callId = review.call.call_id;
    return Promise.all([showCalibration($('#calibration'), request, callId), showHistory($('#qa-history'), request, callId)]);
  }

  $('#qa-form').onsubmit = async (event) => {
    event.preventDefault();
    const review = current();
    if (!review) return;
    const { form, version } = review.scorecard;
    // Unanswered questions are left out: the archive names every one missing.
    const body = { form_version: version, ...readAnswers($('#qa-criteria'), form), comment: $('#qa-comment').value };
    const resolved = $('input[name="resolved"]:checked', event.target);
    if (resolved) body.resolved = resolved.value === 'yes';
    const button = $('button[type="submit"]', event.target);
    button.disabled = true;
    try {
      const callId = review.call.call_id;
      const { status, data } = await request('PUT', `/api/calls/${encodeURIComponent(callId)}/review`, body);
      if (current()?.call.call_id !== callId) return;
      if (status !== 200) {
        showProblems($('#qa-error'), data, status);
        showFieldProblems($('#qa-criteria'), form, Array.isArray(data?.problems) ? data.problems : [], fields);
        return;
      }
      say(`Review saved: ${data.total === null ? 'no total' : `${data.total.toFixed(1)}%`}.`);
      await onSaved(data);
    } finally {
      button.disabled = false;
    }
  };

  return { show };
}
