// Finds the test tones in a stored take: fetched and decoded by the browser (decodeAudioData on the
// WebM), then judged 50 ms window by window with the live detector's rule (Goertzel power at f
// against the median at f ± 100-250 Hz, 20 dB over it).

/**
 * A tone counts as present only at -40 dBFS or more. Voices are test tones at about -12 dBFS, so a
 * voice routed to the wrong channel would stand 28 dB above this; but Opus codes the two channels
 * jointly, and traces of each channel show up in the other at -54 dBFS and below (measured here).
 */
const MIN_DBFS = -40;

/**
 * Fetches the take at `path` in `tab` with `token` and decodes it. Returns the response's facts and,
 * per channel, one entry per 50 ms window: `{ t, present: { [f]: boolean }, dbfs: { [f]: level } }`.
 */
export async function takeTones(tab, path, token, freqs) {
  return tab.evaluate(async ({ path, token, freqs, MIN_DBFS }) => {
    const response = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
    const bytes = await response.arrayBuffer();
    const byteLength = bytes.byteLength; // decodeAudioData detaches the buffer
    const complete = response.headers.get('x-earshot-complete');
    const buffer = await new OfflineAudioContext(2, 48_000, 48_000).decodeAudioData(bytes);
    const rate = buffer.sampleRate;
    const size = Math.round(rate * 0.05);
    const hann = Float32Array.from({ length: size }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (size - 1)));
    const power = (x, f) => {
      const k = 2 * Math.cos((2 * Math.PI * f) / rate);
      let s1 = 0, s2 = 0;
      for (let i = 0; i < x.length; i++) { const s = x[i] * hann[i] + k * s1 - s2; s2 = s1; s1 = s; }
      return s1 * s1 + s2 * s2 - k * s1 * s2;
    };
    // The tone's level in dBFS (a full-scale sine through the Hann window has power (size / 4)²).
    const level = (p) => 10 * Math.log10(Math.max(p, 1e-20) / ((size / 4) ** 2));
    const channels = [];
    for (let c = 0; c < buffer.numberOfChannels; c++) {
      const data = buffer.getChannelData(c);
      const windows = [];
      for (let i = 0; i + size <= data.length; i += size) {
        const x = data.subarray(i, i + size);
        const window = { t: i / rate, present: {}, dbfs: {} };
        for (const f of freqs) {
          const floor = [];
          for (let d = 100; d <= 250; d += 25) floor.push(power(x, f - d), power(x, f + d));
          floor.sort((a, b) => a - b);
          const p = power(x, f);
          window.dbfs[f] = level(p);
          window.present[f] = level(p) >= MIN_DBFS && 10 * Math.log10(p / Math.max(floor[floor.length >> 1], 1e-20)) >= 20;
        }
        windows.push(window);
      }
      channels.push(windows);
    }
    return { status: response.status, complete, bytes: byteLength, seconds: buffer.duration, channelCount: buffer.numberOfChannels, channels };
  }, { path, token, freqs, MIN_DBFS });
}

/** The share of a channel's `windows` (those starting where `inside` holds) in which tone `f` is present. */
export function toneShare(windows, f, inside = () => true) {
  const picked = windows.filter((w) => inside(w.t));
  return picked.filter((w) => w.present[f]).length / Math.max(1, picked.length);
}

/** The loudest level of tone `f` over a channel's `windows`, in whole dBFS. */
export function loudest(windows, f) {
  return Math.round(windows.reduce((top, w) => Math.max(top, w.dbfs[f]), -200));
}
