// The agent's hub: one earshot-mixer node whose inputs are the agent's voice, the customer and up to
// four supervisors, and whose outputs are the agent's ears, the customer's feed, each supervisor's
// feed and the two recording channels (tapped by js/recorder.js). The worker's `matrix` names sources and listeners by who they
// are; the hub maps them onto fixed mixer slots and applies the gains (every change ramped).
import { JOIN_TONE, MAX_SUPERVISORS } from './limits.js';
import { createMixerNode, remoteSource, releaseRemote } from './media.js';

export const SUPERVISOR_SLOTS = MAX_SUPERVISORS; // one input and one output per supervisor the worker admits
const INPUTS = 2 + SUPERVISOR_SLOTS;
const OUTPUTS = 2 + SUPERVISOR_SLOTS + 2;
const RECORDING = { recording_customer: OUTPUTS - 2, recording_agent: OUTPUTS - 1 };
/** Glide of a mode switch: long enough to be click-free, short against the 120 ms switch target. */
const SWITCH_RAMP_MS = 20;

/** A stable key for a party descriptor: "agent", "customer" or "supervisor:<id>". */
export function partyKey(party) {
  return typeof party === 'string' ? party : `supervisor:${party.supervisor}`;
}

export class Hub {
  /** Builds the hub on `context` from the agent's `voice` node to the agent's `ears` node. */
  static async create(context, voice, ears) {
    const mixer = await createMixerNode(context, { numberOfInputs: INPUTS, numberOfOutputs: OUTPUTS });
    return new Hub(context, mixer, voice, ears);
  }

  constructor(context, mixer, voice, ears) {
    this.context = context;
    this.mixer = mixer;
    this.rev = -1;
    this.slots = new Array(SUPERVISOR_SLOTS).fill(null); // supervisor id per slot
    this.sources = new Map(); // party key → { node, stream }
    voice.connect(mixer, 0, 0);
    mixer.connect(ears, 0);
    // One outgoing stream per remote listener; the recording outputs are tapped by the call's
    // Recorder (js/recorder.js) while the call records.
    this.feeds = [];
    for (let output = 1; output < 2 + SUPERVISOR_SLOTS; output++) {
      const feed = new MediaStreamAudioDestinationNode(context, { channelCount: 1 });
      mixer.connect(feed, output);
      this.feeds[output] = feed;
    }
  }

  /** Mixer outputs of the two recording channels (js/recorder.js taps them). */
  get recordingOutputs() {
    return RECORDING;
  }

  /** The supervisor's slot, taking a free one on first sight; -1 when all four are taken. */
  slotOf(id) {
    let slot = this.slots.indexOf(id);
    if (slot < 0) {
      slot = this.slots.indexOf(null);
      if (slot >= 0) this.slots[slot] = id;
    }
    return slot;
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

  /** The track carrying what `party` (customer or a supervisor) may hear. */
  feedFor(party) {
    return this.feeds[this.outputOf(party)].stream.getAudioTracks()[0];
  }

  /**
   * Applies a `matrix` event from the worker (older revisions are ignored) and plays its join tone.
   * @param {Extract<import('./protocol.js').CallEvent, { type: 'matrix' }>} event
   */
  applyMatrix({ rev, matrix, tone }) {
    if (rev <= this.rev) return false;
    this.rev = rev;
    const gains = Array.from({ length: OUTPUTS }, () => new Array(INPUTS).fill(0));
    matrix.listeners.forEach((listener, l) => {
      const output = this.outputOf(listener);
      matrix.sources.forEach((source, s) => {
        const input = this.inputOf(source);
        if (output >= 0 && input >= 0) gains[output][input] = matrix.gains[l][s];
      });
    });
    this.mixer.setMatrix(gains, SWITCH_RAMP_MS);
    const toneOutputs = (tone ?? []).map((listener) => this.outputOf(listener)).filter((o) => o >= 0);
    if (toneOutputs.length) this.mixer.playTone({ outputs: toneOutputs, ...JOIN_TONE });
    return true;
  }

  /** How many channels the hub meters: every input, then every output (the health probe reads them in that order). */
  get meteredCount() {
    return INPUTS + OUTPUTS;
  }

  /**
   * The `levels` frame from the probe's levels (dBFS: the inputs, then the outputs): what each party
   * says (its mixer input) and what each hears (its output, after the gains and the limiter), named by
   * party; the recording outputs are nobody's ears and are left out.
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

  /** Feeds a party's incoming stream into its mixer input (replacing an earlier one). */
  attach(party, stream) {
    this.detach(party);
    const input = this.inputOf(party);
    if (input < 0) return;
    const node = remoteSource(this.context, stream);
    node.connect(this.mixer, 0, input);
    this.sources.set(partyKey(party), { node, stream });
  }

  /** Stops feeding a party's stream. */
  detach(party) {
    const key = partyKey(party);
    const source = this.sources.get(key);
    if (!source) return;
    source.node.disconnect();
    releaseRemote(source.stream);
    this.sources.delete(key);
  }

  /** Forgets a supervisor who left, freeing their slot. */
  release(id) {
    this.detach({ supervisor: id });
    const slot = this.slots.indexOf(id);
    if (slot >= 0) this.slots[slot] = null;
  }

  close() {
    for (const { node, stream } of this.sources.values()) {
      node.disconnect();
      releaseRemote(stream);
    }
    this.sources.clear();
    this.mixer.disconnect();
  }
}
