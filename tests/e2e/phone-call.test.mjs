// A phone caller as the call's customer (issue 20, the phone leg at the hub): real wrangler dev,
// Kamailio and rtpengine on loopback, the agent's page registered over SIP-over-WebSocket while
// available, baresip dialling the agent's SIP address with a 400 Hz tone as its voice (G.711 only,
// like a phone line). By tone: the agent hears the caller and the caller the agent; a monitoring
// supervisor hears both; in 100 switches between monitor and whisper the caller hears no
// supervisor (the agent hears every whisper); in barge the caller hears the supervisor, in takeover
// the supervisor and not the agent. The caller hangs up mid-barge: the call ends on the agent's page
// and the console. An agent page reloading mid-call hangs up the phone leg and ends the call.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startSystem, openParty, listen, hears, until, ARTIFACTS, TONES } from './lib/system.mjs';
import { clickMode, openConsole } from './lib/scenario.mjs';
import { startSipStack } from './lib/sip-stack.mjs';
import { startBaresip } from './lib/baresip.mjs';
import { writeToneWav, readWav, toneWindows } from './lib/wav.mjs';

const CALLER_NUMBER = '+15550100123';
let stack, system, phone, agent;
const marks = {};
const t0 = Date.now();
const step = (what) => console.log(`${Date.now() - t0} ms: ${what}`); // ms since the phone call was established, per step, to cut baresip's recording

before(async () => {
  stack = await startSipStack();
  system = await startSystem();
  const toneFile = join(ARTIFACTS, 'phone-call-caller.wav');
  writeToneWav(toneFile, { hz: TONES.customer, seconds: 120 });
  phone = await startBaresip({ toneFile, user: CALLER_NUMBER, codecs: 'pcmu,pcma' });
  agent = await openParty(system, 'agent.html', 'a1', TONES.agent, { sip: stack.ws });
});

after(async () => {
  await phone?.stop();
  await system?.stop();
  await stack?.stop();
});

test('an available agent takes a phone call: the hub mixes the caller like a web customer', async () => {
  const started = Date.now();
  await agent.locator('#toggle-available:not([disabled])', { hasText: 'Become available' }).click();
  await agent.locator('#status-line', { hasText: 'Phone calls reach you at sip:agent-a1@' }).waitFor({ timeout: 10_000 });

  step('registered');
  await phone.dial(`sip:agent-a1@${stack.sip}`);
  await agent.locator('#ring:not([hidden])').waitFor({ timeout: 10_000 });
  assert.equal(await agent.locator('#ring-label').innerText(), '+1 555 ••• 0123', 'the agent sees the number masked');
  step('ringing');
  await agent.locator('#answer').click();
  const established = (await phone.event('CALL_ESTABLISHED')).at;
  step('established');
  await listen(agent);
  const agentHearsMs = await hears(agent, TONES.customer, true, 10_000);

  // A supervisor monitors: hears the caller and the agent; the caller hears no supervisor.
  step('agent hears');
  const s1 = await openConsole(system, 's1');
  assert.match(await s1.locator('#calls tr[data-call]').first().innerText(), /\+1 555 ••• 0123/, 'the console lists the phone call masked');
  step('console');
  marks.monitor = Date.now() - established;
  await clickMode(s1, 'monitor');
  await hears(s1, TONES.customer, true, 10_000);
  await hears(s1, TONES.agent, true, 10_000);
  // 100 switches monitor ↔ whisper: the agent hears every whisper (the positive control), the
  // caller's recording must hold no supervisor tone in all that time.
  // Five clicks a second: a mode change costs three of the worker's 20 tokens a second per socket
  // (edge-worker/src/net/rate_limit.rs), so faster clicking is refused.
  for (let i = 1, next = Date.now(); i <= 100; i++, next += 200) {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - Date.now())));
    const mode = i % 2 ? 'whisper' : 'monitor';
    await clickMode(s1, mode).catch(async (error) => assert.fail(`switch ${i} to ${mode}: ${error.message}; the console says: ${await s1.locator('#status-line').innerText()}`));
    if (mode === 'whisper') await hears(agent, TONES.s1, true);
  }
  step('100 switches monitor ↔ whisper');
  marks.barge = Date.now() - established;
  await clickMode(s1, 'barge');
  await hears(agent, TONES.s1, true, 10_000);
  await new Promise((resolve) => setTimeout(resolve, 3000));
  step('barged');
  marks.takeover = Date.now() - established;
  await clickMode(s1, 'takeover');
  await hears(s1, TONES.customer, true, 10_000);
  await new Promise((resolve) => setTimeout(resolve, 3000));
  // Back to barge, and the caller hangs up mid-barge.
  await clickMode(s1, 'barge');
  marks.hangup = Date.now() - established;

  step('took over, barging again');
  await phone.hangup();
  await agent.locator('#idle:not([hidden])').waitFor({ timeout: 10_000 });
  step('agent idle');
  await until('the console drops the call', async () => (await s1.locator('#calls tr[data-call]').count()) === 0, 10_000);

  const heard = readWav(phone.heardFile());
  const during = (from, to, hz) => toneWindows(heard, hz).filter((t) => t * 1000 >= from && t * 1000 < to).length;
  // 500 ms after each click for the change to reach the caller (the switch target is 150 ms).
  const agentBeforeMonitor = during(0, marks.monitor, TONES.agent);
  const supervisorWhileMonitoring = during(marks.monitor, marks.barge, TONES.s1);
  const supervisorInBarge = during(marks.barge + 500, marks.takeover, TONES.s1);
  const supervisorInTakeover = during(marks.takeover + 500, marks.takeover + 3000, TONES.s1);
  const agentInTakeover = during(marks.takeover + 500, marks.takeover + 3000, TONES.agent);
  assert.ok(agentBeforeMonitor >= 25, `the caller hears the agent: ${agentBeforeMonitor} windows of 20 ms`);
  assert.equal(supervisorWhileMonitoring, 0, 'the caller hears no supervisor in 100 switches between monitor and whisper');
  assert.ok(supervisorInBarge >= 25, `the caller hears the barging supervisor: ${supervisorInBarge} windows of 20 ms`);
  assert.ok(supervisorInTakeover >= 50, `the caller hears the supervisor who took over: ${supervisorInTakeover} windows of 20 ms`);
  assert.equal(agentInTakeover, 0, 'the caller does not hear the agent in takeover');
  console.log(`phone call: agent heard the caller ${Math.round(agentHearsMs)} ms after listening began; caller heard the agent for ${agentBeforeMonitor * 20} ms, the barging supervisor for ${supervisorInBarge * 20} ms, the supervisor in takeover for ${supervisorInTakeover * 20} ms; ${Date.now() - started} ms`);
});

test('the agent page reloading mid-call ends the phone leg (BYE) and the call, with a reason', async () => {
  await agent.locator('#availability[data-state="available"]').waitFor({ timeout: 10_000 });
  await agent.locator('#status-line', { hasText: 'Phone calls reach you at' }).waitFor({ timeout: 10_000 });
  const from = phone.events.length;
  await phone.dial(`sip:agent-a1@${stack.sip}`);
  await agent.locator('#ring:not([hidden])').waitFor({ timeout: 10_000 });
  await agent.locator('#answer').click();
  await phone.event('CALL_ESTABLISHED', 15_000, from);
  await listen(agent);
  await hears(agent, TONES.customer, true, 10_000);
  await agent.addInitScript(() => addEventListener('DOMContentLoaded', () => {
    const line = document.querySelector('#status-line');
    window.statusLog = [];
    new MutationObserver(() => window.statusLog.push(line.textContent)).observe(line, { childList: true, characterData: true, subtree: true });
  }));
  const reloaded = Date.now();
  await agent.reload();
  const closed = await phone.event('CALL_CLOSED', 10_000, from);
  // What the reloaded page's status line said, line by line (the next line, the phone line opening
  // again, follows at once).
  const said = () => agent.evaluate(() => window.statusLog);
  await until('the reloaded page says why the call ended', async () => (await said())?.some((line) => line.includes('the page reloaded')), 10_000)
    .catch(async (error) => assert.fail(`${error.message}; it said: ${JSON.stringify(await said())}`));
  await agent.locator('#idle:not([hidden])').waitFor({ timeout: 10_000 });
  console.log(`reload: the caller got BYE ${closed.at - reloaded} ms after the reload began`);
});
