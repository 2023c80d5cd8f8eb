// Errors at the call, as Web Audio raises them: every argument the worklet would refuse throws
// synchronously from the main-thread API (TypeError for what is not a usable number, RangeError for
// what is out of range, in the caller's units), InvalidStateError once the context is closed; values
// at the limits are accepted by the worklet too; and what only the worklet can know still arrives
// as a `mixererror` event.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pageForTests } from './harness.mjs';

const session = pageForTests();

/** Runs `calls` (a function body per case, `node` in scope) on a fresh 3-input, 2-output node. */
function attempt(cases, { close = false } = {}) {
  return session.page.evaluate(
    async ({ cases, close }) => {
      const { createMixerNode } = await import('/npm/dist/index.js');
      const context = new AudioContext();
      const node = await createMixerNode(context, { numberOfInputs: 3, numberOfOutputs: 2 });
      if (close) await context.close();
      const results = {};
      for (const [name, body] of Object.entries(cases)) {
        try {
          new Function('node', body)(node); // synchronous: a throw must happen at the call
          results[name] = 'returned';
        } catch (error) {
          results[name] = `${error.name}: ${error.message}`;
        }
      }
      if (!close) await context.close();
      return results;
    },
    { cases, close },
  );
}

function expect(results, expected) {
  for (const [name, pattern] of Object.entries(expected)) assert.match(results[name], pattern, name);
}

test('setMatrix throws for empty, ragged, non-numeric, out-of-range and oversized matrices', async () => {
  const results = await attempt({
    empty: 'node.setMatrix([])',
    noColumns: 'node.setMatrix([[], []])',
    notAMatrix: "node.setMatrix('1,0')",
    ragged: 'node.setMatrix([[1, 0, 0], [1]])',
    nan: 'node.setMatrix([[1, 0, 0], [0, NaN, 0]])',
    negative: 'node.setMatrix([[1, -1, 0]])',
    tooLoud: 'node.setMatrix([[1, 0, 17]])',
    tooManyRows: 'node.setMatrix([[0], [0], [0]])',
    tooManyColumns: 'node.setMatrix([[0, 0, 0, 0]])',
    badRamp: 'node.setMatrix([[1]], -5)',
    nanRamp: 'node.setMatrix([[1]], NaN)',
  });
  expect(results, {
    empty: /^RangeError: earshot-mixer: setMatrix\(\): the matrix is empty/,
    noColumns: /^RangeError: .*the matrix is empty/,
    notAMatrix: /^TypeError: .*a matrix is an array of rows .*got "1,0"/,
    ragged: /^TypeError: .*matrix row 1 has 1 gains, row 0 has 3/,
    nan: /^TypeError: .*the linear gain at output 1, input 1 must be a finite number, got NaN/,
    negative: /^RangeError: .*linear gain -1 at output 0, input 1 is outside 0\.\.16/,
    tooLoud: /^RangeError: .*linear gain 17 at output 0, input 2 is outside 0\.\.16/,
    tooManyRows: /^RangeError: .*3 output rows, the node 2 outputs/,
    tooManyColumns: /^RangeError: .*4 input columns, the node 3 inputs/,
    badRamp: /^RangeError: .*rampMs -5 ms is outside 0\.\.10000 ms/,
    nanRamp: /^TypeError: .*rampMs must be a finite number ms, got NaN/,
  });
});

test('setGain speaks dB, and indices follow the active size', async () => {
  const results = await attempt({
    nan: 'node.setGainDb(0, 0, NaN)',
    text: "node.setGainDb(0, 0, '-6')",
    tooLoud: 'node.setGainDb(0, 0, 60)',
    plusInfinity: 'node.setGainDb(0, 0, Infinity)',
    output: 'node.setGainDb(2, 0, 0)',
    input: 'node.setGainDb(0, 3, 0)',
    fraction: 'node.setGainDb(0.5, 0, 0)',
    shrunk: 'node.setMatrix([[1]]); node.setGainDb(0, 1, 0)',
    resized: 'node.resize(3, 2); node.setGainDb(1, 2, -6)',
    ramp: 'node.setRampTime(-1)',
    resize: 'node.resize(4, 1)',
  });
  expect(results, {
    nan: /^TypeError: earshot-mixer: setGainDb\(\): the gain must be a number of dB, got NaN$/,
    text: /^TypeError: .*got "-6"/,
    tooLoud: /^RangeError: .*60 dB is above the maximum of \+24\.08 dB/,
    plusInfinity: /^RangeError: .*Infinity dB is above/,
    output: /^RangeError: .*output 2 is out of range: the mixer has 2 active outputs \(0\.\.1\)/,
    input: /^RangeError: .*input 3 is out of range: the mixer has 3 active inputs/,
    fraction: /^TypeError: .*output must be a whole number, got 0\.5/,
    shrunk: /^RangeError: .*input 1 is out of range: the mixer has 1 active inputs/,
    resized: /^returned$/,
    ramp: /^RangeError: .*setRampTime\(\): rampMs -1 ms is outside/,
    resize: /^RangeError: .*resize\(\): inputs 4 is outside 0\.\.3/,
  });
});

test('playTone checks outputs, frequency, level and times', async () => {
  const results = await attempt({
    noOutputs: 'node.playTone({ frequency: 440 })',
    output: 'node.playTone({ outputs: [0, 5] })',
    aboveNyquist: 'node.playTone({ outputs: [0], frequency: 30000 })',
    zeroHz: 'node.playTone({ outputs: [0], frequency: 0 })',
    loud: 'node.playTone({ outputs: [0], gainDb: 6 })',
    duration: 'node.playTone({ outputs: [0], durationMs: -1 })',
    fade: 'node.playTone({ outputs: [0], fadeMs: Infinity })',
  });
  expect(results, {
    noOutputs: /^TypeError: .*playTone\(\): outputs must be an array/,
    output: /^RangeError: .*output 5 is out of range/,
    aboveNyquist: /^RangeError: .*frequency 30000 Hz is outside/,
    zeroHz: /^RangeError: .*frequency 0 Hz is outside/,
    loud: /^RangeError: .*6 dB is above the maximum of \+0 dB/,
    duration: /^RangeError: .*durationMs -1 ms is outside 0\.\.60000 ms/,
    fade: /^TypeError: .*fadeMs must be a finite number ms, got Infinity/,
  });
});

test('after the context closed every call throws InvalidStateError, and so does createMixerNode', async () => {
  const results = await attempt(
    {
      setMatrix: 'node.setMatrix([[1, 0, 0]])',
      setGain: 'node.setGainDb(0, 0, 0)',
      setRampTime: 'node.setRampTime(5)',
      playTone: 'node.playTone({ outputs: [0] })',
      stopTone: 'node.stopTone()',
      resize: 'node.resize(1, 1)',
    },
    { close: true },
  );
  for (const [name, text] of Object.entries(results)) {
    assert.match(text, /^InvalidStateError: earshot-mixer: \w+\(\): the audio context is closed$/, name);
  }
  const creation = await session.page.evaluate(async () => {
    const { createMixerNode } = await import('/npm/dist/index.js');
    const context = new AudioContext();
    await context.close();
    return createMixerNode(context).then(
      () => 'resolved',
      (error) => `${error instanceof DOMException} ${error.name}: ${error.message}`,
    );
  });
  assert.equal(creation, 'true InvalidStateError: earshot-mixer: createMixerNode(): the audio context is closed');
});

test('createMixerNode rejects bad options before loading anything', async () => {
  const errors = await session.page.evaluate(async () => {
    const { createMixerNode } = await import('/npm/dist/index.js');
    const context = new AudioContext();
    const reason = (options) => createMixerNode(context, options).then(() => 'resolved', (error) => `${error.name}: ${error.message}`);
    const result = {
      zero: await reason({ numberOfInputs: 0 }),
      matrix: await reason({ numberOfInputs: 2, numberOfOutputs: 1, matrix: [[1, 1], [1, 1]] }),
      meterHz: await reason({ meterHz: NaN }),
    };
    await context.close();
    return result;
  });
  assert.match(errors.zero, /^RangeError: earshot-mixer: createMixerNode\(\): numberOfInputs 0 is outside 1\.\.1024/);
  assert.match(errors.matrix, /^RangeError: .*2 output rows, the node 1 outputs/);
  assert.match(errors.meterHz, /^TypeError: .*meterHz must be a finite number Hz, got NaN/);
});

test('values at the limits pass both the main thread and the worklet', async () => {
  const events = await session.page.evaluate(async () => {
    const { createMixerNode } = await import('/npm/dist/index.js');
    const context = new AudioContext();
    await context.resume();
    const node = await createMixerNode(context, { numberOfInputs: 3, numberOfOutputs: 2 });
    const errors = [];
    node.addEventListener('mixererror', (event) => errors.push(event.detail.message));
    node.setMatrix([[16, 0, 16], [0, 16, 0]], 10000);
    node.setGainDb(1, 2, 20 * Math.log10(16), 0);
    node.setGainDb(0, 0, -Infinity);
    node.setRampTime(10000);
    node.playTone({ outputs: [0, 1], frequency: context.sampleRate / 2 - 1, gainDb: 0, durationMs: 60000, fadeMs: 10000 });
    node.stopTone();
    node.resize(0, 0);
    node.resize(3, 2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await context.close();
    return errors;
  });
  assert.deepEqual(events, []);
});

test('what only the worklet knows (its control queue overflowing) still arrives as mixererror', async () => {
  const message = await session.page.evaluate(async () => {
    const { createMixerNode } = await import('/npm/dist/index.js');
    // Before rendering starts, no block drains the queue (256 commands) between the messages.
    const context = new OfflineAudioContext(1, 128, 48000);
    const node = await createMixerNode(context, { numberOfInputs: 1, numberOfOutputs: 1 });
    const error = new Promise((resolve) => node.addEventListener('mixererror', (event) => resolve(event.detail.message)));
    for (let k = 0; k < 300; k++) node.setGainDb(0, 0, -6);
    return error;
  });
  assert.match(message, /^earshot-mixer: gain: control queue full$/);
});

test('no page errors', () => {
  assert.deepEqual(session.errors.map(String), []);
});
