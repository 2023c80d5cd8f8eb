// Which codecs a phone caller may speak (issue 20): real wrangler dev, Kamailio, rtpengine and baresip
// offering one codec only. By tone, both ways: the agent hears the caller's 400 Hz, and baresip's
// recording holds the agent's 850 Hz. PCMU and PCMA pass through rtpengine to the browser (which
// speaks both); Opus too (baresip's Debian build has it).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startSystem, openParty, listen, hears, sleep, ARTIFACTS, TONES } from './lib/system.mjs';
import { startSipStack } from './lib/sip-stack.mjs';
import { startBaresip } from './lib/baresip.mjs';
import { writeToneWav, readWav, toneWindows } from './lib/wav.mjs';

let stack, system, agent;
const toneFile = join(ARTIFACTS, 'phone-codecs-caller.wav');

before(async () => {
  stack = await startSipStack();
  system = await startSystem();
  writeToneWav(toneFile, { hz: TONES.customer, seconds: 60 });
  agent = await openParty(system, 'agent.html', 'a1', TONES.agent, { sip: stack.ws });
  await agent.locator('#toggle-available:not([disabled])', { hasText: 'Become available' }).click();
});

after(async () => {
  await system?.stop();
  await stack?.stop();
});

// baresip's codec names, and the encoder it must then report.
for (const [codec, encoder] of [['pcmu', 'PCMU'], ['pcma', 'PCMA'], ['opus/48000/2', 'opus']]) {
  test(`a caller speaking only ${encoder} is heard and hears the agent`, async () => {
    const phone = await startBaresip({ toneFile, user: '+15550100125', codecs: codec });
    try {
      await agent.locator('#status-line', { hasText: 'Phone calls reach you at' }).waitFor({ timeout: 10_000 });
      await phone.dial(`sip:agent-a1@${stack.sip}`);
      await agent.locator('#ring:not([hidden])').waitFor({ timeout: 10_000 });
      await agent.locator('#answer').click();
      await phone.event('CALL_ESTABLISHED');
      await listen(agent);
      const agentHearsMs = await hears(agent, TONES.customer, true, 10_000);
      await sleep(2000);
      await phone.hangup();
      await agent.locator('#idle:not([hidden])').waitFor({ timeout: 10_000 });
      const callerHears = toneWindows(readWav(phone.heardFile()), TONES.agent).length;
      assert.ok(callerHears >= 25, `the caller hears the agent: ${callerHears} windows of 20 ms`);
      const used = phone.log().match(/Set audio encoder: (\S+)/)?.[1];
      assert.equal(used, encoder, 'baresip spoke the one codec it offered');
      console.log(`${codec}: the agent heard the caller ${Math.round(agentHearsMs)} ms after listening began; the caller heard the agent for ${callerHears * 20} ms`);
    } finally {
      await phone.stop();
    }
  });
}
