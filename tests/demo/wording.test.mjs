// The console's words for the worker's structured errors (demo/js/wording.js), without a browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { earlyBargeQuestion } from '../../demo/js/wording.js';

test("the early-barge question is built from the error's fields, not its prose", () => {
  const error = { type: 'error', code: 'confirm_required', message: 'anything at all', call_age_ms: 72_400, guard_minutes: 3 };
  assert.equal(earlyBargeQuestion(error, 'barge'), 'This call is 1:12 old; a barge in its first 3 minutes needs confirming. Barge in anyway?');
  assert.equal(earlyBargeQuestion({ ...error, call_age_ms: 5_000, guard_minutes: 1 }, 'takeover'),
    'This call is 0:05 old; a takeover in its first minute needs confirming. Take over anyway?');
});
