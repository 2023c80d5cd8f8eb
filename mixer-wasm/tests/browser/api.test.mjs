// The Web Audio-shaped API in headless Chromium: changes scheduled on the context clock land on their
// exact frame, dB and linear gains agree, the constructor works after loadMixer, AudioNodeOptions
// pass through where they mean something (and throw where they cannot), and the 0.1 names still work
// with one deprecation warning each.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pageForTests } from './harness.mjs';

const warnings = [];
// Playwright names the console's warnings 'warning', puppeteer (Firefox) 'warn'.
const session = pageForTests(({ page }) => page.on('console', (message) => ['warning', 'warn'].includes(message.type()) && warnings.push(message.text())));

test('changes with `when` apply at exactly that frame of the context clock', async () => {
  const heard = await session.page.evaluate(async () => {
    const { createMixerNode } = await import('/npm/dist/index.js');
    const rate = 48000;
    const context = new OfflineAudioContext(1, rate, rate);
    const node = await createMixerNode(context, { numberOfInputs: 1, numberOfOutputs: 1, matrix: [[1]] });
    const source = new ConstantSourceNode(context, { offset: 0.25 });
    source.connect(node).connect(context.destination);
    source.start(0);
    node.setMatrix([[0.5]], 0, 1001 / rate); // frame 1001: inside the 8th render quantum
    node.setGainLinear(0, 0, 0, 0, 24003 / rate); // frame 24003
    node.setGainDb(0, 0, 0, (1000 * 100) / rate, 30000 / rate); // a 100-frame glide back to 0 dB
    await node.flush(); // or an offline render may pass a frame before its change arrives
    const rendered = await context.startRendering();
    return { lag: Math.round(node.latency * rate), samples: Array.from(rendered.getChannelData(0)) };
  });
  // Each change applies to the mix at its frame and is heard the limiter's look-ahead later.
  assert.equal(heard.lag, 72, 'node.latency: 1.5 ms, 72 frames at 48 kHz');
  const samples = heard.samples.slice(heard.lag);
  assert.ok(heard.samples.slice(0, heard.lag).every((x) => x === 0), 'silence during the look-ahead');
  const span = (from, to) => samples.slice(from, to);
  assert.ok(span(0, 1001).every((x) => x === 0.25), 'unity before frame 1001');
  assert.ok(span(1001, 24003).every((x) => x === 0.125), 'the scheduled matrix from frame 1001 exactly');
  assert.ok(span(24003, 30000).every((x) => x === 0), 'muted from frame 24003 exactly');
  assert.ok(Math.abs(samples[30000] - 0.0025) < 1e-6 && Math.abs(samples[30049] - 0.125) < 1e-6, `glide from frame 30000: ${samples[30000]}, ${samples[30049]}`);
  assert.ok(span(30100).every((x) => x === 0.25), 'back at 0 dB after 100 frames');
});

test('setGainDb and setGainLinear agree, and `when` is checked like any argument', async () => {
  const result = await session.page.evaluate(async () => {
    const { createMixerNode } = await import('/npm/dist/index.js');
    const context = new OfflineAudioContext(2, 1280, 48000);
    const node = await createMixerNode(context, { numberOfInputs: 1, numberOfOutputs: 2, matrix: [[1], [1]] });
    const source = new ConstantSourceNode(context, { offset: 0.5 });
    source.connect(node);
    source.start(0);
    const merger = new ChannelMergerNode(context, { numberOfInputs: 2 });
    node.connect(merger, 0, 0);
    node.connect(merger, 1, 1);
    merger.connect(context.destination);
    node.setGainDb(0, 0, 20 * Math.log10(0.5), 0);
    node.setGainLinear(1, 0, 0.5, 0);
    await node.flush();
    const thrown = [];
    for (const when of [-1, NaN, '1']) {
      try {
        node.setGainLinear(0, 0, 1, 0, when);
      } catch (error) {
        thrown.push(`${error.name}: ${error.message}`);
      }
    }
    const rendered = await context.startRendering();
    return { db: rendered.getChannelData(0)[640], linear: rendered.getChannelData(1)[640], thrown };
  });
  assert.ok(Math.abs(result.db - 0.25) < 1e-7 && Math.abs(result.linear - 0.25) < 1e-7, JSON.stringify(result));
  assert.match(result.thrown[0], /^RangeError: earshot-mixer: setGainLinear\(\): when -1 s is outside 0\.\./);
  assert.match(result.thrown[1], /^TypeError: .*when must be a finite number s, got NaN/);
  assert.match(result.thrown[2], /^TypeError: .*when must be a finite number s, got "1"/);
});

test('new MixerNode works synchronously after loadMixer, and says what is missing otherwise', async () => {
  const result = await session.page.evaluate(async () => {
    const { loadMixer, MixerNode } = await import('/npm/dist/index.js');
    const reason = (run) => {
      try {
        run();
        return 'constructed';
      } catch (error) {
        return `${error.name}: ${error.message}`;
      }
    };
    const fresh = new AudioContext();
    const module = await loadMixer(new AudioContext()); // compiled once; registered in that context only
    const unregistered = reason(() => new MixerNode(fresh, { module }));
    const noModule = reason(() => new MixerNode(fresh, {}));
    const context = new AudioContext();
    await loadMixer(context);
    const node = new MixerNode(context, { module, numberOfInputs: 2, numberOfOutputs: 3 });
    const ready = (await node.ready) === node;
    return { unregistered, noModule, ready, inputs: node.numberOfInputs, outputs: node.numberOfOutputs, isNode: node instanceof AudioWorkletNode };
  });
  assert.match(result.unregistered, /^InvalidStateError: earshot-mixer: new MixerNode\(\): the worklet processor 'earshot-mixer' is not registered in this context \(did `await loadMixer\(context\)` run/);
  assert.match(result.noModule, /^TypeError: .*options\.module must be the mixer's WebAssembly\.Module/);
  assert.deepEqual({ ...result, unregistered: 0, noModule: 0 }, { unregistered: 0, noModule: 0, ready: true, inputs: 2, outputs: 3, isNode: true });
});

test('channelInterpretation passes through; channel counts other than mono throw NotSupportedError', async () => {
  const result = await session.page.evaluate(async () => {
    const { createMixerNode } = await import('/npm/dist/index.js');
    // A stereo source, left 0.5 and right 0.25: 'speakers' downmixes to their mean, 'discrete' keeps the left.
    const render = async (channelInterpretation) => {
      const context = new OfflineAudioContext(1, 256, 48000);
      const node = await createMixerNode(context, { numberOfInputs: 1, numberOfOutputs: 1, matrix: [[1]], channelInterpretation });
      const stereo = new ChannelMergerNode(context, { numberOfInputs: 2 });
      [0.5, 0.25].forEach((offset, channel) => {
        const source = new ConstantSourceNode(context, { offset });
        source.connect(stereo, 0, channel);
        source.start(0);
      });
      stereo.connect(node).connect(context.destination);
      const lag = Math.round(node.latency * context.sampleRate); // the limiter's look-ahead
      return { sample: (await context.startRendering()).getChannelData(0)[64 + lag], reported: node.channelInterpretation };
    };
    const context = new OfflineAudioContext(1, 128, 48000);
    const reason = (options) => createMixerNode(context, options).then(() => 'resolved', (error) => `${error.name}: ${error.message}`);
    return {
      speakers: await render('speakers'),
      discrete: await render('discrete'),
      stereo: await reason({ channelCount: 2 }),
      max: await reason({ channelCountMode: 'max' }),
      outputs: await reason({ numberOfOutputs: 2, outputChannelCount: [2, 1] }),
      mono: await reason({ numberOfOutputs: 2, outputChannelCount: [1, 1], channelCount: 1, channelCountMode: 'explicit' }),
    };
  });
  assert.deepEqual(result.speakers, { sample: 0.375, reported: 'speakers' });
  assert.deepEqual(result.discrete, { sample: 0.5, reported: 'discrete' });
  assert.match(result.stereo, /^NotSupportedError: earshot-mixer: createMixerNode\(\): channelCount must be 1 \(the mixer's inputs and outputs are mono\), got 2/);
  assert.match(result.max, /^NotSupportedError: .*channelCountMode must be "explicit"/);
  assert.match(result.outputs, /^NotSupportedError: .*outputChannelCount/);
  assert.equal(result.mono, 'resolved');
});

test('the 0.1 names (inputs/outputs options, setGain) still work, with one deprecation warning each', async () => {
  warnings.length = 0;
  const level = await session.page.evaluate(async () => {
    const { createMixerNode } = await import('/npm/dist/index.js');
    const context = new OfflineAudioContext(1, 256, 48000);
    const node = await createMixerNode(context, { inputs: 1, outputs: 1, matrix: [[1]] });
    await createMixerNode(context, { inputs: 1, outputs: 1 });
    const source = new ConstantSourceNode(context, { offset: 0.5 });
    source.connect(node).connect(context.destination);
    source.start(0);
    node.setGain(0, 0, 20 * Math.log10(0.5), 0);
    node.setGain(0, 0, 20 * Math.log10(0.5), 0);
    await node.flush();
    return { inputs: node.numberOfInputs, sample: (await context.startRendering()).getChannelData(0)[200] };
  });
  assert.deepEqual(level, { inputs: 1, sample: 0.25 });
  assert.deepEqual(warnings, [
    'earshot-mixer: the options inputs/outputs: deprecated since 0.2, use numberOfInputs/numberOfOutputs (removed in 0.3)',
    'earshot-mixer: setGain(): deprecated since 0.2, use setGainDb() (or setGainLinear()) (removed in 0.3)',
  ]);
});

test('no page errors', () => {
  assert.deepEqual(session.errors.map(String), []);
});
