// The JavaScript mixer as an AudioWorklet processor, wired like the wasm one: for the whole-graph benchmark.
import { JsMixer } from './js-mixer.js';

class JsMixerProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.mixer = new JsMixer(options.numberOfInputs, options.numberOfOutputs, 128);
    this.mixer.setMatrix(options.processorOptions.gains);
    const { output, frames, outputs } = this.mixer;
    this.outputViews = Array.from({ length: outputs }, (_, o) => output.subarray(o * frames, (o + 1) * frames));
  }

  process(inputs, outputs) {
    const { mixer } = this;
    const frames = outputs[0][0].length;
    for (let i = 0; i < mixer.inputs; i++) {
      if (inputs[i][0]) mixer.input.set(inputs[i][0], i * frames);
      else mixer.input.fill(0, i * frames, (i + 1) * frames);
    }
    mixer.process();
    for (let o = 0; o < mixer.outputs; o++) outputs[o][0].set(this.outputViews[o]);
    return true;
  }
}

registerProcessor('earshot-js-mixer', JsMixerProcessor);
