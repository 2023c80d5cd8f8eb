// The mixer's math in plain JavaScript, for the benchmark only: sanitise and meter each input, mix
// each output through ramped gains with the mute/unity fast paths, soft-limit. Same buffers layout
// (planar, inputs × frames and outputs × frames) as the wasm mixer.

const MIN_NORMAL = 1.1754943508222875e-38;
const MAX_SAMPLE = 1e6;
const THRESHOLD = 0.5;

export class JsMixer {
  constructor(inputs, outputs, frames) {
    Object.assign(this, { inputs, outputs, frames });
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
      let peak = 0;
      for (let t = base; t < base + frames; t++) peak = Math.max(peak, Math.abs(output[t]));
      if (peak > THRESHOLD) {
        for (let t = base; t < base + frames; t++) {
          const magnitude = Math.abs(output[t]);
          if (magnitude > THRESHOLD) {
            const u = (magnitude - THRESHOLD) / (1 - THRESHOLD);
            output[t] = Math.sign(output[t]) * (1 - (1 - THRESHOLD) / (1 + u));
          }
        }
      }
    }
  }
}
