// Consent through the demo pages: with the team asking for it, a new call shows (and reads out) the
// disclosure to the customer, and no supervisor may listen until the customer has acknowledged it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSystem, openParty, hears, TONES } from './lib/system.mjs';
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

