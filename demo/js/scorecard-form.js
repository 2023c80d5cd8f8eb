// The review page's QA form drawn from the team's scorecard: its sections, each criterion with its
// weight and scale (radio buttons min..max, N/A where the form allows it, an auto-fail item marked as
// one), a note per criterion, and the total as the archive will compute it, kept up to date as the
// reviewer scores. A refused save's problems are shown by the field each names.
import { el } from './ui.js';
import { criteriaOf, problemField, totalOf, totalText, withDefaults } from './scoring.js';

/** The longest note the archive keeps per criterion (docs/PROTOCOL.md, Submission): refused, never cut. */
export const MAX_NOTE_CHARS = 500;

const range = (min, max) => Array.from({ length: max - min + 1 }, (_, i) => min + i);

/**
 * Draws `scorecard` (a Scorecard) into `box`, pre-filled with `mine` (this reviewer's latest QA, or
 * null); `totalLine` shows the running total.
 */
export function renderScorecard(box, scorecard, mine, totalLine) {
  const { form, version } = scorecard;
  const answered = (key) => mine?.scores?.[key];
  box.replaceChildren(
    el('p', { className: 'muted form-name' }, `${form.title} · form version ${version}`,
      mine && mine.form_version !== version ? ` (your last review was on version ${mine.form_version}; saving scores it on this one)` : ''),
    ...form.sections.map((section) => el('fieldset', { className: 'section' },
      el('legend', {}, section.title),
      ...section.criteria.map((raw) => criterionField(withDefaults(raw), answered(raw.key), mine?.notes?.[raw.key] ?? '')))),
  );
  const update = () => {
    const { total, auto_failed: failed } = totalOf(form, readAnswers(box, form).scores);
    totalLine.textContent = failed.length
      ? `Total: 0.0% (auto-fail: ${failed.map((key) => labelOf(form, key)).join(', ')})`
      : `Total so far: ${totalText(total)}`;
    totalLine.classList.toggle('failed', failed.length > 0);
  };
  box.oninput = update;
  box.onchange = update;
  update();
}

function criterionField(c, answer, note) {
  const name = `score-${c.key}`;
  const radio = (value, text) => el('label', {}, el('input', { type: 'radio', name, value: String(value), checked: answer === value }), ` ${text}`);
  const facts = [`weight ${c.weight}`, c.scale.max - c.scale.min === 1 && c.scale.min === 0 ? 'no 0 · yes 1' : `${c.scale.min} poor · ${c.scale.max} excellent`];
  return el('fieldset', { className: `criterion${c.auto_fail ? ' auto-fail' : ''}`, dataset: { key: c.key } },
    el('legend', {}, c.label, ' ', el('span', { className: 'muted' }, `(${facts.join(', ')})`),
      c.auto_fail ? el('span', { className: 'badge auto-fail', title: `Scoring ${c.scale.min} fails the whole review` }, 'auto-fail') : null),
    el('span', { className: 'scale' }, ...range(c.scale.min, c.scale.max).map((n) => radio(n, n)), c.na_allowed ? radio('na', 'N/A') : null),
    el('label', { className: 'note' }, 'Note ', el('input', { type: 'text', name: `note-${c.key}`, value: note, placeholder: 'optional' })),
    el('p', { className: 'field-error', dataset: { for: c.key }, role: 'alert' }));
}

const labelOf = (form, key) => criteriaOf(form).find((c) => c.key === key)?.label ?? key;

/** The answers in `box` for `form`: `{ scores, notes }`, unanswered criteria and empty notes left out. */
export function readAnswers(box, form) {
  const scores = {};
  const notes = {};
  for (const { key } of criteriaOf(form)) {
    const picked = box.querySelector(`input[name="score-${key}"]:checked`);
    if (picked) scores[key] = picked.value === 'na' ? 'na' : Number(picked.value);
    const note = box.querySelector(`input[name="note-${key}"]`)?.value.trim();
    if (note) notes[key] = note;
  }
  return { scores, notes };
}

/**
 * Shows each of `problems` (the archive's words) by the field it names in `form` (`fields.resolved`,
 * `fields.comment` for those two); returns the ones that name no field. Clears earlier ones first.
 */
export function showFieldProblems(box, form, problems, fields) {
  for (const node of [...box.querySelectorAll('.field-error'), ...Object.values(fields)]) node.textContent = '';
  for (const node of box.querySelectorAll('.criterion.invalid')) node.classList.remove('invalid');
  const general = [];
  for (const problem of problems) {
    const field = problemField(form, problem);
    const where = fields[field] ?? (field ? box.querySelector(`.field-error[data-for="${field}"]`) : null);
    if (!where) {
      general.push(problem);
      continue;
    }
    where.textContent = where.textContent ? `${where.textContent}; ${problem}` : problem;
    where.closest('.criterion')?.classList.add('invalid');
  }
  return general;
}
