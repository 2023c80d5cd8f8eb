// Signing staff in through the real OpenID provider, as a person would: the page's Sign in button,
// the provider's login page (a username and a password typed into its form), and back.
import { createServer } from 'node:http';
import { exampleConfig } from '../../oidc/accounts.mjs';
import { CLIENT_ID, LocalProvider, signingKey } from '../../oidc/provider.mjs';
import { injectToneDetector, startSystem } from './system.mjs';

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * The system with a local OpenID provider configured as its staff's sign-in (the example group
 * mapping); ID tokens last `idTokenSeconds`. `system.provider` is the provider.
 */
export async function startSystemWithProvider({ idTokenSeconds = 3600 } = {}) {
  const provider = new LocalProvider(await freePort());
  const system = await startSystem({ vars: { EARSHOT_OIDC: JSON.stringify(exampleConfig(provider.issuer, CLIENT_ID)) } });
  await provider.start({ keys: [signingKey('RS256')], alg: 'RS256', pages: system.base, idTokenSeconds });
  const stop = system.stop.bind(system);
  return Object.assign(system, { provider, async stop() { await stop(); await provider.stop(); } });
}

/** Opens `page` (console.html, agent.html, …) in a fresh browser context, signed out; `tone` its voice. */
export async function openSignedOut(system, page, tone) {
  const context = await system.browser.newContext({ viewport: { width: 1100, height: 760 } });
  const tab = await context.newPage();
  const errors = [];
  tab.on('pageerror', (error) => errors.push(error.message));
  await tab.goto(`${system.base}/${page}${tone ? `?tone=${tone}` : ''}`);
  await tab.locator('#sign-in h2').waitFor();
  return Object.assign(tab, { errors });
}

/**
 * Clicks the page's Sign in, types `login` and `password` on the provider's login page and submits;
 * resolves once the browser is back on the worker's page (the tone detector put back in).
 */
export async function signInAt(system, tab, login, password = `${login}-password`) {
  await tab.locator('#sign-in button', { hasText: 'Sign in' }).click();
  await tab.waitForURL((url) => url.href.startsWith(system.provider.issuer));
  await tab.locator('input[name="login"]').fill(login);
  await tab.locator('input[name="password"]').fill(password);
  await tab.locator('button[type="submit"]').click();
  await tab.waitForURL((url) => url.href.startsWith(system.base));
  await tab.waitForLoadState('load');
  await injectToneDetector(tab);
}
