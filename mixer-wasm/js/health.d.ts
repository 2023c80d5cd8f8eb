// Types for earshot-mixer's call health helper (health.js).

import type { MeterDetail, MeterReading } from './index.js';
// One window of a call as the hub's meters saw it: earshot-health's HealthSample as JSON, its
// declaration generated from the Rust type (tests/tests/generated_types.rs).
import type { HealthSample } from './health-sample.js';
export type { HealthSample };

export interface HealthProbeOptions {
  /** Inputs the levels cover (the hub's mixer inputs; 2–1024). Default 6. Agent is input 0, customer 1. */
  inputs?: number;
  /** Audio time each sample covers, in ms (250–5000). Default 1000. */
  windowMs?: number;
  /** Where earshot_health_bg.wasm is served. Default: beside health.js. The first probe's URL is used for the page. */
  wasmUrl?: string | URL;
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
