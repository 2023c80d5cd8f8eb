// A stranger's app: three oscillators through an earshot-mixer node, rendered offline; publishes the
// amplitude of each oscillator's pitch in each output as window.result.
import { createMixerNode } from 'earshot-mixer';

const PITCHES = [375, 750, 1500]; // whole periods in the render, so Goertzel is exact
// The outputs are late by the limiter's look-ahead (72 frames at 48 kHz): skip one 375 Hz period
// (128 frames), which keeps whole periods of every pitch.
const SKIP = 128;
const AMPLITUDE = 0.15;
const MATRIX = [
  [0, 1, 0.5],
  [1, 0, 0],
  [0.25, 0.5, 1],
  [0, 0, 0],
];

function goertzel(signal, hz, rate) {
  const coefficient = 2 * Math.cos((2 * Math.PI * hz) / rate);
  let [s1, s2] = [0, 0];
  for (const x of signal) [s1, s2] = [x + coefficient * s1 - s2, s1];
  return (2 * Math.sqrt(s1 * s1 + s2 * s2 - coefficient * s1 * s2)) / signal.length;
}

async function run() {
  const context = new OfflineAudioContext(MATRIX.length, 48000, 48000);
  const mixer = await createMixerNode(context, { inputs: 3, outputs: MATRIX.length, matrix: MATRIX });
  PITCHES.forEach((frequency, i) => {
    const oscillator = new OscillatorNode(context, { frequency });
    oscillator.connect(new GainNode(context, { gain: AMPLITUDE })).connect(mixer, 0, i);
    oscillator.start();
  });
  const merger = new ChannelMergerNode(context, { numberOfInputs: MATRIX.length });
  MATRIX.forEach((_, o) => mixer.connect(merger, o, o));
  merger.connect(context.destination);
  const rendered = await context.startRendering();
  const amplitudes = MATRIX.map((_, o) => PITCHES.map((hz) => goertzel(rendered.getChannelData(o).subarray(SKIP), hz, 48000)));
  return { matrix: MATRIX, amplitude: AMPLITUDE, amplitudes };
}

window.result = run().catch((error) => ({ error: String(error?.stack ?? error) }));
