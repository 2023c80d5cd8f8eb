// The whole Earshot system for browser tests: a real `wrangler dev` (workerd) serving the worker and
// the demo pages, one headless Chromium, and a page per party with the tone detector on its ears.
import { readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Wrangler, ROOT, sleep } from '../../worker/harness.mjs';
import { launchChromium } from './browser.mjs';

export { sleep, ROOT };

/** Polls `check` every 250 ms until it returns something truthy (returned), failing after `timeoutMs`. */
export async function until(what, check, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

/** Distinct voices: each party's test tone, far from each other and from the join tone (2600 Hz): the detector compares a tone with the spectrum 100-250 Hz around it, so tones sit at least 400 Hz apart. */
export const TONES = { customer: 400, agent: 850, s1: 1400, s2: 2000 };

const TONE_DETECTOR = readFileSync(join(ROOT, 'tests', 'e2e', 'lib', 'tones.js'), 'utf8');
export const ARTIFACTS = join(ROOT, 'artifacts', 'e2e');

/**
 * Starts wrangler dev (fresh state, short presence timings so drops are noticed fast) and Chromium.
 * Host candidates must be real addresses, not mDNS names: inside the test's network namespace there is
 * nobody to resolve them.
 */
export async function startSystem({ vars = {} } = {}) {
  const worker = await new Wrangler({
    vars: { EARSHOT_SILENCE_LIMIT_MS: '4000', EARSHOT_GRACE_MS: '20000', ...vars },
  }).start();
  const browser = await launchChromium(['--disable-features=WebRtcHideLocalIpsWithMdns']);
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    worker,
    browser,
    base: worker.base,
    async stop() {
      await browser.close().catch(() => {});
      await worker.stop();
    },
  };
}

/**
 * Opens `page` (customer.html, agent.html, console.html) as demo user `user` speaking `tone` Hz;
 * `extra` adds URL parameters, `contextOptions` the browser context's (e.g. granted permissions).
 */
export async function openParty(system, page, user, tone, extra = {}, contextOptions = {}) {
  const context = await system.browser.newContext({ viewport: { width: 1100, height: 760 }, ...contextOptions });
  return visit(await context.newPage(), system, page, user, tone, extra);
}

/** The same in Firefox (`firefox` from launchFirefox: a puppeteer-core browser, whose pages share what the helpers here use). */
export async function openPartyInFirefox(firefox, system, page, user, tone, extra = {}) {
  const tab = await firefox.newPage();
  await tab.setViewport({ width: 1100, height: 760 });
  return visit(tab, system, page, user, tone, extra);
}

/** Puts the tone detector into `tab`'s page again (after it navigated, e.g. back from a login page). */
export async function injectToneDetector(tab) {
  await tab.addScriptTag({ content: TONE_DETECTOR });
}

async function visit(tab, system, page, user, tone, extra) {
  const errors = [];
  tab.on('pageerror', (error) => errors.push(error.message));
  const url = new URL(`${system.base}/${page}`);
  url.searchParams.set('user', user);
  url.searchParams.set('tone', String(tone));
  for (const [k, v] of Object.entries(extra)) url.searchParams.set(k, v);
  await tab.goto(String(url));
  await tab.addScriptTag({ content: TONE_DETECTOR });
  return Object.assign(tab, { errors, user });
}

/** Attaches the tone detector to the party's ears (what reaches its speakers), once audio exists. */
export async function listen(tab) {
  await until('the page has audio', () => tab.evaluate(() => Boolean(window.earshotDemo?.audio?.ears)), 15_000);
  await tab.evaluate(() => {
    const demo = window.earshotDemo;
    const ears = demo.audio.ears;
    if (window.detectorEars !== ears) {
      window.detector = earshotTones.makeDetector(demo.audio.context, ears);
      window.detectorEars = ears;
    }
  });
}

/** Waits until tone `hz` is (`wanted`) or is not present at the party's ears; returns the ms taken. */
export async function hears(tab, hz, wanted = true, timeoutMs = 3000) {
  return tab.evaluate(([f, w, t]) => window.detector.waitFor(f, w, t), [hz, wanted, timeoutMs]);
}

/**
 * What each WebRTC link of a page is doing, for a failure message: signaling, gathering, ICE and
 * connection states and how many candidates each description carries. Works on the agent's page (its
 * hub links) and on a customer's or supervisor's (its one link to the hub), in either browser.
 */
export async function linkStates(tab) {
  return tab.evaluate(() => {
    const describe = (pc) => pc && {
      signaling: pc.signalingState,
      gathering: pc.iceGatheringState,
      ice: pc.iceConnectionState,
      connection: pc.connectionState,
      localCandidates: (pc.localDescription?.sdp.match(/^a=candidate:.*$/gm) ?? []),
      remoteCandidates: (pc.remoteDescription?.sdp.match(/^a=candidate:.*$/gm) ?? []),
    };
    const demo = window.earshotDemo;
    if (demo.role === 'agent') {
      return Object.fromEntries([...(demo.call?.links ?? new Map())].map(([key, link]) => [key, { ...(describe(link.pc) ?? { closed: true }), restarts: link.restarts }]));
    }
    const link = demo.role === 'supervisor' ? demo.mine?.link : demo.call?.link;
    return { hub: describe(link?.pc) ?? 'no link' };
  });
}

/** Saves a screenshot of the page under artifacts/e2e/. */
export async function screenshot(tab, name) {
  await tab.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Starts watching for tone `hz` at the party's ears in the background; `stopWatch` reports it. */
export async function startWatch(tab, hz) {
  await tab.evaluate((f) => {
    window.watches ??= {};
    window.watches[f] = window.detector.watch(f);
  }, hz);
}

/** Stops the watch on `hz`: `{ times, presentMs }` it was heard since `startWatch`. */
export async function stopWatch(tab, hz) {
  return tab.evaluate((f) => window.watches[f].stop(), hz);
}

/** Reloads a party's page (the tone detector is injected again) and waits until it has audio. */
export async function reloadParty(tab) {
  await tab.reload();
  await tab.addScriptTag({ content: TONE_DETECTOR });
  await listen(tab);
}
