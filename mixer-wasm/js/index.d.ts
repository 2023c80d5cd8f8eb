// Types for earshot-mixer's main-thread helper (index.js).

/** Rows are outputs (listeners), columns inputs (sources): linear gains, as earshot-policy's GainMatrix. */
export type Matrix = number[][] | { gains: number[][] };

export interface MixerOptions {
  /** Mono inputs (capacity). Default 3. */
  inputs?: number;
  /** Mono outputs (capacity). Default 4. */
  outputs?: number;
  /** Initial matrix, applied from the first frame without a glide. Default: all muted. */
  matrix?: Matrix;
  /** Default glide time of gain changes in ms. Default 10. */
  rampMs?: number;
  /** Rate of `meter` events. Default 20; 0 turns them off. */
  meterHz?: number;
  /** An already compiled mixer module (skips fetching wasmUrl). */
  module?: WebAssembly.Module;
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
  /** Samples replaced by sanitising (NaN, ±Inf, denormals) since the start. */
  sanitized: number;
}

export interface ToneOptions {
  /** Outputs that hear the tone (indices below 64). */
  outputs: number[];
  /** Hz. Default 880. */
  frequency?: number;
  /** Total length in ms, fades included. Default 150. */
  durationMs?: number;
  /** Peak level in dBFS. Default -18. */
  gainDb?: number;
  /** Fade-in and fade-out length in ms. Default 5. */
  fadeMs?: number;
}

export interface MixerNodeEventMap extends AudioWorkletNodeEventMap {
  meter: CustomEvent<MeterReading[]>;
  mixererror: CustomEvent<Error>;
}

export declare class MixerNode extends AudioWorkletNode {
  /** Resolves once the processor has started its wasm mixer. */
  readonly ready: Promise<MixerNode>;
  setMatrix(matrix: Matrix, rampMs?: number): void;
  /** Gain in dB (-Infinity mutes). */
  setGain(output: number, input: number, db: number, rampMs?: number): void;
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
}

/** Creates a ready mixer node on `context`. */
export declare function createMixerNode(context: BaseAudioContext, options?: MixerOptions): Promise<MixerNode>;
/** Compiles (once per URL) the mixer's wasm module. */
export declare function compileMixer(wasmUrl?: string | URL): Promise<WebAssembly.Module>;
/** Linear gain of a level in dB. */
export declare function dbToGain(db: number): number;
