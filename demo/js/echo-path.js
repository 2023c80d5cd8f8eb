// Plays a Web Audio node where Chrome's echo canceller can hear it. Chrome's AEC takes as its
// reference only audio that WebRTC itself plays out, not an AudioContext's destination (crbug
// 687574): an agent on speakers would otherwise send the customer's voice, and a supervisor's
// whisper, back to the customer through the microphone. The known workaround, used here: send the
// node's output over a peer connection to this same page and play what arrives in an <audio>
// element, which WebRTC renders (and so references). A headset is still the recommendation.

import { minimiseDelay, preferShortPackets } from './peer.js';

/** How long the loopback may take to connect before the page falls back to plain playback. */
const CONNECT_TIMEOUT_MS = 3000;

/**
 * Routes `node` to the speakers through a loopback peer connection. Resolves to
 * `{ referenced: true, stream, element, close() }`, or, when the loopback cannot connect (no WebRTC,
 * a browser that refuses loopback), plays `node` directly and resolves to `{ referenced: false,
 * reason, close() }` so the page can say that echo cancellation cannot hear the call.
 */
export async function playEchoReferenced(context, node) {
  const sink = new MediaStreamAudioDestinationNode(context, { channelCount: 1 });
  node.connect(sink);
  const sending = new RTCPeerConnection();
  const receiving = new RTCPeerConnection();
  const close = () => {
    node.disconnect(sink);
    sending.close();
    receiving.close();
  };
  try {
    sending.onicecandidate = ({ candidate }) => candidate && receiving.addIceCandidate(candidate).catch(() => {});
    receiving.onicecandidate = ({ candidate }) => candidate && sending.addIceCandidate(candidate).catch(() => {});
    const arrived = new Promise((resolve) => {
      receiving.ontrack = ({ track, streams, receiver }) => {
        minimiseDelay(receiver);
        resolve(streams[0] ?? new MediaStream([track]));
      };
    });
    sending.addTrack(sink.stream.getAudioTracks()[0], sink.stream);
    await sending.setLocalDescription();
    await receiving.setRemoteDescription(sending.localDescription);
    // 10 ms packets (measured: 60 ms added at the median instead of 80 with Opus's default 20 ms).
    const answer = await receiving.createAnswer();
    await receiving.setLocalDescription({ type: 'answer', sdp: preferShortPackets(answer.sdp) });
    await sending.setRemoteDescription(receiving.localDescription);
    const stream = await withTimeout(arrived, CONNECT_TIMEOUT_MS, 'the loopback peer connection sent no audio');
    await withTimeout(connected(receiving), CONNECT_TIMEOUT_MS, 'the loopback peer connection did not connect');
    const element = new Audio();
    element.srcObject = stream;
    await element.play();
    return {
      referenced: true,
      stream,
      element,
      close() {
        element.srcObject = null;
        close();
      },
    };
  } catch (error) {
    close();
    node.connect(context.destination);
    return { referenced: false, reason: error.message, close: () => node.disconnect(context.destination) };
  }
}

function connected(pc) {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (pc.connectionState === 'connected') resolve();
      if (pc.connectionState === 'failed' || pc.connectionState === 'closed') reject(new Error(`loopback ${pc.connectionState}`));
    };
    pc.addEventListener('connectionstatechange', check);
    check();
  });
}

function withTimeout(promise, ms, message) {
  let timer;
  const expired = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(message)), ms); });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
