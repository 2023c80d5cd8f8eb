// The agent's hub: one earshot-mixer node whose inputs are the agent's voice, the customer and up to
// four supervisors, and whose outputs are the agent's ears, the customer's feed, each supervisor's
// feed and the two recording channels (tapped by js/recorder.js). The worker's `matrix` names sources and listeners by who they
// are; the hub maps them onto fixed mixer slots and applies the gains (every change ramped).
import { createMixerNode, remoteSource, releaseRemote } from './media.js';
import { partyKey } from './party.js';

export const SUPERVISOR_SLOTS = 4; // the worker admits at most four supervisors per call
const INPUTS = 2 + SUPERVISOR_SLOTS;
const OUTPUTS = 2 + SUPERVISOR_SLOTS + 2;
const RECORDING = { recording_customer: OUTPUTS - 2, recording_agent: OUTPUTS - 1 };
/** Glide of a mode switch: long enough to be click-free, short against the 120 ms switch target. */
const SWITCH_RAMP_MS = 20;
const JOIN_TONE = { frequency: 2600, durationMs: 180, gainDb: -20 };

export class Hub {
  /** Builds the hub on `context` from the agent's `voice` node to the agent's `ears` node. */
  static async create(context, voice, ears) {
    const mixer = await createMixerNode(context, { numberOfInputs: INPUTS, numberOfOutputs: OUTPUTS });
    return new Hub(context, mixer, voice, ears);
  }

  constructor(context, mixer, voice, ears) {
    this.context = context;
    this.mixer = mixer;
    this.inputCount = INPUTS;
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

  /** Applies a `matrix` event from the worker (older revisions are ignored) and plays its join tone. */
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

  /** Per-input levels (dBFS, as the health probe reads them) named by party, for the `levels` frame. */
  partyLevels(levels) {
    const named = [{ party: 'agent', db: levels[0] }, { party: 'customer', db: levels[1] }];
    this.slots.forEach((id, slot) => {
      if (id !== null) named.push({ party: { supervisor: id }, db: levels[2 + slot] });
    });
    return named;
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
