// The recording's waveform: min/max peaks per pixel column of both channels (customer above, the
// agent's side below), drawn on a canvas on the review's time axis, so the take sits where it
// happened in the call; a playhead that follows the <audio> element; a click on it seeks there.

const COLOURS = ['#2457d6', '#1f8a4c']; // customer, agent side (house accent and ok colours)

/**
 * Per pixel column, the [min, max] of `data` over the samples that fall in it: column `c` covers
 * take seconds [firstSec + c * perColumn, firstSec + (c + 1) * perColumn). Columns holding no audio
 * (before the take began or after it ended) are NaN and drawn empty.
 */
export function columnPeaks(data, sampleRate, columns, firstSec, perColumn) {
  const peaks = new Float32Array(columns * 2).fill(NaN);
  for (let c = 0; c < columns; c++) {
    const start = Math.max(0, Math.floor((firstSec + c * perColumn) * sampleRate));
    // At least one sample per column, so zooming in never leaves holes.
    const end = Math.min(data.length, Math.max(start + 1, Math.floor((firstSec + (c + 1) * perColumn) * sampleRate)));
    if (start >= end) continue;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = start; i < end; i++) {
      const v = data[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    peaks[2 * c] = lo;
    peaks[2 * c + 1] = hi;
  }
  return peaks;
}

export class Waveform {
  /** `onSeek(at)` gets the ms time (on the axis) of a click on the canvas. */
  constructor({ canvas, playhead, audio, onSeek }) {
    this.canvas = canvas;
    this.playhead = playhead;
    this.audio = audio;
    this.view = null; // { axis, startedAt } while a take is shown
    canvas.addEventListener('click', (event) => {
      if (!this.view) return;
      const box = canvas.getBoundingClientRect();
      onSeek(this.view.axis.at(((event.clientX - box.left) / box.width) * this.view.axis.width));
    });
    for (const type of ['timeupdate', 'seeked', 'seeking', 'loadedmetadata']) audio.addEventListener(type, () => this.follow());
    audio.addEventListener('play', () => this.animate());
  }

  /**
   * Draws `buffer` (the decoded take) for a take that started at `startedAt` (ms) on `axis`, one
   * column per device pixel. The top half is channel 1 (the customer), the bottom half channel 2.
   */
  draw(buffer, axis, startedAt) {
    this.view = { axis, startedAt };
    const ratio = window.devicePixelRatio || 1;
    const width = Math.round(axis.width * ratio);
    const height = Math.round(this.canvas.clientHeight * ratio);
    this.canvas.width = width;
    this.canvas.height = height;
    const g = this.canvas.getContext('2d');
    g.clearRect(0, 0, width, height);
    const perColumn = (axis.to - axis.from) / 1000 / width;
    const firstSec = (axis.from - startedAt) / 1000;
    const half = height / 2;
    for (let channel = 0; channel < Math.min(2, buffer.numberOfChannels); channel++) {
      const peaks = columnPeaks(buffer.getChannelData(channel), buffer.sampleRate, width, firstSec, perColumn);
      const mid = half * channel + half / 2;
      const scale = (half / 2) * 0.92;
      g.fillStyle = COLOURS[channel];
      for (let c = 0; c < width; c++) {
        const lo = peaks[2 * c];
        if (Number.isNaN(lo)) continue;
        const top = mid - peaks[2 * c + 1] * scale;
        g.fillRect(c, top, 1, Math.max(1, mid - lo * scale - top)); // a silent column still shows its line
      }
    }
    this.canvas.dataset.drawn = startedAt;
    this.follow();
  }

  /** No take: an empty canvas, no playhead. */
  clear() {
    this.view = null;
    this.canvas.getContext('2d').clearRect(0, 0, this.canvas.width, this.canvas.height);
    delete this.canvas.dataset.drawn;
    this.playhead.hidden = true;
  }

  /** Puts the playhead at the audio's current time (as a share of the axis, so resizing keeps it). */
  follow() {
    if (!this.view) return;
    const { axis, startedAt } = this.view;
    const at = startedAt + this.audio.currentTime * 1000;
    const share = Math.min(1, Math.max(0, axis.x(at) / axis.width)); // a seek past the end stays on the lane
    this.playhead.style.left = `${share * 100}%`;
    this.playhead.hidden = false;
  }

  /** While playing, follows every frame: timeupdate alone moves the playhead in visible jumps. */
  animate() {
    const step = () => {
      this.follow();
      if (!this.audio.paused) requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  }
}
