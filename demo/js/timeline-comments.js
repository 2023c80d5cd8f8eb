// Reviewers' notes pinned on the call's timeline: the list under it (each note's moment or span, who,
// what; clicking one plays from there) and the form that adds one (POST /api/calls/{id}/review/comments)
// at a typed moment or at the player's position, optionally over a span. The timeline itself draws the
// notes (timeline.js, "Reviewers' notes" row).
import { el } from './ui.js';
import { clockText, parseClock } from './clock.js';
import { showProblems } from './review-form.js';

/** Lists `comments` (the Review's) in `list`; clicking one calls `onSeek(at)`. */
export function listComments(list, comments, callStart, onSeek) {
  if (!comments.length) {
    list.replaceChildren(el('li', { className: 'muted' }, 'No notes yet.'));
    return;
  }
  list.replaceChildren(...comments.map((c) => el('li', { dataset: { at: String(c.at) } },
    el('button', { type: 'button', className: 'link', onclick: () => onSeek(c.at), title: 'Play from here' },
      c.until ? `${clockText(c.at - callStart)}–${clockText(c.until - callStart)}` : clockText(c.at - callStart)),
    ' ', el('strong', {}, c.author_name), `: ${c.text}`)));
}

/**
 * Wires the note form `form` (inputs #note-at, #note-until, #note-text, button #note-here, box
 * #note-error). `context()` gives `{ review, position }` (the open Review, the player's place in ms
 * since the epoch or null); `onAdded(comment)` runs after the archive took it.
 */
export function wireCommentForm(form, { request, context, onAdded }) {
  const at = form.querySelector('#note-at');
  const until = form.querySelector('#note-until');
  const error = form.querySelector('#note-error');
  form.querySelector('#note-here').onclick = () => {
    const { review, position } = context();
    if (review && position !== null) at.value = clockText(position - review.call.started_at);
  };
  form.onsubmit = async (event) => {
    event.preventDefault();
    const { review } = context();
    if (!review) return;
    const start = parseClock(at.value);
    const end = until.value.trim() ? parseClock(until.value) : undefined;
    const typos = [];
    if (start === null) typos.push('the moment must be m:ss from the call\'s start, e.g. 1:05');
    if (end === null) typos.push('the end of the span must be m:ss from the call\'s start, or left empty');
    if (typos.length) return showProblems(error, { problems: typos }, 400, 'The note was not added');
    const body = { at: review.call.started_at + start, text: form.querySelector('#note-text').value };
    if (end !== undefined) body.until = review.call.started_at + end;
    const { status, data } = await request('POST', `/api/calls/${encodeURIComponent(review.call.call_id)}/review/comments`, body);
    if (status !== 201) return showProblems(error, data, status, 'The note was not added');
    error.textContent = '';
    form.querySelector('#note-text').value = '';
    until.value = '';
    onAdded(data);
  };
}
