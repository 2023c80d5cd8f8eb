// Call health through the demo pages: scripted audio (the parties' tones switched on and off, and
// espeak-ng speech at a normal and a loud level) goes through the agent's hub, whose Rust probe
// reports each second; the console raises and clears every flag with its reason, lists calls by
// attention, shows a call's last minute and live levels before joining, joins in monitor by default,
// and asks to confirm an early barge.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Minter } from '../worker/harness.mjs';
import { startSystem, openParty, listen, hears, screenshot, until, TONES } from './lib/system.mjs';
import { agentReady, clickMode, saveTeamSettings } from './lib/scenario.mjs';

/** The customer's tone and normal speech both sit near -36 dBFS RMS; loud speech is +15.6 dB. */
const CUSTOMER_TONE_DB = -33;
const SPEECH_NORMAL = 0.15;
const SPEECH_LOUD = 0.9;
const FLAG_WAIT_MS = 20_000;

let system;
let agent;
let customer;
let s1;
let speech; // base64 WAV of espeak-ng speech

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-speech-'));
  const wav = join(dir, 'speech.wav');
  execFileSync('espeak-ng', ['-w', wav, '-s', '160',
    'Hello, I am calling about my order. It arrived yesterday but the box was damaged and two items are missing. Could you please help me with a replacement?']);
  speech = readFileSync(wav).toString('base64');
  system = await startSystem();
  s1 = await openParty(system, 'console.html', 's1', TONES.s1);
  await s1.waitForFunction(() => window.earshotDemo.feed);
  // Quick flags so the test takes seconds, not minutes; a guard long enough to outlast the file.
  await saveTeamSettings(s1, { early_barge_minutes: 10, dead_air_s: 3, raise_after_s: 1, clear_after_s: 2, talk_ratio_min_s: 6 });
  agent = await agentReady(system);
  customer = await openParty(system, 'customer.html', 'c1', TONES.customer, { toneDb: String(CUSTOMER_TONE_DB) });
  await customer.click('#call-button');
  await agent.locator('#answer').click();
  await Promise.all([listen(customer), listen(agent)]);
  await hears(agent, TONES.customer, true, 10_000);
});

after(async () => {
  await system?.stop();
});

/** The console's level meters: what each party says and hears, dBFS by party key. */
const meters = (tab) => tab.evaluate(() => {
  const rows = [...document.querySelectorAll('#levels li[data-party]')];
  const by = (field) => Object.fromEntries(rows.filter((li) => field in li.dataset).map((li) => [li.dataset.party, Number(li.dataset[field])]));
  return { says: by('db'), hears: by('hearsDb') };
});

/** Waits until the console's meter of what `party` hears satisfies `check` (levels arrive 4 times a second). */
async function heardOnConsole(tab, party, check, what) {
  let last;
  return until(what, async () => {
    last = await meters(tab);
    return check(last.hears[party]) && last;
  }, 10_000).catch(() => assert.fail(`${what}: ${JSON.stringify(last)}`));
}

const flag = (tab, kind) => tab.locator(`#calls tr[data-call] .flag.health[data-kind="${kind}"]`);
const sounding = (tab, on) => tab.evaluate((v) => window.earshotDemo.audio.voice.setSounding(v), on);

/** Plays the espeak-ng speech (looped) into the customer's outgoing voice at linear `gain`. */
async function speak(tab, gain) {
  await tab.evaluate(async ([b64, g]) => {
    const { context, sendLevel } = window.earshotDemo.audio;
    if (!window.speechLevel) {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const source = new AudioBufferSourceNode(context, { buffer: await context.decodeAudioData(bytes.buffer), loop: true });
      window.speechLevel = new GainNode(context, { gain: 0 });
      source.connect(window.speechLevel).connect(sendLevel);
      source.start();
    }
    window.speechLevel.gain.setValueAtTime(g, context.currentTime);
  }, [speech, gain]);
}

async function raised(kind, reason) {
  await flag(s1, kind).waitFor({ timeout: FLAG_WAIT_MS }).catch(async (error) => {
    const last = await agent.evaluate(() => window.earshotDemo.call?.health?.last);
    throw new Error(`${error.message}\nthe hub's latest sample: ${JSON.stringify(last)}`);
  });
  assert.match(await flag(s1, kind).textContent(), reason);
}

const cleared = (kind) => flag(s1, kind).waitFor({ state: 'detached', timeout: FLAG_WAIT_MS });

test('scripted audio through the hub raises and clears every flag on the console, with its reason', async () => {
  // Both tones at once: overtalk.
  await raised('overtalk', /^overtalk for \d+ s$/);
  assert.match(await flag(s1, 'overtalk').getAttribute('title'), /both talking \d+ % of the time/);
  // The customer falls silent: overtalk clears; the agent goes on alone until they hold most of the talk.
  await sounding(customer, false);
  await cleared('overtalk');
  await raised('agent_talk_ratio', /^agent talking most for \d+ s$/);
  // Nobody speaks: dead air.
  await sounding(agent, false);
  await raised('dead_air', /^dead air for \d+ s$/);
  await screenshot(s1, 'console-flags');
  // The customer speaks (espeak-ng, at their usual level): dead air clears, and so does the agent's share.
  await speak(customer, SPEECH_NORMAL);
  await cleared('dead_air');
  await cleared('agent_talk_ratio');
  // Once the hub knows the customer's usual level (5 s of their speech), the customer shouts
  // (+15.6 dB over it), then calms down.
  await agent.waitForFunction(() => window.earshotDemo.call.health.last?.customer_baseline_db != null, null, { timeout: FLAG_WAIT_MS });
  await speak(customer, SPEECH_LOUD);
  await raised('customer_loud', /^customer loud for \d+ s$/);
  assert.match(await flag(s1, 'customer_loud').getAttribute('title'), /^\+1\d dB over their usual level$/);
  await speak(customer, SPEECH_NORMAL);
  await cleared('customer_loud');
  for (const page of [agent, customer, s1]) assert.deepEqual(page.errors, []);
});

test('calls are listed help first, then by flags, then by age', async () => {
  await sounding(customer, true); // the first call: the customer talks alone at their usual level, no flags
  await speak(customer, 0);
  const a2 = await agentReady(system, 'a2', 1000);
  const c2 = await openParty(system, 'customer.html', 'c2', 1200, { toneDb: '-80' }); // too quiet to be speech
  await c2.click('#call-button');
  await a2.locator('#answer').click();
  await a2.waitForFunction(() => window.earshotDemo.audio?.voice);
  await sounding(a2, false); // nobody speaks on the second call: dead air
  const order = () => s1.evaluate(() => [...document.querySelectorAll('#calls tr[data-call]')].map((r) => r.cells[0].textContent));
  await s1.locator('#calls tr[data-call]', { hasText: 'Bo' }).locator('.flag.health[data-kind="dead_air"]').waitFor({ timeout: FLAG_WAIT_MS });
  assert.deepEqual(await order(), ['Bo', 'Ana'], 'a flagged call before an older one without flags');
  await agent.click('#raise-hand');
  await s1.waitForFunction(() => document.querySelector('#calls tr[data-call]')?.cells[0].textContent === 'Ana');
  assert.deepEqual(await order(), ['Ana', 'Bo'], 'help raised before flags');
  await agent.click('#raise-hand');
  await a2.click('#hang-up');
  await s1.locator('#calls tr[data-call]', { hasText: 'Bo' }).waitFor({ state: 'detached' });
  for (const page of [a2, c2]) assert.deepEqual(page.errors, []);
});

test("opening a call shows its last minute and live levels; Enter joins in monitor", async () => {
  await agent.click('#raise-hand');
  const s2 = await openParty(system, 'console.html', 's2', TONES.s2);
  await s2.locator('#calls tr[data-call]').first().click();
  await s2.waitForFunction(() => window.earshotDemo.mine?.mode === 'none');
  await s2.locator('#my-mode', { hasText: 'opened, not listening' }).waitFor();
  await agent.locator('#supervisors li', { hasText: 'present, not listening' }).waitFor();
  const context = await s2.locator('#context li').allTextContents();
  assert.ok(context.some((line) => /Ana raised a hand for help/.test(line)), context.join(' | '));
  assert.ok(context.some((line) => /customer loud: \+1\d dB over their usual level/.test(line)), context.join(' | '));
  // Levels: the agent's hub sends them while a supervisor is present; the customer's tone is on.
  await s2.locator('#levels li[data-party="customer"]').waitFor();
  const { says: levels, hears: heard } = await meters(s2);
  assert.ok(levels.customer > -50 && levels.customer < -20, `customer level ${levels.customer}`);
  assert.ok(levels.agent <= -60, `the muted agent reads silent: ${levels.agent}`);
  assert.ok('supervisor:s2' in levels, 'the opened supervisor has a meter too');
  // What each hears, from the hub's outputs: the agent hears the customer; the customer hears the
  // silent agent; the opened supervisor hears nothing.
  assert.ok(heard.agent > -50, `the agent hears the customer: ${heard.agent}`);
  assert.ok(heard.customer <= -60, `the customer hears silence: ${heard.customer}`);
  assert.ok(heard['supervisor:s2'] <= -60, `opened is not listening: ${heard['supervisor:s2']}`);
  await screenshot(s2, 'console-opened');
  await hears(customer, TONES.s2, false);
  // Nobody hears anything of s2 yet, and s2 hears nothing: opened is not listening.
  await listen(s2);
  await hears(s2, TONES.customer, false);
  await s2.keyboard.press('Enter');
  await s2.waitForFunction(() => window.earshotDemo.mine?.mode === 'monitor');
  await hears(s2, TONES.customer, true, 10_000);
  await heardOnConsole(s2, 'supervisor:s2', (db) => db > -50, 'the monitoring supervisor hears the customer');
  await s2.keyboard.press('l');
  await s2.waitForFunction(() => !window.earshotDemo.mine);
  await agent.click('#raise-hand');
  assert.deepEqual(s2.errors, []);
});

test('an early barge asks the supervisor to confirm; cancelling changes nothing, confirming is audited', async () => {
  const row = s1.locator('#calls tr[data-call]', { hasText: 'Ana' });
  await row.locator('button[data-mode="barge"]').click();
  await s1.locator('#confirm:not([hidden])').waitFor();
  assert.match(await s1.locator('#confirm-text').textContent(),
    /^This call is \d:\d\d old; a barge in its first 10 minutes needs confirming\. Barge in anyway\?$/);
  await screenshot(s1, 'console-confirm-barge');
  await s1.click('#confirm-no');
  await s1.locator('#status-line', { hasText: 'Not confirmed: nothing changed.' }).waitFor();
  assert.equal(await s1.evaluate(() => window.earshotDemo.mine?.mode), 'none', 'opened, not barged');
  await hears(customer, TONES.s1, false);
  await row.locator('button[data-mode="barge"]').click();
  await s1.click('#confirm-yes');
  await s1.waitForFunction(() => window.earshotDemo.mine?.mode === 'barge');
  await hears(customer, TONES.s1, true, 10_000);
  const callId = await row.getAttribute('data-call');
  const res = await fetch(`${system.base}/api/calls/${callId}/audit`, { headers: { Authorization: `Bearer ${new Minter().supervisor('auditor', 'blue')}` } });
  const audit = (await res.json()).rows;
  const barges = audit.filter((r) => r.kind === 'mode_change' && r.to_mode === 'barge');
  assert.equal(barges.length, 1, 'the cancelled barge never happened');
  assert.match(barges[0].detail, /^early barge confirmed at \d:\d\d$/);
  assert.deepEqual(s1.errors, []);
});

test("the console meters what each party hears: the customer hears the barging supervisor, and not the agent in takeover", async () => {
  // Dana barged in (the test above); the agent is silent, so whatever the customer hears is Dana.
  assert.equal(await s1.evaluate(() => window.earshotDemo.mine?.mode), 'barge');
  let now = await heardOnConsole(s1, 'customer', (db) => db > -50, 'in barge the customer hears Dana');
  assert.ok(now.says.agent <= -60, `the agent is silent: ${now.says.agent}`);
  await screenshot(s1, 'console-meters-barge');
  // Takeover with the agent talking and Dana silent: the agent's input moves, the customer hears nothing.
  await sounding(agent, true);
  await sounding(s1, false);
  await clickMode(s1, 'takeover');
  now = await heardOnConsole(s1, 'customer', (db) => db <= -60, 'in takeover the customer does not hear the agent');
  assert.ok(now.says.agent > -50, `the agent is talking: ${now.says.agent}`);
  assert.ok(now.hears['supervisor:s1'] > -50, `Dana hears the customer: ${now.hears['supervisor:s1']}`);
  await screenshot(s1, 'console-meters-takeover');
  await sounding(s1, true);
  await sounding(agent, false);
  assert.deepEqual(s1.errors, []);
});
