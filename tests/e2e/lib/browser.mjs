// Launches Debian's Chromium (playwright-core) and Firefox ESR (puppeteer-core over WebDriver BiDi:
// Playwright cannot drive a stock Firefox) for real-audio, real-WebRTC tests: headless, loopback only,
// fake devices.
import { chromium } from 'playwright-core';
import { launchFirefox as launchHeadlessFirefox } from '../../../mixer-wasm/tests/browser/harness.mjs';

/** Chromium flags for audio and WebRTC tests; see BRIEF §7 and ARCHITECTURE.md. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
  '--allow-loopback-in-peer-connection',
  // Background tabs must keep their audio clocks running at full rate.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

export async function launchChromium(extraArgs = []) {
  return chromium.launch({
    executablePath: process.env.CHROME_BIN || '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
  });
}

/**
 * Firefox preferences for the same, beyond Web Audio without a click (the mixer harness's own):
 * fake devices without a prompt and real host addresses in ICE candidates (Firefox hides them
 * behind mDNS names by default, and inside the tests' namespace nobody resolves those). Firefox
 * gathers no candidate on loopback alone, media.peerconnection.ice.loopback or not:
 * scripts/test-e2e.sh gives its test a private address and a default route that leads nowhere.
 */
export const FIREFOX_PREFS = {
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  'media.peerconnection.ice.obfuscate_host_addresses': false,
};

/** Firefox ESR for a call: the mixer tests' launcher (its silent audio output) with the prefs above. */
export function launchFirefox() {
  return launchHeadlessFirefox(FIREFOX_PREFS);
}
