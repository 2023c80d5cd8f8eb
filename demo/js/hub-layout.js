// Where each party sits on the agent hub's mixer, and nothing else (no audio, so it is unit-tested in
// Node): the agent is input 0 and output 0, the customer 1 and 1, each supervisor takes one of four
// slots (an input and an output) on first sight and frees it on leaving, and the last two outputs
// are the recording channels. The worker's `matrix` names sources and listeners by who they are;
// this turns it into the mixer's rows (outputs) × columns (inputs), and the probe's levels back into
// who says and hears what.
import { MAX_SUPERVISORS } from './limits.js';

export const SUPERVISOR_SLOTS = MAX_SUPERVISORS; // one input and one output per supervisor the worker admits
export const INPUTS = 2 + SUPERVISOR_SLOTS;
export const OUTPUTS = 2 + SUPERVISOR_SLOTS + 2;
/** The recording channels' outputs (js/recorder.js taps them); nobody's ears. */
export const RECORDING = { recording_customer: OUTPUTS - 2, recording_agent: OUTPUTS - 1 };

export class HubLayout {
  constructor() {
    this.slots = new Array(SUPERVISOR_SLOTS).fill(null); // supervisor id per slot
  }

  /** The supervisor's slot, taking a free one on first sight; -1 when all are taken. */
  slotOf(id) {
    let slot = this.slots.indexOf(id);
    if (slot < 0) {
      slot = this.slots.indexOf(null);
      if (slot >= 0) this.slots[slot] = id;
    }
    return slot;
  }

  /** Frees a supervisor's slot. */
  release(id) {
    const slot = this.slots.indexOf(id);
    if (slot >= 0) this.slots[slot] = null;
  }

  /** Mixer input of a source, or -1. */
  inputOf(party) {
    if (party === 'agent') return 0;
    if (party === 'customer') return 1;
    const slot = party?.supervisor ? this.slotOf(party.supervisor) : -1;
    return slot < 0 ? -1 : 2 + slot;
  }

  /** Mixer output of a listener, or -1. */
  outputOf(party) {
    if (party === 'agent') return 0;
    if (party === 'customer') return 1;
    if (party in RECORDING) return RECORDING[party];
    const slot = party?.supervisor ? this.slotOf(party.supervisor) : -1;
    return slot < 0 ? -1 : 2 + slot;
  }

  /** The mixer's gains (rows = outputs, columns = inputs) for the worker's `matrix`; unnamed cells are 0. */
  gainsFor(matrix) {
    const gains = Array.from({ length: OUTPUTS }, () => new Array(INPUTS).fill(0));
    matrix.listeners.forEach((listener, l) => {
      const output = this.outputOf(listener);
      matrix.sources.forEach((source, s) => {
        const input = this.inputOf(source);
        if (output >= 0 && input >= 0) gains[output][input] = matrix.gains[l][s];
      });
    });
    return gains;
  }

  /**
   * The `levels` frame from the probe's levels (dBFS: the inputs, then the outputs): what each party
   * says (its mixer input) and what each hears (its output, after the gains and the limiter), named
   * by party; the recording outputs are nobody's ears and are left out.
   */
  levelReport(metered) {
    const named = (offset) => {
      const parties = [{ party: 'agent', db: metered[offset] }, { party: 'customer', db: metered[offset + 1] }];
      this.slots.forEach((id, slot) => {
        if (id !== null) parties.push({ party: { supervisor: id }, db: metered[offset + 2 + slot] });
      });
      return parties;
    };
    return { levels: named(0), hears: named(INPUTS) };
  }
}
