// Steps of a supervised call through the demo pages, as a person would click them.
import { TONES, openParty, listen, hears } from './system.mjs';

/** The agent signs in and becomes available. */
export async function agentReady(system, user = 'a1', tone = TONES.agent) {
  const agent = await openParty(system, 'agent.html', user, tone);
  await agent.locator('#toggle-available:not([disabled])', { hasText: 'Become available' }).click();
  await agent.locator('#availability[data-state="available"]').waitFor();
  return agent;
}

/** A customer calls the team; the agent answers; both hear each other. */
export async function connectCall(system, agent, { user = 'c1', tone = TONES.customer, agentTone = TONES.agent } = {}) {
  const customer = await openParty(system, 'customer.html', user, tone);
  await customer.click('#call-button');
  await agent.locator('#answer').click();
  await Promise.all([listen(customer), listen(agent)]);
  await hears(customer, agentTone, true, 10_000);
  await hears(agent, tone, true, 10_000);
  return customer;
}

/** A supervisor opens the console and waits for the team's live call to be listed. */
export async function openConsole(system, user = 's1', tone = TONES[user] ?? TONES.s1) {
  const console = await openParty(system, 'console.html', user, tone);
  await console.locator('#calls tr[data-call]').first().waitFor();
  return console;
}

/**
 * Clicks a mode button on the (first) call and waits until the worker acknowledged it. A barge or
 * takeover in a call's first minutes asks to confirm (the early-barge guard); this answers yes, as
 * a supervisor who meant it would.
 */
export async function clickMode(console, mode) {
  const row = console.locator('#calls tr[data-call]').first();
  await row.locator(`button[data-mode="${mode}"]`).click();
  if (mode === 'barge' || mode === 'takeover') {
    const asked = await console.waitForFunction((m) => window.earshotDemo.mine?.mode === m || !document.querySelector('#confirm').hidden, mode)
      .then(() => console.evaluate(() => !document.querySelector('#confirm').hidden));
    if (asked) await console.click('#confirm-yes');
  }
  if (mode === 'leave') {
    await console.waitForFunction(() => !window.earshotDemo.mine);
  } else {
    await console.waitForFunction((m) => window.earshotDemo.mine?.mode === m, mode);
    await listen(console);
  }
}

/** Saves team settings through the console's settings form (`values` by input name; shares in %). */
export async function saveTeamSettings(console, values) {
  await console.locator('#settings summary').click();
  for (const [name, value] of Object.entries(values)) await console.fill(`#settings-form input[name="${name}"]`, String(value));
  await console.click('#settings-form button[type="submit"]');
  await console.locator('#status-line', { hasText: 'Team settings saved' }).waitFor();
  await console.locator('#settings summary').click();
}
