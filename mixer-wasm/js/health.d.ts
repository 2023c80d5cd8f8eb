// Types for earshot-mixer's call health helper (health.js).

import type { MeterDetail, MeterReading } from './index.js';

export interface HealthProbeOptions {
  /** Inputs the levels cover (the hub's mixer inputs; 2–1024). Default 6. Agent is input 0, customer 1. */
  inputs?: number;
  /** Audio time each sample covers, in ms (250–5000). Default 1000. */
  windowMs?: number;
  /** Where earshot_health_bg.wasm is served. Default: beside health.js. The first probe's URL is used for the page. */
  wasmUrl?: string | URL;
}

/** One window of a call as the hub's meters saw it: earshot-health's HealthSample, as JSON. */
export interface HealthSample {
  /** Audio time this sample covers, ms. */
  window_ms: number;
  agent_talk_ms: number;
  customer_talk_ms: number;
  /** Both talking at once, ms. */
  overtalk_ms: number;
  /** Nobody talking, as of the window's end; grows across windows until somebody talks. */
  silence_ms: number;
  /** The customer's speech level in the window, dBFS; null when they did not speak. */
  customer_db: number | null;
  /** The customer's usual speech level, dBFS; null until 5 s of their speech was heard. */
  customer_baseline_db: number | null;
  /** Talk since the probe started, ms. */
  agent_talk_total_ms: number;
  customer_talk_total_ms: number;
}

export interface HealthProbe {
  readonly inputs: number;
  readonly windowMs: number;
  /**
   * Takes one `meter` event's detail (or the raw layout: 4 numbers per input, rms, peak, voice 0/1,
   * sanitized) at `nowMs`, a monotonic time in ms such as `context.currentTime * 1000` (default
   * `performance.now()`). Returns the sample this reading completed, or null. Throws on a raw layout
   * whose length is not a multiple of 4; NaN or negative readings count as silence.
   */
  push(meters: MeterDetail | MeterReading[] | Float32Array | number[], nowMs?: number): HealthSample | null;
  /** Each input's loudest level since the previous call, dBFS (-90 is silence). */
  levels(): number[];
  /** Releases the probe's wasm memory. */
  free(): void;
}

/** Creates a health probe (loads earshot_health_bg.wasm on first use). */
export declare function createHealthProbe(options?: HealthProbeOptions): Promise<HealthProbe>;
