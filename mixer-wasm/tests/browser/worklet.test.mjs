// The real worklet in headless Chromium: offline renders checked against the matrix and against the
// same mix built from native GainNodes, glides, meters in a running AudioContext, and failures.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pageForTests } from './harness.mjs';

// Every output is late by the limiter's look-ahead: 1.5 ms, 72 frames at 48 kHz
// (`WasmMixer.latency_frames()`); under −1 dBFS it is the mix, delayed.
const LATENCY = 72;
const CEILING = 0.8912509; // −1 dBFS

const session = pageForTests();

test('an offline render through the worklet equals the matrix product and the native GainNode graph, delayed', async () => {
  const matrix = [
    [0, 1, 1],
    [1, 0, 0],
    [1, 1, 0],
    [0.5, 0.25, 0],
  ];
  const result = await session.page.evaluate(async ([matrix, latency]) => {
    const { createMixerNode } = await import('/npm/dist/index.js');
    const [rate, length, outputs] = [48000, 48000, matrix.length];
    const sources = (context) =>
      [300, 500, 700].map((frequency) => {
        const gain = new GainNode(context, { gain: 0.15 }); // sums stay under the limiter's ceiling
        const oscillator = new OscillatorNode(context, { frequency });
        oscillator.connect(gain);
        oscillator.start(0);
        return gain;
      });
    const render = async (channels, wire) => {
      const context = new OfflineAudioContext(channels, length, rate);
      const merger = new ChannelMergerNode(context, { numberOfInputs: channels });
      merger.connect(context.destination);
      await wire(context, sources(context), merger);
      const buffer = await context.startRendering();
      return Array.from({ length: channels }, (_, c) => buffer.getChannelData(c));
    };
    const inputs = await render(3, (_, sources, merger) => sources.forEach((source, i) => source.connect(merger, 0, i)));
    const worklet = await render(outputs, async (context, sources, merger) => {
      const node = await createMixerNode(context, { numberOfInputs: 3, numberOfOutputs: outputs, matrix });
      sources.forEach((source, i) => source.connect(node, 0, i));
      for (let o = 0; o < outputs; o++) node.connect(merger, o, o);
    });
    const native = await render(outputs, (context, sources, merger) => {
      matrix.forEach((row, o) =>
        row.forEach((gain, i) => gain && sources[i].connect(new GainNode(context, { gain })).connect(merger, 0, o)),
      );
    });
    const report = [];
    for (let o = 0; o < outputs; o++) {
      let [vsMatrix, vsNative, energy, early] = [0, 0, 0, 0];
      for (let t = 0; t < latency; t++) early = Math.max(early, Math.abs(worklet[o][t]));
      for (let t = 0; t < length - latency; t++) {
        const expected = matrix[o].reduce((sum, gain, i) => sum + gain * inputs[i][t], 0);
        const played = worklet[o][t + latency];
        vsMatrix = Math.max(vsMatrix, Math.abs(played - expected));
        vsNative = Math.max(vsNative, Math.abs(played - native[o][t]));
        energy += played ** 2;
      }
      report.push({ vsMatrix, vsNative, early, rms: Math.sqrt(energy / (length - latency)) });
    }
    return report;
  }, [matrix, LATENCY]);
  result.forEach(({ vsMatrix, vsNative, early, rms }, o) => {
    assert.equal(early, 0, `output ${o} is silent for the look-ahead`);
    assert.ok(vsMatrix <= 1e-5, `output ${o} differs from the matrix product by ${vsMatrix}`);
    assert.ok(vsNative <= 1e-5, `output ${o} differs from the GainNode graph by ${vsNative}`);
    const expectedRms = Math.hypot(...matrix[o].map((gain) => (gain * 0.15) / Math.SQRT2));
    assert.ok(Math.abs(rms - expectedRms) < 1e-3, `output ${o}: rms ${rms}, expected ${expectedRms}`);
  });
});

test('three full-scale sources summed come out under −1 dBFS, the gain gliding in small steps', async () => {
  const result = await session.page.evaluate(async (latency) => {
    const { createMixerNode } = await import('/npm/dist/index.js');
    const render = async (wire) => {
      const context = new OfflineAudioContext(1, 24000, 48000);
      const sources = [440, 554, 659].map((frequency) => {
        const oscillator = new OscillatorNode(context, { frequency });
        oscillator.start(0);
        return oscillator;
      });
      await wire(context, sources);
      return (await context.startRendering()).getChannelData(0);
    };
    const sum = await render((context, sources) => sources.forEach((source) => source.connect(context.destination)));
    const limited = await render(async (context, sources) => {
      const node = await createMixerNode(context, { numberOfInputs: 3, numberOfOutputs: 1, matrix: [[1, 1, 1]] });
      sources.forEach((source, i) => source.connect(node, 0, i));
      node.connect(context.destination);
    });
    let [peak, maxGainStep, previous] = [0, 0, null];
    for (let t = 0; t < sum.length - latency; t++) {
      peak = Math.max(peak, Math.abs(limited[t + latency]));
      // The applied gain, wherever the sum is far enough from a zero crossing to divide by.
      const gain = Math.abs(sum[t]) > 0.05 ? limited[t + latency] / sum[t] : null;
      if (gain !== null && previous !== null) maxGainStep = Math.max(maxGainStep, Math.abs(gain - previous));
      previous = gain;
    }
    return { peak, maxGainStep };
  }, LATENCY);
  assert.ok(result.peak <= CEILING && result.peak > 0.99 * CEILING, `peak ${result.peak}`);
  // The gain glides over the look-ahead: at most 1/73 per sample (a clip would jump).
  assert.ok(result.maxGainStep <= 1 / (LATENCY + 1) + 1e-4, `gain step ${result.maxGainStep}`);
});

test('a gain change sent mid-render (scheduled, in Firefox) glides to silence without a step', async () => {
  const result = await session.page.evaluate(async () => {
    const { createMixerNode } = await import('/npm/dist/index.js');
    const context = new OfflineAudioContext(1, 24000, 48000);
    const node = await createMixerNode(context, { numberOfInputs: 1, numberOfOutputs: 1, matrix: [[1]] });
    const oscillator = new OscillatorNode(context, { frequency: 1000 });
    oscillator.connect(new GainNode(context, { gain: 0.4 })).connect(node).connect(context.destination);
    oscillator.start(0);
    if (context.suspend) {
      context.suspend(0.125).then(() => {
        node.setGainDb(0, 0, -Infinity, 10);
        context.resume();
      });
    } else {
      // Firefox cannot suspend an offline render: the same change, scheduled for the same moment.
      node.setGainDb(0, 0, -Infinity, 10, 0.125);
      await node.flush();
    }
    const samples = (await context.startRendering()).getChannelData(0);
    let [maxStep, lastSound] = [0, 0];
    for (let t = 1; t < samples.length; t++) {
      maxStep = Math.max(maxStep, Math.abs(samples[t] - samples[t - 1]));
      if (samples[t] !== 0) lastSound = t;
    }
    const peakBefore = Math.max(...samples.subarray(0, 6000).map(Math.abs));
    return { maxStep, lastSound, peakBefore };
  });
  assert.ok(Math.abs(result.peakBefore - 0.4) < 1e-3, `full level before the change: ${result.peakBefore}`);
  // 1 kHz at 0.4 moves ≤ 2π·1000/48000·0.4 ≈ 0.0524 per sample; the glide adds ≤ 0.4/480.
  assert.ok(result.maxStep <= 0.0524 + 0.4 / 480 + 1e-4, `step ${result.maxStep}`);
  assert.ok(result.lastSound > 6000 + 470, `glided for the ramp (silent from ${result.lastSound})`);
  assert.ok(result.lastSound < 6000 + 480 + 4800, `the change applied within 100 ms (silent from ${result.lastSound})`);
});

test('in a running AudioContext meter events arrive at about 20 Hz and tell voice from silence', async () => {
  const result = await session.page.evaluate(async () => {
    const { createMixerNode } = await import('/npm/dist/index.js');
    const context = new AudioContext({ sampleRate: 48000 });
    await context.resume();
    const node = await createMixerNode(context, { numberOfInputs: 2, numberOfOutputs: 1, matrix: [[1, 1]] });
    // 375 Hz is one whole period per 128-frame block, so every block's RMS is the sine's.
    const oscillator = new OscillatorNode(context, { frequency: 375 });
    oscillator.connect(new GainNode(context, { gain: 0.5 })).connect(node, 0, 0);
    node.connect(context.destination);
    oscillator.start();
    const events = [];
    node.addEventListener('meter', (event) => events.push(event.detail));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await context.close();
    return { count: events.length, last: events.at(-1) };
  });
  assert.ok(result.count >= 12 && result.count <= 28, `${result.count} meter events in 1 s`);
  const [talking, silent] = result.last.inputs;
  const [heard] = result.last.outputs; // output 0 hears both inputs: the sine, after the limiter
  assert.equal(result.last.outputs.length, 1);
  assert.ok(Math.abs(heard.rms - talking.rms) < 1e-3 && heard.voice && heard.sanitized === 0, JSON.stringify(heard));
  assert.ok(Math.abs(talking.rms - 0.5 / Math.SQRT2) < 0.01, `rms ${talking.rms}`);
  assert.ok(talking.peak <= 0.5 && talking.peak > 0.45 && talking.voice, JSON.stringify(talking));
  assert.deepEqual(silent, { rms: 0, peak: 0, voice: false, sanitized: 0 });
});

test('the tone reaches only its outputs', async () => {
  const peaks = await session.page.evaluate(async () => {
    const { createMixerNode } = await import('/npm/dist/index.js');
    const context = new OfflineAudioContext(3, 24000, 48000);
    const node = await createMixerNode(context, { numberOfInputs: 1, numberOfOutputs: 3 });
    const merger = new ChannelMergerNode(context, { numberOfInputs: 3 });
    for (let o = 0; o < 3; o++) node.connect(merger, o, o);
    merger.connect(context.destination);
    node.playTone({ outputs: [0, 2], frequency: 1000, durationMs: 100, gainDb: -12 });
    await node.flush(); // the tone has reached the audio thread before rendering starts
    const buffer = await context.startRendering();
    return [0, 1, 2].map((c) => Math.max(...buffer.getChannelData(c).map(Math.abs)));
  });
  const level = 10 ** (-12 / 20);
  assert.ok(Math.abs(peaks[0] - level) < 2e-3 && Math.abs(peaks[2] - level) < 2e-3, `peaks ${peaks}`);
  assert.equal(peaks[1], 0);
});

test('a worklet module that fails to register, or wasm that fails to start, rejects clearly', async () => {
  const errors = await session.page.evaluate(async () => {
    const { createMixerNode } = await import('/npm/dist/index.js');
    const attempt = (options) =>
      createMixerNode(new AudioContext(), options).then(
        () => 'resolved',
        (error) => error.message,
      );
    const empty = await WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
    return [await attempt({ processorUrl: '/tests/browser/fixtures/throwing-processor.js' }), await attempt({ module: empty })];
  });
  assert.match(errors[0], /the worklet processor 'earshot-mixer' is not registered in this context/);
  assert.match(errors[1], /^earshot-mixer: /);
  session.errors.length = 0; // the broken module's own load error is expected here
});

test('a missing or mis-served wasm or processor is named with what was received', async () => {
  const errors = await session.page.evaluate(async () => {
    const { compileMixer, createMixerNode } = await import('/npm/dist/index.js');
    const attempt = (url) => compileMixer(url).then(() => 'resolved', (error) => error.message);
    const processor = await createMixerNode(new AudioContext(), { processorUrl: '/npm/dist/missing.js' }).catch((error) => error.message);
    return { html: await attempt('/'), missing: await attempt('/npm/dist/missing.wasm'), processor };
  });
  // The page is the test server's blank document, as an SPA fallback would serve for any path.
  assert.match(errors.html, /^earshot-mixer: \/ is not the mixer's wasm \(received HTTP 200, text\/html, \d+ bytes starting 3c 21 64 6f/);
  assert.match(errors.html, /"<!doctype html>/);
  assert.match(errors.missing, /^earshot-mixer: \/npm\/dist\/missing\.wasm is not the mixer's wasm \(received HTTP 404, no content-type, 9 bytes starting 6e 6f 74/);
  assert.match(errors.processor, /^earshot-mixer: the worklet module \/npm\/dist\/missing\.js did not load \(AbortError: .*; received HTTP 404, no content-type, 9 bytes starting 6e 6f 74/);
  session.errors.length = 0; // the browser logs the 404s itself
});

test('no page errors', () => {
  assert.deepEqual(session.errors.map(String), []);
});
