// The one checker of tests/bundlers/shared/app.js's window.result, used for every fixture.
import assert from 'node:assert/strict';

const MUTED_DB = -60; // an unrouted source must be at least this far down

/** Throws unless `result` shows the mixer mixing, gliding, metering and playing tones correctly. */
export function check(result) {
  assert.equal(result.error, undefined, result.error);
  checkLevels(result.levels);
  checkGlide(result.glide);
  checkScheduled(result.scheduled);
  checkMeters(result.meters);
  checkTone(result.tone);
}

function checkLevels({ matrix, cells }) {
  matrix.forEach((row, o) =>
    row.forEach((gain, i) => {
      const measured = cells[o][i];
      if (gain === 0) {
        assert.ok(measured < MUTED_DB, `output ${o}, unrouted source ${i} only ${measured.toFixed(1)} dB down`);
      } else {
        const expected = 20 * Math.log10(gain);
        assert.ok(Math.abs(measured - expected) <= 0.1, `output ${o}, source ${i}: ${measured.toFixed(3)} dB, expected ${expected.toFixed(2)} dB`);
      }
    }),
  );
}

function checkGlide({ amplitude, frequency, rampMs, maxStep, peakBefore, peakAfter }) {
  assert.ok(Math.abs(peakBefore - amplitude) < 1e-3, `full level before the glide: ${peakBefore}`);
  const after = amplitude * 10 ** (-12 / 20);
  assert.ok(Math.abs(peakAfter - after) < 1e-3, `−12 dB after the glide: ${peakAfter}, expected ${after}`);
  // A sine moves at most 2π·f/rate·A per sample; the glide adds at most its slope. A step (a gain
  // jump) at the sine's peak would add (1 − 10^(−12/20))·A ≈ 0.3.
  const sineSlope = ((2 * Math.PI * frequency) / 48000) * amplitude;
  const glideSlope = (amplitude - after) / ((rampMs / 1000) * 48000);
  assert.ok(maxStep <= sineSlope + glideSlope + 1e-4, `largest step ${maxStep}, a click-free glide stays under ${sineSlope + glideSlope}`);
}

function checkScheduled({ frame, lag, before, after }) {
  assert.equal(lag, 72, 'the limiter look-ahead, 1.5 ms at 48 kHz, reported as node.latency');
  assert.ok(before.every((x) => x === 0.5), `unity until frame ${frame}`);
  assert.ok(after.every((x) => x === 0.25), `half from frame ${frame} exactly (first after: ${after[0]})`);
}

function checkMeters({ seconds, amplitude, count, last }) {
  assert.ok(count >= 12 * seconds && count <= 28 * seconds, `${count} meter events in ${seconds} s (20 Hz expected)`);
  const [talking, silent] = last.inputs;
  assert.ok(Math.abs(talking.rms - amplitude / Math.SQRT2) < 0.01, `rms ${talking.rms}`);
  assert.ok(talking.peak <= amplitude + 1e-6 && talking.peak > amplitude * 0.9 && talking.voice, JSON.stringify(talking));
  assert.deepEqual(silent, { rms: 0, peak: 0, voice: false, sanitized: 0 });
  // The one output hears both: the sine, as it leaves the mixer.
  assert.equal(last.outputs.length, 1);
  assert.ok(Math.abs(last.outputs[0].rms - talking.rms) < 1e-3 && last.outputs[0].voice, JSON.stringify(last.outputs[0]));
}

function checkTone({ outputs, gainDb, peaks }) {
  const level = 10 ** (gainDb / 20);
  peaks.forEach((peak, o) => {
    if (outputs.includes(o)) assert.ok(Math.abs(peak - level) < 2e-3, `tone peak ${peak} in output ${o}, expected ${level}`);
    else assert.equal(peak, 0, `the tone leaked into output ${o}`);
  });
}
