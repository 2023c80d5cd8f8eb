// The demo's one spelling of a party's key (demo/js/party.js), without a browser: the same strings as
// the worker's `Party::key` (call-policy's test `a_partys_key_is_its_one_string_spelling`), and a key
// read back is the party it was made from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { partyKey, partyOfKey } from '../../demo/js/party.js';

test('a party descriptor keys as the worker spells it', () => {
  assert.equal(partyKey('agent'), 'agent');
  assert.equal(partyKey('customer'), 'customer');
  assert.equal(partyKey({ supervisor: 'lead-1' }), 'supervisor:lead-1');
});

test('a key reads back as the party it names', () => {
  for (const party of ['agent', 'customer', { supervisor: 'lead-1' }, { supervisor: 'a:b' }]) {
    assert.deepEqual(partyOfKey(partyKey(party)), party);
  }
  assert.equal(partyOfKey('agent').supervisor, undefined, 'only supervisors have an id');
});
