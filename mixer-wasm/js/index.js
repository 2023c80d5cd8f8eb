// earshot-mixer, main thread: createMixerNode() returns a ready AudioWorkletNode running the wasm
// gain-matrix mixer. The wasm module is compiled here, once per URL, and handed to the processor in
// processorOptions (AudioWorkletGlobalScope has no fetch).

import * as check from './checks.js';

const PROCESSOR_NAME = 'earshot-mixer';
const METER_FIELDS = 4;
const DEFAULT_WASM_URL = new URL('./earshot_mixer_bg.wasm', import.meta.url);
const DEFAULT_PROCESSOR_URL = new URL('./processor.js', import.meta.url);

const modules = new Map(); // wasm URL → Promise<WebAssembly.Module>
const worklets = new WeakMap(); // BaseAudioContext → Map(processor URL → Promise)

/** Compiles (once per URL) the mixer's wasm module. */
export function compileMixer(wasmUrl = DEFAULT_WASM_URL) {
  const key = String(wasmUrl);
  if (!modules.has(key)) {
    const compiling = fetchWasm(key);
    compiling.catch(() => modules.delete(key));
    modules.set(key, compiling);
  }
  return modules.get(key);
}

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d]; // "\0asm"

// A missing or mis-served file (a 404 page, an SPA's index.html for every path) otherwise surfaces
// as a bare CompileError about a magic word: name the URL and what came back instead.
async function fetchWasm(url) {
  let response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new Error(`earshot-mixer: fetching the mixer's wasm from ${url} failed: ${error?.message ?? error}`, { cause: error });
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  const received = () => {
    const type = response.headers.get('content-type') ?? 'no content-type';
    const first = Array.from(bytes.subarray(0, 16), (byte) => byte.toString(16).padStart(2, '0')).join(' ');
    const text = new TextDecoder().decode(bytes.subarray(0, 40)).replace(/[^\x20-\x7e]/g, '.');
    return `HTTP ${response.status}, ${type}, ${bytes.length} bytes starting ${first || '(empty)'} "${text}"`;
  };
  if (!response.ok || !WASM_MAGIC.every((byte, i) => bytes[i] === byte)) {
    throw new Error(`earshot-mixer: ${url} is not the mixer's wasm (received ${received()}); serve earshot_mixer_bg.wasm there or pass wasmUrl`);
  }
  try {
    return await WebAssembly.compile(bytes);
  } catch (error) {
    throw new Error(`earshot-mixer: ${url} did not compile (${error.message}; received ${received()})`, { cause: error });
  }
}

function loadProcessor(context, processorUrl) {
  const key = String(processorUrl);
  let loaded = worklets.get(context);
  if (!loaded) worklets.set(context, (loaded = new Map()));
  if (!loaded.has(key)) {
    const adding = context.audioWorklet.addModule(key).catch((error) => {
      loaded.delete(key);
      throw new Error(`earshot-mixer: the worklet module ${key} did not load (${error?.name}: ${error?.message}); serve earshot-mixer's processor.js there or pass processorUrl`, { cause: error });
    });
    loaded.set(key, adding);
  }
  return loaded.get(key);
}

/** Linear gain of a level in dB; -Infinity (or -120 dB and below) is silence. */
export function dbToGain(db) {
  return db <= -120 ? 0 : 10 ** (db / 20);
}

/**
 * The mixer's AudioWorkletNode: mono inputs and outputs, control methods and `meter` events. Every
 * method checks its arguments against what the worklet accepts and throws at the call (see checks.js).
 */
export class MixerNode extends AudioWorkletNode {
  #active; // { inputs, outputs } once everything sent has applied: what indices are checked against

  constructor(context, options) {
    super(context, PROCESSOR_NAME, options);
    const matrix = options.processorOptions?.matrix;
    this.#active = matrix ? { inputs: matrix.inputs, outputs: matrix.outputs } : { inputs: this.numberOfInputs, outputs: this.numberOfOutputs };
    this.ready = new Promise((resolve, reject) => {
      this.port.onmessage = ({ data }) => {
        if (data.type === 'ready') resolve(this);
        else if (data.type === 'meter') this.dispatchEvent(new CustomEvent('meter', { detail: meterDetail(data.meters) }));
        else if (data.type === 'error') {
          const error = new Error(`earshot-mixer: ${data.request ? `${data.request}: ` : ''}${data.message}`);
          reject(error); // ignored once ready
          this.dispatchEvent(new CustomEvent('mixererror', { detail: error }));
        }
      };
    });
  }

  get #capacity() {
    return { inputs: this.numberOfInputs, outputs: this.numberOfOutputs };
  }

  #send(method, message) {
    check.open(method, this.context);
    this.port.postMessage(message);
  }

  /** Replaces the matrix (rows = outputs, columns = inputs, linear gains); glides over rampMs. */
  setMatrix(matrix, rampMs) {
    const method = 'setMatrix()';
    check.open(method, this.context);
    const flat = check.matrix(method, matrix, this.#capacity);
    const message = { type: 'matrix', ...flat, rampMs: check.ramp(method, rampMs) };
    this.#send(method, message);
    this.#active = { inputs: flat.inputs, outputs: flat.outputs };
  }

  /** Glides the gain of `input` in `output` to `db` dB (-Infinity mutes) over rampMs. */
  setGain(output, input, db, rampMs) {
    const method = 'setGain()';
    check.open(method, this.context);
    check.index(method, 'output', output, this.#active.outputs);
    check.index(method, 'input', input, this.#active.inputs);
    this.#send(method, { type: 'gain', output, input, gain: check.gainDb(method, db), rampMs: check.ramp(method, rampMs) });
  }

  /** Changes the default glide time (10 ms unless set). */
  setRampTime(rampMs) {
    const method = 'setRampTime()';
    this.#send(method, { type: 'ramp', rampMs: check.finite(method, 'rampMs', rampMs, 0, check.MAX_RAMP_MS, ' ms') });
  }

  /** Plays an enveloped sine into `outputs`. */
  playTone({ outputs, frequency = 880, durationMs = 150, gainDb = -18, fadeMs = 5 } = {}) {
    const method = 'playTone()';
    check.open(method, this.context);
    if (!Array.isArray(outputs)) throw new TypeError(`earshot-mixer: ${method}: outputs must be an array of output indices`);
    const routable = Math.min(this.#active.outputs, check.MAX_TONE_OUTPUTS);
    outputs.forEach((output) => check.index(method, 'output', output, routable));
    const nyquist = this.context.sampleRate / 2;
    check.finite(method, 'frequency', frequency, Number.MIN_VALUE, nyquist - 1e-3, ' Hz');
    check.finite(method, 'durationMs', durationMs, 0, check.MAX_TONE_MS, ' ms');
    check.finite(method, 'fadeMs', fadeMs, 0, check.MAX_RAMP_MS, ' ms');
    const gain = check.gainDb(method, gainDb, 0); // a tone peaks at most at full scale
    this.#send(method, { type: 'tone', outputs: Uint32Array.from(outputs), frequency, durationMs, gain, fadeMs });
  }

  /** Fades the tone out. */
  stopTone() {
    this.#send('stopTone()', { type: 'stopTone' });
  }

  /** Changes the active inputs and outputs within the node's capacity; new cells start muted. */
  resize(inputs, outputs) {
    const method = 'resize()';
    check.open(method, this.context);
    check.count(method, 'inputs', inputs, 0, this.numberOfInputs);
    check.count(method, 'outputs', outputs, 0, this.numberOfOutputs);
    this.#send(method, { type: 'resize', inputs, outputs });
    this.#active = { inputs, outputs };
  }
}

function meterDetail(fields) {
  const meters = [];
  for (let i = 0; i < fields.length; i += METER_FIELDS) {
    meters.push({ rms: fields[i], peak: fields[i + 1], voice: fields[i + 2] === 1, sanitized: fields[i + 3] });
  }
  return meters;
}

/**
 * Creates the mixer node on `context` once its processor runs: `await createMixerNode(ctx, {inputs: 3,
 * outputs: 4, matrix})`. Rejects with a clear error if the worklet module did not register or the
 * wasm failed to start.
 */
export async function createMixerNode(context, options = {}) {
  const method = 'createMixerNode()';
  const { inputs = 3, outputs = 4, matrix, rampMs, meterHz = 20 } = options;
  check.open(method, context);
  check.count(method, 'inputs', inputs, 1, check.MAX_CHANNELS);
  check.count(method, 'outputs', outputs, 1, check.MAX_CHANNELS);
  const initial = matrix === undefined ? undefined : check.matrix(method, matrix, { inputs, outputs });
  check.ramp(method, rampMs);
  check.finite(method, 'meterHz', meterHz, 0, 1000, ' Hz');
  const module = options.module ?? (await compileMixer(options.wasmUrl));
  await loadProcessor(context, options.processorUrl ?? DEFAULT_PROCESSOR_URL);
  check.open(method, context); // it may have closed while the wasm and the processor loaded
  let node;
  try {
    node = new MixerNode(context, {
      numberOfInputs: inputs,
      numberOfOutputs: outputs,
      outputChannelCount: new Array(outputs).fill(1),
      channelCount: 1,
      channelCountMode: 'explicit',
      channelInterpretation: 'speakers',
      processorOptions: { module, matrix: initial, rampMs, meterHz },
    });
  } catch (error) {
    // addModule resolves even when the module throws while loading; then the name is unknown here.
    if (error?.name === 'InvalidStateError') {
      throw new Error(`earshot-mixer: the worklet module loaded but did not register '${PROCESSOR_NAME}' (${error.message})`);
    }
    throw error;
  }
  return node.ready;
}
