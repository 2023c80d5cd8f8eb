// What the three pages say at each stage of a supervised call, in headless Chromium over real WebRTC:
// a call rings (and is shown ringing everywhere), is answered (with no error line on any page while it
// starts), goes through every supervisor mode (the customer told whom they hear, as the hearing matrix
// says), a second supervisor's refusal named in words, a leave, the customer dropping and coming back,
// a second call with its own coaching list, and both calls ending. A screenshot of each page at each
// stage lands in artifacts/e2e/ as <page>-<stage>.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSystem, openParty, listen, hears, screenshot, TONES } from './lib/system.mjs';
import { clickMode } from './lib/scenario.mjs';
import { assertAccessible, assertFocusShown } from './lib/a11y.mjs';

let system, agent, customer, s1;

/** Records every state of the page's status line from now on (text, and whether shown as an error). */
async function recordStatusLine(page) {
  await page.evaluate(() => {
    const line = document.querySelector('#status-line');
    window.statusLog = [];
    const note = () => window.statusLog.push({ text: line.textContent, error: line.classList.contains('error') });
    note();
    new MutationObserver(note).observe(line, { childList: true, characterData: true, subtree: true, attributes: true });
  });
}

/** The error lines the page's status line showed since recordStatusLine. */
const errorLines = (page) => page.evaluate(() => window.statusLog.filter((entry) => entry.error).map((entry) => entry.text));

const text = (page, selector) => page.locator(selector).innerText();

/** Waits until `selector`'s visible text is exactly `expected` (then asserts it, for a clear message). */
async function shows(page, selector, expected) {
  await page.waitForFunction(([s, e]) => document.querySelector(s)?.innerText.trim() === e, [selector, expected], { timeout: 10_000 })
    .catch(() => {});
  assert.equal((await text(page, selector)).trim(), expected, `${page.user} ${selector}`);
}

/** A screenshot of each page at `stage`, each page checked for accessibility as it stands then. */
async function shoot(stage, pages = { customer, agent, console: s1 }) {
  await Promise.all(Object.entries(pages).map(([name, page]) => screenshot(page, `${name}-${stage}`)));
  for (const [name, page] of Object.entries(pages)) await assertAccessible(page, `${name} page, ${stage}`);
}

const row = (page, callId) => page.locator(`#calls tr[data-call="${callId}"]`);

before(async () => {
  system = await startSystem();
  agent = await openParty(system, 'agent.html', 'a1', TONES.agent);
  await agent.locator('#toggle-available:not([disabled])').click();
  await agent.locator('#availability[data-state="available"]').waitFor();
  s1 = await openParty(system, 'console.html', 's1', TONES.s1);
  await s1.waitForFunction(() => window.earshotDemo.feed);
  customer = await openParty(system, 'customer.html', 'c1', TONES.customer);
  await Promise.all([agent, s1, customer].map(recordStatusLine));
});

test('the sign-in page and every page before a call: accessible, keyboard focus drawn', async () => {
  const login = await openParty(system, 'index.html', 's1', 0);
  await assertAccessible(login, 'sign-in page');
  await assertFocusShown(login, 'sign-in page');
  await screenshot(login, 'index-start');
  await login.context().close();
  await shoot('start');
  for (const [name, page] of Object.entries({ customer, agent, console: s1 })) await assertFocusShown(page, `${name} page`);
});

after(async () => {
  for (const page of [agent, customer, s1]) assert.deepEqual(page?.errors ?? [], [], 'no uncaught page errors');
  await system?.stop();
});

test('a ringing call is shown ringing on all three pages, with no error line anywhere', async () => {
  await customer.click('#call-button');
  await agent.locator('#ring').waitFor();
  await shows(customer, '#call-phase', 'Ringing');
  await shows(customer, '#agent-state', 'Connecting you to an agent…');
  assert.equal(await customer.locator('#call-timer').isVisible(), false, 'no call time while it rings');
  await shows(agent, '#availability', 'A call is ringing: answer it.');
  await shows(agent, '#ring h2', 'Ringing');
  await shows(agent, '#ring-label', 'Mrs Lee');
  const line = s1.locator('#calls tr[data-call]');
  await line.and(s1.locator('[data-phase="ringing"]')).waitFor();
  assert.equal(await line.locator('.flag').allInnerTexts().then((t) => t.join(',')), 'ringing', 'ringing, not "agent away"');
  await shows(s1, '#queue-summary', 'Nobody waiting. One call ringing (assigned, not answered yet).');
  await shows(s1, '#agents li[data-agent="a1"]', 'Ana — ringing');
  assert.doesNotMatch(await customer.innerText('body'), /On a call/);
  assert.doesNotMatch(await agent.innerText('body'), /You are on a call/);
  await shoot('ringing');
  for (const page of [customer, agent, s1]) assert.deepEqual(await errorLines(page), [], `${page.user}: no error line while ringing`);
});

test('answered: on a call on all three pages, both hear each other, and still no error line', async () => {
  await agent.click('#answer');
  await Promise.all([listen(customer), listen(agent)]);
  await hears(customer, TONES.agent, true, 10_000);
  await hears(agent, TONES.customer, true, 10_000);
  await shows(customer, '#call-phase', 'On a call');
  await customer.locator('#call-timer').waitFor(); // visible now, counting from the answer
  await shows(customer, '#agent-state', 'You are talking to an agent.');
  await shows(customer, '#status-line', 'Connected.');
  await shows(agent, '#availability', 'You are on a call.');
  await shows(agent, '#customer-state', 'The customer is connected.');
  await s1.locator('#calls tr[data-call][data-phase="on_call"]').waitFor();
  assert.equal(await s1.locator('#calls tr[data-call] .flag').count(), 0, 'no chip on a call going well');
  await shows(s1, '#queue-summary', 'Nobody waiting.');
  await shows(s1, '#agents li[data-agent="a1"]', 'Ana — on a call');
  await shoot('answered');
  for (const page of [customer, agent, s1]) assert.deepEqual(await errorLines(page), [], `${page.user}: no error line during a normal call start`);
});

/** What each page says in each of s1's modes (the customer's line follows the hearing matrix). */
const IN_MODE = {
  monitor: { console: "Monitoring Ana's call with Mrs Lee: nobody hears you.", agent: 'Dana — listening', customer: 'You are talking to an agent.' },
  whisper: { console: 'Whispering to Ana: only Ana hears you, not Mrs Lee.', agent: 'Dana — coaching you (only you hear them)', customer: 'You are talking to an agent.' },
  barge: { console: "Barged in on Ana's call with Mrs Lee: both hear you.", agent: 'Dana — in the call (everyone hears them)', customer: 'You are talking to an agent and Dana.' },
  takeover: { console: 'Taking over from Ana: Mrs Lee hears you and no longer hears Ana.', agent: 'Dana — has taken over (talking to the customer)', customer: 'You are talking to Dana.' },
};

test('each mode: the console, the agent and the customer say it, and the customer is told whom they hear', async () => {
  for (const [mode, words] of Object.entries(IN_MODE)) {
    await clickMode(s1, mode);
    await shows(s1, '#status-line', words.console);
    await shows(agent, '#supervisors li[data-id="s1"]', words.agent);
    await shows(customer, '#agent-state', words.customer);
    if (mode === 'monitor' || mode === 'whisper') assert.doesNotMatch(await customer.innerText('body'), /Dana/);
    await shoot(mode);
  }
  // In takeover the customer really hears the supervisor and not the agent, as they are told.
  await listen(customer);
  await hears(customer, TONES.s1, true, 5000);
  await hears(customer, TONES.agent, false, 5000);
});

test('a refusal in words, naming the supervisor who holds takeover, not their id', async () => {
  const s2 = await openParty(system, 'console.html', 's2', TONES.s2);
  await s2.locator('#calls tr[data-call]').first().waitFor();
  await s2.locator('#calls tr[data-call] button[data-mode="takeover"]').click();
  const refused = s2.locator('#status-line.error');
  await Promise.race([refused.waitFor(), s2.locator('#confirm:not([hidden])').waitFor()]);
  if (await s2.locator('#confirm').isVisible()) await s2.click('#confirm-yes'); // the early-takeover guard
  await refused.waitFor();
  await shows(s2, '#status-line', 'Refused: Dana has already taken over this call (one takeover at a time).');
  await s2.waitForFunction(() => !window.earshotDemo.mine);
  await screenshot(s2, 'console2-refused');
  assert.deepEqual(s2.errors, []);
  await s2.context().close();
});

/** Records when each line of the console's live-context panel was first shown (page clock, ms). */
async function watchContext(page) {
  await page.evaluate(() => {
    window.contextShown = new Map(); // line text → { at: the row's time at the worker, shownAt }
    const shownBefore = new Set([...document.querySelectorAll('#context li')].map((li) => li.innerText));
    const note = () => {
      for (const li of document.querySelectorAll('#context li[data-at]')) {
        const line = li.innerText;
        if (!shownBefore.has(line) && !window.contextShown.has(line)) window.contextShown.set(line, { at: Number(li.dataset.at), shownAt: Date.now() });
      }
    };
    new MutationObserver(note).observe(document.querySelector('#context'), { childList: true, subtree: true });
  });
}

/** Waits for a context line matching `pattern`; returns how long after the worker wrote it it was shown (ms). */
async function contextDelay(page, pattern) {
  const found = await page.waitForFunction((source) => {
    const re = new RegExp(source);
    return [...window.contextShown].find(([text]) => re.test(text));
  }, pattern.source, { timeout: 10_000 }).then((handle) => handle.jsonValue())
    .catch(async () => assert.fail(`no context line ${pattern} in ${JSON.stringify(await page.locator('#context li').allInnerTexts())}`));
  const [text, { at, shownAt }] = found;
  assert.match(text, /^\d{1,2}:\d\d:\d\d/, `the line says when: ${text}`);
  return shownAt - at;
}

test("the call's live context: while Dana is on the call, a raised hand and another supervisor's mode entries appear within a second, with who and when", async () => {
  await watchContext(s1);
  const delays = {};
  await agent.click('#raise-hand');
  delays.hand = await contextDelay(s1, /Ana raised a hand for help/);
  const s2 = await openParty(system, 'console.html', 's2', TONES.s2);
  await row(s2, await agent.evaluate(() => window.earshotDemo.call.id)).locator('[data-mode="monitor"]').click();
  await s2.waitForFunction(() => window.earshotDemo.mine?.mode === 'monitor');
  delays.join = await contextDelay(s1, /Eli (opened the call|is now monitoring)/);
  await clickMode(s2, 'leave');
  delays.leave = await contextDelay(s1, /Eli left the call \(was monitoring\)/);
  await agent.click('#raise-hand');
  delays.lowered = await contextDelay(s1, /Ana lowered their hand/);
  console.log(`live context, worker to console (ms): ${JSON.stringify(delays)}`);
  for (const [what, ms] of Object.entries(delays)) assert.ok(ms < 1000, `${what} shown ${ms} ms after it happened`);
  await screenshot(s1, 'console-live-context');
  assert.deepEqual(s2.errors, []);
  await s2.context().close();
});

test('leave and a customer reconnecting: every page follows; coaching lists are per call; both calls end and every page says so', async () => {
  const firstCall = await agent.evaluate(() => window.earshotDemo.call.id);
  await s1.fill('#coach-text', 'Offer the refund now');
  await s1.press('#coach-text', 'Enter');
  await shows(s1, '#coach-sent', 'Offer the refund now');
  assert.ok((await contextDelay(s1, /Dana coached: “Offer the refund now”/)) < 1000, 'coaching shown in the live context');
  await clickMode(s1, 'leave');
  await shows(s1, '#status-line', 'You left the call.');
  await shows(agent, '#supervisors', 'No supervisor on this call.');
  await shows(customer, '#agent-state', 'You are talking to an agent.');
  await shoot('left');

  // The customer drops (a reload): the agent and the console say they are reconnecting; once back,
  // the call is on again (not ringing), with no error line on the way.
  await customer.reload();
  await shows(agent, '#customer-state', 'Customer reconnecting…');
  await s1.locator('#calls tr[data-phase="customer_away"] .flag', { hasText: 'customer reconnecting' }).waitFor();
  await shoot('customer-away');
  await recordStatusLine(customer);
  await customer.click('#call-button');
  await shows(customer, '#call-phase', 'On a call');
  await shows(customer, '#agent-state', 'You are talking to an agent.');
  await shows(agent, '#customer-state', 'The customer is connected.');
  assert.deepEqual(await errorLines(customer), [], 'the customer rejoins without an error line');

  // A second call (Bo answers Mr Okafor): opening it shows none of the first call's coaching.
  const agent2 = await openParty(system, 'agent.html', 'a2', TONES.s2);
  await agent2.locator('#toggle-available:not([disabled])').click();
  await agent2.locator('#availability[data-state="available"]').waitFor();
  const customer2 = await openParty(system, 'customer.html', 'c2', 600);
  await customer2.click('#call-button');
  await agent2.locator('#answer').click();
  await shows(customer2, '#call-phase', 'On a call');
  const secondCall = await agent2.evaluate(() => window.earshotDemo.call.id);
  await row(s1, secondCall).locator('[data-mode="monitor"]').click();
  await s1.waitForFunction((id) => window.earshotDemo.mine?.id === id && window.earshotDemo.mine.mode === 'monitor', secondCall);
  await shows(s1, '#status-line', "Monitoring Bo's call with Mr Okafor: nobody hears you.");
  assert.equal(await s1.locator('#coach-sent li').count(), 0, "the first call's coaching does not show under the second");
  await s1.fill('#coach-text', 'Ask for the order number');
  await s1.press('#coach-text', 'Enter');
  await shows(s1, '#coach-sent', 'Ask for the order number');
  await screenshot(s1, 'console-second-call');

  // The first call ends while Dana monitors the second: her line still says what she is doing.
  await agent.click('#hang-up');
  await shows(customer, '#status-line', 'Call ended: ended by the agent.');
  await shows(agent, '#status-line', 'Call ended: ended by the agent.');
  await row(s1, firstCall).waitFor({ state: 'detached' });
  await shows(s1, '#status-line', "Monitoring Bo's call with Mr Okafor: nobody hears you.");
  // Then the second ends under her: she is told so, and no mode is claimed any more.
  await customer2.click('#hang-up');
  await shows(customer2, '#status-line', 'Call ended: ended by the customer.');
  await shows(agent2, '#status-line', 'Call ended: ended by the customer.');
  await s1.waitForFunction(() => !window.earshotDemo.mine);
  await shows(s1, '#status-line', 'Call ended: ended by the customer.');
  await s1.locator('#calls tr.empty').waitFor();
  assert.equal(await s1.locator('#mine').isVisible(), false);
  await shows(agent, '#availability', 'You are available.'); // back in the team's rotation
  await shoot('ended', { customer, agent, console: s1, customer2, agent2 });
  for (const page of [agent2, customer2]) assert.deepEqual(page.errors, []);
  await agent2.context().close();
  await customer2.context().close();
});
