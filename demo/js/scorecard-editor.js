// The scorecard editor (scorecard.html), for the team's supervisors: the current form's sections and
// criteria (label, key, weight, scale, N/A allowed, auto-fail), added, removed, moved and saved as a
// new version (PUT /api/reports/scorecard); the archive checks it and names every problem, shown as a
// list. The versions saved so far are listed; reviews keep the version they were scored on.
import { signIn } from './session.js';
import { $, el, say } from './ui.js';
import { draftOf, formOf, moveCriterion, newCriterion } from './scorecard-draft.js';
import { showProblems } from './review-form.js';

const session = await signIn('supervisor');
$('#review-link').href = session.link('review.html');
$('#reports-link').href = session.link('reports.html');
window.earshotDemo = { role: 'scorecard', get draft() { return draft; } };

let draft = null; // the Form being edited
let current = null; // the Scorecard it started from

const request = async (method, path, body) => {
  const response = await fetch(path, {
    method,
    headers: { authorization: `Bearer ${session.token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, data: await response.json().catch(() => null) };
};

const when = (ms) => (ms ? new Date(ms).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' }) : '');

async function load() {
  const [card, versions] = await Promise.all([request('GET', '/api/reports/scorecard'), request('GET', '/api/reports/scorecard/versions')]);
  if (card.status !== 200) return say(`The scorecard was not loaded: ${card.data?.message ?? `HTTP ${card.status}`}`, true);
  current = card.data;
  draft = draftOf(current.form);
  $('#current').textContent = `Version ${current.version}${current.created_by_name ? `, saved by ${current.created_by_name} on ${when(current.created_at)}` : ' (the default form)'}.`;
  render();
  if (versions.status === 200) {
    $('#versions').replaceChildren(...versions.data.versions.map((v) => el('li', { dataset: { version: String(v.version) } },
      el('strong', {}, `Version ${v.version}`), `: ${v.title}, ${v.criteria} criteria`,
      v.created_by_name ? ` · ${v.created_by_name}, ${when(v.created_at)}` : ' · the default form')));
  }
  say('Signed in.');
}

// ---- Drawing the draft -------------------------------------------------------------------------------

/** A text or number input bound to `object[field]`. */
function bound(object, field, props) {
  return el('input', { ...props, value: String(object[field] ?? ''), oninput: (event) => { object[field] = event.target.value; } });
}

function checkbox(object, field, text) {
  return el('label', {}, el('input', { type: 'checkbox', checked: object[field], onchange: (event) => { object[field] = event.target.checked; } }), ` ${text}`);
}

/** Runs a change of the draft's shape, then redraws it. */
const change = (step) => () => { step(); render(); };

function render() {
  $('#form-title').value = draft.title;
  $('#form-title').oninput = (event) => { draft.title = event.target.value; };
  $('#sections').replaceChildren(...draft.sections.map((section, s) => el('fieldset', { className: 'edit-section', dataset: { section: String(s) } },
    el('legend', {}, `Section ${s + 1}`),
    el('label', {}, 'Title ', bound(section, 'title', { className: 'section-title', size: 40 })),
    el('button', { type: 'button', className: 'remove-section', onclick: change(() => draft.sections.splice(s, 1)) }, 'Remove section'),
    el('table', { className: 'criteria' },
      el('thead', {}, el('tr', {}, ...['Label', 'Key', 'Weight', 'Lowest', 'Highest', 'Options', ''].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, ...section.criteria.map((c, i) => el('tr', { dataset: { key: c.key } },
        el('td', {}, bound(c, 'label', { className: 'label', size: 28, 'aria-label': 'Label' })),
        el('td', {}, bound(c, 'key', { className: 'key', size: 12, 'aria-label': 'Key' })),
        el('td', {}, bound(c, 'weight', { className: 'weight', type: 'number', min: 0, max: 100, 'aria-label': 'Weight' })),
        el('td', {}, bound(c.scale, 'min', { className: 'min', type: 'number', min: 0, max: 10, 'aria-label': 'Lowest score' })),
        el('td', {}, bound(c.scale, 'max', { className: 'max', type: 'number', min: 1, max: 10, 'aria-label': 'Highest score' })),
        el('td', {}, checkbox(c, 'na_allowed', 'N/A allowed'), ' ', checkbox(c, 'auto_fail', 'auto-fail')),
        el('td', {},
          el('button', { type: 'button', title: 'Move up', 'aria-label': 'Move up', onclick: change(() => moveCriterion(draft, s, i, -1)) }, '↑'),
          el('button', { type: 'button', title: 'Move down', 'aria-label': 'Move down', onclick: change(() => moveCriterion(draft, s, i, 1)) }, '↓'),
          el('button', { type: 'button', className: 'remove', onclick: change(() => section.criteria.splice(i, 1)) }, 'Remove')))))),
    el('button', { type: 'button', className: 'add-criterion', onclick: change(() => section.criteria.push(newCriterion(draft))) }, 'Add criterion'))));
}

$('#add-section').onclick = change(() => draft.sections.push({ title: `Section ${draft.sections.length + 1}`, criteria: [newCriterion(draft)] }));
$('#reset').onclick = () => { draft = draftOf(current.form); render(); $('#editor-error').textContent = ''; };

$('#editor').onsubmit = async (event) => {
  event.preventDefault();
  const { form, problems } = formOf(draft);
  if (problems.length) return showProblems($('#editor-error'), { problems }, 400, 'The form was not saved');
  const { status, data } = await request('PUT', '/api/reports/scorecard', form);
  if (status !== 200 && status !== 201) return showProblems($('#editor-error'), data, status, 'The form was not saved');
  $('#editor-error').textContent = '';
  say(status === 201 ? `Saved as version ${data.version}: new reviews score on it; older reviews keep theirs.` : `Nothing changed: version ${data.version} is already this form.`);
  await load();
};

load().catch((error) => say(error.message, true));
