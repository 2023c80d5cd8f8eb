// The hub's call recorder: the mixer's two recording outputs (customer; agent with barging or
// taking-over supervisors, and whisper only when the team records it) merged into one stereo stream,
// encoded by MediaRecorder as Opus in WebM, and uploaded to the worker in ~1 s chunks while the call
// runs. Uploads go one at a time, in order, each retried until the worker takes it, so what is stored
// is always a gapless, playable prefix: if the tab dies, the recording is incomplete but playable.
// The worker decides whether the call records (after consent); this only follows the roster.

const MIME = 'audio/webm;codecs=opus';
const TIMESLICE_MS = 1000;
const RETRY_MS = [250, 500, 1000, 2000, 4000];

export class Recorder {
  /** `hub`: the call's Hub; `callId`, `token()` (the current token): for uploads; `onError(message)` for what gives up. */
  constructor({ hub, callId, token, onError = () => {} }) {
    this.hub = hub;
    this.callId = callId;
    this.token = token;
    this.onError = onError;
    this.take = null; // the worker's take number, once started
    this.queue = []; // blobs waiting to upload, in order
    this.seq = 0; // the next chunk's number
    this.pumping = null;
    this.state = 'idle'; // idle → recording ⇄ paused → stopped
    this.stats = { chunks: 0, bytes: 0, uploadMs: [], retries: 0 };
  }

  /** Follows the roster's `recording`: starts, pauses or resumes. */
  follow(active) {
    this.wanted = active;
    if (active && this.state === 'idle') {
      this.start().catch((e) => this.onError(`Recording: ${e.message}`));
    } else if (active && this.state === 'paused') {
      this.media.resume();
      this.state = 'recording';
    } else if (!active && this.state === 'recording' && this.media) {
      this.media.requestData(); // what was said before the stop goes up now
      this.media.pause();
      this.state = 'paused';
    }
  }

  async start() {
    this.state = 'recording';
    const started = await this.request('POST', `/api/calls/${this.callId}/recordings`);
    this.take = (await started.json()).take;
    const context = this.hub.context;
    // Channel 0: recording_customer; channel 1: recording_agent (mono mixer outputs, merged).
    const merger = new ChannelMergerNode(context, { numberOfInputs: 2 });
    const { recording_customer: customer, recording_agent: agent } = this.hub.recordingOutputs;
    this.hub.mixer.connect(merger, customer, 0);
    this.hub.mixer.connect(merger, agent, 1);
    const destination = new MediaStreamAudioDestinationNode(context, {
      channelCount: 2, channelCountMode: 'explicit', channelInterpretation: 'discrete',
    });
    merger.connect(destination);
    this.nodes = [merger, destination];
    this.media = new MediaRecorder(destination.stream, { mimeType: MIME, audioBitsPerSecond: 64_000 });
    this.stopped = new Promise((resolve) => { this.media.onstop = resolve; });
    this.media.ondataavailable = ({ data }) => {
      if (data.size > 0) this.enqueue(data);
    };
    this.media.start(TIMESLICE_MS);
    if (this.state === 'stopped') this.media.stop(); // the call ended while starting
    else if (!this.wanted) this.follow(false); // recording was turned off while starting
  }

  enqueue(blob) {
    this.queue.push({ seq: this.seq++, blob });
    this.pumping ??= this.pump().finally(() => { this.pumping = null; });
  }

  /** Uploads queued chunks one by one, in order. */
  async pump() {
    while (this.queue.length) {
      const { seq, blob } = this.queue[0];
      const t0 = performance.now();
      await this.request('PUT', `/api/calls/${this.callId}/recordings/${this.take}/chunks/${seq}`, blob, 'audio/webm');
      this.stats.uploadMs.push(Math.round(performance.now() - t0));
      this.stats.chunks += 1;
      this.stats.bytes += blob.size;
      this.queue.shift();
    }
  }

  /** An HTTP request to the worker, retried on network errors and 5xx; a 4xx is final. */
  async request(method, path, body, type = 'application/json') {
    for (let attempt = 0; ; attempt++) {
      let response;
      try {
        response = await fetch(path, { method, body, headers: { authorization: `Bearer ${this.token()}`, 'content-type': type } });
      } catch (error) {
        response = null;
      }
      if (response?.ok) return response;
      if (response && response.status < 500) {
        const message = (await response.json().catch(() => ({}))).message ?? `HTTP ${response.status}`;
        this.state = 'failed';
        this.onError(`Recording stopped: ${message}`);
        throw new Error(message);
      }
      this.stats.retries += 1;
      await new Promise((r) => setTimeout(r, RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)]));
    }
  }

  /** Ends the recording: the last chunk goes up, then the completion marker. */
  async stop() {
    const wasRunning = this.state === 'recording' || this.state === 'paused';
    this.state = 'stopped';
    if (!wasRunning || !this.media) return;
    if (this.media.state !== 'inactive') this.media.stop();
    await this.stopped;
    for (const node of this.nodes) node.disconnect();
    while (this.pumping) await this.pumping;
    if (this.take !== null) {
      await this.request('POST', `/api/calls/${this.callId}/recordings/${this.take}/complete`, JSON.stringify({ chunks: this.seq }));
    }
  }
}
