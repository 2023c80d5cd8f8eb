// The hub's DTMF '1' detector for phone callers' consent (demo/js/phone-consent.js), without a
// browser: a window of the caller's audio at 48 kHz, as the hub's analyser hands it over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDigitOne } from '../../demo/js/phone-consent.js';

const RATE = 48_000;
/** 1024 samples (the analyser's window) of sines at `hz`, each at `amplitude`, plus `noise`. */
function window(hz, { amplitude = 0.2, noise = 0, seed = 1 } = {}) {
  let state = seed;
  const random = () => ((state = (state * 16807) % 2147483647) / 2147483647) * 2 - 1;
  return Float32Array.from({ length: 1024 }, (_, i) =>
    hz.reduce((sum, f) => sum + amplitude * Math.sin((2 * Math.PI * f * i) / RATE), 0) + noise * random());
}

test('DTMF 1 is found, alone or under the caller still talking', () => {
  assert.equal(isDigitOne(window([697, 1209]), RATE), true);
  assert.equal(isDigitOne(window([697, 1209], { amplitude: 0.05 }), RATE), true, 'a quiet key (-26 dBFS per tone)');
  assert.equal(isDigitOne(Float32Array.from(window([697, 1209]), (x, i) => x + 0.3 * Math.sin((2 * Math.PI * 400 * i) / RATE)), RATE), true, 'over a 400 Hz voice');
});

test('other keys, a lone tone, noise and silence are not a 1', () => {
  assert.equal(isDigitOne(window([697, 1336]), RATE), false, 'key 2');
  assert.equal(isDigitOne(window([770, 1209]), RATE), false, 'key 4');
  assert.equal(isDigitOne(window([697]), RATE), false, 'only the row tone');
  assert.equal(isDigitOne(window([400]), RATE), false, 'a voice-like tone');
  assert.equal(isDigitOne(window([], { noise: 0.3 }), RATE), false, 'noise');
  assert.equal(isDigitOne(new Float32Array(1024), RATE), false, 'silence');
  assert.equal(isDigitOne(window([697, 1209], { amplitude: 0.001 }), RATE), false, 'below -50 dBFS');
});
