// Recording at the hub, end to end: a real call through the demo pages records while one supervisor
// whispers (s1, 1400 Hz) and another barges (s2, 2000 Hz); the stored recording is fetched as a
// supervisor, decoded by Chromium (decodeAudioData on the WebM) and checked per channel by tone:
// the customer channel carries the customer (400 Hz) and never a supervisor; the agent channel carries
// the agent (850 Hz) and the barge, and the whisper only when the team records whisper (both settings
// run). An agent tab killed mid-recording leaves a partial that is listed incomplete and still decodes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSystem, until, openParty, sleep, TONES } from './lib/system.mjs';
import { agentReady, connectCall, openConsole, clickMode } from './lib/scenario.mjs';
import { Minter } from '../worker/harness.mjs';

/**
 * A tone counts as present only at -40 dBFS or more. Voices are test tones at about -12 dBFS, so a
 * voice routed to the wrong channel would stand 28 dB above this; but Opus codes the two channels
 * jointly, and traces of each channel show up in the other at -54 dBFS and below (measured here).
 */
const MIN_DBFS = -40;
let system;
const supervisorToken = () => new Minter().supervisor('reviewer', 'blue', ['monitor']);

before(async () => { system = await startSystem(); });
after(async () => { await system?.stop(); });

/** The team's take of `callId` as the list endpoint shows it (a supervisor's view). */
async function listed(callId) {
  const res = await fetch(`${system.base}/api/recordings`, { headers: { Authorization: `Bearer ${supervisorToken()}` } });
  assert.equal(res.status, 200);
  return (await res.json()).recordings.find((r) => r.call_id === callId);
}


/** Sets the team's recording settings through the console form (guard off: barge without asking). */
async function teamRecordsWhisper(console, on) {
  await console.waitForFunction(() => document.querySelector('#settings-form input[name="retention_days"]').value !== '');
  await console.locator('#settings summary').click();
  await console.fill('#settings-form input[name="early_barge_minutes"]', '0');
  await console.setChecked('#settings-form input[name="record_whisper"]', on);
  await console.click('#settings-form button[type="submit"]');
  await console.locator('#status-line', { hasText: 'Team settings saved' }).waitFor();
  await console.locator('#settings summary').click();
}

/**
 * Fetches a take in `tab` with a supervisor's token, decodes it and reports per channel, for each
 * frequency, the share of 50 ms windows where the tone stands 20 dB over its neighbourhood (Goertzel
 * power at f against the median at f ± 100-250 Hz, as the live detector does).
 */
async function analyse(tab, callId, take) {
  return tab.evaluate(async ({ path, token, freqs, MIN_DBFS }) => {
    const response = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
    const bytes = await response.arrayBuffer();
    const byteLength = bytes.byteLength; // decodeAudioData detaches the buffer
    const complete = response.headers.get('x-earshot-complete');
    const buffer = await new OfflineAudioContext(2, 48_000, 48_000).decodeAudioData(bytes);
    const rate = buffer.sampleRate;
    const size = Math.round(rate * 0.05);
    const hann = Float32Array.from({ length: size }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (size - 1)));
    const power = (x, f) => {
      const k = 2 * Math.cos((2 * Math.PI * f) / rate);
      let s1 = 0, s2 = 0;
      for (let i = 0; i < x.length; i++) { const s = x[i] * hann[i] + k * s1 - s2; s2 = s1; s1 = s; }
      return s1 * s1 + s2 * s2 - k * s1 * s2;
    };
    // The tone's level in dBFS (a full-scale sine through the Hann window has power (size / 4)²).
    const level = (p) => 10 * Math.log10(Math.max(p, 1e-20) / ((size / 4) ** 2));
    const loudest = {};
    const present = (x, f) => {
      const floor = [];
      for (let d = 100; d <= 250; d += 25) floor.push(power(x, f - d), power(x, f + d));
      floor.sort((a, b) => a - b);
      const p = power(x, f);
      loudest[f] = Math.max(loudest[f] ?? -200, level(p));
      return level(p) >= MIN_DBFS && 10 * Math.log10(p / Math.max(floor[floor.length >> 1], 1e-20)) >= 20;
    };
    const channels = [];
    const peaks = [];
    for (let c = 0; c < buffer.numberOfChannels; c++) {
      const data = buffer.getChannelData(c);
      const share = {};
      let windows = 0;
      for (let i = 0; i + size <= data.length; i += size) windows++;
      for (const f of freqs) {
        let n = 0;
        for (let i = 0; i + size <= data.length; i += size) if (present(data.subarray(i, i + size), f)) n++;
        share[f] = Math.round((n / windows) * 1000) / 1000;
      }
      channels.push(share);
      peaks.push(Object.fromEntries(Object.entries(loudest).map(([f, db]) => [f, Math.round(db)])));
      for (const f of Object.keys(loudest)) delete loudest[f];
    }
    return { status: response.status, complete, bytes: byteLength, seconds: buffer.duration, channelCount: buffer.numberOfChannels, channels, peaks };
  }, { path: `/api/calls/${callId}/recordings/${take}/audio`, token: supervisorToken(), freqs: [TONES.customer, TONES.agent, TONES.s1, TONES.s2], MIN_DBFS });
}

for (const recordWhisper of [false, true]) {
  test(`recording with whisper ${recordWhisper ? 'recorded' : 'not recorded'}: each channel holds exactly its voices`, async () => {
    const pages = [];
    try {
      await recordedCall(recordWhisper, pages);
    } finally {
      for (const page of pages) await page.context().close().catch(() => {});
    }
  });
}

/** One recorded call with s1 whispering and s2 barging; its pages go into `pages` for cleanup. */
async function recordedCall(recordWhisper, pages) {
  const s1 = await openParty(system, 'console.html', 's1', TONES.s1);
  pages.push(s1);
  await teamRecordsWhisper(s1, recordWhisper); // before the call: a call takes the team's settings when it starts
  const agent = await agentReady(system);
  pages.push(agent);
  const customer = await connectCall(system, agent);
  pages.push(customer);
  const s2 = await openConsole(system, 's2');
  pages.push(s2);
  await s1.locator('#calls tr[data-call]').first().waitFor();
  await clickMode(s1, 'whisper');
  await clickMode(s2, 'barge');
  await agent.click('#record');
  await agent.locator('#recording-state', { hasText: 'Recording.' }).waitFor();
  const callId = await agent.evaluate(() => window.earshotDemo.call.id);
  await sleep(6000);
  const stats = await agent.evaluate(() => ({ ...window.earshotDemo.call.recorder.stats }));
  await agent.click('#hang-up');
  const row = await until('the completed take', async () => {
    const take = await listed(callId);
    return take?.complete ? take : null;
  });
  assert.equal(row.include_whisper, recordWhisper, 'the take says whether it carries whisper');
  const result = await analyse(s1, callId, row.take);
  const uploadMs = [...stats.uploadMs].sort((a, b) => a - b);
  console.log(`whisper ${recordWhisper}: ${row.chunks} chunks, ${row.bytes} bytes, ${result.seconds.toFixed(1)} s;`
    + ` chunk ${Math.round(row.bytes / row.chunks)} B mean; upload ms median ${uploadMs[uploadMs.length >> 1]} max ${uploadMs.at(-1)};`
    + ` tone shares ${JSON.stringify(result.channels)}, loudest dBFS ${JSON.stringify(result.peaks)}`);
  assert.equal(result.status, 200);
  assert.equal(result.complete, 'true');
  assert.equal(result.channelCount, 2, 'stereo');
  assert.ok(result.seconds > 5, `${result.seconds} s recorded`);
  const [customerChannel, agentChannel] = result.channels;
  assert.ok(customerChannel[TONES.customer] > 0.5, 'the customer is on the customer channel');
  assert.equal(customerChannel[TONES.s1], 0, 'whisper never reaches the customer channel');
  assert.equal(customerChannel[TONES.s2], 0, 'the customer channel is the customer alone');
  assert.equal(customerChannel[TONES.agent], 0, 'the customer channel is the customer alone');
  assert.ok(agentChannel[TONES.agent] > 0.5, 'the agent is on the agent channel');
  assert.ok(agentChannel[TONES.s2] > 0.5, 'the barging supervisor is on the agent channel');
  assert.equal(agentChannel[TONES.customer], 0, 'the customer is not on the agent channel');
  if (recordWhisper) assert.ok(agentChannel[TONES.s1] > 0.5, 'recorded whisper is on the agent channel');
  else assert.equal(agentChannel[TONES.s1], 0, 'whisper is not recorded');
  for (const page of [agent, customer, s1, s2]) assert.deepEqual(page.errors, [], 'no uncaught page errors');
}

test('an agent tab killed mid-recording leaves a playable partial, marked incomplete', async () => {
  const agent = await agentReady(system);
  await connectCall(system, agent);
  await agent.click('#record');
  const callId = await agent.evaluate(() => window.earshotDemo.call.id);
  await until('three uploaded chunks', () => agent.evaluate(() => window.earshotDemo.call.recorder.stats.chunks >= 3));
  await agent.context().close(); // no hang-up, no unload handler: the tab is simply gone
  const row = await listed(callId);
  assert.equal(row.complete, false);
  assert.ok(row.chunks >= 3, `${row.chunks} chunks stored`);
  const reviewer = await openParty(system, 'index.html', 'none', 0);
  const result = await analyse(reviewer, callId, row.take);
  assert.equal(result.complete, 'false');
  assert.equal(result.bytes, row.bytes);
  assert.ok(result.seconds >= 2, `${result.seconds} s decodable`);
  assert.ok(result.channels[0][TONES.customer] > 0.5, 'the partial holds the call');
  assert.ok(result.channels[1][TONES.agent] > 0.5, 'the partial holds the call');
});
