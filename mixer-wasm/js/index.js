// earshot-mixer, main thread: createMixerNode() returns a ready AudioWorkletNode running the wasm
// gain-matrix mixer; or, Web Audio style, `const module = await loadMixer(context)` once and then
// `new MixerNode(context, { module, numberOfInputs, numberOfOutputs })`. The wasm module is compiled
// here, once per URL, and handed to the processor in processorOptions (AudioWorkletGlobalScope has no
// fetch).

import * as check from './checks.js';
import { METER_FIELDS, PEAK, RMS, SANITIZED, VOICE } from './layout.js';

const PROCESSOR_NAME = 'earshot-mixer';
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
/** What a response brought: status, content type and its first bytes (as hex and as text). */
function describe(response, bytes) {
  const type = response.headers.get('content-type') ?? 'no content-type';
  const first = Array.from(bytes.subarray(0, 16), (byte) => byte.toString(16).padStart(2, '0')).join(' ');
  const text = new TextDecoder().decode(bytes.subarray(0, 40)).replace(/[^\x20-\x7e]/g, '.');
  return `HTTP ${response.status}, ${type}, ${bytes.length} bytes starting ${first || '(empty)'} "${text}"`;
}

/** What the URL serves, described for an error message (a browser's own worklet error may not say). */
async function whatIsServedAt(url) {
  try {
    const response = await fetch(url);
    return describe(response, new Uint8Array(await response.arrayBuffer()));
  } catch (error) {
    return `nothing: ${error?.message ?? error}`;
  }
}

async function fetchWasm(url) {
  let response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new Error(`earshot-mixer: fetching the mixer's wasm from ${url} failed: ${error?.message ?? error}`, { cause: error });
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  const received = () => describe(response, bytes);
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
    const adding = context.audioWorklet.addModule(key).catch(async (error) => {
      loaded.delete(key);
      const served = await whatIsServedAt(key);
      throw new Error(`earshot-mixer: the worklet module ${key} did not load (${error?.name}: ${error?.message}; received ${served}); serve earshot-mixer's processor.js there or pass processorUrl`, { cause: error });
    });
    loaded.set(key, adding);
  }
  return loaded.get(key);
}

/**
 * Compiles the mixer's wasm and loads its worklet processor into `context` (each once): after it
 * resolves, `new MixerNode(context, { module, … })` works synchronously.
 */
export async function loadMixer(context, { wasmUrl, processorUrl } = {}) {
  check.open('loadMixer()', context);
  const [module] = await Promise.all([compileMixer(wasmUrl), loadProcessor(context, processorUrl ?? DEFAULT_PROCESSOR_URL)]);
  return module;
}

/** Linear gain of a level in dB; -Infinity (or -120 dB and below) is silence. */
export function dbToGain(db) {
  return db <= -120 ? 0 : 10 ** (db / 20);
}

const warned = new Set();
function deprecated(what, instead) {
  if (warned.has(what)) return;
  warned.add(what);
  console.warn(`earshot-mixer: ${what}: deprecated since 0.2, use ${instead} (removed in 0.3)`);
}

/**
 * The AudioWorkletNodeOptions for `options`, or the error Web Audio would throw. The mixer's inputs
 * and outputs are mono: `channelCount` 1 and `channelCountMode` 'explicit' (Web Audio downmixes each
 * input by `channelInterpretation`); other values throw NotSupportedError, as ChannelMergerNode does.
 */
function nodeOptions(method, options) {
  if (options.inputs !== undefined || options.outputs !== undefined) deprecated('the options inputs/outputs', 'numberOfInputs/numberOfOutputs');
  const inputs = check.count(method, 'numberOfInputs', options.numberOfInputs ?? options.inputs ?? 3, 1, check.MAX_CHANNELS);
  const outputs = check.count(method, 'numberOfOutputs', options.numberOfOutputs ?? options.outputs ?? 4, 1, check.MAX_CHANNELS);
  const mono = new Array(outputs).fill(1);
  const refuse = (name, value, wanted) => {
    const text = `${name} must be ${JSON.stringify(wanted)} (the mixer's inputs and outputs are mono), got ${JSON.stringify(value)}`;
    throw new DOMException(`earshot-mixer: ${method}: ${text}`, 'NotSupportedError');
  };
  if (options.channelCount !== undefined && options.channelCount !== 1) refuse('channelCount', options.channelCount, 1);
  if (options.channelCountMode !== undefined && options.channelCountMode !== 'explicit') refuse('channelCountMode', options.channelCountMode, 'explicit');
  const perOutput = options.outputChannelCount;
  if (perOutput !== undefined && (perOutput?.length !== outputs || !Array.from(perOutput).every((count) => count === 1))) {
    refuse('outputChannelCount', Array.from(perOutput ?? []), mono);
  }
  const matrix = options.matrix === undefined ? undefined : check.matrix(method, options.matrix, { inputs, outputs });
  const rampMs = check.ramp(method, options.rampMs);
  const meterHz = check.finite(method, 'meterHz', options.meterHz ?? 20, 0, 1000, ' Hz');
  return {
    numberOfInputs: inputs,
    numberOfOutputs: outputs,
    outputChannelCount: mono,
    channelCount: 1,
    channelCountMode: 'explicit',
    channelInterpretation: options.channelInterpretation ?? 'speakers',
    processorOptions: { module: options.module, matrix, rampMs, meterHz },
  };
}

/**
 * The mixer's AudioWorkletNode: mono inputs and outputs, control methods and `meter` events. Every
 * method checks its arguments against what the worklet accepts and throws at the call (checks.js).
 * Construct it after `loadMixer(context)` (or use createMixerNode, which does both).
 */
export class MixerNode extends AudioWorkletNode {
  #active; // { inputs, outputs } once everything sent has applied: what indices are checked against
  #flushes = new Map(); // id → resolve of a pending flush()
  #flushId = 0;

  constructor(context, options = {}) {
    const method = 'new MixerNode()';
    check.open(method, context);
    const worklet = nodeOptions(method, options);
    if (!(options.module instanceof WebAssembly.Module)) {
      throw new TypeError(`earshot-mixer: ${method}: options.module must be the mixer's WebAssembly.Module: \`const module = await loadMixer(context)\` first`);
    }
    try {
      super(context, PROCESSOR_NAME, worklet);
    } catch (error) {
      // addModule resolves even when the module throws while loading; then the name is unknown here.
      if (error?.name === 'InvalidStateError') {
        throw new DOMException(`earshot-mixer: ${method}: the worklet processor '${PROCESSOR_NAME}' is not registered in this context (did \`await loadMixer(context)\` run, and did processor.js load without errors?): ${error.message}`, 'InvalidStateError');
      }
      throw error;
    }
    const matrix = worklet.processorOptions.matrix;
    this.#active = matrix ? { inputs: matrix.inputs, outputs: matrix.outputs } : this.#capacity;
    /** Seconds every output lags its inputs (the limiter's look-ahead); known once ready. */
    this.latency = NaN;
    this.ready = new Promise((resolve, reject) => {
      this.port.onmessage = ({ data }) => {
        if (data.type === 'ready') {
          this.latency = data.latencyFrames / this.context.sampleRate;
          resolve(this);
        }
        else if (data.type === 'flushed') this.#flushed(data.id);
        else if (data.type === 'meter') this.dispatchEvent(new CustomEvent('meter', { detail: this.#meterDetail(data.meters) }));
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

  #meterDetail(fields) {
    const readings = [];
    for (let i = 0; i < fields.length; i += METER_FIELDS) {
      readings.push({ rms: fields[i + RMS], peak: fields[i + PEAK], voice: fields[i + VOICE] === 1, sanitized: fields[i + SANITIZED] });
    }
    return { inputs: readings.slice(0, this.numberOfInputs), outputs: readings.slice(this.numberOfInputs) };
  }

  /** The frame of context time `when` (undefined or past: as soon as possible). */
  #frame(method, when) {
    if (when === undefined) return 0;
    check.finite(method, 'when', when, 0, Number.MAX_SAFE_INTEGER / this.context.sampleRate, ' s');
    return Math.round(when * this.context.sampleRate);
  }

  #cell(method, output, input) {
    check.open(method, this.context);
    check.index(method, 'output', output, this.#active.outputs);
    check.index(method, 'input', input, this.#active.inputs);
  }

  #send(method, message) {
    check.open(method, this.context);
    this.port.postMessage(message);
  }

  /**
   * Replaces the matrix (rows = outputs, columns = inputs, linear gains 0..16); glides over rampMs
   * (default: the node's ramp) from context time `when` (default: now), sample-accurately.
   */
  setMatrix(matrix, rampMs, when) {
    const method = 'setMatrix()';
    check.open(method, this.context);
    const flat = check.matrix(method, matrix, this.#capacity);
    const message = { type: 'matrix', ...flat, rampMs: check.ramp(method, rampMs), atFrame: this.#frame(method, when) };
    this.#send(method, message);
    this.#active = { inputs: flat.inputs, outputs: flat.outputs };
  }

  /** Glides the gain of `input` in `output` to `db` dB (-Infinity mutes, at most +24.08). */
  setGainDb(output, input, db, rampMs, when) {
    const method = 'setGainDb()';
    this.#cell(method, output, input);
    const message = { type: 'gain', output, input, gain: check.gainDb(method, db), rampMs: check.ramp(method, rampMs) };
    this.#send(method, { ...message, atFrame: this.#frame(method, when) });
  }

  /** Glides the gain of `input` in `output` to a linear `gain` (0 mutes, 1 is unity, at most 16). */
  setGainLinear(output, input, gain, rampMs, when) {
    const method = 'setGainLinear()';
    this.#cell(method, output, input);
    const message = { type: 'gain', output, input, gain: check.gainLinear(method, gain), rampMs: check.ramp(method, rampMs) };
    this.#send(method, { ...message, atFrame: this.#frame(method, when) });
  }

  /** Deprecated: setGainDb. */
  setGain(output, input, db, rampMs, when) {
    deprecated('setGain()', 'setGainDb() (or setGainLinear())');
    this.setGainDb(output, input, db, rampMs, when);
  }

  /**
   * Resolves once the processor has taken in every change sent before (scheduled ones wait for their
   * frame in it). Messages reach the audio thread asynchronously; an OfflineAudioContext may render
   * past a change's `when` before it arrives, so await this before `startRendering()` or `resume()`.
   */
  flush() {
    check.open('flush()', this.context);
    const id = ++this.#flushId;
    const flushed = new Promise((resolve) => this.#flushes.set(id, resolve));
    this.port.postMessage({ type: 'flush', id });
    return flushed;
  }

  #flushed(id) {
    this.#flushes.get(id)?.();
    this.#flushes.delete(id);
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

/**
 * Creates the mixer node on `context` once its processor runs: `await createMixerNode(ctx,
 * { numberOfInputs: 3, numberOfOutputs: 4, matrix })`. Rejects with the error the constructor would
 * throw for bad options (before loading anything), with a clear error if the wasm or the worklet
 * module did not load, and if the wasm failed to start.
 */
export async function createMixerNode(context, options = {}) {
  const method = 'createMixerNode()';
  check.open(method, context);
  nodeOptions(method, options);
  const module = options.module ?? (await loadMixer(context, options));
  if (options.module) await loadProcessor(context, options.processorUrl ?? DEFAULT_PROCESSOR_URL);
  check.open(method, context); // it may have closed while the wasm and the processor loaded
  return new MixerNode(context, { ...options, module }).ready;
}
