// Types for earshot-mixer's main-thread helper (index.js).

/** Rows are outputs (listeners), columns inputs (sources): linear gains 0..16, as earshot-policy's GainMatrix. */
export type Matrix = number[][] | { gains: number[][] };

/**
 * Options of `new MixerNode()` and `createMixerNode()`: the mixer's own, and the AudioNodeOptions that
 * mean something for a mixer of mono inputs and outputs.
 */
export interface MixerNodeOptions {
  /** Mono inputs (capacity), 1..1024. Default 3. */
  numberOfInputs?: number;
  /** Mono outputs (capacity), 1..1024. Default 4. */
  numberOfOutputs?: number;
  /** @deprecated since 0.2: numberOfInputs. */
  inputs?: number;
  /** @deprecated since 0.2: numberOfOutputs. */
  outputs?: number;
  /** How Web Audio downmixes each input to mono. Default 'speakers'. */
  channelInterpretation?: ChannelInterpretation;
  /** Always 1 (anything else throws NotSupportedError). */
  channelCount?: 1;
  /** Always 'explicit' (anything else throws NotSupportedError). */
  channelCountMode?: 'explicit';
  /** Always one channel per output. */
  outputChannelCount?: number[];
  /** Initial matrix, applied from the first frame without a glide; its size is the active size. Default: all muted. */
  matrix?: Matrix;
  /** Default glide time of gain changes in ms, 0..10000. Default 10. */
  rampMs?: number;
  /** Rate of `meter` events, 0..1000. Default 20; 0 turns them off. */
  meterHz?: number;
  /** The compiled mixer (from loadMixer or compileMixer). Required by the constructor. */
  module?: WebAssembly.Module;
}

export interface CreateMixerNodeOptions extends MixerNodeOptions {
  /** Where earshot_mixer_bg.wasm is served. Default: beside index.js. */
  wasmUrl?: string | URL;
  /** Where processor.js is served. Default: beside index.js. */
  processorUrl?: string | URL;
}

export interface MeterReading {
  /** RMS of the latest block, linear. */
  rms: number;
  /** Peak absolute sample of the latest block. */
  peak: number;
  /** Voice activity with a 300 ms hangover. */
  voice: boolean;
  /** Samples replaced by sanitising (NaN, ±Inf, denormals) since the start; always 0 for outputs. */
  sanitized: number;
}

/** A `meter` event's detail: one reading per input, and one per output after the limiter. */
export interface MeterDetail {
  inputs: MeterReading[];
  outputs: MeterReading[];
}

export interface ToneOptions {
  /** Outputs that hear the tone (active, below 64). */
  outputs: number[];
  /** Hz, below half the sample rate. Default 880. */
  frequency?: number;
  /** Total length in ms, fades included, 0..60000. Default 150. */
  durationMs?: number;
  /** Peak level in dBFS, at most 0. Default -18. */
  gainDb?: number;
  /** Fade-in and fade-out length in ms. Default 5. */
  fadeMs?: number;
}

export interface MixerNodeEventMap extends AudioWorkletNodeEventMap {
  meter: CustomEvent<MeterDetail>;
  mixererror: CustomEvent<Error>;
}

/**
 * The mixer's AudioWorkletNode. Methods throw TypeError or RangeError for arguments the worklet would
 * refuse, and InvalidStateError (a DOMException) once the context is closed. `when` is context time in
 * seconds (as `context.currentTime`); a change is applied at exactly that frame, or as soon as
 * possible when it is omitted or past.
 */
export declare class MixerNode extends AudioWorkletNode {
  /** Needs `options.module` from `await loadMixer(context)`; throws like the methods do. */
  constructor(context: BaseAudioContext, options: MixerNodeOptions & { module: WebAssembly.Module });
  /** Resolves once the processor has started its wasm mixer. */
  readonly ready: Promise<MixerNode>;
  /**
   * Seconds every output lags its inputs: the limiter's look-ahead, 1.5 ms (72 frames at 48 kHz).
   * A change scheduled with `when` applies to the inputs at that time and is heard this much later,
   * as if a DelayNode followed the mix. NaN until `ready` resolves.
   */
  readonly latency: number;
  /** Replaces the matrix (linear gains); its size becomes the active size. */
  setMatrix(matrix: Matrix, rampMs?: number, when?: number): void;
  /** One cell's gain in dB (-Infinity mutes, at most +24.08). */
  setGainDb(output: number, input: number, db: number, rampMs?: number, when?: number): void;
  /** One cell's linear gain (0 mutes, 1 is unity, at most 16). */
  setGainLinear(output: number, input: number, gain: number, rampMs?: number, when?: number): void;
  /** @deprecated since 0.2: setGainDb (same arguments). */
  setGain(output: number, input: number, db: number, rampMs?: number, when?: number): void;
  /**
   * Resolves once the processor has taken in every change sent before. With an OfflineAudioContext,
   * await it before `startRendering()` or `resume()`: messages reach the audio thread asynchronously.
   */
  flush(): Promise<void>;
  setRampTime(rampMs: number): void;
  playTone(options: ToneOptions): void;
  stopTone(): void;
  resize(inputs: number, outputs: number): void;
  addEventListener<K extends keyof MixerNodeEventMap>(
    type: K,
    listener: (this: MixerNode, event: MixerNodeEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof MixerNodeEventMap>(
    type: K,
    listener: (this: MixerNode, event: MixerNodeEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;
}

/** Compiles the wasm and loads the processor into `context` (each once); resolves with the module for `new MixerNode`. */
export declare function loadMixer(context: BaseAudioContext, options?: { wasmUrl?: string | URL; processorUrl?: string | URL }): Promise<WebAssembly.Module>;
/** Creates a ready mixer node on `context` (loadMixer, then the constructor, then `ready`). */
export declare function createMixerNode(context: BaseAudioContext, options?: CreateMixerNodeOptions): Promise<MixerNode>;
/** Compiles (once per URL) the mixer's wasm module. */
export declare function compileMixer(wasmUrl?: string | URL): Promise<WebAssembly.Module>;
/** Linear gain of a level in dB (-Infinity, or -120 dB and below, is 0). */
export declare function dbToGain(db: number): number;
/** @deprecated since 0.2: CreateMixerNodeOptions. */
export type MixerOptions = CreateMixerNodeOptions;
