// In-page tone detection (loaded into test pages): is a sine at a given frequency present in a stream?
//
// An AnalyserNode (fftSize 1024, no smoothing) gives the spectrum; a tone counts as present when its
// peak bin stands at least 20 dB above the median level 100-250 Hz either side of it. This held on
// loopback WebRTC with Opus in every run here; tests assert presence/absence with generous time bounds.
(() => {
  const FFT_SIZE = 1024;
  const MARGIN_DB = 20;

  function makeDetector(context, sourceNode) {
    const analyser = context.createAnalyser();
    analyser.fftSize = FFT_SIZE;
    analyser.smoothingTimeConstant = 0;
    sourceNode.connect(analyser);
    const bins = new Float32Array(analyser.frequencyBinCount);
    const hzPerBin = context.sampleRate / FFT_SIZE;

    function levelsAround(frequency) {
      analyser.getFloatFrequencyData(bins);
      const centre = Math.round(frequency / hzPerBin);
      let peak = -Infinity;
      for (let b = centre - 1; b <= centre + 1; b++) peak = Math.max(peak, bins[b]);
      const floor = [];
      const near = Math.ceil(100 / hzPerBin);
      const far = Math.floor(250 / hzPerBin);
      for (let d = near; d <= far; d++) {
        if (bins[centre - d] !== undefined) floor.push(bins[centre - d]);
        if (bins[centre + d] !== undefined) floor.push(bins[centre + d]);
      }
      floor.sort((a, b) => a - b);
      return { peak, floor: floor[Math.floor(floor.length / 2)] };
    }

    return {
      analyser,
      /** Whether a tone at `frequency` Hz is present right now. */
      present(frequency) {
        const { peak, floor } = levelsAround(frequency);
        return Number.isFinite(peak) && peak > -90 && peak - floor >= MARGIN_DB;
      },
      /** Resolves with the ms it took until `present(frequency) === wanted` held for 10 ms, or rejects. */
      waitFor(frequency, wanted, timeoutMs = 1000) {
        const start = performance.now();
        let since = null;
        return new Promise((resolve, reject) => {
          const tick = () => {
            const now = performance.now();
            if (this.present(frequency) === wanted) {
              since ??= now;
              if (now - since >= 10) return resolve(since - start);
            } else {
              since = null;
            }
            if (now - start > timeoutMs) {
              return reject(new Error(`tone ${frequency} Hz ${wanted ? 'absent' : 'present'} after ${timeoutMs} ms`));
            }
            setTimeout(tick, 2);
          };
          tick();
        });
      },
      /**
       * Watches for `frequency` in the background until `stop()`: resolves with how many times it
       * held for 10 ms and the total ms it was present (0 and 0 when it never appeared).
       */
      watch(frequency) {
        let since = null;
        let last = performance.now();
        const seen = { times: 0, presentMs: 0 };
        const timer = setInterval(() => {
          const now = performance.now();
          if (this.present(frequency)) {
            if (since === null) since = now;
            else if (now - since >= 10 && !seen.counted) {
              seen.times += 1;
              seen.counted = true;
            }
            if (seen.counted) seen.presentMs += now - last;
          } else {
            since = null;
            seen.counted = false;
          }
          last = now;
        }, 2);
        return {
          stop() {
            clearInterval(timer);
            return { times: seen.times, presentMs: Math.round(seen.presentMs) };
          },
        };
      },
    };
  }

  globalThis.earshotTones = { makeDetector };
})();
