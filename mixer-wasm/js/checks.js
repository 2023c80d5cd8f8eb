// earshot-mixer's argument checks, thrown at the call as Web Audio does: TypeError for a value that is
// not a usable number at all (a string, NaN, an infinity where a finite value is needed, a ragged
// matrix), RangeError for a number outside what the worklet accepts, InvalidStateError (a DOMException)
// once the context is closed. The limits are the Rust mixer's (src/config.rs, src/mixer.rs): the
// worklet refuses the same arguments, but only later, as an asynchronous `mixererror` event.

/** Most inputs or outputs of one mixer. */
export const MAX_CHANNELS = 1024;
/** Largest linear gain of a cell, +24.08 dB. */
export const MAX_GAIN = 16;
export const MAX_GAIN_DB = 20 * Math.log10(MAX_GAIN);
/** Longest glide. */
export const MAX_RAMP_MS = 10_000;
/** Tones reach only the first 64 outputs (their routes are a 64-bit mask). */
export const MAX_TONE_OUTPUTS = 64;
export const MAX_TONE_MS = 60_000;
/** Levels at or below this many dB are silence (as in src/db.rs). */
const MUTE_DB = -120;

function describe(value) {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || value === undefined || value === null) return String(value);
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

function fail(Kind, method, message) {
  return new Kind(`earshot-mixer: ${method}: ${message}`);
}

/** A finite number within min..max; `unit` (" ms", " Hz") names the caller's unit. */
export function finite(method, what, value, min, max, unit = '') {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw fail(TypeError, method, `${what} must be a finite number${unit}, got ${describe(value)}`);
  }
  if (value < min || value > max) throw fail(RangeError, method, `${what} ${value}${unit} is outside ${min}..${max}${unit}`);
  return value;
}

/** A whole number within min..max (a count: inputs, outputs). */
export function count(method, what, value, min, max) {
  if (!Number.isInteger(value)) throw fail(TypeError, method, `${what} must be a whole number, got ${describe(value)}`);
  if (value < min || value > max) throw fail(RangeError, method, `${what} ${value} is outside ${min}..${max}`);
  return value;
}

/** An index below `limit` (the active inputs or outputs). */
export function index(method, what, value, limit) {
  if (!Number.isInteger(value)) throw fail(TypeError, method, `${what} must be a whole number, got ${describe(value)}`);
  if (value < 0 || value >= limit) {
    throw fail(RangeError, method, `${what} ${value} is out of range: the mixer has ${limit} active ${what}s (0..${limit - 1})`);
  }
  return value;
}

/** An optional glide time in ms (undefined: the node's default ramp). */
export function ramp(method, rampMs) {
  return rampMs === undefined ? undefined : finite(method, 'rampMs', rampMs, 0, MAX_RAMP_MS, ' ms');
}

/** A gain in dB (−Infinity, or −120 dB and below, mutes) as the linear gain the worklet takes. */
export function gainDb(method, db, max = MAX_GAIN_DB) {
  if (typeof db !== 'number' || Number.isNaN(db)) throw fail(TypeError, method, `the gain must be a number of dB, got ${describe(db)}`);
  if (db > max) throw fail(RangeError, method, `${db} dB is above the maximum of +${+max.toFixed(2)} dB`);
  return db <= MUTE_DB ? 0 : Math.min(10 ** (db / 20), MAX_GAIN);
}

/** A linear gain (0 mutes, 1 is unity). */
export function gainLinear(method, gain, where = '') {
  if (typeof gain !== 'number' || !Number.isFinite(gain)) {
    throw fail(TypeError, method, `the linear gain${where} must be a finite number, got ${describe(gain)}`);
  }
  if (gain < 0 || gain > MAX_GAIN) throw fail(RangeError, method, `linear gain ${gain}${where} is outside 0..${MAX_GAIN} (+24 dB)`);
  return gain;
}

/**
 * A matrix (rows = outputs, columns = inputs, linear gains; or earshot-policy's `{ gains }`) within
 * the node's capacity, flattened row-major as the worklet takes it.
 */
export function matrix(method, value, capacity) {
  const rows = Array.isArray(value) ? value : value?.gains;
  if (!Array.isArray(rows) || !rows.every(Array.isArray)) {
    throw fail(TypeError, method, `a matrix is an array of rows (one per output) of linear gains (one per input), got ${describe(value)}`);
  }
  if (rows.length === 0 || rows[0].length === 0) {
    throw fail(RangeError, method, 'the matrix is empty: it needs at least one output row and one input column (mute with gains of 0)');
  }
  const inputs = rows[0].length;
  const ragged = rows.findIndex((row) => row.length !== inputs);
  if (ragged >= 0) throw fail(TypeError, method, `matrix row ${ragged} has ${rows[ragged].length} gains, row 0 has ${inputs}: rows must be equally long`);
  if (rows.length > capacity.outputs) throw fail(RangeError, method, `the matrix has ${rows.length} output rows, the node ${capacity.outputs} outputs`);
  if (inputs > capacity.inputs) throw fail(RangeError, method, `the matrix has ${inputs} input columns, the node ${capacity.inputs} inputs`);
  const gains = new Float32Array(rows.length * inputs);
  rows.forEach((row, o) => row.forEach((gain, i) => (gains[o * inputs + i] = gainLinear(method, gain, ` at output ${o}, input ${i}`))));
  return { outputs: rows.length, inputs, gains };
}

/** Throws InvalidStateError once `context` is closed: nothing would ever play. */
export function open(method, context) {
  if (context.state === 'closed') {
    throw new DOMException(`earshot-mixer: ${method}: the audio context is closed`, 'InvalidStateError');
  }
}
