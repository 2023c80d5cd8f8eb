// The mixer's math in plain JavaScript, for the benchmark only: sanitise and meter each input, mix
// each output through ramped gains with the mute/unity fast paths, then the look-ahead limiter of
// src/limiter.rs (same ceiling, look-ahead, hold, release and idle fast path). Same buffers layout
// (planar, inputs × frames and outputs × frames) as the wasm mixer.

const MIN_NORMAL = 1.1754943508222875e-38;
const MAX_SAMPLE = 1e6;
const CEILING = 0.8912509;
const TARGET = CEILING * (1 - 1e-6);
const UNITY = 1 << 24;

class JsLimiter {
  constructor(sampleRate) {
    const frames = (ms) => Math.max(1, Math.floor((ms * sampleRate) / 1000));
    const lookahead = frames(1.5);
    this.delay = new Float32Array(lookahead);
    this.reductions = new Uint32Array(lookahead + 1);
    [this.delayAt, this.reductionAt, this.reduction] = [0, 0, 0];
    this.inverse = 1 / ((lookahead + 1) * UNITY);
    this.full = (lookahead + 1) * UNITY;
    this.release = 1 / (frames(150) + 0.5);
    this.holdFrames = Math.max(frames(100), lookahead + 1);
    [this.envelope, this.held, this.currentMin, this.previousMin] = [1, 0, 1, 1];
  }

  process(block, start, end) {
    let peak = 0;
    for (let t = start; t < end; t++) peak = Math.max(peak, Math.abs(block[t]));
    const { delay, reductions } = this;
    if (this.reduction === 0 && this.envelope === 1 && peak <= CEILING) {
      for (let t = start; t < end; t++) {
        const x = block[t];
        block[t] = delay[this.delayAt];
        delay[this.delayAt] = x;
        if (++this.delayAt === delay.length) this.delayAt = 0;
      }
      return;
    }
    for (let t = start; t < end; t++) {
      const x = block[t];
      const magnitude = Math.abs(x);
      this.currentMin = Math.min(this.currentMin, magnitude > CEILING ? TARGET / magnitude : 1);
      const hold = Math.min(this.previousMin, this.currentMin);
      if (++this.held === this.holdFrames) [this.previousMin, this.currentMin, this.held] = [this.currentMin, 1, 0];
      this.envelope = Math.min(hold, this.envelope + (1.01 - this.envelope) * this.release);
      const reduction = UNITY - Math.floor(this.envelope * UNITY);
      this.reduction += reduction - reductions[this.reductionAt];
      reductions[this.reductionAt] = reduction;
      if (++this.reductionAt === reductions.length) this.reductionAt = 0;
      const gain = this.reduction === 0 ? 1 : (this.full - this.reduction) * this.inverse;
      const delayed = delay[this.delayAt];
      delay[this.delayAt] = x;
      if (++this.delayAt === delay.length) this.delayAt = 0;
      block[t] = Math.min(CEILING, Math.max(-CEILING, delayed * gain));
    }
  }
}

export class JsMixer {
  constructor(inputs, outputs, frames, sampleRate = 48000) {
    Object.assign(this, { inputs, outputs, frames });
    this.limiters = Array.from({ length: outputs }, () => new JsLimiter(sampleRate));
    this.input = new Float32Array(inputs * frames);
    this.output = new Float32Array(outputs * frames);
    this.current = new Float32Array(inputs * outputs);
    this.target = new Float32Array(inputs * outputs);
    this.step = new Float32Array(inputs * outputs);
    this.remaining = new Uint32Array(inputs * outputs);
    this.meters = new Float32Array(inputs * 4);
  }

  setMatrix(gains, rampFrames = 0) {
    for (let c = 0; c < gains.length; c++) {
      this.target[c] = gains[c];
      if (rampFrames === 0) [this.current[c], this.remaining[c]] = [gains[c], 0];
      else [this.step[c], this.remaining[c]] = [(gains[c] - this.current[c]) / rampFrames, rampFrames];
    }
  }

  process() {
    const { inputs, outputs, frames, input, output, current, remaining, meters } = this;
    for (let i = 0; i < inputs; i++) {
      let [sum, peak, replaced] = [0, 0, 0];
      for (let k = i * frames; k < (i + 1) * frames; k++) {
        let x = input[k];
        let magnitude = Math.abs(x);
        if (!((magnitude >= MIN_NORMAL && magnitude <= MAX_SAMPLE) || x === 0)) {
          replaced++;
          x = input[k] = Number.isFinite(x) && magnitude > MAX_SAMPLE ? Math.sign(x) * MAX_SAMPLE : 0;
          magnitude = Math.abs(x);
        }
        sum += x * x;
        if (magnitude > peak) peak = magnitude;
      }
      meters[i * 4] = Math.sqrt(sum / frames);
      meters[i * 4 + 1] = peak;
      meters[i * 4 + 3] += replaced;
    }
    for (let o = 0; o < outputs; o++) {
      const base = o * frames;
      output.fill(0, base, base + frames);
      for (let i = 0; i < inputs; i++) {
        const c = o * inputs + i;
        const from = i * frames;
        let t = 0;
        if (remaining[c] > 0) {
          const n = Math.min(remaining[c], frames);
          const [start, step] = [current[c], this.step[c]];
          for (; t < n; t++) output[base + t] += input[from + t] * (start + step * (t + 1));
          remaining[c] -= n;
          current[c] = remaining[c] === 0 ? this.target[c] : start + step * n;
        }
        const gain = current[c];
        if (gain === 0) continue;
        if (gain === 1) for (; t < frames; t++) output[base + t] += input[from + t];
        else for (; t < frames; t++) output[base + t] += input[from + t] * gain;
      }
      this.limiters[o].process(output, base, base + frames);
    }
  }
}
