// Consent for a phone caller (issue 20): real wrangler dev, Kamailio, rtpengine and baresip (a 400 Hz
// tone as the caller's voice, G.711 like a phone line). With the team requiring consent, the agent's
// hub plays the spoken disclosure (scripts/phone-prompts.sh) into the caller's feed, the agent's voice
// held meanwhile; no supervisor may monitor until the caller consented — by staying on the line past
// the disclosure (the default) or, where the team says so, by pressing 1 (an in-band DTMF tone in the
// caller's audio; baresip 1.0 sends key presses only as RFC 4733 events, which reach no browser, see
// README "Phone callers"). By tone at baresip's recording and the supervisor's
// ears, and the audit trail saying which way and when.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Minter } from '../worker/harness.mjs';
import { startSystem, openParty, listen, hears, sleep, ARTIFACTS, TONES } from './lib/system.mjs';
import { clickMode } from './lib/scenario.mjs';
import { startSipStack } from './lib/sip-stack.mjs';
import { startBaresip } from './lib/baresip.mjs';
import { writeToneWav, readWav, toneWindows, loudWindows } from './lib/wav.mjs';

/** How long the spoken disclosure lasts (s), give or take espeak-ng's pace: both prompts are ~6.5 s. */
const DISCLOSURE_S = 6.5;
let stack, system, phone, agent, s1;

before(async () => {
  stack = await startSipStack();
  system = await startSystem();
  const toneFile = join(ARTIFACTS, 'phone-consent-caller.wav');
  writeToneWav(toneFile, { hz: TONES.customer, seconds: 120 });
  phone = await startBaresip({ toneFile, user: '+15550100123', codecs: 'pcmu,pcma' });
  s1 = await openParty(system, 'console.html', 's1', TONES.s1);
  await s1.locator('#consent-required:not([disabled])').check();
  await s1.waitForFunction(() => window.earshotDemo.feed?.consent_required === true);
  agent = await openParty(system, 'agent.html', 'a1', TONES.agent, { sip: stack.ws });
  await agent.locator('#toggle-available:not([disabled])', { hasText: 'Become available' }).click();
});

after(async () => {
  await phone?.stop();
  await system?.stop();
  await stack?.stop();
});

/** The caller dials the agent, who answers; resolves with when the call was established and its id. */
async function answeredCall() {
  await agent.locator('#status-line', { hasText: 'Phone calls reach you at' }).waitFor({ timeout: 10_000 });
  const from = phone.events.length;
  await phone.dial(`sip:agent-a1@${stack.sip}`);
  await agent.locator('#ring:not([hidden])').waitFor({ timeout: 10_000 });
  await agent.locator('#answer').click();
  const established = (await phone.event('CALL_ESTABLISHED', 15_000, from)).at;
  const row = s1.locator('#calls tr[data-call]').first();
  await row.waitFor({ timeout: 10_000 });
  return { established, callId: await row.getAttribute('data-call') };
}

/** Monitoring is refused while the caller has not consented, and the supervisor is not let in. */
async function monitorRefused() {
  await s1.locator('#calls tr[data-call] .flag', { hasText: 'awaiting consent' }).waitFor();
  await s1.locator('#calls tr[data-call] button[data-mode="monitor"]').click();
  await s1.locator('#status-line.error', { hasText: /refused.*disclosure/i }).waitFor();
  assert.equal(await s1.evaluate(() => window.earshotDemo.mine), null, 'refused: the supervisor is not in the call, so hears nothing');
}

/** Once consent is given: the supervisor monitors and hears the caller. */
async function monitorHearsCaller() {
  await s1.locator('#calls tr[data-call] .flag', { hasText: 'awaiting consent' }).waitFor({ state: 'detached', timeout: 15_000 });
  await clickMode(s1, 'monitor');
  await hears(s1, TONES.customer, true, 10_000);
}

async function consentRow(callId) {
  const res = await fetch(`${system.base}/api/calls/${callId}/audit`, { headers: { Authorization: `Bearer ${new Minter().supervisor('auditor', 'blue')}` } });
  const rows = (await res.json()).rows.filter((r) => r.kind === 'consent');
  assert.equal(rows.length, 1, `one consent row: ${JSON.stringify(rows)}`);
  return rows[0];
}

async function hangUp() {
  await clickMode(s1, 'leave');
  await phone.hangup();
  await agent.locator('#idle:not([hidden])').waitFor({ timeout: 10_000 });
}

test('a phone caller hears the disclosure and consents by staying on the line; only then may a supervisor listen', async () => {
  const { established, callId } = await answeredCall();
  await monitorRefused();
  await monitorHearsCaller();
  const consent = await consentRow(callId);
  assert.equal(consent.actor_role, 'agent', 'the hub gives the phone caller\'s consent');
  assert.equal(consent.detail, 'phone: stayed on the line');
  const consentS = (consent.at - established) / 1000;
  assert.ok(consentS >= DISCLOSURE_S - 1, `consent only after the disclosure played: ${consentS.toFixed(1)} s into the call`);
  await listen(agent);
  await hears(agent, TONES.customer, true, 10_000);
  await sleep(2000); // the caller hears the agent again, for the recording below
  await hangUp();

  const heard = readWav(phone.heardFile());
  const within = (times, from, to) => times.filter((t) => t >= from && t < to).length;
  const speech = within(loudWindows(heard), 0, consentS) - within(toneWindows(heard, TONES.agent), 0, consentS);
  const agentDuring = toneWindows(heard, TONES.agent).filter((t) => t < consentS - 0.5);
  const agentAfter = within(toneWindows(heard, TONES.agent), consentS + 0.5, consentS + 2);
  assert.ok(speech >= 100, `the caller's recording carries the disclosure: ${speech} windows of 20 ms of sound that is not the agent's tone`);
  assert.deepEqual(agentDuring, [], 'the agent\'s voice is held while the disclosure plays (times in s)');
  assert.ok(agentAfter >= 25, `the caller hears the agent after the disclosure: ${agentAfter} windows of 20 ms`);
  console.log(`stay on the line: consent ${consentS.toFixed(2)} s after the call was established; disclosure heard for ${speech * 20} ms; agent heard after it for ${agentAfter * 20} ms`);
});

test('where the team says so, a phone caller consents by pressing 1 (an in-band DTMF tone), and not before', async () => {
  await s1.locator('#settings summary').click();
  await s1.locator('#settings-form input[name="phone_press_one"]').check();
  await s1.click('#settings-form button[type="submit"]');
  await s1.locator('#status-line', { hasText: 'Team settings saved' }).waitFor();
  await s1.locator('#settings summary').click();

  // This caller's voice presses 1 well after the disclosure ended: until then nobody may listen.
  const toneFile = join(ARTIFACTS, 'phone-consent-press-one.wav');
  const keyAtS = DISCLOSURE_S + 6;
  writeToneWav(toneFile, { hz: TONES.customer, seconds: 60, dtmfOneAtS: keyAtS });
  await phone.stop();
  phone = await startBaresip({ toneFile, user: '+15550100124', codecs: 'pcmu,pcma' });
  const { established, callId } = await answeredCall();
  await sleep((DISCLOSURE_S + 1.5) * 1000 - (Date.now() - established)); // past the disclosure, no key pressed yet
  await monitorRefused();
  await monitorHearsCaller();
  const consent = await consentRow(callId);
  assert.equal(consent.detail, 'phone: pressed 1');
  const consentS = (consent.at - established) / 1000;
  assert.ok(consentS >= keyAtS, `consent came with the key press (${keyAtS} s into the caller's audio), not before: ${consentS.toFixed(2)} s`);
  console.log(`press 1: consent ${consentS.toFixed(2)} s after the call was established, the key ${keyAtS} s into the caller's audio`);
  await hangUp();
});
