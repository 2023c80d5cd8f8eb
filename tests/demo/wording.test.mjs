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

test('a full call is refused in words with the limit the worker enforces', async () => {
  const { refusal } = await import('../../demo/js/wording.js');
  const { MAX_SUPERVISORS } = await import('../../demo/js/limits.js');
  assert.equal(refusal({ code: 'call_full', message: 'refused: the call already has 4 supervisors' }), `This call already has ${MAX_SUPERVISORS} supervisors.`);
  assert.equal(MAX_SUPERVISORS, 4);
});

test("the channel's error keeps the frame's fields, so the question reads them", async () => {
  const { WorkerError } = await import('../../demo/js/channel.js');
  const error = new WorkerError({ type: 'error', ref: 7, code: 'confirm_required', message: 'confirm: prose', call_age_ms: 61_000, guard_minutes: 10 });
  assert.equal(error.message, 'confirm: prose');
  assert.deepEqual([error.code, error.ref, error.call_age_ms, error.guard_minutes], ['confirm_required', 7, 61_000, 10]);
  assert.equal(earlyBargeQuestion(error, 'barge'), 'This call is 1:01 old; a barge in its first 10 minutes needs confirming. Barge in anyway?');
});

test('a refusal during a secure pause names the agent and says what waits', async () => {
  const { refusal } = await import('../../demo/js/wording.js');
  assert.equal(refusal({ code: 'secure_pause', message: 'refused: …' }, { mode: 'barge', agent: () => 'Ana' }),
    'Ana has paused the call securely (the customer may be giving card details); you can barge in once it ends.');
});
