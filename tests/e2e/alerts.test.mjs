// Alerts that reach a supervisor who is not looking: an agent's raised hand and a newly flagged
// call raise a real desktop notification in a console whose browser granted the permission (the
// browser's own `show` event is the proof), a banner on the page in one that did not, a sound in
// both, and a count in the tab title; a supervisor who turns alerts off gets none, remembered
// across a reload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSystem, openParty, until, screenshot, TONES } from './lib/system.mjs';
import { agentReady, connectCall, saveTeamSettings } from './lib/scenario.mjs';

let system, agent, customer, s1, s2;
const alertsOf = (tab) => tab.evaluate(() => window.earshotDemo.alerts.log.map((a) => ({ ...a })));
const sounding = (tab, on) => tab.evaluate((v) => window.earshotDemo.audio.voice.setSounding(v), on);

before(async () => {
  system = await startSystem();
  s1 = await openParty(system, 'console.html', 's1', TONES.s1, {}, { permissions: ['notifications'] });
  await s1.waitForFunction(() => window.earshotDemo.feed);
  // Dead air after 3 s of silence, raised after 1 s of it: a flag within seconds.
  await saveTeamSettings(s1, { early_barge_minutes: 10, dead_air_s: 3, raise_after_s: 1, clear_after_s: 2 });
  s2 = await openParty(system, 'console.html', 's2', TONES.s2);
  await s2.waitForFunction(() => window.earshotDemo.feed);
  agent = await agentReady(system);
  customer = await connectCall(system, agent);
  await until('both consoles list the call', async () =>
    (await s1.evaluate(() => window.earshotDemo.feed.calls.length)) === 1 && (await s2.evaluate(() => window.earshotDemo.feed.calls.length)) === 1);
});

after(async () => {
  for (const page of [agent, customer, s1, s2]) assert.deepEqual(page?.errors ?? [], [], 'no uncaught page errors');
  await system?.stop();
});

test('a raised hand: a desktop notification where granted, a banner where not, a sound, a count in the title', async () => {
  assert.equal(await s1.evaluate(() => Notification.permission), 'granted');
  assert.deepEqual(await alertsOf(s1), [], 'opening the console replays nothing');
  await agent.click('#raise-hand');
  const shown = await until('s1 is alerted', async () => (await alertsOf(s1)).find((a) => a.kind === 'help' && a.displayed));
  assert.deepEqual({ title: shown.title, shown: shown.shown, sound: shown.sound }, { title: 'Ana raised a hand', shown: 'notification', sound: true });
  assert.match(await s1.title(), /^\(1\) /, 'the tab title counts the call that needs a supervisor');
  const banner = await until('s2 is alerted', async () => (await alertsOf(s2)).find((a) => a.kind === 'help'));
  assert.equal(banner.shown, 'banner', 'no permission: the page shows it');
  assert.match(await s2.locator('#alert-banner').textContent(), /Ana raised a hand/);
  assert.equal(await s2.locator('#alert-banner').isVisible(), true);
  await screenshot(s2, 'console-alert-banner');
});

test('a call newly flagged alerts too, each kind once, with its own sound', async () => {
  // Both test tones at once are overtalk; then nobody speaks: dead air.
  await Promise.all([sounding(agent, false), sounding(customer, false)]);
  const deadAir = await until('s1 is alerted of dead air', async () =>
    (await alertsOf(s1)).find((a) => a.kind === 'flag' && a.title === "dead air: Ana's call" && a.displayed), 30_000);
  assert.equal(deadAir.sound, true);
  const flags = (await alertsOf(s1)).filter((a) => a.kind === 'flag').map((a) => a.title);
  assert.equal(new Set(flags).size, flags.length, `each flag alerted once: ${flags}`);
  assert.ok(await s1.locator('#calls tr[data-call] .flag.health[data-kind="dead_air"]').count(), 'the console shows the flag the alert named');
  await Promise.all([sounding(agent, true), sounding(customer, true)]);
});

test('alerts turned off stay off across a reload; the title still counts', async () => {
  await s2.uncheck('#alerts-on');
  await agent.click('#raise-hand'); // lowered: the feed sends the latest state (at most 4 a second),
  // so the raise that follows must wait until the consoles saw the hand down, or it is no change
  for (const tab of [s1, s2]) await tab.waitForFunction(() => window.earshotDemo.feed.calls[0]?.help_raised === false);
  // The banner no longer claims a raised hand (a notification would be closed the same way).
  await s2.waitForFunction(() => !document.querySelector('#alert-banner .alert.help'));
  await agent.click('#raise-hand'); // raised again: a new alert for s1 only
  await until('s1 is alerted again', async () => (await alertsOf(s1)).filter((a) => a.kind === 'help').length === 2);
  assert.equal((await alertsOf(s2)).filter((a) => a.kind === 'help').length, 1, 's2 turned alerts off');
  await s2.reload();
  await s2.waitForFunction(() => window.earshotDemo.feed);
  assert.equal(await s2.isChecked('#alerts-on'), false, 'remembered in this browser');
  assert.match(await s2.title(), /^\(1\) /);
});
