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
import { loudest, takeTones, toneShare } from './lib/take-tones.mjs';
import { Minter } from '../worker/harness.mjs';

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
 * voice's frequency, the share of 50 ms windows where the tone is present and its loudest level.
 */
async function analyse(tab, callId, take) {
  const freqs = [TONES.customer, TONES.agent, TONES.s1, TONES.s2];
  const result = await takeTones(tab, `/api/calls/${callId}/recordings/${take}/audio`, supervisorToken(), freqs);
  const perTone = (measure) => result.channels.map((windows) => Object.fromEntries(freqs.map((f) => [f, measure(windows, f)])));
  return {
    ...result,
    channels: perTone((windows, f) => Math.round(toneShare(windows, f) * 1000) / 1000),
    peaks: perTone(loudest),
  };
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
