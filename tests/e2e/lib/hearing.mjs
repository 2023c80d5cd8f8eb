// The hearing matrix as the end-to-end tests check it (BRIEF §3), and the check itself: every listener
// page, by tone detection, hears exactly the sources the matrix says.
import { TONES, hears } from './system.mjs';

/** Who each listener hears, for one supervisor (s1) in each state; `absent` = not on the call. */
export const HEARS = {
  absent: { customer: ['agent'], agent: ['customer'], s1: [] },
  monitor: { customer: ['agent'], agent: ['customer'], s1: ['agent', 'customer'] },
  whisper: { customer: ['agent'], agent: ['customer', 's1'], s1: ['agent', 'customer'] },
  barge: { customer: ['agent', 's1'], agent: ['customer', 's1'], s1: ['agent', 'customer'] },
  takeover: { customer: ['s1'], agent: ['customer', 's1'], s1: ['agent', 'customer'] },
};

/**
 * Asserts by tone detection that each listener in `parties` ({customer, agent, s1, …}: pages) hears
 * exactly `expected[listener]` among the other parties. Presence and absence each get `timeoutMs` to
 * settle (generous: this is a correctness check, the benchmark measures speed).
 */
export async function assertHearing(parties, expected, timeoutMs = 5000) {
  const names = Object.keys(parties);
  await Promise.all(names.map(async (listener) => {
    for (const source of names) {
      if (source === listener) continue;
      const wanted = expected[listener].includes(source);
      try {
        await hears(parties[listener], TONES[source], wanted, timeoutMs);
      } catch (error) {
        throw new Error(`${listener} should ${wanted ? '' : 'not '}hear ${source}: ${error.message}`);
      }
    }
  }));
}

/** A walk through `states` taking every ordered pair (a → b, a ≠ b) exactly once (Hierholzer). */
export function everySwitch(states, start) {
  const unused = new Map(states.map((s) => [s, states.filter((t) => t !== s)]));
  const stack = [start];
  const walk = [];
  while (stack.length) {
    const at = stack[stack.length - 1];
    const next = unused.get(at).shift();
    if (next === undefined) walk.push(stack.pop());
    else stack.push(next);
  }
  return walk.reverse();
}
