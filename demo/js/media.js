// Audio plumbing shared by the three pages: one AudioContext, the microphone (or a test tone in its
// place), remote WebRTC streams brought into Web Audio, and the earshot-mixer node everyone plays
// through.
import { createMixerNode } from '../vendor/earshot-mixer/index.js';
import { params } from './session.js';

export { createMixerNode };

/**
 * Peak level of the test tone that stands in for a microphone: -12 dBFS, or the page's `toneDb`
 * parameter (the call-health tests speak softly or loudly with it).
 */
const TEST_TONE_GAIN = 10 ** ((Number(params.get('toneDb')) || -12) / 20);

/** An AudioContext that runs (pages create it on a click, or with an autoplay policy that allows it). */
export async function startAudio() {
  const context = new AudioContext({ latencyHint: 'interactive' });
  if (context.state !== 'running') await context.resume().catch(() => {});
  return context;
}

/**
 * The local voice as an AudioNode. With `toneHz` (the demo's "test tone" choice, and what the
 * end-to-end tests use) a sine stands in for the microphone; otherwise the real microphone with echo
 * cancellation, noise suppression and automatic gain, as people need.
 */
export async function openVoice(context, toneHz) {
  if (toneHz > 0) {
    const oscillator = new OscillatorNode(context, { frequency: toneHz });
    const level = new GainNode(context, { gain: TEST_TONE_GAIN });
    oscillator.connect(level);
    oscillator.start();
    return {
      node: level,
      label: `test tone ${toneHz} Hz`,
      /** Gates the tone (benchmarks time from here). */
      setSounding(on) {
        level.gain.setValueAtTime(on ? TEST_TONE_GAIN : 0, context.currentTime);
      },
      stop() {
        oscillator.stop();
        level.disconnect();
      },
    };
  }
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
  });
  const node = new MediaStreamAudioSourceNode(context, { mediaStream: stream });
  return {
    node,
    label: stream.getAudioTracks()[0]?.label || 'microphone',
    setSounding(on) {
      for (const track of stream.getAudioTracks()) track.enabled = on;
    },
    stop() {
      node.disconnect();
      for (const track of stream.getTracks()) track.stop();
    },
  };
}

// Elements keeping remote streams flowing, by stream id.
const sinks = new Map();

/**
 * A remote WebRTC stream as a Web Audio source. Chrome delivers silence to Web Audio from a remote
 * stream that is not also attached to a media element (crbug 933677), so it plays, muted, in one.
 */
export function remoteSource(context, stream) {
  if (!sinks.has(stream.id)) {
    const element = new Audio();
    element.muted = true;
    element.srcObject = stream;
    element.play().catch(() => {});
    sinks.set(stream.id, element);
  }
  return new MediaStreamAudioSourceNode(context, { mediaStream: stream });
}

/** Lets go of the element kept for `stream`. */
export function releaseRemote(stream) {
  const element = sinks.get(stream.id);
  if (element) {
    element.srcObject = null;
    sinks.delete(stream.id);
  }
}

/**
 * The audio of a party at the far end of a hub link (customer, supervisor): the voice, through a send
 * level, as the one outgoing track, and a speaker for what the hub sends back.
 */
export async function openSpokeAudio(toneHz) {
  const context = await startAudio();
  const voice = await openVoice(context, toneHz);
  const speaker = await createSpeaker(context);
  const sendLevel = new GainNode(context, { gain: 1 });
  const out = new MediaStreamAudioDestinationNode(context, { channelCount: 1 });
  voice.node.connect(sendLevel).connect(out);
  return { context, voice, speaker, sendLevel, track: out.stream.getAudioTracks()[0], ears: speaker.ears };
}

/**
 * A one-in, one-out mixer in front of the speakers, so customer and supervisor hear through the same
 * ramped, limited, sanitising path as the hub; `ears` is what reaches the speakers.
 */
async function createSpeaker(context) {
  const mixer = await createMixerNode(context, { numberOfInputs: 1, numberOfOutputs: 1, matrix: [[1]] });
  const ears = new GainNode(context);
  mixer.connect(ears).connect(context.destination);
  let playing = null; // { source, stream }
  const stop = () => {
    if (!playing) return;
    playing.source.disconnect();
    releaseRemote(playing.stream);
    playing = null;
  };
  return {
    mixer,
    ears,
    /** Plays `stream` (replacing what played before). */
    play(stream) {
      stop();
      playing = { source: remoteSource(context, stream), stream };
      playing.source.connect(mixer, 0, 0);
    },
    stop,
    /** Listening level in dB (0 = as received). */
    setLevel(db) {
      mixer.setGainDb(0, 0, db, 30);
    },
  };
}
