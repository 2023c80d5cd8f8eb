// 16-bit PCM WAV files for the phone tests: writes the tone file baresip plays as its microphone and
// finds tones in what baresip recorded (a Goertzel filter per 20 ms window, no FFT library needed).
import { readFileSync, writeFileSync } from 'node:fs';

/** DTMF '1' as a phone plays it in-band: 697 Hz and 1209 Hz together. */
const DTMF_ONE_HZ = [697, 1209];

/**
 * Writes a mono 16-bit WAV: `silenceS` seconds of silence, then a `hz` sine for `seconds`; with
 * `dtmfOneAtS`, the sine gives way to a 300 ms in-band DTMF '1' that many seconds into the file.
 */
export function writeToneWav(path, { hz, seconds, sampleRate = 8000, amplitude = 0.3, silenceS = 0.5, dtmfOneAtS = null }) {
  const lead = Math.round(silenceS * sampleRate);
  const count = lead + Math.round(seconds * sampleRate);
  const key = dtmfOneAtS === null ? [-1, -1] : [Math.round(dtmfOneAtS * sampleRate), Math.round((dtmfOneAtS + 0.3) * sampleRate)];
  const sine = (f, i) => Math.sin((2 * Math.PI * f * (i - lead)) / sampleRate);
  const data = Buffer.alloc(count * 2);
  for (let i = lead; i < count; i++) {
    const value = i >= key[0] && i < key[1] ? (sine(DTMF_ONE_HZ[0], i) + sine(DTMF_ONE_HZ[1], i)) / 2 : sine(hz, i);
    data.writeInt16LE(Math.round(amplitude * 32767 * value), i * 2);
  }
  writeFileSync(path, Buffer.concat([wavHeader(data.length, sampleRate), data]));
}

function wavHeader(dataBytes, sampleRate) {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0); h.writeUInt32LE(36 + dataBytes, 4); h.write('WAVE', 8);
  h.write('fmt ', 12); h.writeUInt32LE(16, 16); h.writeUInt16LE(1, 20); h.writeUInt16LE(1, 22);
  h.writeUInt32LE(sampleRate, 24); h.writeUInt32LE(sampleRate * 2, 28); h.writeUInt16LE(2, 32); h.writeUInt16LE(16, 34);
  h.write('data', 36); h.writeUInt32LE(dataBytes, 40);
  return h;
}

/** Reads a 16-bit PCM WAV (any rate, first channel): `{ sampleRate, samples: Float32Array }`. */
export function readWav(path) {
  const buf = readFileSync(path);
  if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') throw new Error(`${path}: not a WAV file`);
  let offset = 12;
  let format = null;
  while (offset + 8 <= buf.length) {
    const id = buf.toString('ascii', offset, offset + 4);
    // A recorder still writing (or killed) leaves the data size 0 or too big: take what is there.
    const size = Math.min(buf.readUInt32LE(offset + 4) || buf.length, buf.length - offset - 8);
    const body = offset + 8;
    if (id === 'fmt ') {
      format = { channels: buf.readUInt16LE(body + 2), sampleRate: buf.readUInt32LE(body + 4), bits: buf.readUInt16LE(body + 14) };
    } else if (id === 'data') {
      if (!format || format.bits !== 16) throw new Error(`${path}: only 16-bit PCM is read here`);
      const frames = Math.floor(size / (2 * format.channels));
      const samples = new Float32Array(frames);
      for (let i = 0; i < frames; i++) samples[i] = buf.readInt16LE(body + i * 2 * format.channels) / 32768;
      return { sampleRate: format.sampleRate, samples };
    }
    offset = body + size + (size % 2);
  }
  throw new Error(`${path}: no data chunk`);
}

/** The power of `hz` in samples[from, to) relative to the window's total power (0..1). */
function toneShare(samples, from, to, hz, sampleRate) {
  const k = (2 * Math.cos((2 * Math.PI * hz) / sampleRate));
  let s1 = 0, s2 = 0, energy = 0;
  for (let i = from; i < to; i++) {
    const s0 = samples[i] + k * s1 - s2;
    s2 = s1; s1 = s0;
    energy += samples[i] * samples[i];
  }
  const n = to - from;
  const power = (s1 * s1 + s2 * s2 - k * s1 * s2) / ((n * n) / 4);   // a full-scale sine gives ~1
  return energy > 0 ? Math.min(1, power / (2 * energy / n)) : 0;
}

/**
 * Where a tone at `hz` is present in a recording: the start times (s) of the 20 ms windows in which
 * it carries at least half the window's power and is louder than -40 dBFS.
 */
export function toneWindows(recording, hz) {
  const size = Math.round(recording.sampleRate * 0.02);
  return loudWindows(recording).filter((t) => {
    const from = Math.round(t * recording.sampleRate);
    return toneShare(recording.samples, from, from + size, hz, recording.sampleRate) >= 0.5;
  });
}

/** The start times (s) of the 20 ms windows louder than -40 dBFS: any sound, speech included. */
export function loudWindows({ samples, sampleRate }) {
  const size = Math.round(sampleRate * 0.02);
  const found = [];
  for (let from = 0; from + size <= samples.length; from += size) {
    let energy = 0;
    for (let i = from; i < from + size; i++) energy += samples[i] * samples[i];
    if (Math.sqrt(energy / size) > 0.01) found.push(from / sampleRate);
  }
  return found;
}
