// Secure pause end to end, by tone: a recorded call with a monitoring supervisor; the agent presses P
// (the page's key), and until the agent ends the pause with the button the supervisor's speakers carry
// neither the customer's tone (400 Hz) nor the agent's (850 Hz) while agent and customer still hear
// each other; afterwards both are back. The stored take, decoded by Chromium, has neither tone on
// either channel inside the paused span (as the review reports it) and both outside it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSystem, until, hears, sleep, TONES } from './lib/system.mjs';
import { assertHearing } from './lib/hearing.mjs';
import { agentReady, connectCall, openConsole, clickMode } from './lib/scenario.mjs';
import { takeTones, toneShare } from './lib/take-tones.mjs';
import { Minter } from '../worker/harness.mjs';

/** Seconds kept clear of each edge of the pause when judging the take (encoder and upload latency). */
const EDGE_S = 1;
let system;
const reviewerToken = () => new Minter().supervisor('pause-reviewer', 'blue', ['monitor']);

before(async () => { system = await startSystem(); });
after(async () => { await system?.stop(); });

test('secure pause: the supervisor hears neither party and the take holds neither during it; both are back after', async () => {
  const pages = [];
  try {
    const agent = await agentReady(system);
    pages.push(agent);
    const customer = await connectCall(system, agent);
    pages.push(customer);
    const s1 = await openConsole(system, 's1');
    pages.push(s1);
    await clickMode(s1, 'monitor');
    const parties = { customer, agent, s1 };
    await assertHearing(parties, { customer: ['agent'], agent: ['customer'], s1: ['agent', 'customer'] });
    await agent.click('#record');
    await agent.locator('#recording-state', { hasText: 'Recording.' }).waitFor();
    const callId = await agent.evaluate(() => window.earshotDemo.call.id);
    await sleep(3000);

    await agent.locator('body').press('p');
    await agent.locator('#secure-pause-state', { hasText: 'Secure pause' }).waitFor();
    await s1.locator('#calls tr[data-call] .flag.pause', { hasText: 'secure pause' }).waitFor();
    await assertHearing(parties, { customer: ['agent'], agent: ['customer'], s1: [] });
    await sleep(4000);
    // Still silent for the supervisor after seconds of pause (not a glitch at its start).
    await hears(s1, TONES.customer, false, 1000);
    await hears(s1, TONES.agent, false, 1000);
    const refused = await s1.evaluate(() => window.earshotDemo.mine.channel.request({ type: 'set_mode', mode: 'whisper' }).then(() => 'ack', (e) => e.code));
    assert.equal(refused, 'secure_pause', 'whisper is refused while paused');

    await agent.click('#secure-pause');
    await agent.waitForFunction(() => document.querySelector('#secure-pause-state').textContent === '');
    await agent.locator('#secure-pause', { hasText: /^Secure pause/ }).waitFor();
    await assertHearing(parties, { customer: ['agent'], agent: ['customer'], s1: ['agent', 'customer'] });
    await sleep(3000);
    await agent.click('#hang-up');

    const auth = { headers: { Authorization: `Bearer ${reviewerToken()}` } };
    const review = await until('the archived review with a completed take', async () => {
      const res = await fetch(`${system.base}/api/calls/${callId}/review`, auth);
      const body = res.status === 200 ? await res.json() : null;
      return body?.takes?.[0]?.complete ? body : null;
    });
    assert.equal(review.pauses.length, 1, JSON.stringify(review.pauses));
    const [take] = review.takes;
    const [pause] = review.pauses;
    const from = (pause.from - take.started_at) / 1000;
    const to = (pause.to - take.started_at) / 1000;
    const result = await takeTones(s1, `/api/calls/${callId}/recordings/${take.take}/audio`, reviewerToken(), [TONES.customer, TONES.agent]);
    assert.equal(result.status, 200);
    assert.ok(result.seconds > to + 2, `the take (${result.seconds.toFixed(1)} s) runs past the pause (${from.toFixed(1)}-${to.toFixed(1)} s)`);
    const during = (t) => t > from + EDGE_S && t < to - EDGE_S;
    const before = (t) => t > 0.5 && t < from - EDGE_S;
    const afterwards = (t) => t > to + EDGE_S && t < result.seconds - 0.5;
    const [customerChannel, agentChannel] = result.channels;
    const shares = {
      customer: [before, during, afterwards].map((span) => toneShare(customerChannel, TONES.customer, span)),
      agent: [before, during, afterwards].map((span) => toneShare(agentChannel, TONES.agent, span)),
    };
    console.log(`pause ${from.toFixed(1)}-${to.toFixed(1)} s of a ${result.seconds.toFixed(1)} s take; tone shares before/during/after ${JSON.stringify(shares)}`);
    for (const [who, [was, paused, back]] of Object.entries(shares)) {
      assert.ok(was > 0.5, `${who} recorded before the pause (${was})`);
      assert.equal(paused, 0, `${who} not recorded during the pause`);
      assert.ok(back > 0.5, `${who} recorded again after the pause (${back})`);
    }
    for (const channel of result.channels) {
      for (const f of [TONES.customer, TONES.agent]) assert.equal(toneShare(channel, f, during), 0, `no ${f} Hz on any channel during the pause`);
    }
    for (const page of pages) assert.deepEqual(page.errors, [], 'no uncaught page errors');
  } finally {
    for (const page of pages) await page.context().close().catch(() => {});
  }
});
