// The QA pages' pure logic without a browser: the scorecard total as the archive computes it (weights,
// N/A, auto-fail, nothing applicable), which field an archive problem names, the note form's clock,
// the scorecard editor's draft, and the call list's filters as a query.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { problemField, totalOf, totalText } from '../../demo/js/scoring.js';
import { clockText, parseClock } from '../../demo/js/clock.js';
import { draftOf, formOf, keyFor, moveCriterion, newCriterion } from '../../demo/js/scorecard-draft.js';
import { filterQuery, filtersIn } from '../../demo/js/call-filters.js';

const DEFAULT = { title: 'Default', sections: [{ title: 'Call', criteria: ['greeting', 'empathy', 'accuracy', 'compliance'].map((key) => ({ key, label: key })) }] };
/** The archive test's weighted form (tests/worker/qa.test.mjs). */
const WEIGHTED = {
  title: 'Collections QA',
  sections: [
    { title: 'Compliance', criteria: [{ key: 'disclosure', label: 'Read the mandatory disclosure', weight: 0, scale: { min: 0, max: 1 }, auto_fail: true }] },
    { title: 'Conversation', criteria: [
      { key: 'greeting', label: 'Greeting' },
      { key: 'accuracy', label: 'Accuracy', weight: 3, na_allowed: true },
      { key: 'empathy', label: 'Empathy', weight: 2, scale: { min: 0, max: 10 }, na_allowed: true },
    ] },
  ],
};

test('the total is the archive\'s: the default form 4, 5, 3, 4 is 75.0', () => {
  assert.deepEqual(totalOf(DEFAULT, { greeting: 4, empathy: 5, accuracy: 3, compliance: 4 }), { total: 75, auto_failed: [] });
  assert.equal(totalText(75), '75.0%');
});

test('weights, N/A and auto-fail: N/A leaves its weight out, a failed gate makes it 0, nothing weighted is no total', () => {
  // greeting 5 of 1-5 (1 × 1), accuracy 3 (3 × 0.5), empathy 8 of 0-10 (2 × 0.8): 4.1 / 6 = 68.3
  assert.equal(totalOf(WEIGHTED, { disclosure: 1, greeting: 5, accuracy: 3, empathy: 8 }).total, 68.3);
  // accuracy N/A: (1 + 1.6) / 3 = 86.7
  assert.equal(totalOf(WEIGHTED, { disclosure: 1, greeting: 5, accuracy: 'na', empathy: 8 }).total, 86.7);
  assert.deepEqual(totalOf(WEIGHTED, { disclosure: 0, greeting: 5, accuracy: 5, empathy: 10 }), { total: 0, auto_failed: ['disclosure'] });
  assert.deepEqual(totalOf(WEIGHTED, { disclosure: 1 }), { total: null, auto_failed: [] });
  assert.equal(totalText(null), 'no total');
});

test("a problem is shown by the field it names: a criterion's label or key, resolved, the comment", () => {
  assert.equal(problemField(WEIGHTED, '"Accuracy" must be scored 1-5, not 9'), 'accuracy');
  assert.equal(problemField(WEIGHTED, '"Read the mandatory disclosure" is not scored'), 'disclosure');
  assert.equal(problemField(WEIGHTED, 'the note on "empathy" is 501 characters; at most 500'), 'empathy');
  assert.equal(problemField(WEIGHTED, 'resolved (on first contact: true or false) is not answered'), 'resolved');
  assert.equal(problemField(WEIGHTED, 'the comment is 2001 characters; at most 2000'), 'comment');
  assert.equal(problemField(WEIGHTED, '"mood" is not a criterion of this form'), null);
});

test('the note form reads m:ss and m:ss.s, refuses anything else, and writes tenths back', () => {
  assert.equal(parseClock('1:05'), 65_000);
  assert.equal(parseClock(' 0:07.5 '), 7_500);
  assert.equal(parseClock('42'), 42_000);
  for (const bad of ['', '1:75', 'a:10', '1:2:3', '-1']) assert.equal(parseClock(bad), null, bad);
  assert.equal(clockText(65_040), '1:05.0');
  assert.equal(clockText(7_560), '0:07.6');
  assert.equal(parseClock(clockText(123_400)), 123_400);
});

test('the editor draft: fresh keys are unique, criteria move within a section, numbers are checked before sending', () => {
  assert.equal(keyFor('Read the disclosure!', new Set()), 'read_the_disclosure');
  assert.equal(keyFor('Greeting', new Set(['greeting', 'greeting_2'])), 'greeting_3');
  const draft = draftOf(DEFAULT);
  assert.deepEqual(draft.sections[0].criteria[0], { key: 'greeting', label: 'greeting', weight: 1, scale: { min: 1, max: 5 }, na_allowed: false, auto_fail: false });
  draft.sections[0].criteria.push(newCriterion(draft, 'Empathy'));
  assert.equal(draft.sections[0].criteria.at(-1).key, 'empathy_2');
  moveCriterion(draft, 0, 0, 1);
  assert.deepEqual(draft.sections[0].criteria.slice(0, 2).map((c) => c.key), ['empathy', 'greeting']);
  moveCriterion(draft, 0, 0, -1); // already first: nothing moves
  assert.equal(draft.sections[0].criteria[0].key, 'empathy');
  draft.sections[0].criteria[1].weight = '3';
  draft.sections[0].criteria[1].scale.max = '1.5';
  draft.sections[0].criteria[2].weight = '';
  const { form, problems } = formOf(draft);
  assert.equal(form.sections[0].criteria[1].weight, 3);
  assert.deepEqual(problems, ['the highest score of "greeting" must be a whole number, not "1.5"', 'the weight of "accuracy" must be a whole number, not ""']);
  assert.deepEqual(formOf(draftOf(WEIGHTED)).problems, []);
});

test("the call list's filters become the archive's query, in a fixed order, empty ones left out; a link's are read back", () => {
  assert.equal(filterQuery({ reviewed: 'no', agent: 'a1', mode: '', flag: 'dead_air' }), 'agent=a1&reviewed=no&flag=dead_air');
  assert.equal(filterQuery({}), '');
  assert.deepEqual(filtersIn(new URLSearchParams('from=2026-12-01&agent=a1&call=x&help=yes')), { agent: 'a1', help: 'yes' });
});
