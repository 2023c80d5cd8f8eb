// Starting calls through the demo pages: with the team asking for consent, a new call shows (and reads
// out) the disclosure and no supervisor may listen until the customer has accepted it; and an agent's
// call link brings a guest customer into a call without the queue.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startSystem, openParty, listen, hears, TONES, ROOT } from './lib/system.mjs';
import { agentReady, connectCall, clickMode } from './lib/scenario.mjs';

let system;

before(async () => {
  system = await startSystem();
});

after(async () => {
  await system?.stop();
});

test('monitoring waits for the customer to accept the disclosure when the team asks for consent', async () => {
  const agent = await agentReady(system);
  const s1 = await openParty(system, 'console.html', 's1', TONES.s1); // before any call exists
  await s1.locator('#consent-required:not([disabled])').check();
  await s1.waitForFunction(() => window.earshotDemo.feed?.consent_required === true);
  const customer = await connectCall(system, agent);
  await customer.locator('#disclosure:not([hidden])').waitFor();
  await s1.locator('#calls tr[data-call] .flag', { hasText: 'awaiting consent' }).waitFor();

  await s1.locator('#calls tr[data-call] button[data-mode="monitor"]').click();
  await s1.locator('#status-line.error', { hasText: /refused.*disclosure/i }).waitFor();
  assert.equal(await s1.evaluate(() => window.earshotDemo.mine), null, 'refused on arrival: not left lingering in the call');

  await customer.click('#consent');
  await customer.locator('#disclosure').waitFor({ state: 'hidden' });
  await s1.locator('#calls tr[data-call] .flag', { hasText: 'awaiting consent' }).waitFor({ state: 'detached' });
  await clickMode(s1, 'monitor');
  await hears(s1, TONES.customer, true, 10_000);
  await hears(customer, TONES.s1, false);
  for (const page of [agent, customer, s1]) assert.deepEqual(page.errors, []);
});


test('an agent\'s call link brings a guest customer straight into a call', async () => {
  const agent = await openParty(system, 'agent.html', 'a3', TONES.agent);
  await agent.locator('#create-link:not([disabled])').click();
  await agent.locator('#link:not([hidden])').waitFor();
  const link = await agent.locator('#link-url').getAttribute('href');
  assert.match(link, /customer\.html\?call=[0-9a-f]{64}&team=green$/);
  const guest = await system.browser.newPage();
  await guest.goto(`${link}&tone=${TONES.customer}`);
  await guest.addScriptTag({ path: join(ROOT, 'tests', 'e2e', 'lib', 'tones.js') });
  await guest.locator('#call-button', { hasText: 'Join the call' }).click();
  await Promise.all([listen(guest), listen(agent)]);
  await hears(guest, TONES.agent, true, 10_000);
  await hears(agent, TONES.customer, true, 10_000);
  await guest.click('#hang-up');
  await agent.locator('#status-line', { hasText: 'Call ended' }).waitFor();
  assert.deepEqual(agent.errors, []);
});
