// Faults in a live call through the demo pages: a supervisor who vanishes during barge or takeover
// hands the call back (the customer keeps hearing the agent), and a customer or an agent who reloads
// the page gets the call back with every party's audio restored.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startSystem, reloadParty, listen, hears, TONES, ROOT } from './lib/system.mjs';
import { agentReady, connectCall, openConsole, clickMode } from './lib/scenario.mjs';
import { HEARS, assertHearing } from './lib/hearing.mjs';

let system, agent, customer;

before(async () => {
  system = await startSystem();
  agent = await agentReady(system);
  customer = await connectCall(system, agent);
});

after(async () => {
  for (const page of [agent, customer]) assert.deepEqual(page?.errors ?? [], [], 'no uncaught page errors');
  await system?.stop();
});

for (const mode of ['barge', 'takeover']) {
  test(`a supervisor who closes the console during ${mode} leaves the customer hearing the agent`, async () => {
    const s1 = await openConsole(system, 's1');
    await clickMode(s1, mode);
    await assertHearing({ customer, agent, s1 }, HEARS[mode]);
    await s1.context().close(); // the tab goes: its sockets and peer connection with it
    await assertHearing({ customer, agent }, HEARS.absent, 5000);
    await agent.locator('#supervisors li.muted', { hasText: 'No supervisor' }).waitFor();
  });
}

test("a supervisor whose media link drops (the socket still up) is offered a new one by the hub and hears the call again", async () => {
  const s1 = await openConsole(system, 's1');
  await clickMode(s1, 'monitor');
  await assertHearing({ customer, agent, s1 }, HEARS.monitor);
  await s1.evaluate(() => window.earshotDemo.mine.link.pc.close()); // the path is gone; the call's socket is not
  await hears(s1, TONES.customer, false, 5000);
  await hears(s1, TONES.customer, true, 20_000); // the hub saw its link drop and offered a new one
  const restarts = await agent.evaluate(() => window.earshotDemo.call.links.get('supervisor:s1').restarts);
  console.log(`the hub's new offers to s1: ${JSON.stringify(restarts)}`);
  assert.ok(restarts.length >= 1, 'the hub offered a new link');
  await assertHearing({ customer, agent, s1 }, HEARS.monitor);
  await clickMode(s1, 'leave');
  await s1.context().close();
});

test('a customer who reloads mid-call rejoins the same call', async () => {
  await customer.reload();
  await customer.addScriptTag({ path: join(ROOT, 'tests', 'e2e', 'lib', 'tones.js') });
  await customer.locator('#call-button', { hasText: 'Rejoin your call' }).click();
  await listen(customer);
  await assertHearing({ customer, agent }, HEARS.absent, 10_000);
  await customer.locator('#agent-state', { hasText: 'talking to an agent' }).waitFor();
});

test('an agent who reloads mid-call gets the call back, with every party\'s audio', async () => {
  const s1 = await openConsole(system, 's1');
  await clickMode(s1, 'whisper');
  await assertHearing({ customer, agent, s1 }, HEARS.whisper);
  await reloadParty(agent);
  await agent.locator('#status-line', { hasText: 'Call resumed.' }).waitFor();
  await agent.locator('#supervisors li[data-id="s1"][data-mode="whisper"]').waitFor();
  await assertHearing({ customer, agent, s1 }, HEARS.whisper, 10_000);
  // The call goes on after the reload: the supervisor can still switch, and the customer hang up.
  await clickMode(s1, 'barge');
  await assertHearing({ customer, agent, s1 }, HEARS.barge);
  await clickMode(s1, 'leave');
  await customer.click('#hang-up');
  await agent.locator('#availability', { hasText: 'available' }).waitFor();
  await hears(agent, TONES.customer, false);
  assert.deepEqual(s1.errors, []);
});
