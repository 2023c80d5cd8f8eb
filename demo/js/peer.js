// WebRTC links of the star around the agent, signaled through the call room's `signal` relay. The
// agent's hub always makes the offer (one link per customer or supervisor); the other side answers.
// Every offer carries a fresh link id so a late answer for a replaced link is ignored. Candidates are
// gathered before the description is sent (no trickle): one message each way, and on a LAN or
// loopback gathering host candidates takes milliseconds.

/** No STUN/TURN: the demo runs on one machine or a LAN. A deployment adds its TURN servers here. */
const RTC_CONFIG = { iceServers: [] };
const GATHER_LIMIT_MS = 2000;

function gathered(pc) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      if (pc.iceGatheringState !== 'complete') return;
      pc.removeEventListener('icegatheringstatechange', done);
      resolve();
    };
    pc.addEventListener('icegatheringstatechange', done);
    setTimeout(resolve, GATHER_LIMIT_MS); // send what we have
  });
}

/**
 * Asks the other side to send Opus in 10 ms packets instead of 20 ms: each hop then waits half as long
 * to fill a packet, which matters twice on the customer ↔ supervisor path through the hub.
 */
export function preferShortPackets(sdp) {
  const opus = sdp.match(/a=rtpmap:(\d+) opus\/48000/);
  if (!opus || /a=ptime:/.test(sdp)) return sdp;
  return sdp.replace(/(a=rtpmap:\d+ opus\/48000\/2\r\n)/, '$1a=ptime:10\r\n');
}

function linkId() {
  return crypto.randomUUID();
}

/** Asks for the lowest playout delay Chrome allows on every incoming audio track. */
export function minimiseDelay(receiver) {
  if ('jitterBufferTarget' in receiver) receiver.jitterBufferTarget = 0;
}

/**
 * How long a link may take to connect (after its offer, or after dropping) before the hub offers a
 * new one; doubled on each retry up to four times as long. On a LAN a link connects in well under a
 * second; an offer or answer lost on the way, or ICE that failed, would otherwise leave a party
 * unheard for the rest of the call.
 */
const CONNECT_WITHIN_MS = 6000;

/** The hub's link to one party: sends `track` to them, hands their stream to `onStream`. */
export class HubLink {
  /** `present()` tells whether the party is still in the call (only then is a failed link offered again). */
  constructor({ channel, to, track, onStream, onState, present }) {
    this.channel = channel;
    this.to = to;
    this.track = track;
    this.onStream = onStream;
    this.onState = onState ?? (() => {});
    this.present = present ?? (() => true);
    this.retries = 0; // new offers since the link last connected
    this.restarts = []; // why each new offer was made (failed, not connected in time), for people debugging
  }

  /** (Re)starts the link with a new offer. */
  async start() {
    this.close();
    const id = linkId();
    const pc = new RTCPeerConnection(RTC_CONFIG);
    this.id = id;
    this.pc = pc;
    pc.addTrack(this.track, new MediaStream([this.track]));
    pc.ontrack = ({ receiver, streams: [stream] }) => {
      minimiseDelay(receiver);
      this.onStream(stream ?? new MediaStream([receiver.track]));
    };
    pc.onconnectionstatechange = () => {
      const state = pc.connectionState;
      if (state === 'connected') {
        this.retries = 0;
        clearTimeout(this.watchdog);
      } else if (state === 'failed') {
        this.retry(pc, 'failed');
      } else if (state === 'disconnected') {
        this.watch(pc); // often back by itself within seconds
      }
      this.onState(state);
    };
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    if (this.pc !== pc) return; // replaced meanwhile
    this.channel.send({ type: 'signal', to: this.to, data: { kind: 'offer', link: id, sdp: pc.localDescription.sdp } });
    this.watch(pc);
  }

  /** Offers a new link unless `pc` connects within the allowed time. */
  watch(pc) {
    clearTimeout(this.watchdog);
    const within = CONNECT_WITHIN_MS * 2 ** Math.min(this.retries, 2);
    this.watchdog = setTimeout(() => {
      if (this.pc === pc && pc.connectionState !== 'connected') this.retry(pc, `not connected after ${within} ms (${pc.connectionState})`);
    }, within);
  }

  retry(pc, why) {
    if (this.pc !== pc || !this.present()) return;
    this.retries += 1;
    this.restarts.push(why);
    this.start().catch(() => {});
  }

  /** Applies the other side's answer, if it is for the current link. */
  async answered(data) {
    if (data.kind !== 'answer' || data.link !== this.id || this.pc.signalingState !== 'have-local-offer') return;
    await this.pc.setRemoteDescription({ type: 'answer', sdp: preferShortPackets(data.sdp) });
  }

  close() {
    clearTimeout(this.watchdog);
    this.pc?.close();
    this.pc = null;
    this.id = null;
  }
}

/** A customer's or supervisor's link to the agent hub: answers each offer, sending `track`. */
export class SpokeLink {
  constructor({ channel, track, onStream, onState }) {
    this.channel = channel;
    this.track = track;
    this.onStream = onStream;
    this.onState = onState ?? (() => {});
  }

  /** Tells the agent this party is here and wants an offer (harmless when the agent is away). */
  hello() {
    this.channel.send({ type: 'signal', to: 'agent', data: { kind: 'hello' } });
  }

  /** Handles a signal from the agent: each offer replaces the previous link. */
  async signaled(data) {
    if (data?.kind !== 'offer') return;
    this.close();
    const pc = new RTCPeerConnection(RTC_CONFIG);
    this.pc = pc;
    pc.ontrack = ({ receiver, streams: [stream] }) => {
      minimiseDelay(receiver);
      this.onStream(stream ?? new MediaStream([receiver.track]));
    };
    pc.onconnectionstatechange = () => this.onState(pc.connectionState);
    await pc.setRemoteDescription({ type: 'offer', sdp: preferShortPackets(data.sdp) });
    pc.addTrack(this.track, new MediaStream([this.track]));
    await pc.setLocalDescription(await pc.createAnswer());
    await gathered(pc);
    if (this.pc !== pc) return;
    this.channel.send({ type: 'signal', to: 'agent', data: { kind: 'answer', link: data.link, sdp: pc.localDescription.sdp } });
  }

  close() {
    this.pc?.close();
    this.pc = null;
  }
}
