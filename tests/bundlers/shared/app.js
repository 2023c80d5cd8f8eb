// The app every bundler fixture builds (and the plain page loads as is): what a new user of
// earshot-mixer writes. Three oscillators mixed into two outputs, a glide, a change scheduled to the
// frame, meters and a join tone, each rendered in the page; the raw numbers go to window.result and
// tests/bundlers/shared/check.mjs judges them, so the five fixtures share one app and one checker.
import { createMixerNode, loadMixer, MixerNode } from 'earshot-mixer';

const RATE = 48000;
const PITCHES = [375, 750, 1500]; // whole periods in every render below, so Goertzel is exact
const AMPLITUDE = 0.2;
const MATRIX = [
  [1, 0.5, 0], // output 0: source 0 at 0 dB, source 1 at −6 dB
  [0, 0.25, 1], // output 1: source 1 at −12 dB, source 2 at 0 dB
];

/** Amplitude of `hz` in `signal` (exact for whole periods). */
function goertzel(signal, hz) {
  const coefficient = 2 * Math.cos((2 * Math.PI * hz) / RATE);
  let [s1, s2] = [0, 0];
  for (const x of signal) [s1, s2] = [x + coefficient * s1 - s2, s1];
  return (2 * Math.sqrt(Math.max(0, s1 * s1 + s2 * s2 - coefficient * s1 * s2))) / signal.length;
}

function oscillators(context, node) {
  PITCHES.forEach((frequency, i) => {
    const oscillator = new OscillatorNode(context, { frequency });
    oscillator.connect(new GainNode(context, { gain: AMPLITUDE })).connect(node, 0, i);
    oscillator.start(0);
  });
}

function merged(context, node, outputs) {
  const merger = new ChannelMergerNode(context, { numberOfInputs: outputs });
  for (let o = 0; o < outputs; o++) node.connect(merger, o, o);
  merger.connect(context.destination);
}

/** Level of every source in every output, dB relative to the source. */
async function levels() {
  const context = new OfflineAudioContext(MATRIX.length, RATE, RATE);
  const node = await createMixerNode(context, { numberOfInputs: PITCHES.length, numberOfOutputs: MATRIX.length, matrix: MATRIX });
  oscillators(context, node);
  merged(context, node, MATRIX.length);
  const rendered = await context.startRendering();
  const cells = MATRIX.map((_, o) => PITCHES.map((hz) => 20 * Math.log10(goertzel(rendered.getChannelData(o), hz) / AMPLITUDE)));
  return { matrix: MATRIX, cells };
}

/** A 10 ms glide from 0 dB to −12 dB half-way through, sent mid-render. */
async function glide() {
  const context = new OfflineAudioContext(1, RATE / 2, RATE);
  const node = await createMixerNode(context, { numberOfInputs: 1, numberOfOutputs: 1, matrix: [[1]] });
  const oscillator = new OscillatorNode(context, { frequency: 1000 });
  oscillator.connect(new GainNode(context, { gain: 0.4 })).connect(node).connect(context.destination);
  oscillator.start(0);
  if (context.suspend) {
    context.suspend(0.125).then(async () => {
      node.setGainDb(0, 0, -12, 10);
      await node.flush(); // the change has reached the audio thread: render on
      context.resume();
    });
  } else {
    // Firefox cannot suspend an offline render: the same change, scheduled for the same moment.
    node.setGainDb(0, 0, -12, 10, 0.125);
    await node.flush();
  }
  const samples = (await context.startRendering()).getChannelData(0);
  let maxStep = 0;
  for (let t = 1; t < samples.length; t++) maxStep = Math.max(maxStep, Math.abs(samples[t] - samples[t - 1]));
  const peak = (from, to) => Math.max(...samples.subarray(from, to).map(Math.abs));
  return { amplitude: 0.4, frequency: 1000, rampMs: 10, maxStep, peakBefore: peak(0, 6000), peakAfter: peak(18000, 24000) };
}

/** A gain change scheduled on the context clock at frame 1001 (inside a render quantum). */
async function scheduled() {
  const context = new OfflineAudioContext(1, 2048, RATE);
  const node = await createMixerNode(context, { numberOfInputs: 1, numberOfOutputs: 1, matrix: [[1]] });
  const source = new ConstantSourceNode(context, { offset: 0.5 });
  source.connect(node).connect(context.destination);
  source.start(0);
  node.setGainLinear(0, 0, 0.5, 0, 1001 / RATE);
  await node.flush(); // the change has reached the audio thread before rendering starts
  // The output lags the mix by the limiter's look-ahead: input frame t is heard at frame t + lag.
  const lag = Math.round(node.latency * RATE);
  const samples = (await context.startRendering()).getChannelData(0).subarray(lag);
  return { frame: 1001, lag, before: Array.from(samples.subarray(0, 1001)), after: Array.from(samples.subarray(1001)) };
}

/** One second of meter events in a running context: a talking input and a silent one. */
async function meters() {
  const context = new AudioContext({ sampleRate: RATE });
  await context.resume();
  // The Web Audio way this time: load once, then construct synchronously.
  const module = await loadMixer(context);
  const node = new MixerNode(context, { module, numberOfInputs: 2, numberOfOutputs: 1, matrix: [[1, 1]] });
  await node.ready;
  const oscillator = new OscillatorNode(context, { frequency: 375 }); // one period per 128-frame block
  oscillator.connect(new GainNode(context, { gain: 0.5 })).connect(node, 0, 0);
  node.connect(context.destination);
  oscillator.start();
  const events = [];
  node.addEventListener('meter', (event) => events.push(event.detail));
  await new Promise((resolve) => setTimeout(resolve, 1000));
  await context.close();
  return { seconds: 1, amplitude: 0.5, count: events.length, last: events.at(-1) };
}

/** A −12 dBFS join tone into output 1 only. */
async function tone() {
  const context = new OfflineAudioContext(2, RATE / 2, RATE);
  const node = await createMixerNode(context, { numberOfInputs: 1, numberOfOutputs: 2 });
  merged(context, node, 2);
  node.playTone({ outputs: [1], frequency: 1000, durationMs: 100, gainDb: -12 });
  await node.flush(); // the tone has reached the audio thread before rendering starts
  const rendered = await context.startRendering();
  const peaks = [0, 1].map((o) => Math.max(...rendered.getChannelData(o).map(Math.abs)));
  return { outputs: [1], gainDb: -12, peaks };
}

async function run() {
  return { levels: await levels(), glide: await glide(), scheduled: await scheduled(), meters: await meters(), tone: await tone() };
}

window.result = run().catch((error) => ({ error: String(error?.stack ?? error) }));
