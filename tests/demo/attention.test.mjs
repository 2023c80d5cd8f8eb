// What the console puts first and how it words a call's context (demo/js/attention.js), without a
// browser: calls with a raised hand first, then by how many flags they carry, then the oldest; a
// flag's reason with its age; each context row in words, naming people.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { byAttention, contextLine, flagReason } from '../../demo/js/attention.js';

const call = (id, startedAt, extra = {}) => ({ call_id: id, started_at: startedAt, help_raised: false, health_flags: [], ...extra });
const flag = (kind, since = 0) => ({ kind, since, note: '' });

test('a raised hand first, then more flags, then the oldest; the input is left as it was', () => {
  const calls = [
    call('old-quiet', 1),
    call('new-two-flags', 30, { health_flags: [flag('dead_air'), flag('overtalk')] }),
    call('mid-one-flag', 20, { health_flags: [flag('customer_loud')] }),
    call('newest-hand', 40, { help_raised: true }),
    call('older-hand', 10, { help_raised: true, health_flags: [flag('overtalk')] }),
    call('oldest', 0),
  ];
  const before = calls.map((c) => c.call_id);
  assert.deepEqual(byAttention(calls).map((c) => c.call_id),
    ['older-hand', 'newest-hand', 'new-two-flags', 'mid-one-flag', 'oldest', 'old-quiet']);
  assert.deepEqual(calls.map((c) => c.call_id), before, 'sorted into a new array');
  assert.deepEqual(byAttention([call('a', 5, { health_flags: undefined }), call('b', 1)]).map((c) => c.call_id), ['b', 'a'],
    'a line without flags counts as none');
});

test("a flag's reason says what and for how long, never negative", () => {
  assert.equal(flagReason(flag('dead_air', 1_000), 13_900), 'dead air for 12 s');
  assert.equal(flagReason(flag('customer_loud', 5_000), 4_000), 'customer loud for 0 s', 'a clock slightly behind');
});

test('each context row in words, people by name', () => {
  const names = (id) => ({ a1: 'Ana', s1: 'Dana', s2: 'Eli' })[id] ?? id;
  const row = (kind, extra = {}) => ({ seq: 1, at: 0, kind, actor: 's1', actor_role: 'supervisor', target: null, from_mode: null, to_mode: null, detail: null, ...extra });
  assert.equal(contextLine(row('help', { actor: 'a1', actor_role: 'agent', detail: 'raised' }), names), 'Ana raised a hand for help');
  assert.equal(contextLine(row('help', { actor: 'a1', actor_role: 'agent', detail: 'lowered' }), names), 'Ana lowered their hand');
  assert.equal(contextLine(row('coaching', { detail: 'slow down' }), names), 'Dana coached: “slow down”');
  assert.equal(contextLine(row('join', { target: 's1', to_mode: 'none' }), names), 'Dana opened the call, present, not listening');
  assert.equal(contextLine(row('mode_change', { actor: 's2', target: 's2', from_mode: 'monitor', to_mode: 'barge' }), names), 'Eli is now barged in (was monitoring)');
  assert.equal(contextLine(row('leave', { target: 's1', from_mode: 'whisper' }), names), 'Dana left the call (was whispering to the agent)');
  assert.match(contextLine(row('flag_raised', { actor: 'a1', actor_role: 'agent', target: 'dead_air', detail: 'nobody speaking' }), names), /^dead air: nobody speaking$/);
});
