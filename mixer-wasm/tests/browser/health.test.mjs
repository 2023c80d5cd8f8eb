// The call health probe (earshot-health's wasm, health.js) in headless Chromium: a real mixer node's
// meter events in a running AudioContext, piped into the probe, give talk, overtalk and silence as
// scheduled; bad readings are refused or taken as silence. Uses the built npm/dist (build.sh).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { pageForTests } from './harness.mjs';

const session = pageForTests();

// Meter events are posted from the audio thread and handled on a shared, busy CPU: figures may be off
// by a few events (50 ms each) at every edge.
const TOLERANCE_MS = 300;
const TONE_DB = 20 * Math.log10(0.3 / Math.SQRT2); // a 0.3 sine: -13.5 dBFS

test('a real mixer: agent alone 0-2 s, both 2-3 s, silence 3-5.5 s, measured within 300 ms', async () => {
  const result = await session.page.evaluate(async () => {
    const { createMixerNode } = await import('/npm/dist/index.js');
    const { createHealthProbe } = await import('/npm/dist/health.js');
    const context = new AudioContext({ sampleRate: 48000 });
    await context.resume();
    // The hub's shape: 6 inputs (agent, customer, 4 supervisor slots); the output is not listened to.
    const node = await createMixerNode(context, { numberOfInputs: 6, numberOfOutputs: 1, matrix: [[0, 0, 0, 0, 0, 0]] });
    node.connect(context.destination);
    const probe = await createHealthProbe({ inputs: 6 });
    const t0 = context.currentTime + 0.5;
    // Whole periods per 128-frame block (375 and 750 Hz at 48 kHz): every block's RMS is the sine's.
    const speak = (input, frequency, from, to) => {
      const oscillator = new OscillatorNode(context, { frequency });
      const gain = new GainNode(context, { gain: 0 });
      gain.gain.setValueAtTime(0.3, t0 + from);
      gain.gain.setValueAtTime(0, t0 + to);
      oscillator.connect(gain).connect(node, 0, input);
      oscillator.start();
    };
    speak(0, 375, 0, 3); // agent
    speak(1, 750, 2, 3); // customer
    const samples = [];
    let events = 0;
    node.addEventListener('meter', (event) => {
      events++;
      const at = context.currentTime * 1000;
      const sample = probe.push(event.detail, at);
      if (sample) samples.push({ at: at - t0 * 1000, ...sample });
    });
    const until = (t) =>
      new Promise((resolve) => {
        const poll = () => (context.currentTime >= t0 + t ? resolve() : setTimeout(poll, 10));
        poll();
      });
    await until(2.2);
    probe.levels(); // start a reading period with both parties talking
    await until(2.8);
    const levels = probe.levels();
    await until(5.6);
    await context.close();
    return { samples, levels, events };
  });

  const { samples, levels, events } = result;
  assert.ok(events >= 6 * 12, `only ${events} meter events in about 6 s`);
  assert.ok(samples.length >= 5, `${samples.length} samples in about 6 s`);
  let [agent, customer] = [0, 0];
  for (const sample of samples) {
    assert.equal(sample.window_ms, 1000);
    assert.ok(sample.overtalk_ms <= Math.min(sample.agent_talk_ms, sample.customer_talk_ms), JSON.stringify(sample));
    agent += sample.agent_talk_ms;
    customer += sample.customer_talk_ms;
    assert.equal(sample.agent_talk_total_ms, agent, 'totals are the sums of the windows');
    assert.equal(sample.customer_talk_total_ms, customer);
    assert.equal(sample.customer_baseline_db, null, 'about 1.3 s of customer speech is no baseline');
  }
  const sum = (field) => samples.reduce((total, sample) => total + sample[field], 0);
  // Talk includes the mixer's 300 ms voice hangover after each party stops.
  const near = (measured, expected, what) =>
    assert.ok(Math.abs(measured - expected) <= TOLERANCE_MS, `${what}: ${measured} ms, expected ${expected} ± ${TOLERANCE_MS}`);
  near(sum('agent_talk_ms'), 3300, 'agent talk');
  near(sum('customer_talk_ms'), 1300, 'customer talk');
  near(sum('overtalk_ms'), 1300, 'overtalk');
  // The last window ends at most one event (≤ 250 ms) before the push that closed it.
  const last = samples.at(-1);
  assert.ok(last.at > 4300, `the last sample closed at ${last.at} ms, after the talk`);
  near(last.silence_ms, last.at - 3300, 'silence at the last window');
  const talking = samples.filter((sample) => sample.customer_db !== null);
  assert.ok(talking.length >= 1 && talking.length <= 3, `${talking.length} windows with a customer level`);
  for (const { customer_db } of talking) {
    assert.ok(Math.abs(customer_db - TONE_DB) < 1.5, `customer level ${customer_db} dBFS, expected ${TONE_DB}`);
  }
  assert.equal(levels.length, 6);
  assert.ok(Math.abs(levels[0] - TONE_DB) < 0.5 && Math.abs(levels[1] - TONE_DB) < 0.5, `levels ${levels}`);
  assert.deepEqual(levels.slice(2), [-90, -90, -90, -90]);
});

test('bad readings: a broken layout throws clearly, NaN and missing fields are silence', async () => {
  const result = await session.page.evaluate(async () => {
    const { createHealthProbe } = await import('/npm/dist/health.js');
    const probe = await createHealthProbe({ inputs: 2, windowMs: 1000 });
    let thrown;
    try {
      probe.push(new Float32Array(5), 0);
    } catch (error) {
      thrown = String(error?.message ?? error);
    }
    const samples = [];
    // Agent's voice flag set with a NaN level, the customer's reading missing its fields entirely.
    for (let t = 0; t <= 1000; t += 50) samples.push(probe.push([{ rms: NaN, peak: NaN, voice: true, sanitized: 3 }, {}], t));
    // The raw layout with infinite and negative levels, and fewer inputs than the probe has.
    for (let t = 1050; t <= 2000; t += 50) samples.push(probe.push(Float32Array.of(-1, 0, 0, 0, Infinity, Infinity, 1, 0), t));
    for (let t = 2050; t <= 3000; t += 50) samples.push(probe.push([0.1, 0.1, 1, 0], t));
    const levels = probe.levels();
    probe.free();
    return { thrown, samples: samples.filter(Boolean), pushes: samples.length, levels };
  });
  assert.match(result.thrown, /^earshot-health: meters must hold 4 numbers per input/);
  assert.equal(result.pushes, 61);
  const [first, second, third] = result.samples;
  assert.equal(result.samples.length, 3);
  assert.deepEqual(first, {
    window_ms: 1000,
    agent_talk_ms: 1000,
    customer_talk_ms: 0,
    overtalk_ms: 0,
    silence_ms: 0,
    customer_db: null,
    customer_baseline_db: null,
    agent_talk_total_ms: 1000,
    customer_talk_total_ms: 0,
  });
  // The customer talked with an infinite level: talk time, but no level.
  assert.deepEqual([second.agent_talk_ms, second.customer_talk_ms, second.customer_db], [0, 1000, null]);
  // Only the agent's input was given: the customer is silent, nobody else is hurt.
  assert.deepEqual([third.agent_talk_ms, third.customer_talk_ms, third.agent_talk_total_ms], [1000, 0, 2000]);
  assert.equal(result.levels.length, 2);
  assert.ok(Math.abs(result.levels[0] + 20) < 1e-4 && result.levels[1] === -90, `levels ${result.levels}`);
});

test('the package exports the probe as earshot-mixer/health, its files built, its wasm within 20 KiB gzipped', () => {
  const npm = fileURLToPath(new URL('../../npm/', import.meta.url));
  const manifest = JSON.parse(readFileSync(`${npm}package.json`, 'utf8'));
  assert.deepEqual(manifest.exports['./health'], { types: './dist/health.d.ts', default: './dist/health.js' });
  for (const file of ['dist/health.js', 'dist/health.d.ts', 'dist/earshot_health.js', 'dist/earshot_health_bg.wasm']) {
    assert.ok(manifest.files.includes(file), `${file} is not in the package's files`);
    assert.ok(existsSync(`${npm}${file}`), `${file} was not built`);
  }
  const gzipped = gzipSync(readFileSync(`${npm}dist/earshot_health_bg.wasm`), { level: 9 }).length;
  assert.ok(gzipped <= 20 * 1024, `the health wasm is ${gzipped} bytes gzipped (budget 20 KiB)`);
});

test('no page errors', () => {
  assert.deepEqual(session.errors.map(String), []);
});
