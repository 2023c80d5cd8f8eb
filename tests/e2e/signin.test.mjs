// Staff sign in through a real OpenID provider (npm oidc-provider) in headless Chromium: the agent and
// a supervisor each type a username and password on the provider's login page, the supervisor joins
// the agent's call and whispers (the agent hears it, the customer does not, by tone); their ID tokens
// are renewed mid-call without a drop; sign-out ends the provider's session too; someone in no mapped
// group, and someone on another role's page, are told why in words. The sign-in UI passes the axe checks
// and draws its keyboard focus.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TONES, listen, screenshot, until } from './lib/system.mjs';
import { connectCall, clickMode } from './lib/scenario.mjs';
import { HEARS, assertHearing } from './lib/hearing.mjs';
import { assertAccessible } from './lib/a11y.mjs';
import { openSignedOut, signInAt, startSystemWithProvider } from './lib/sign-in.mjs';
import { CLIENT_ID } from '../oidc/provider.mjs';

/** Short enough that each page renews its token during the test (at two thirds of its life). */
const ID_TOKEN_SECONDS = 30;
let system, agent, customer, console;

before(async () => {
  system = await startSystemWithProvider({ idTokenSeconds: ID_TOKEN_SECONDS });
});

after(async () => {
  for (const page of [agent, customer, console]) assert.deepEqual(page?.errors ?? [], [], 'no uncaught page errors');
  await system?.stop();
});

test('the worker names the provider the pages sign in at, from EARSHOT_OIDC, never cached', async () => {
  const response = await fetch(`${system.base}/auth/config`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('cache-control'), 'no-store');
  assert.deepEqual(await response.json(), { provider: { issuer: system.provider.issuer, client_id: CLIENT_ID }, dev_sign_in: true });
  const nobody = await fetch(`${system.base}/auth/me`);
  assert.equal(nobody.status, 401, 'who am I, without a token: refused');
});

test('a signed-out staff page offers sign-in at the provider, and nothing else', async () => {
  const tab = await openSignedOut(system, 'console.html');
  assert.equal(await tab.locator('#sign-in h2').textContent(), 'You are signed out');
  assert.match(await tab.locator('#sign-in-reason').textContent(), new RegExp(system.provider.issuer.replace(/\./g, '\\.')));
  const shown = await tab.evaluate(() => [...document.querySelectorAll('body *')]
    .filter((e) => e.checkVisibility() && !e.closest('#sign-in') && !e.closest('header h1')).map((e) => e.tagName.toLowerCase()));
  assert.deepEqual(shown, ['header'], 'nothing of the console behind the notice but the header with the page title');
  assert.equal(await tab.locator('#who').textContent(), '', 'nobody is shown as signed in');
  await assertAccessible(tab, 'the signed-out console');
  // The notice puts keyboard focus on its Sign in button (the only control), drawn as on every page.
  const focus = await tab.evaluate(() => {
    const style = getComputedStyle(document.activeElement);
    return { text: document.activeElement.textContent, outline: style.outlineStyle, width: parseFloat(style.outlineWidth) };
  });
  assert.ok(focus.text === 'Sign in' && focus.outline !== 'none' && focus.width >= 2, JSON.stringify(focus));
  await screenshot(tab, 'signin-signed-out');
  await tab.context().close();
});

test('the agent and a supervisor sign in at the provider; the supervisor whispers to the agent only', async () => {
  agent = await openSignedOut(system, 'agent.html', TONES.agent);
  await signInAt(system, agent, 'ana');
  await agent.locator('#who', { hasText: 'Ana · agent of team blue · no exemptions' }).waitFor();
  await agent.locator('#toggle-available:not([disabled])', { hasText: 'Become available' }).click();
  await agent.locator('#availability[data-state="available"]').waitFor();
  customer = await connectCall(system, agent); // customers come in through the dev mint, as before

  console = await openSignedOut(system, 'console.html', TONES.s1);
  await signInAt(system, console, 'dana');
  await console.locator('#who', { hasText: 'Dana · supervisor of team blue · every mode' }).waitFor();
  assert.equal(new URL(console.url()).search, `?tone=${TONES.s1}`, 'the page keeps its own parameters, not the code');
  await assertAccessible(console, 'the signed-in console');
  await console.locator('#calls tr[data-call]').first().waitFor();
  await clickMode(console, 'whisper');
  await assertHearing({ customer, agent, s1: console }, HEARS.whisper);
  await screenshot(console, 'signin-console-whisper');
});

test('mid-call, both pages renew their ID tokens before expiry: the call goes on, the new tokens are accepted', async () => {
  const before = await Promise.all([agent, console].map((tab) => tab.evaluate(() => window.earshotDemo.session.token)));
  for (const tab of [agent, console]) {
    await until('the token renewed', () => tab.evaluate(() => window.earshotDemo.session.renewals >= 1), ID_TOKEN_SECONDS * 1000);
  }
  for (const [i, tab] of [agent, console].entries()) {
    const { token, me } = await tab.evaluate(async () => {
      const { token } = window.earshotDemo.session;
      const answer = await fetch('/auth/me', { headers: { authorization: `Bearer ${token}` } });
      return { token, me: { status: answer.status, ...(await answer.json()) } };
    });
    assert.notEqual(token, before[i], 'a new ID token');
    assert.equal(me.status, 200, JSON.stringify(me));
  }
  // Past the first tokens' expiry (and the worker's 30 s skew), nobody was dropped.
  await assertHearing({ customer, agent, s1: console }, HEARS.whisper);
  // A new socket, opened with the renewed token: the supervisor leaves and monitors again.
  await clickMode(console, 'leave');
  await clickMode(console, 'monitor');
  await listen(console);
  await assertHearing({ customer, agent, s1: console }, HEARS.monitor);
});

test('sign-out ends the session at the provider too: signing in again asks for the password', async () => {
  await console.locator('#sign-out').click();
  await console.waitForURL((url) => url.href.startsWith(system.provider.issuer));
  await console.locator('button', { hasText: 'Yes, sign me out' }).click();
  await console.waitForURL((url) => url.href.startsWith(system.base));
  await console.locator('#sign-in h2', { hasText: 'You are signed out' }).waitFor();
  assert.equal(await console.evaluate(() => sessionStorage.getItem('earshot.signin.tokens')), null, 'no token kept');
  await console.locator('#sign-in button', { hasText: 'Sign in' }).click();
  await console.locator('input[name="login"]').waitFor();
  await screenshot(console, 'signin-login-page');
  await console.goBack();
});

test('someone in no mapped group is refused with the reason; someone on another role\'s page is told where to go', async () => {
  const nobody = await openSignedOut(system, 'console.html');
  await signInAt(system, nobody, 'nia');
  await nobody.locator('#sign-in h2', { hasText: 'Earshot refused your sign-in' }).waitFor();
  assert.match(await nobody.locator('#sign-in-reason').textContent(), /none of the token's 2 groups \(claim "groups"\) is mapped to an Earshot role and team/);
  assert.equal(await nobody.locator('#sign-in button', { hasText: 'Sign out' }).count(), 1);
  await assertAccessible(nobody, 'the refused sign-in');
  await screenshot(nobody, 'signin-refused');
  await nobody.context().close();

  const wrongPage = await openSignedOut(system, 'console.html');
  await signInAt(system, wrongPage, 'gil');
  await wrongPage.locator('#sign-in h2', { hasText: 'This page is not for you' }).waitFor();
  assert.match(await wrongPage.locator('#sign-in-reason').textContent(), /Gil, agent of team green; this page is for supervisors/);
  await wrongPage.locator('#sign-in a', { hasText: "Open the agent's page" }).click();
  await wrongPage.locator('#who', { hasText: 'Gil · agent of team green' }).waitFor();
  await wrongPage.context().close();
});
