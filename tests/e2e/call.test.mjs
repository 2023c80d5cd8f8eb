// A supervised call through the demo pages in headless Chromium over real WebRTC on loopback: every
// supervisor mode and every switch between modes, checked by who hears whose tone; the join tone;
// fifty switches with the customer never hearing the supervisor; two supervisors; another team's
// supervisor refused. Screenshots of each page land in artifacts/e2e/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSystem, openParty, hears, startWatch, stopWatch, screenshot, TONES } from './lib/system.mjs';
import { agentReady, connectCall, openConsole, clickMode } from './lib/scenario.mjs';
import { HEARS, assertHearing, everySwitch } from './lib/hearing.mjs';

const JOIN_TONE_HZ = 2600;
let system, agent, customer, s1;

before(async () => {
  system = await startSystem();
  agent = await agentReady(system);
  customer = await connectCall(system, agent);
  s1 = await openConsole(system, 's1'); // its audio starts with the first click (clickMode listens)
});

after(async () => {
  for (const page of [agent, customer, s1]) assert.deepEqual(page?.errors ?? [], [], 'no uncaught page errors');
  await system?.stop();
});

/** Moves s1 into `state` through the console, as one click. */
async function enter(state) {
  await clickMode(s1, state === 'absent' ? 'leave' : state);
}

test('every mode and every switch between modes: each party hears exactly what the matrix says', async () => {
  const states = ['absent', 'monitor', 'whisper', 'barge', 'takeover'];
  const walk = everySwitch(states, 'absent');
  assert.equal(walk.length, states.length * (states.length - 1) + 1, 'all 20 ordered switches');
  await assertHearing({ customer, agent }, HEARS.absent);
  for (const [i, state] of walk.slice(1).entries()) {
    await enter(state);
    await assertHearing(state === 'absent' ? { customer, agent } : { customer, agent, s1 }, HEARS[state])
      .catch((error) => assert.fail(`${walk[i]} → ${state}: ${error.message}`));
  }
});

test('the join tone: the agent hears it when monitoring starts, the customer only on barge', async () => {
  await s1.check('#join-tone');
  await startWatch(customer, JOIN_TONE_HZ);
  const agentHearsTone = agent.evaluate((hz) => window.detector.waitFor(hz, true, 3000), JOIN_TONE_HZ);
  await enter('monitor');
  await agentHearsTone;
  await new Promise((r) => setTimeout(r, 500)); // the tone is 180 ms: let any trace of it pass
  assert.deepEqual(await stopWatch(customer, JOIN_TONE_HZ), { times: 0, presentMs: 0 }, 'no tone for the customer on monitor');
  const customerHearsTone = customer.evaluate((hz) => window.detector.waitFor(hz, true, 3000), JOIN_TONE_HZ);
  await enter('barge');
  await customerHearsTone;
  await s1.uncheck('#join-tone');
  await enter('absent');
});

test('fifty switches: the customer never hears the supervisor in monitor or whisper', async () => {
  await hears(customer, TONES.s1, false); // the previous test's barge has faded out
  await startWatch(customer, TONES.s1);
  const cycle = ['monitor', 'whisper', 'absent'];
  for (let i = 0; i < 51; i++) {
    const state = cycle[i % cycle.length];
    await enter(state);
    if (state === 'whisper') await hears(agent, TONES.s1, true); // the supervisor's voice really flows
  }
  const text = await customer.textContent('body');
  assert.ok(!text.includes('Dana'), 'the customer page never names the supervisor');
  assert.deepEqual(await stopWatch(customer, TONES.s1), { times: 0, presentMs: 0 });
  // The same detector does hear the supervisor as soon as the customer may.
  await enter('barge');
  await hears(customer, TONES.s1, true);
  await customer.locator('#agent-state', { hasText: 'You are talking to an agent and Dana.' }).waitFor();
  await enter('absent');
});

test('two supervisors on one call, each one\'s mode setting who hears them; help and queue on the console', async () => {
  const s2 = await openConsole(system, 's2');
  await enter('whisper');
  await clickMode(s2, 'monitor');
  // s1 whispers: only the agent and the other (listening) supervisor hear s1; nobody hears s2.
  await assertHearing({ customer, agent, s1, s2 }, {
    customer: ['agent'],
    agent: ['customer', 's1'],
    s1: ['agent', 'customer'],
    s2: ['agent', 'customer', 's1'],
  });
  await clickMode(s2, 'barge');
  await assertHearing({ customer, agent, s1, s2 }, {
    customer: ['agent', 's2'],
    agent: ['customer', 's1', 's2'],
    s1: ['agent', 'customer', 's2'],
    s2: ['agent', 'customer', 's1'],
  });
  await s2.locator('#calls tr[data-call] .badge', { hasText: 'Dana: whisper' }).waitFor();
  await agent.locator('#supervisors li[data-id="s2"][data-mode="barge"]').waitFor();
  // The agent asks for help and a second customer waits: both show on the console.
  await agent.click('#raise-hand');
  await s1.locator('#calls tr[data-call] .flag.help').waitFor();
  const waiting = await openParty(system, 'customer.html', 'c2', TONES.customer);
  await waiting.click('#call-button');
  await waiting.locator('#position', { hasText: '1' }).waitFor();
  await s1.locator('#queue li', { hasText: 'Mr Okafor' }).waitFor();
  await Promise.all([screenshot(s1, 'console'), screenshot(agent, 'agent'), screenshot(customer, 'customer'), screenshot(waiting, 'customer-queued')]);
  await waiting.context().close();
  await agent.click('#raise-hand');
  await s1.locator('#calls tr[data-call] .flag.help').waitFor({ state: 'detached' });
  await clickMode(s2, 'leave');
  await enter('absent');
  assert.deepEqual(s2.errors, []);
  await s2.context().close();
});

test('coaching text reaches the agent only', async () => {
  await enter('monitor');
  await s1.fill('#coach-text', 'Offer the refund now');
  await s1.press('#coach-text', 'Enter');
  await agent.locator('#coaching li', { hasText: 'Offer the refund now' }).waitFor();
  assert.ok(!(await customer.textContent('body')).includes('refund'));
  await enter('absent');
});

test('a supervisor of another team is refused and learns nothing of the call', async () => {
  const callId = await agent.evaluate(() => window.earshotDemo.call.id);
  const s3 = await openParty(system, 'console.html', 's3', TONES.s2, { call: callId });
  await s3.locator('#status-line.error', { hasText: /refused/i }).waitFor();
  assert.equal(await s3.evaluate(() => window.earshotDemo.mine), null);
  assert.equal(await s3.locator('#calls tr[data-call]').count(), 0, 'the green feed lists no blue call');
  assert.equal(await agent.locator('#supervisors li[data-id="s3"]').count(), 0);
  await screenshot(s3, 'console-other-team');
  await s3.context().close();
});

test('the login picker lists every role of both teams', async () => {
  const page = await system.browser.newPage();
  await page.goto(system.base);
  for (const user of ['c1', 'a1', 'a2', 's1', 's4', 'c3', 'a3', 's3']) {
    assert.equal(await page.locator(`a[data-user="${user}"]`).count(), 1, user);
  }
  await screenshot(page, 'login');
  await page.close();
});

test('the agent hears the call through the echo-referenced path: a loopback peer connection into an <audio> element', async () => {
  await enter('whisper');
  const playback = await agent.evaluate(() => {
    const { playback } = window.earshotDemo.audio;
    return { referenced: playback.referenced, reason: playback.reason ?? null, plays: playback.element?.srcObject === playback.stream,
      paused: playback.element?.paused ?? null, muted: playback.element?.muted ?? null };
  });
  assert.deepEqual(playback, { referenced: true, reason: null, plays: true, paused: false, muted: false });
  // What arrives over the loopback, and the element plays, is the agent's mix: the customer and the whisper.
  await agent.evaluate(() => {
    const { context, playback } = window.earshotDemo.audio;
    window.playbackDetector = earshotTones.makeDetector(context, new MediaStreamAudioSourceNode(context, { mediaStream: playback.stream }));
  });
  for (const source of ['customer', 's1']) {
    await agent.evaluate((hz) => window.playbackDetector.waitFor(hz, true, 5000), TONES[source]);
  }
  await enter('absent');
  await agent.evaluate((hz) => window.playbackDetector.waitFor(hz, false, 5000), TONES.s1);
  assert.match(await agent.textContent('#echo-note'), /headset/);
});
