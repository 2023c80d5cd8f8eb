// A moment of a call as people write it, "m:ss" or "m:ss.s" from the call's start, read into
// milliseconds and written back. Pure: used by the timeline notes' form and its unit tests.

/** "1:05" or "1:05.5" (or plain seconds, "65") → ms; `null` for anything else. */
export function parseClock(text) {
  const match = /^\s*(?:(\d+):)?(\d+(?:\.\d+)?)\s*$/.exec(text ?? '');
  if (!match) return null;
  const minutes = Number(match[1] ?? 0);
  const seconds = Number(match[2]);
  if (match[1] !== undefined && seconds >= 60) return null;
  return Math.round((minutes * 60 + seconds) * 1000);
}

/** ms → "m:ss.s" (one decimal, so a moment picked at the playhead reads back exactly enough). */
export function clockText(ms) {
  const tenths = Math.round(Math.max(0, ms) / 100);
  const minutes = Math.floor(tenths / 600);
  const seconds = (tenths % 600) / 10;
  return `${minutes}:${seconds.toFixed(1).padStart(4, '0')}`;
}
