// Times the mixing kernel inside an AudioWorklet (the audio thread): SIMD wasm, scalar wasm and the
// JavaScript version, each on a dense matrix of gain 0.5, 128-frame blocks, with quiet sources (sums
// under the limiter's ceiling) and, as `…-limiting`, loud ones (every sum over it). AudioWorkletGlobalScope
// has no `performance`, so each case runs for at least `minMs` of Date.now() and is averaged.
import '../js/text-polyfill.js';
import * as simd from '../npm/dist/earshot_mixer.js';
import * as scalar from '../npm/dist-scalar/earshot_mixer.js';
import { JsMixer } from './js-mixer.js';

const FRAMES = 128;

// 0.02 keeps 32 inputs at gain 0.5 under the ceiling; 0.8 puts even three over it.
const LEVELS = [
  ['', 0.02],
  ['-limiting', 0.8],
];

function fillSines(buffer, inputs, amplitude) {
  for (let i = 0; i < inputs; i++) {
    for (let t = 0; t < FRAMES; t++) buffer[i * FRAMES + t] = amplitude * Math.sin(t * 0.05 * (i + 1));
  }
}

function measure(run, minMs) {
  for (let k = 0; k < 500; k++) run();
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    let blocks = 0;
    const start = Date.now();
    while (Date.now() - start < minMs) {
      for (let k = 0; k < 100; k++) run();
      blocks += 100;
    }
    best = Math.min(best, ((Date.now() - start) * 1000) / blocks);
  }
  return best;
}

class KernelBench extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.options = options.processorOptions;
  }

  process() {
    if (this.done) return false;
    this.done = true;
    const { simdModule, scalarModule, cases, minMs } = this.options;
    const glues = [
      ['wasm-simd', simd, simd.initSync({ module: simdModule })],
      ['wasm-scalar', scalar, scalar.initSync({ module: scalarModule })],
    ];
    const results = [];
    for (const [inputs, outputs] of cases) {
      const gains = new Float32Array(inputs * outputs).fill(0.5);
      for (const [suffix, amplitude] of LEVELS) {
        const size = `${inputs}x${outputs}`;
        for (const [kind, glue, exports] of glues) {
          const mixer = new glue.WasmMixer(sampleRate, inputs, outputs, FRAMES, Math.round(sampleRate / 20)); // outputs metered at 20 Hz, as in the worklet
          mixer.set_matrix(outputs, inputs, gains, 0, 0); // no glide, due now
          fillSines(new Float32Array(exports.memory.buffer, mixer.input_ptr(), inputs * FRAMES), inputs, amplitude);
          results.push({ kind: kind + suffix, size, us: measure(() => mixer.process(0), minMs) });
          mixer.free();
        }
        const js = new JsMixer(inputs, outputs, FRAMES, sampleRate);
        js.setMatrix(gains);
        fillSines(js.input, inputs, amplitude);
        results.push({ kind: `js${suffix}`, size, us: measure(() => js.process(), minMs) });
      }
    }
    this.port.postMessage(results);
    return false;
  }
}

registerProcessor('earshot-kernel-bench', KernelBench);
