// The agent's hub: one earshot-mixer node whose inputs are the agent's voice, the customer and up to
// four supervisors, and whose outputs are the agent's ears, the customer's feed, each supervisor's
// feed and the two recording channels (tapped by js/recorder.js). The worker's `matrix` names sources
// and listeners by who they are; hub-layout.js places them on fixed mixer slots, and the hub applies
// the gains (every change ramped) and wires each party's streams to its slot.
import { HubLayout, INPUTS, OUTPUTS, RECORDING, SUPERVISOR_SLOTS } from './hub-layout.js';
import { JOIN_TONE } from './limits.js';
import { createMixerNode, remoteSource, releaseRemote } from './media.js';
import { partyKey } from './party.js';

/** Glide of a mode switch: long enough to be click-free, short against the 120 ms switch target. */
const SWITCH_RAMP_MS = 20;

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
    this.layout = new HubLayout();
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

  /**
   * Also sends what `party` may hear to `node` (a phone caller's feed passes through the consent
   * exchange first, js/phone-consent.js).
   */
  connectFeed(party, node) {
    this.mixer.connect(node, this.layout.outputOf(party));
  }

  /** The mixer's source node of `party`'s incoming audio, once attached (null before). */
  sourceOf(party) {
    return this.sources.get(partyKey(party))?.node ?? null;
  }

  /** The track carrying what `party` (customer or a supervisor) may hear. */
  feedFor(party) {
    return this.feeds[this.layout.outputOf(party)].stream.getAudioTracks()[0];
  }

  /**
   * Applies a `matrix` event from the worker (older revisions are ignored) and plays its join tone.
   * @param {Extract<import('./protocol.js').CallEvent, { type: 'matrix' }>} event
   */
  applyMatrix({ rev, matrix, tone }) {
    if (rev <= this.rev) return false;
    this.rev = rev;
    const gains = this.layout.gainsFor(matrix);
    this.mixer.setMatrix(gains, SWITCH_RAMP_MS);
    const toneOutputs = (tone ?? []).map((listener) => this.layout.outputOf(listener)).filter((o) => o >= 0);
    if (toneOutputs.length) this.mixer.playTone({ outputs: toneOutputs, ...JOIN_TONE });
    return true;
  }

  /** How many channels the hub meters: every input, then every output (the health probe reads them in that order). */
  get meteredCount() {
    return INPUTS + OUTPUTS;
  }

  /** The `levels` frame from the probe's levels (see HubLayout.levelReport). */
  levelReport(metered) {
    return this.layout.levelReport(metered);
  }

  /** Feeds a party's incoming stream into its mixer input (replacing an earlier one). */
  attach(party, stream) {
    this.detach(party);
    const input = this.layout.inputOf(party);
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
    this.layout.release(id);
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
