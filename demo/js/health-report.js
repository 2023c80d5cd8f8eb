// The hub's call-health report: the mixer's meters go through earshot-health's probe (Rust, in its
// own small wasm) and become a `health` sample for the call room every second, plus every party's
// level, said and heard, a few times a second while a supervisor is in the call (their console's
// live meters).
import { createHealthProbe } from '../vendor/earshot-mixer/health.js';

/** How often levels go out while somebody watches: lively meters, a small share of the rate limit. */
const LEVELS_EVERY_MS = 250;

/**
 * Starts reporting for `hub`; `send(frame)` sends on the call's current socket. Returns
 * `{ watched(on), stop() }`: levels are sent only while `watched(true)` (a supervisor is present).
 */
export async function reportHealth(hub, send) {
  // The probe meters the outputs too, as channels after the inputs: its samples read only the agent's
  // and the customer's inputs (0 and 1); its levels then cover what every party says and hears.
  const probe = await createHealthProbe({ inputs: hub.meteredCount });
  let watched = false;
  let levelsAt = 0;
  const report = {
    /** The latest sample sent (for people debugging and for the tests). */
    last: null,
    watched(on) {
      watched = on;
    },
    stop() {
      hub.mixer.removeEventListener('meter', onMeter);
    },
  };
  const onMeter = (event) => {
    const { inputs, outputs } = event.detail;
    const sample = probe.push(inputs.concat(outputs), hub.context.currentTime * 1000);
    if (sample) {
      report.last = sample;
      send({ type: 'health', ...sample });
    }
    const now = performance.now();
    if (now - levelsAt >= LEVELS_EVERY_MS) {
      levelsAt = now;
      // Read even when unwatched: a reading is the loudest since the last one, so a supervisor who
      // opens the call must see the last quarter second, not a shout from minutes ago.
      const levels = probe.levels();
      if (watched) send({ type: 'levels', ...hub.levelReport(levels) });
    }
  };
  hub.mixer.addEventListener('meter', onMeter);
  return report;
}
