// earshot-mixer/health, main thread: createHealthProbe() turns the mixer's `meter` events into call
// health samples (talk, overtalk, silence, the customer's level against their usual level) about once
// a second, and live per-input levels. The maths is Rust (earshot-health's SignalTracker) in its own
// small wasm module, loaded beside this file by default.

import init, { HealthProbe } from './earshot_health.js';
import { METER_FIELDS, PEAK, RMS, SANITIZED, VOICE } from './layout.js';

const DEFAULT_WASM_URL = new URL('./earshot_health_bg.wasm', import.meta.url);

/**
 * Creates a probe for one call at the hub: `await createHealthProbe({ inputs: 6 })`, then
 * `probe.push(event.detail, context.currentTime * 1000)` on every mixer `meter` event. Agent is input
 * 0, customer input 1.
 */
export async function createHealthProbe({ inputs = 6, windowMs = 1000, wasmUrl } = {}) {
  // The glue instantiates its module once per page (the first URL wins) and retries after a failure.
  await init({ module_or_path: wasmUrl ?? DEFAULT_WASM_URL });
  const probe = new HealthProbe(windowMs, inputs);
  let fields = new Float32Array(probe.inputs * METER_FIELDS);

  // The mixer's event detail ({ inputs, outputs }, each {rms, peak, voice, sanitized} per channel;
  // the probe reads the inputs) into its raw layout, in one reused array: meter events come 20 times
  // a second. A bare array of input readings (earshot-mixer 0.1's detail) works too.
  function raw(detail) {
    const meters = Array.isArray(detail?.inputs) ? detail.inputs : detail;
    if (ArrayBuffer.isView(meters)) return meters;
    if (!Array.isArray(meters)) throw new TypeError('earshot-health: push() takes a meter event detail or a Float32Array');
    if (typeof meters[0] === 'number' || meters.length === 0) return Float32Array.from(meters);
    if (fields.length !== meters.length * METER_FIELDS) fields = new Float32Array(meters.length * METER_FIELDS);
    meters.forEach((meter, i) => {
      const at = i * METER_FIELDS;
      fields[at + RMS] = meter?.rms ?? 0;
      fields[at + PEAK] = meter?.peak ?? 0;
      fields[at + VOICE] = meter?.voice === true || meter?.voice === 1 ? 1 : 0;
      fields[at + SANITIZED] = meter?.sanitized ?? 0;
    });
    return fields;
  }

  return {
    inputs: probe.inputs,
    windowMs: probe.windowMs,
    /** Takes one meter reading at `nowMs` (monotonic ms; default performance.now()); a sample or null. */
    push(meters, nowMs = performance.now()) {
      if (!probe.push(nowMs, raw(meters))) return null;
      return JSON.parse(probe.sample());
    },
    /** Each input's loudest level since the previous call, dBFS (-90 is silence). */
    levels() {
      return Array.from(probe.levels());
    },
    /** Releases the probe's wasm memory; the probe is unusable afterwards. */
    free() {
      probe.free();
    },
  };
}
