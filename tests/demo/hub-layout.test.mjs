// Where the agent's hub puts each party on its mixer (demo/js/hub-layout.js), without a browser: fixed
// slots for the agent and the customer, a slot per supervisor taken on first sight and freed on
// leaving, the worker's matrix turned into the mixer's rows × columns, and the probe's levels named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HubLayout, INPUTS, OUTPUTS, RECORDING, SUPERVISOR_SLOTS } from '../../demo/js/hub-layout.js';
import { MAX_SUPERVISORS } from '../../demo/js/limits.js';

test('agent and customer sit on fixed slots; the recording channels are the last two outputs', () => {
  const layout = new HubLayout();
  assert.equal(SUPERVISOR_SLOTS, MAX_SUPERVISORS, 'one slot per supervisor the worker admits');
  assert.deepEqual([INPUTS, OUTPUTS], [2 + MAX_SUPERVISORS, 4 + MAX_SUPERVISORS]);
  assert.deepEqual([layout.inputOf('agent'), layout.inputOf('customer')], [0, 1]);
  assert.deepEqual([layout.outputOf('agent'), layout.outputOf('customer')], [0, 1]);
  assert.deepEqual([layout.outputOf('recording_customer'), layout.outputOf('recording_agent')], [OUTPUTS - 2, OUTPUTS - 1]);
  assert.deepEqual(RECORDING, { recording_customer: OUTPUTS - 2, recording_agent: OUTPUTS - 1 });
  assert.equal(layout.inputOf('recording_agent'), -1, 'a recording channel is no source');
  assert.equal(layout.inputOf(undefined), -1);
});

test('supervisors take slots in order of first sight, keep them, and free them on leaving; a fifth gets none', () => {
  const layout = new HubLayout();
  const ids = Array.from({ length: MAX_SUPERVISORS }, (_, i) => `s${i + 1}`);
  ids.forEach((id, i) => assert.equal(layout.inputOf({ supervisor: id }), 2 + i));
  assert.equal(layout.outputOf({ supervisor: 's1' }), 2, 'the same slot for input and output');
  assert.equal(layout.inputOf({ supervisor: 'extra' }), -1, 'every slot taken');
  layout.release('s2');
  assert.equal(layout.outputOf({ supervisor: 'extra' }), 3, "a newcomer takes the freed slot");
  assert.equal(layout.inputOf({ supervisor: 's3' }), 4, 'the others keep theirs');
});

test("the worker's matrix becomes the mixer's rows (outputs) and columns (inputs); unnamed cells stay silent", () => {
  const layout = new HubLayout();
  // Whisper: the agent hears the customer and s1; the customer hears only the agent; s1 hears both.
  const matrix = {
    sources: ['agent', 'customer', { supervisor: 's1' }],
    listeners: ['agent', 'customer', { supervisor: 's1' }, 'recording_customer'],
    gains: [[0, 1, 1], [1, 0, 0], [1, 1, 0], [0, 1, 0]],
  };
  const gains = layout.gainsFor(matrix);
  assert.equal(gains.length, OUTPUTS);
  assert.ok(gains.every((row) => row.length === INPUTS));
  assert.deepEqual(gains[0].slice(0, 3), [0, 1, 1]);
  assert.deepEqual(gains[1].slice(0, 3), [1, 0, 0], 'the customer hears nothing of the whisper');
  assert.deepEqual(gains[2].slice(0, 3), [1, 1, 0]);
  assert.deepEqual(gains[RECORDING.recording_customer].slice(0, 3), [0, 1, 0]);
  assert.ok(gains.slice(3, OUTPUTS - 2).flat().every((g) => g === 0), 'unused slots silent');
  assert.ok(gains.every((row) => row.slice(3).every((g) => g === 0)), 'no unused input routed');
});

test("the probe's levels (inputs, then outputs) become who says and who hears what", () => {
  const layout = new HubLayout();
  layout.inputOf({ supervisor: 's1' });
  const metered = [...Array(INPUTS + OUTPUTS).keys()].map((i) => -i); // -0 … distinct per channel
  const report = layout.levelReport(metered);
  assert.deepEqual(report.levels, [{ party: 'agent', db: -0 }, { party: 'customer', db: -1 }, { party: { supervisor: 's1' }, db: -2 }]);
  assert.deepEqual(report.hears, [
    { party: 'agent', db: -INPUTS },
    { party: 'customer', db: -(INPUTS + 1) },
    { party: { supervisor: 's1' }, db: -(INPUTS + 2) },
  ], 'outputs follow the inputs; the recording channels are nobody\'s ears');
});
