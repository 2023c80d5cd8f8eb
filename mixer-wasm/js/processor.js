// The earshot-mixer AudioWorklet processor: Web Audio's inputs and outputs around the wasm mixer.
// Loaded with audioWorklet.addModule; created by createMixerNode (index.js), which compiles the wasm
// module on the main thread and hands it over in processorOptions.

import './text-polyfill.js'; // before the glue: it constructs a TextDecoder at load
import { initSync, WasmMixer } from './earshot_mixer.js';
import { METER_FIELDS } from './layout.js'; // rms, peak, voice, sanitized per input, then per output

const PROCESSOR_NAME = 'earshot-mixer';

class EarshotMixerProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const { module, matrix, rampMs, meterHz = 20 } = options.processorOptions;
    this.inputCount = options.numberOfInputs;
    this.outputCount = options.numberOfOutputs;
    this.port.onmessage = (event) => this.control(event.data);
    try {
      this.exports = initSync({ module });
      this.meterEvery = meterHz > 0 ? Math.max(1, Math.round(sampleRate / meterHz)) : Infinity;
      // Outputs are metered only on the blocks that end in a meter event (the same count of frames).
      const outputMeterFrames = Number.isFinite(this.meterEvery) ? this.meterEvery : 0xffffffff;
      this.mixer = new WasmMixer(sampleRate, this.inputCount, this.outputCount, 128, outputMeterFrames);
      if (rampMs !== undefined) this.mixer.set_ramp_ms(rampMs);
      // The initial matrix applies without a glide: there is no earlier sound to glide from.
      if (matrix) this.mixer.set_matrix(matrix.outputs, matrix.inputs, matrix.gains, 0, 0);
      this.sinceMeter = 0;
      this.port.postMessage({ type: 'ready', latencyFrames: this.mixer.latency_frames() });
    } catch (error) {
      this.mixer = null;
      this.port.postMessage({ type: 'error', message: String(error?.message ?? error) });
    }
  }

  control(message) {
    // Everything sent before it has been taken in: say so (MixerNode.flush), even for a failed mixer.
    if (message.type === 'flush') return this.port.postMessage({ type: 'flushed', id: message.id });
    const mixer = this.mixer;
    if (!mixer) return;
    try {
      switch (message.type) {
        // `atFrame` is on currentFrame's clock (0: now); the mixer applies it at exactly that frame.
        case 'matrix':
          return mixer.set_matrix(message.outputs, message.inputs, message.gains, message.rampMs, message.atFrame ?? 0);
        case 'gain':
          return mixer.set_gain(message.output, message.input, message.gain, message.rampMs, message.atFrame ?? 0);
        case 'ramp':
          return mixer.set_ramp_ms(message.rampMs);
        case 'tone':
          return mixer.play_tone(message.frequency, message.durationMs, message.gain, message.fadeMs, message.outputs);
        case 'stopTone':
          return mixer.stop_tone();
        case 'resize':
          return mixer.resize(message.inputs, message.outputs);
        default:
          throw new Error(`unknown message type ${message.type}`);
      }
    } catch (error) {
      this.port.postMessage({ type: 'error', request: message.type, message: String(error?.message ?? error) });
    }
  }

  // Float32Array views on wasm memory; a grown memory detaches the old buffer, so compare each block.
  views(frames) {
    if (frames !== this.mixer.frames()) {
      this.mixer.set_frames(frames);
      this.buffer = null;
    }
    const buffer = this.exports.memory.buffer;
    if (buffer !== this.buffer) {
      this.buffer = buffer;
      this.input = new Float32Array(buffer, this.mixer.input_ptr(), this.inputCount * frames);
      this.output = new Float32Array(buffer, this.mixer.output_ptr(), this.outputCount * frames);
      this.meters = new Float32Array(buffer, this.mixer.meter_ptr(), (this.inputCount + this.outputCount) * METER_FIELDS);
      // One view per output, made here rather than per block: no garbage on the audio thread.
      this.outputViews = Array.from({ length: this.outputCount }, (_, o) => this.output.subarray(o * frames, (o + 1) * frames));
    }
  }

  process(inputs, outputs) {
    if (!this.mixer) return false;
    const frames = outputs[0][0].length;
    this.views(frames);
    for (let i = 0; i < this.inputCount; i++) {
      const channel = inputs[i][0];
      if (channel) this.input.set(channel, i * frames);
      else this.input.fill(0, i * frames, (i + 1) * frames);
    }
    if (!this.mixer.process(currentFrame)) return true; // cannot happen after views(); Web Audio's outputs stay silent
    for (let o = 0; o < this.outputCount; o++) outputs[o][0].set(this.outputViews[o]);
    this.sinceMeter += frames;
    if (this.sinceMeter >= this.meterEvery) {
      this.sinceMeter = 0;
      this.port.postMessage({ type: 'meter', meters: this.meters.slice() });
    }
    return true;
  }
}

registerProcessor(PROCESSOR_NAME, EarshotMixerProcessor);
