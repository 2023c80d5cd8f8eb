// The QA form's helpers on the review page: the comment box's character counter (the worker refuses a
// comment over the limit instead of cutting it, so the page says how far over it is) and a refused
// save's problems, every one of them, as a list under the form.
import { el } from './ui.js';

/** The longest comment the archive keeps (docs/PROTOCOL.md, Submission). */
export const MAX_COMMENT_CHARS = 2000;

/** Keeps `counter` saying how many characters `textarea` holds, and how many over the limit. */
export function countCharacters(textarea, counter) {
  const update = () => {
    const length = [...textarea.value.trim()].length;
    const over = length - MAX_COMMENT_CHARS;
    counter.textContent = over > 0
      ? `${length.toLocaleString('en')} / ${MAX_COMMENT_CHARS.toLocaleString('en')} characters: ${over.toLocaleString('en')} over, shorten it to save`
      : `${length.toLocaleString('en')} / ${MAX_COMMENT_CHARS.toLocaleString('en')} characters`;
    counter.classList.toggle('over', over > 0);
  };
  textarea.addEventListener('input', update);
  update();
  return update;
}

/** Shows a refused save in `box`: every problem the worker named, else its message; `lead` says what was refused. */
export function showProblems(box, data, status, lead = 'The review was not saved') {
  const problems = Array.isArray(data?.problems) ? data.problems : [];
  if (!problems.length) {
    box.textContent = data?.message ?? `HTTP ${status}`;
    return;
  }
  box.replaceChildren(
    problems.length === 1 ? `${lead}:` : `${lead} (${problems.length} problems):`,
    el('ul', {}, ...problems.map((p) => el('li', {}, p))));
}
