// A phone caller's consent (issue 20): the caller has no page to click, so the hub plays the team's
// disclosure into the caller's feed before anyone may listen, and tells the worker once the caller
// consented: by staying on the line past the disclosure, or by pressing 1 (the team's setting). The
// key press arrives as an in-band DTMF tone in the caller's audio (rtpengine turns the phone's RFC
// 4733 events into tones, see telephony/kamailio.cfg), found here by a Goertzel filter.

/** The prompts scripts/phone-prompts.sh speaks at build time, by how the caller consents. */
const PROMPTS = { stay: '/vendor/prompts/disclosure-stay.wav', pressOne: '/vendor/prompts/disclosure-press-one.wav' };
/** The agent's voice comes back this gently after the disclosure (ms). */
const RESUME_RAMP_S = 0.02;
/** DTMF '1': its row and column frequencies (Hz), and the other rows and columns it must stand out from. */
const DIGIT_ONE = [697, 1209];
const OTHER_DTMF = [770, 852, 941, 1336, 1477, 1633];
/** How often the detector looks (ms) and how many looks in a row must find the digit (ITU Q.24: ≥ 40 ms). */
const LOOK_MS = 20;
const LOOKS_NEEDED = 2;

/**
 * What the phone caller hears (the hub's customer feed, held while the disclosure plays) and the
 * consent exchange with them. `track` is the caller's outgoing audio.
 */
export class PhoneConsent {
  /**
   * The caller hears nothing from the hub until `release()` (no consent is due) or the disclosure
   * has played: the roster saying whether consent is due may come after the call is answered.
   */
  constructor(hub) {
    this.context = hub.context;
    this.out = new MediaStreamAudioDestinationNode(this.context, { channelCount: 1 });
    this.feed = new GainNode(this.context, { gain: 0 });
    hub.connectFeed('customer', this.feed);
    this.feed.connect(this.out);
    this.track = this.out.stream.getAudioTracks()[0];
    this.asked = null; // the running exchange, once started
    this.stopped = false;
  }

  /**
   * Plays the disclosure (the agent's voice held meanwhile) and resolves with how the caller
   * consented, 'stayed' or 'pressed 1'; `heard` is the caller's incoming audio node (for the key).
   * With `pressOne` the caller may press 1 during the disclosure or any time after it.
   */
  ask({ pressOne, heard }) {
    this.asked ??= this.run(pressOne, heard);
    return this.asked;
  }

  async run(pressOne, heard) {
    const prompt = await loadPrompt(this.context, pressOne ? PROMPTS.pressOne : PROMPTS.stay);
    const player = new AudioBufferSourceNode(this.context, { buffer: prompt });
    player.connect(this.out);
    const played = new Promise((resolve) => { player.onended = resolve; });
    player.start();
    this.player = player;
    if (!pressOne) {
      await played;
      this.release();
      if (this.stopped) throw new Error('the call ended during the disclosure');
      return 'stayed';
    }
    played.then(() => this.release());
    await this.keyPressed(heard);
    player.stop();
    return 'pressed 1';
  }

  /** The caller hears the hub's customer feed (the agent, as the matrix mixes it). */
  release() {
    const at = this.context.currentTime;
    this.feed.gain.cancelScheduledValues(at);
    this.feed.gain.setValueAtTime(this.feed.gain.value, at);
    this.feed.gain.linearRampToValueAtTime(1, at + RESUME_RAMP_S);
  }

  /** Resolves when the caller's audio carries DTMF '1' for LOOKS_NEEDED looks in a row. */
  keyPressed(heard) {
    const analyser = new AnalyserNode(this.context, { fftSize: 1024 });
    heard.connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    const rate = this.context.sampleRate;
    return new Promise((resolve, reject) => {
      let found = 0;
      const timer = setInterval(() => {
        if (this.stopped) {
          clearInterval(timer);
          reject(new Error('the call ended before the caller pressed 1'));
        }
        analyser.getFloatTimeDomainData(samples);
        found = isDigitOne(samples, rate) ? found + 1 : 0;
        if (found < LOOKS_NEEDED) return;
        clearInterval(timer);
        heard.disconnect(analyser);
        resolve();
      }, LOOK_MS);
    });
  }

  /** The call ended: stops the disclosure and the key detector. */
  stop() {
    this.stopped = true;
    this.player?.stop();
  }
}

async function loadPrompt(context, path) {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`the disclosure prompt ${path} is missing (${response.status}): run scripts/build-demo.sh`);
  return context.decodeAudioData(await response.arrayBuffer());
}

/**
 * Whether `samples` hold DTMF '1': both its frequencies audible, each a fair share of the window's
 * power (the caller may be talking over it) and well above every other DTMF frequency.
 */
export function isDigitOne(samples, rate) {
  let energy = 0;
  for (const s of samples) energy += s * s;
  const mean = energy / samples.length;
  if (mean < 1e-5) return false; // quieter than -50 dBFS
  const [row, column] = DIGIT_ONE.map((hz) => power(samples, hz, rate));
  const loudestOther = Math.max(...OTHER_DTMF.map((hz) => power(samples, hz, rate)));
  return Math.min(row, column) > 0.1 * mean && Math.min(row, column) > 8 * loudestOther;
}

/** The mean power of the `hz` component of `samples` (Goertzel), on the scale of the samples' own. */
function power(samples, hz, rate) {
  const k = 2 * Math.cos((2 * Math.PI * hz) / rate);
  let s1 = 0;
  let s2 = 0;
  for (const x of samples) {
    const s0 = x + k * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const n = samples.length;
  return (2 * (s1 * s1 + s2 * s2 - k * s1 * s2)) / (n * n);
}
